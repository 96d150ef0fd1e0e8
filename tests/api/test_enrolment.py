"""Enrolment: staff enrol a patient (or a lead) and get the patient's calendar built.

Bad input is refused with 400 naming the field, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import Patient, Visit
from companion.prescreen.models import Lead
from tests.api.conftest import new_lead
from tests.enrolments import ENROLLMENTS, enrol, enrollment_body, in_days, visit_named


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


def stored_counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Patient)),
            db.session.scalar(select(func.count()).select_from(Visit)),
        )


def test_enrolment_answers_the_patient_id_an_absolute_feed_url_and_the_visits(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    body = enrol(client, coordinator)
    assert isinstance(body["patient_id"], int)
    assert body["calendar_url"].startswith("http://localhost/calendar/")
    assert body["calendar_url"].endswith(".ics")
    for visit in body["visits"]:
        assert {"id", "name", "date", "window_start", "window_end", "status"} <= visit.keys()
        assert visit["status"] == "scheduled"
        assert visit["window_start"] <= visit["date"] <= visit["window_end"]


def test_the_anchor_date_is_the_first_treatment_visit(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    anchor = in_days(10).isoformat()
    visits = enrol(client, coordinator, anchor_date=anchor)["visits"]
    assert visit_named(visits, "c1d1")["date"] == anchor


@pytest.mark.parametrize("cycles", [2, 3, 4])
def test_the_chosen_number_of_cycles_gives_that_many_treatment_visits(
    client: FlaskClient, coordinator: dict[str, str], cycles: int
) -> None:
    visits = enrol(client, coordinator, cycles=cycles)["visits"]
    assert [v["cycle"] for v in visits if v["cycle"]] == list(range(1, cycles + 1))


def test_the_visits_can_be_read_back_in_the_protocol_s_order(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    enrolled = enrol(client, coordinator)
    response = client.get(f"/api/v1/patients/{enrolled['patient_id']}/visits", headers=coordinator)
    assert response.status_code == 200
    assert [v["id"] for v in response.get_json()] == [v["id"] for v in enrolled["visits"]]


def test_a_patient_of_another_site_is_not_found(
    client: FlaskClient, coordinator: dict[str, str], make_staff, bearer
) -> None:
    patient_id = enrol(client, coordinator)["patient_id"]
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    assert client.get(f"/api/v1/patients/{patient_id}/visits", headers=elsewhere).status_code == 404
    assert client.get(f"/api/v1/patients/{patient_id}", headers=elsewhere).status_code == 404


def test_the_sms_consent_is_recorded_with_its_time(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrol(client, coordinator, sms_consent=True)["patient_id"]
    patient = client.get(f"/api/v1/patients/{patient_id}", headers=coordinator).get_json()
    assert patient["sms_consent"] is True
    assert patient["sms_consent_at"] is not None


def test_a_national_mobile_number_is_stored_in_e164(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrol(client, coordinator, phone="138 0013 8000")["patient_id"]
    patient = client.get(f"/api/v1/patients/{patient_id}", headers=coordinator).get_json()
    assert patient["phone"] == "+8613800138000"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "+861065529988"}, "phone"),  # a Beijing landline cannot take text messages
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "+08:00"}, "timezone"),
        ({"language": "fr"}, "language"),
        ({"trial_id": "NCT00000000"}, "trial_id"),
        ({"anchor_date": "2026-02-30"}, "anchor_date"),
        ({"anchor_date": "2019-01-01"}, "anchor_date"),
        ({"sms_consent": "yes"}, "sms_consent"),
        ({"cycles": 5}, "cycles"),
        ({"cycles": 1}, "cycles"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"lead_id": 2**31}, "lead_id"),  # beyond the id column: never a 500, whatever the engine
    ],
)
def test_bad_enrolment_input_is_refused_naming_the_field_and_nothing_is_stored(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    overrides: dict[str, Any],
    field: str,
) -> None:
    enrol(client, coordinator, phone="+8613900139000")
    before = stored_counts(app)
    response = client.post(ENROLLMENTS, json=enrollment_body(**overrides), headers=coordinator)
    assert response.status_code == 400
    assert field in response.get_json()["message"]
    assert stored_counts(app) == before


@pytest.mark.parametrize("missing", ["phone", "language", "timezone", "anchor_date", "sms_consent"])
def test_a_missing_required_field_is_named(
    client: FlaskClient, coordinator: dict[str, str], missing: str
) -> None:
    body = enrollment_body()
    del body[missing]
    response = client.post(ENROLLMENTS, json=body, headers=coordinator)
    assert response.status_code == 400
    assert missing in response.get_json()["message"]


def test_the_same_phone_cannot_be_enrolled_twice_at_one_site(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    enrol(client, coordinator)
    before = stored_counts(app)
    response = client.post(ENROLLMENTS, json=enrollment_body(), headers=coordinator)
    assert response.status_code == 409
    assert "phone" in response.get_json()["message"]
    assert stored_counts(app) == before


def test_an_investigator_may_enrol_but_an_admin_may_not(
    client: FlaskClient, make_staff, bearer
) -> None:
    investigator = bearer(make_staff("investigator", "SITE01"))
    admin = bearer(make_staff("admin", "SITE01"))
    assert client.post(ENROLLMENTS, json=enrollment_body(), headers=admin).status_code == 403
    assert client.post(ENROLLMENTS, json=enrollment_body(), headers=investigator).status_code == 201


# --- enrolling a lead from the pre-screen ---------------------------------------------------


def booked_lead(app: Flask, client: FlaskClient, headers: dict[str, str], **kwargs: Any) -> int:
    """A lead the site reached and booked for screening: the step before enrolment."""
    lead_id = new_lead(app, client, "Grace Hopper", **kwargs)
    client.post(
        f"/api/v1/leads/{lead_id}/contact-attempts", json={"outcome": "reached"}, headers=headers
    )
    response = client.post(
        f"/api/v1/leads/{lead_id}/status", json={"status": "screening_booked"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return lead_id


def test_enrolling_a_lead_carries_over_its_name_phone_and_language(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    lead_id = booked_lead(app, client, coordinator, language="zh")
    body = {
        key: value for key, value in enrollment_body().items() if key not in ("phone", "language")
    }
    response = client.post(ENROLLMENTS, json={**body, "lead_id": lead_id}, headers=coordinator)
    assert response.status_code == 201, response.get_json()
    patient_id = response.get_json()["patient_id"]
    patient = client.get(f"/api/v1/patients/{patient_id}", headers=coordinator).get_json()
    assert (patient["name"], patient["phone"], patient["language"], patient["lead_id"]) == (
        "Grace Hopper",
        "+8613800138000",
        "zh",
        lead_id,
    )


def test_enrolling_a_lead_moves_the_lead_to_enrolled(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    lead_id = booked_lead(app, client, coordinator)
    enrol(client, coordinator, lead_id=lead_id)
    with app.app_context():
        assert db.session.get(Lead, lead_id).status == "enrolled"


def test_a_lead_not_yet_booked_for_screening_cannot_be_enrolled(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    lead_id = new_lead(app, client)
    response = client.post(ENROLLMENTS, json=enrollment_body(lead_id=lead_id), headers=coordinator)
    assert response.status_code == 409
    assert stored_counts(app) == (0, 0)
    with app.app_context():
        assert db.session.get(Lead, lead_id).status == "new"


def test_a_lead_of_another_site_cannot_be_enrolled_here(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], make_staff, bearer
) -> None:
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    lead_id = booked_lead(app, client, elsewhere, site="SITE02")
    response = client.post(ENROLLMENTS, json=enrollment_body(lead_id=lead_id), headers=coordinator)
    assert response.status_code == 404
    assert "lead_id" in str(response.get_json()["errors"])


def test_a_lead_is_enrolled_only_once(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    lead_id = booked_lead(app, client, coordinator)
    enrol(client, coordinator, lead_id=lead_id)
    response = client.post(
        ENROLLMENTS,
        json=enrollment_body(lead_id=lead_id, phone="+8613900139000"),
        headers=coordinator,
    )
    assert response.status_code == 409
