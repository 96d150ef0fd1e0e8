"""Enrolling patients the way staff do (the API), for API, page and browser tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

ENROLLMENTS = "/api/v1/enrollments"
ZONE = "Asia/Shanghai"


def local_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def in_days(days: int) -> date:
    """The date `days` from today where the test patients live."""
    return local_today() + timedelta(days=days)


def enrollment_body(first_treatment_in_days: int = 14, **overrides: Any) -> dict[str, Any]:
    """The contract's enrolment body, first treatment `first_treatment_in_days` from today (may
    be < 0); an override of None leaves that key out."""
    body: dict[str, Any] = {
        "trial_id": "NCT07586904",
        "phone": "+8613800138000",
        "language": "en",
        "timezone": ZONE,
        "anchor_date": in_days(first_treatment_in_days).isoformat(),
        "sms_consent": True,
        **overrides,
    }
    return {key: value for key, value in body.items() if value is not None}


def enrol(
    client: FlaskClient,
    headers: dict[str, str],
    first_treatment_in_days: int = 14,
    **overrides: Any,
) -> dict[str, Any]:
    """Enrol a patient through the API; returns its 201 body (patient_id, links, visits)."""
    response = client.post(
        ENROLLMENTS, json=enrollment_body(first_treatment_in_days, **overrides), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def visit_named(visits: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(visit for visit in visits if visit["key"] == key)


def path_of(url: str) -> str:
    """The path of an absolute link, to follow it with a test client or a browser."""
    return urlsplit(url).path
