"""A site's symptom-report settings: emergency number, 24-hour and on-call phones, deadlines
and triage thresholds; bad values refused by name; a threshold changes the next triage."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.enrolments import enrol
from tests.symptom_reports import submit

SITE = "/api/v1/site"


@pytest.fixture
def admin(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("admin", "SITE01"))


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


def test_unset_settings_read_as_their_defaults(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    body = client.get(SITE, headers=coordinator).get_json()
    assert {
        key: body[key]
        for key in (
            "emergency_number",
            "urgent_phone",
            "on_call_phone",
            "respond_within_minutes_urgent",
            "amber_respond_by",
            "triage_overrides",
        )
    } == {
        "emergency_number": "120",
        "urgent_phone": None,
        "on_call_phone": None,
        "respond_within_minutes_urgent": 30,
        "amber_respond_by": "18:00",
        "triage_overrides": {},
    }
    assert body["triage_thresholds"]["fever_red_c"] == 39.0


def test_an_admin_sets_the_symptom_settings(
    client: FlaskClient, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    change = {
        "emergency_number": "112",
        "urgent_phone": "+86 21 5555 0199",
        "on_call_phone": "+86 137 0013 7000",
        "respond_within_minutes_urgent": 20,
        "amber_respond_by": "17:30",
        "triage_overrides": {"fever_amber_c": "37.8", "stools_red": 6},
        "reason": "Set up symptom reports",
    }
    response = client.patch(SITE, json=change, headers=admin)
    assert response.status_code == 200, response.get_json()
    body = client.get(SITE, headers=coordinator).get_json()
    assert body["on_call_phone"] == "+8613700137000"  # stored in E.164
    assert body["triage_overrides"] == {"fever_amber_c": 37.8, "stools_red": 6}
    assert body["triage_thresholds"]["fever_amber_c"] == 37.8
    assert (body["emergency_number"], body["amber_respond_by"]) == ("112", "17:30")
    assert body["respond_within_minutes_urgent"] == 20
    cleared = client.patch(
        SITE,
        json={"emergency_number": None, "triage_overrides": None, "reason": "Undo"},
        headers=admin,
    ).get_json()
    assert (cleared["emergency_number"], cleared["triage_overrides"]) == ("120", {})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"on_call_phone": "+86 21 5555 0100"}, "on_call_phone"),  # a landline cannot take texts
        ({"on_call_phone": "13700137000"}, "on_call_phone"),  # no country code
        ({"on_call_phone": "on call"}, "on_call_phone"),
        ({"emergency_number": "one-two-zero"}, "emergency_number"),
        ({"emergency_number": "12O"}, "emergency_number"),
        ({"urgent_phone": "call the desk"}, "urgent_phone"),
        ({"respond_within_minutes_urgent": 90}, "respond_within_minutes_urgent"),
        ({"respond_within_minutes_urgent": 0}, "respond_within_minutes_urgent"),
        ({"respond_within_minutes_urgent": "30"}, "respond_within_minutes_urgent"),
        ({"respond_within_minutes_urgent": 30.5}, "respond_within_minutes_urgent"),
        ({"amber_respond_by": "6pm"}, "amber_respond_by"),
        ({"amber_respond_by": "24:00"}, "amber_respond_by"),
        ({"triage_overrides": {"fever_high": 39}}, "fever_high"),  # an unknown key
        ({"triage_overrides": {"fever_amber_c": 39.5}}, "fever_amber_c"),  # not below red
        ({"triage_overrides": {"stools_amber": 2.5}}, "stools_amber"),
        ({"triage_overrides": {"ambers_for_red": True}}, "ambers_for_red"),
        ({"triage_overrides": "strict"}, "triage_overrides"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_field_and_changes_nothing(
    client: FlaskClient, admin: dict[str, str], change: dict[str, Any], field: str
) -> None:
    before = client.get(SITE, headers=admin).get_json()
    response = client.patch(SITE, json={**change, "reason": "test"}, headers=admin)
    assert response.status_code == 400
    assert field in response.get_json()["message"]
    assert client.get(SITE, headers=admin).get_json() == before


def test_only_an_admin_changes_the_symptom_settings(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    response = client.patch(
        SITE, json={"emergency_number": "112", "reason": "x" * 3}, headers=coordinator
    )
    assert response.status_code == 403


def test_a_site_s_threshold_changes_the_triage_of_the_next_report(
    client: FlaskClient, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    patient_id = enrol(client, coordinator)["patient_id"]
    assert submit(client, coordinator, patient_id, {"temperature_c": 37.8})["urgency"] == "green"
    client.patch(
        SITE, json={"triage_overrides": {"fever_amber_c": 37.5}, "reason": "Lower"}, headers=admin
    )
    after = submit(client, coordinator, patient_id, {"temperature_c": 37.8})
    assert (after["urgency"], after["reasons"]) == ("amber", ["fever_amber"])


def test_the_emergency_number_and_24_hour_phone_are_in_the_emergency_answer(
    app: Flask, client: FlaskClient, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    client.patch(
        SITE,
        json={"emergency_number": "112", "urgent_phone": "+86 21 5555 0199", "reason": "Set"},
        headers=admin,
    )
    patient_id = enrol(client, coordinator)["patient_id"]
    reply = submit(client, coordinator, patient_id, {"fainting": "yes"})["patient_reply"]
    assert "Call 112 now" in reply
    assert "+86 21 5555 0199" in reply
