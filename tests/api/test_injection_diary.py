"""The home-shot diary as staff see it: every planned dose day, with what was recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.db import db
from companion.enrolment import injections
from companion.enrolment.models import Patient
from companion.errors import InvalidInput
from companion.timestamps import utcnow
from tests.enrolments import enrol, in_days


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


def diary(client: FlaskClient, headers: dict[str, str], patient_id: int) -> list[dict]:
    response = client.get(f"/api/v1/patients/{patient_id}/injections", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_shots_are_planned_every_other_day_from_the_first_treatment(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    start = in_days(-4)
    days = diary(
        client, coordinator, enrol(client, coordinator, anchor_date=start.isoformat())["patient_id"]
    )
    assert [d["day"] for d in days[:3]] == [
        (start + timedelta(days=n)).isoformat() for n in (0, 2, 4)
    ]
    assert all(d["planned"] and d["outcome"] is None for d in days)


def test_a_recorded_shot_shows_in_the_diary_and_a_correction_replaces_it(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    start = in_days(-4)
    patient_id = enrol(client, coordinator, anchor_date=start.isoformat())["patient_id"]
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        injections.record_dose(db.session, patient, start, "missed", None, "patient", utcnow())
        injections.record_dose(db.session, patient, start, "reaction", "red arm", "staff", utcnow())
        db.session.commit()
    first = diary(client, coordinator, patient_id)[0]
    assert (first["outcome"], first["note"], first["recorded_by"]) == (
        "reaction",
        "red arm",
        "staff",
    )


@pytest.mark.parametrize(
    ("shift", "outcome", "field"),
    [(2, "taken", "day"), (1, "taken", "day"), (0, "forgot", "outcome")],
)
def test_a_day_to_come_an_unplanned_day_or_an_unknown_outcome_is_refused(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    shift: int,
    outcome: str,
    field: str,
) -> None:
    patient_id = enrol(client, coordinator, anchor_date=in_days(-1).isoformat())["patient_id"]
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        day = in_days(-1) + timedelta(days=shift)
        with pytest.raises(InvalidInput) as refused:
            injections.record_dose(db.session, patient, day, outcome, None, "patient", utcnow())
        assert refused.value.problems == {
            "json": {field: [refused.value.message.split(": ", 1)[1]]}
        }


def test_the_diary_of_another_site_s_patient_is_not_found(
    client: FlaskClient, coordinator: dict[str, str], make_staff, bearer
) -> None:
    patient_id = enrol(client, coordinator)["patient_id"]
    elsewhere = bearer(make_staff("investigator", "SITE02"))
    response = client.get(f"/api/v1/patients/{patient_id}/injections", headers=elsewhere)
    assert response.status_code == 404
