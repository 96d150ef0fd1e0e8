"""Fixtures shared by every test that needs the application.

The suite runs on SQLite (a file per run) unless TEST_DATABASE_URL names another database; for
PostgreSQL each run works in a schema of its own, dropped at the end, so runs never collide.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from companion.app import create_app
from companion.audit.append_only import allow_statements, forbid_statements
from companion.db import db
from tests.database_schemas import schema_of_its_own
from tests.twilio_standin import StandinControl, running_standin

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# argon2 at its cheapest: the suite signs in hundreds of times (production keeps argon2-cffi's
# defaults, about 100 ms a check on this machine).
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "64")
# Fixed test keys for personal data, so no key files are written under instance/.
os.environ.setdefault("DATA_ENCRYPTION_KEYS", "dGVzdC1kYXRhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=")
os.environ.setdefault("PHONE_HASH_KEY", "test-phone-hash-key-not-for-production")
# Every request of the suite comes from 127.0.0.1; test_rate_limits.py builds apps with limits.
os.environ.setdefault("RATELIMIT_ENABLED", "false")


@contextmanager
def database_of_its_own(sqlite_file: Path, schema_prefix: str) -> Iterator[tuple[str, dict]]:
    """(URL, engine options) of an empty database on the engine the suite runs on.

    SQLite: `sqlite_file`. PostgreSQL (TEST_DATABASE_URL): a schema of its own, dropped after,
    so that runs and tests never collide.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{sqlite_file}", {}
        return
    with schema_of_its_own(url, schema_prefix) as (driver_url, schema):
        yield driver_url, {"connect_args": {"options": f"-csearch_path={schema}"}}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """(URL, engine options) of the database this run uses."""
    with database_of_its_own(tmp_path_factory.mktemp("db") / "test.sqlite3", "test") as found:
        yield found


@pytest.fixture(scope="session")
def app(database_url: tuple[str, dict]) -> Iterator[Flask]:
    url, engine_options = database_url
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        }
    )
    with application.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def another_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """`another_app(**config)`: one more app on the suite's database, its engine closed after."""
    built: list[Flask] = []

    def build(**config: Any) -> Flask:
        application = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                **config,
            }
        )
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def clean_database(app: Flask) -> Iterator[None]:
    """Every table empty after the test, whatever it committed."""
    yield
    with app.app_context():
        empty_every_table()


def empty_every_table() -> None:
    """Delete every row of every table, the append-only audit trail included (in an app context)."""
    db.session.remove()
    with db.engine.begin() as connection:
        dialect = connection.dialect.name
        for statement in allow_statements(dialect):
            connection.exec_driver_sql(statement)
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for statement in forbid_statements(dialect):
            connection.exec_driver_sql(statement)


@pytest.fixture
def client(app: Flask, clean_database: None) -> FlaskClient:
    return app.test_client()


def csrf_token_from(html: bytes | str) -> str:
    """The CSRF token a page embeds in its forms."""
    text_ = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token" value="([^"]+)"', text_)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_staff(app: Flask, clean_database: None):
    """`make_staff(role="coordinator", site="SITE01", email=None)` -> the new account's email."""
    from companion.access.service import create_staff

    counter = iter(range(1, 10_000))

    def make(role: str = "coordinator", site: str = "SITE01", email: str | None = None) -> str:
        email = email or f"{role}{next(counter)}@{site.lower()}.example.org"
        with app.app_context():
            create_staff(
                db.session, email=email, password=STAFF_PASSWORD, role=role, site_code=site
            )
            db.session.commit()
        return email

    return make


@pytest.fixture
def bearer(client: FlaskClient):
    """`bearer(email)` -> headers that authenticate API requests as that staff member."""

    def sign_in(email: str, password: str = STAFF_PASSWORD) -> dict[str, str]:
        response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return sign_in


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the tests: TEST_REDIS_URL when given, else a private redis-server.

    The private server listens on a free 127.0.0.1 port, keeps nothing on disk and stops with
    the run, so the suite needs no Redis already running (`scripts/setup` installs the binary).
    """
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run ./scripts/setup", pytrace=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def _standin_server() -> Iterator[tuple[str, StandinControl]]:
    with running_standin() as served:
        yield served


@pytest.fixture
def twilio_standin(
    _standin_server: tuple[str, StandinControl],
) -> Iterator[tuple[str, StandinControl]]:
    """(base URL, control) of a Twilio-compatible API on 127.0.0.1, with nothing recorded yet.

    Point an app at it with `TWILIO_API_BASE` and `SMS_BACKEND=twilio` (see
    `tests/twilio_standin.py` for the account SID and token it accepts).
    """
    _standin_server[1].reset()
    yield _standin_server
    _standin_server[1].reset()
