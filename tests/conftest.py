"""Fixtures shared by every test that needs the application.

The suite runs on SQLite (a file per run) unless TEST_DATABASE_URL names another database; for
PostgreSQL each run works in a schema of its own, dropped at the end, so runs never collide.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from companion.app import create_app
from companion.audit.append_only import allow_statements, forbid_statements
from companion.db import db

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# argon2 at its cheapest: the suite signs in hundreds of times (production keeps argon2-cffi's
# defaults, about 100 ms a check on this machine).
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "64")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """(URL, engine options) of the database this run uses."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}", {}
        return
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
def clean_database(app: Flask) -> Iterator[None]:
    """Every table empty after the test, whatever it committed."""
    yield
    with app.app_context():
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
