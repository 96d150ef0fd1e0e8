"""A small clinic in a database of the fault tests' own: an app on it, a coordinator, a patient.

Red symptom reports are the tests' multi-row transaction: one report writes the report, its
audit event, the on-call alert and the patient's answer text (two outbox rows), all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from companion.access.service import create_staff
from companion.app import create_app
from companion.db import db
from tests.conftest import STAFF_PASSWORD
from tests.enrolments import enrol
from tests.symptom_reports import ON_CALL_PHONE, configure_site

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
COORDINATOR = "coordinator@site01.example.org"


@contextmanager
def migrated_app(url: str, **config: Any) -> Iterator[Flask]:
    """An app on the empty database `url`, its schema migrated; its engine closed after."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **config})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def open_clinic(app: Flask) -> tuple[dict[str, str], int]:
    """(a coordinator's bearer headers, an enrolled patient's id); red reports alert on-call."""
    with app.app_context():
        create_staff(
            db.session,
            email=COORDINATOR,
            password=STAFF_PASSWORD,
            role="coordinator",
            site_code="SITE01",
        )
        db.session.commit()
    configure_site(app, on_call_phone=ON_CALL_PHONE)
    client = app.test_client()
    signed_in = client.post(
        "/api/v1/auth/token", json={"email": COORDINATOR, "password": STAFF_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.get_json()
    headers = {"Authorization": f"Bearer {signed_in.get_json()['access_token']}"}
    return headers, enrol(client, headers)["patient_id"]


def row_counts(app: Flask) -> dict[str, int]:
    """How many rows each table holds."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts
