"""Symptom reports entered through the API: the contract's shape for each urgency, bad input
refused by name with nothing stored, other sites' patients out of reach, and worsening."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.enrolment.models import Patient
from tests.api.test_logs_privacy import everything_logged
from tests.enrolments import enrol
from tests.symptom_reports import (
    ANSWERS_OF,
    ON_CALL_PHONE,
    URGENT_PHONE,
    configure_site,
    outbox,
    patient_reports,
    report_count,
    report_url,
    submit,
)


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def patient_id(client: FlaskClient, coordinator: dict[str, str]) -> int:
    return enrol(client, coordinator)["patient_id"]


@pytest.mark.parametrize("urgency", ["emergency", "red", "amber", "green"])
def test_a_report_is_created_with_its_urgency_and_reasons(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int, urgency: str
) -> None:
    response = client.post(
        patient_reports(patient_id), json={"answers": ANSWERS_OF[urgency]}, headers=coordinator
    )
    body = response.get_json()
    assert response.status_code == 201
    assert isinstance(body["id"], int)
    assert body["urgency"] == urgency
    assert isinstance(body["reasons"], list)
    assert bool(body["reasons"]) == (urgency != "green")
    assert (body["status"], body["source"], body["patient_id"]) == ("open", "staff", patient_id)


def test_the_reasons_name_every_finding_most_urgent_first(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    answers = {"temperature_c": 39.4, "new_cough": "yes", "chest_pain": "yes"}
    body = submit(client, coordinator, patient_id, answers)
    assert body["urgency"] == "emergency"
    assert body["reasons"] == ["chest_pain", "fever_red", "new_cough"]


def test_two_amber_findings_make_a_red_report(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    body = submit(client, coordinator, patient_id, {"temperature_c": 38.3, "new_cough": "yes"})
    assert (body["urgency"], body["reasons"][0]) == ("red", "two_or_more_amber")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"nausea_level": "mild"}}, "nausea_level"),  # unknown key
        ({"answers": {"nausea": "terrible"}}, "nausea"),  # not one of the choices
        ({"answers": {"temperature_c": 51}}, "temperature_c"),  # out of range
        ({"answers": {"temperature_c": True}}, "temperature_c"),  # a boolean for a number
        ({"answers": {"temperature_c": "hot"}}, "temperature_c"),  # text for a number
        ({"answers": {"extra_stools_per_day": 2.5}}, "extra_stools_per_day"),  # not whole
        ({"answers": {"chest_pain": ["yes"]}}, "chest_pain"),  # a list for a choice
        ({"answers": {"other": "x" * 1001}}, "other"),  # 1001 characters
        ({"answers": {}}, "answers"),  # empty
        ({"answers": {"other": "   "}}, "answers"),  # only a blank answer
        ({"answers": ["chest_pain"]}, "answers"),  # not an object
        ({"answers": "chest pain"}, "answers"),  # not an object
        ({"answers": None}, "answers"),  # null
        ({}, "answers"),  # missing
        ({"answers": {"fatigue": "mild"}, "urgency": "green"}, "urgency"),  # an extra field
        ({"answers": {"other": "pain \ud83d here"}}, "answers.other"),  # half an emoji
        ({"answers": {"other": "pain\x00"}}, "answers.other"),  # a NUL
    ],
)
def test_bad_answers_are_refused_naming_the_field_and_nothing_is_stored(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
    body: dict[str, Any],
    field: str,
) -> None:
    messages_before = len(outbox(app))
    response = client.post(
        patient_reports(patient_id),
        data=json.dumps(body),  # the standard encoder writes lone surrogates as escapes
        headers={**coordinator, "Content-Type": "application/json"},
    )
    error = response.get_json()
    assert response.status_code == 400
    assert field in error["message"]
    assert set(error) >= {"code", "status", "message"}
    assert report_count(app) == 0
    assert len(outbox(app)) == messages_before


def test_a_non_json_body_is_refused_with_400(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    response = client.post(
        patient_reports(patient_id),
        data="answers=chest_pain",
        headers={**coordinator, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 415)
    assert report_count(app) == 0


def test_a_patient_of_another_site_is_not_found(
    app: Flask, client: FlaskClient, make_staff, bearer, patient_id: int
) -> None:
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    answers = {"answers": ANSWERS_OF["red"]}
    assert (
        client.post(patient_reports(patient_id), json=answers, headers=elsewhere).status_code == 404
    )
    assert client.get(patient_reports(patient_id), headers=elsewhere).status_code == 404
    assert client.post(patient_reports(999999), json=answers, headers=elsewhere).status_code == 404
    assert report_count(app) == 0


def test_reports_need_a_signed_in_clinician(
    client: FlaskClient, make_staff, bearer, patient_id: int
) -> None:
    answers = {"answers": ANSWERS_OF["green"]}
    assert client.post(patient_reports(patient_id), json=answers).status_code == 401
    admin = bearer(make_staff("admin", "SITE01"))
    assert client.post(patient_reports(patient_id), json=answers, headers=admin).status_code == 403


def test_a_symptom_that_worsened_by_two_levels_raises_the_next_report(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    assert submit(client, coordinator, patient_id, {"headache": "none"})["urgency"] == "green"
    later = submit(client, coordinator, patient_id, {"headache": "moderate"})
    assert (later["urgency"], later["reasons"]) == ("amber", ["worsened_headache"])


def test_the_earlier_answer_is_the_latest_report_that_had_the_symptom(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    submit(client, coordinator, patient_id, {"headache": "none"})
    submit(client, coordinator, patient_id, {"headache": "mild"})
    submit(client, coordinator, patient_id, {"fatigue": "mild"})  # no headache answer
    assert submit(client, coordinator, patient_id, {"headache": "moderate"})["urgency"] == "green"


def test_one_patient_s_reports_do_not_raise_another_s(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    other = enrol(client, coordinator, phone="+8613800138111")["patient_id"]
    submit(client, coordinator, patient_id, {"headache": "none"})
    assert submit(client, coordinator, other, {"headache": "moderate"})["urgency"] == "green"


def test_a_report_and_the_patient_s_history_read_back_newest_first(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    first = submit(client, coordinator, patient_id, {"fatigue": "mild", "other": "Tired"})
    second = submit(client, coordinator, patient_id, ANSWERS_OF["amber"])
    one = client.get(report_url(first["id"]), headers=coordinator).get_json()
    assert one["answers"] == {"fatigue": "mild", "other": "Tired"}
    assert one["notes"] == []
    history = client.get(patient_reports(patient_id), headers=coordinator).get_json()
    assert [report["id"] for report in history] == [second["id"], first["id"]]


def test_an_emergency_entered_by_staff_texts_the_patient_the_answer_and_the_on_call_phone(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    configure_site(app, on_call_phone=ON_CALL_PHONE, urgent_phone=URGENT_PHONE)
    body = submit(client, coordinator, patient_id, ANSWERS_OF["emergency"])
    assert "120" in body["patient_reply"]
    assert URGENT_PHONE in body["patient_reply"]
    assert body["on_call_alert"] == "queued"
    (to_patient,) = outbox(app, "symptom_reply")
    (alert,) = outbox(app, "urgent_alert")
    assert "120" in to_patient.body
    assert URGENT_PHONE in to_patient.body
    assert to_patient.business_key == f"symptom-report:{body['id']}:patient"
    assert (alert.to_e164, alert.patient_id) == (ON_CALL_PHONE, None)
    assert alert.business_key == f"symptom-report:{body['id']}:on-call"
    assert alert.body.endswith(f"/staff/symptoms/{body['id']}")


def test_the_on_call_alert_names_no_patient_number_or_symptom(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    configure_site(app, on_call_phone=ON_CALL_PHONE)
    patient = enrol(client, coordinator, name="Zhang Wei", phone="+8613800138222")
    submit(client, coordinator, patient["patient_id"], {"chest_pain": "yes", "other": "heart"})
    (alert,) = outbox(app, "urgent_alert")
    for secret in ("Zhang", "138222", "chest", "heart", "melanoma", "NCT"):
        assert secret.lower() not in alert.body.lower()


def test_a_red_report_promises_a_call_within_the_hour(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    configure_site(app, on_call_phone=ON_CALL_PHONE)
    body = submit(client, coordinator, patient_id, ANSWERS_OF["red"])
    assert "within the hour" in body["patient_reply"]
    assert [m.kind for m in outbox(app, "urgent_alert")] == ["urgent_alert"]
    assert len(outbox(app, "symptom_reply")) == 1


@pytest.mark.parametrize("urgency", ["amber", "green"])
def test_amber_and_green_reports_text_no_one(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int, urgency: str
) -> None:
    configure_site(app, on_call_phone=ON_CALL_PHONE)
    body = submit(client, coordinator, patient_id, ANSWERS_OF[urgency])
    assert body["patient_reply"].startswith("Thank you")
    assert body["on_call_alert"] is None
    assert outbox(app, "urgent_alert") == outbox(app, "symptom_reply") == []


def test_a_patient_without_text_consent_is_not_texted_but_the_on_call_phone_is(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    configure_site(app, on_call_phone=ON_CALL_PHONE)
    patient = enrol(client, coordinator, sms_consent=False, phone="+8613800138333")
    submit(client, coordinator, patient["patient_id"], ANSWERS_OF["emergency"])
    assert outbox(app, "symptom_reply") == []
    assert len(outbox(app, "urgent_alert")) == 1


def test_without_an_on_call_phone_the_report_is_kept_and_flagged_and_a_warning_says_so(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = enrol(client, coordinator, name="Canary Lin", phone="+8613800138444")
    caplog.set_level(logging.INFO)
    body = submit(client, coordinator, patient["patient_id"], {"other": "I can't breathe"})
    assert (body["urgency"], body["on_call_alert"]) == ("emergency", "no_on_call_phone")
    queue = client.get("/api/v1/symptom-reports", headers=coordinator).get_json()
    assert queue[0]["on_call_alert"] == "no_on_call_phone"
    logged = everything_logged(caplog)
    assert "no on-call phone" in logged
    for secret in ("Canary", "138444", "breathe"):
        assert secret not in logged
    assert outbox(app, "urgent_alert") == []


def test_answers_are_encrypted_at_rest(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    from sqlalchemy import text

    from companion.db import db

    submit(client, coordinator, patient_id, {"other": "canary-symptom-words", "fatigue": "mild"})
    with app.app_context():
        raw = db.session.execute(text("SELECT answers FROM symptom_reports")).scalar_one()
    assert "canary" not in raw
    assert "fatigue" not in raw


def test_the_patient_of_the_report_is_unchanged_by_it(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    from companion.db import db

    submit(client, coordinator, patient_id, ANSWERS_OF["amber"])
    with app.app_context():
        assert db.session.get(Patient, patient_id).sms_opted_out_at is None
