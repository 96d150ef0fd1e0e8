"""The service's skeleton: health, OpenAPI, one error shape, configuration, database discipline."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from companion.app import create_app
from companion.config import ConfigurationError, load_config
from companion.db import db

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_health_answers_ok_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_health_answers_503_when_the_database_does_not(tmp_path: Path) -> None:
    broken = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"}
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["code"] == 503


def test_openapi_documents_every_api_route(client: FlaskClient, app: Flask) -> None:
    document = client.get("/api/openapi.json").get_json()
    documented = {path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    routes = {
        re.sub(r"<\w+:", "<", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert routes == documented
    assert "/api/v1/trials/{trial_id}/prescreen/evaluate" in document["paths"]


def test_interactive_docs_work_offline(client: FlaskClient) -> None:
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page
    assert "://" not in page.split("<body>")[0]
    with client.get("/api/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/no-such-thing", 404),
        ("delete", "/api/v1/trials/NCT07586904/prescreen/evaluate", 405),
        ("get", "/api/v1/trials/NCT07586904/prescreen/evaluate", 405),
    ],
)
def test_api_errors_share_one_json_shape(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert set(response.get_json()) >= {"code", "status", "message"}
    assert response.get_json()["code"] == status


def test_an_oversized_body_is_413_not_500(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/trials/NCT07586904/prescreen/evaluate",
        data="x" * 100_000,
        content_type="application/json",
    )
    assert response.status_code == 413


def test_a_page_error_is_a_friendly_page_in_the_reader_s_language(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 404
    assert "找不到这个页面" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config(tmp_path, {"COMPANION_ENV": "production"})


def test_development_keeps_one_generated_secret_key_per_instance(tmp_path: Path) -> None:
    first = load_config(tmp_path, {})["SECRET_KEY"]
    assert len(first) >= 40
    assert load_config(tmp_path, {})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_under_instance_is_the_default_database(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'companion.sqlite3'}"
    assert config["SMS_BACKEND"] == "outbox"


def test_postgres_urls_use_the_psycopg_driver(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_an_unknown_sms_backend_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SMS_BACKEND"):
        load_config(tmp_path, {"SMS_BACKEND": "carrier-pigeon"})


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Flask:
    """An app on a SQLite file of its own, whatever database the suite runs on."""
    application = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.db'}"}
    )
    with application.app_context():
        upgrade(directory=MIGRATIONS)
    return application


def test_every_sqlite_connection_gets_the_safe_settings(sqlite_app: Flask) -> None:
    with sqlite_app.app_context(), db.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in (
                "journal_mode",
                "foreign_keys",
                "synchronous",
                "secure_delete",
                "busy_timeout",
            )
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "secure_delete": 1,
        "busy_timeout": 5000,
    }


def test_concurrent_writers_on_sqlite_never_see_database_is_locked(sqlite_app: Flask) -> None:
    """Each start reads (the site) then writes (the session): deferred BEGIN would fail here."""
    statuses: list[int] = []

    def start_sessions() -> None:
        client = sqlite_app.test_client()
        for _ in range(15):
            response = client.post("/api/v1/trials/NCT07586904/prescreen/sessions", json={})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=start_sessions) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 60
    with sqlite_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM prescreen_sessions")).scalar() == 60


def test_a_read_does_not_wait_for_a_writer_on_sqlite(sqlite_app: Flask) -> None:
    """A GET reads in a deferred transaction, so a writer holding the lock does not block it."""
    with sqlite_app.app_context(), db.engine.begin() as writer:  # BEGIN IMMEDIATE: holds the lock
        writer.exec_driver_sql(
            "INSERT INTO sites (code, name, created_at) VALUES ('X', 'X', '2026-01-01 00:00:00')"
        )
        response = sqlite_app.test_client().get("/healthz")
    assert response.status_code == 200


def test_migrations_build_exactly_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_never_reuses_the_parent_s_connections(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        assert db.engine.pool.checkedin() == 1
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # the worker: report how many inherited connections it could use
            os.write(write_end, str(db.engine.pool.checkedin()).encode())
            os._exit(0)
        os.waitpid(child, 0)
        inherited = int(os.read(read_end, 16))
        os.close(read_end)
        os.close(write_end)
    assert inherited == 0


def test_a_session_lifetime_that_is_not_a_number_of_days_is_refused_by_name(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigurationError, match="PRESCREEN_SESSION_DAYS"):
        load_config(tmp_path, {"PRESCREEN_SESSION_DAYS": "a month"})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/leads/100000000000000000000",
        "/api/v1/patients/2147483648/visits",
        "/staff/patients/100000000000000000000",
    ],
)
def test_a_record_id_no_database_column_can_hold_is_simply_not_found(
    client: FlaskClient, path: str, make_staff, bearer
) -> None:
    headers = bearer(make_staff("coordinator", "SITE01"))
    assert client.get(path, headers=headers).status_code == 404
