"""Helpers for symptom-report tests: the API's URLs, answers of each urgency, site settings,
and the service called at a chosen moment (for deadlines and queue order)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.access.models import StaffUser
from companion.db import db
from companion.enrolment.models import Patient
from companion.messaging.models import OutboundMessage
from companion.sites.models import Site
from companion.symptoms import service
from companion.symptoms.models import SymptomReport

REPORTS = "/api/v1/symptom-reports"
ON_CALL_PHONE = "+8613700137000"
URGENT_PHONE = "+86 21 5555 0199"

# One answer set of each urgency (default thresholds).
ANSWERS_OF: dict[str, dict[str, Any]] = {
    "emergency": {"chest_pain": "yes"},
    "red": {"blood_in_stool": "yes"},
    "amber": {"temperature_c": 38.2},
    "green": {"fatigue": "mild"},
}


def patient_reports(patient_id: int) -> str:
    return f"/api/v1/patients/{patient_id}/symptom-reports"


def report_url(report_id: int, suffix: str = "") -> str:
    return f"{REPORTS}/{report_id}{suffix}"


def submit(
    client: FlaskClient, headers: dict[str, str], patient_id: int, answers: Any
) -> dict[str, Any]:
    """Enter a report through the API; returns its 201 body."""
    response = client.post(patient_reports(patient_id), json={"answers": answers}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def configure_site(app: Flask, code: str = "SITE01", **settings: Any) -> None:
    """Set the site's settings straight in the database (committed)."""
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == code))
        for name, value in settings.items():
            setattr(site, name, value)
        db.session.commit()


def submitted_at(
    app: Flask,
    patient_id: int,
    answers: Mapping[str, Any],
    now: datetime,
    source: str = "web",
) -> int:
    """A report submitted by the patient at `now` (through the service); returns its id."""
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        report = service.submit_report(db.session, patient, dict(answers), source, now).report
        db.session.commit()
        return report.id


def stored_report(app: Flask, report_id: int) -> SymptomReport:
    with app.app_context():
        return db.session.get(SymptomReport, report_id)


def report_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SymptomReport))


def outbox(app: Flask, kind: str | None = None) -> list[OutboundMessage]:
    with app.app_context():
        query = select(OutboundMessage).order_by(OutboundMessage.id)
        if kind is not None:
            query = query.where(OutboundMessage.kind == kind)
        return list(db.session.scalars(query))


def staff_member(app: Flask, email: str) -> StaffUser:
    with app.app_context():
        return db.session.scalar(select(StaffUser).where(StaffUser.email == email))
