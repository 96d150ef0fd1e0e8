"""A site's own settings: what patients see in invites, and the weekdays it sees no one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.db import db
from tests.enrolments import enrol

SITE = "/api/v1/site"


@pytest.fixture
def admin(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("admin", "SITE01"))


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


def test_staff_see_their_own_site(client: FlaskClient, coordinator: dict[str, str]) -> None:
    body = client.get(SITE, headers=coordinator).get_json()
    assert (body["code"], body["closed_weekdays"]) == ("SITE01", [])


def test_closing_at_weekends_moves_booked_clinic_visits_off_saturday_and_sunday(
    client: FlaskClient, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    visits = enrol(client, coordinator)["visits"]
    response = client.patch(
        SITE, json={"closed_weekdays": [6, 5], "reason": "No weekend clinics"}, headers=admin
    )
    assert response.status_code == 200
    assert response.get_json()["closed_weekdays"] == [5, 6]
    patient_id = visits[0]["patient_id"]
    after = client.get(f"/api/v1/patients/{patient_id}/visits", headers=coordinator).get_json()
    for visit in after:
        if "closed_day" not in visit["warnings"]:
            assert date.fromisoformat(visit["date"]).weekday() < 5, visit["key"]


def test_a_site_change_is_audited_with_its_reason(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    client.patch(SITE, json={"phone": "+86 21 5555 0100", "reason": "New line"}, headers=admin)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "site", AuditEvent.action == "update"
            )
        ).one()
    assert (event.reason, event.changes["phone"]) == ("New line", [None, "+86 21 5555 0100"])


def test_only_an_admin_changes_the_site(client: FlaskClient, coordinator: dict[str, str]) -> None:
    response = client.patch(SITE, json={"phone": "1", "reason": "try"}, headers=coordinator)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"closed_weekdays": [7], "reason": "test"}, "closed_weekdays"),
        ({"timezone": "Moon/Base", "reason": "test"}, "timezone"),
        ({"email": "not an email", "reason": "test"}, "email"),
        ({"phone": "1", "reason": "test"}, "phone"),
        ({"phone": "+86 21 5555 0100"}, "reason"),
        ({"code": "SITE99", "reason": "rename"}, "code"),
    ],
)
def test_a_bad_site_change_is_refused_naming_the_field_and_changes_nothing(
    client: FlaskClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    before = client.get(SITE, headers=admin).get_json()
    response = client.patch(SITE, json=body, headers=admin)
    assert response.status_code == 400
    assert field in response.get_json()["message"]
    assert client.get(SITE, headers=admin).get_json() == before
