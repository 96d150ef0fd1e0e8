"""Symptom reports by text: a patient texts a severe symptom through Twilio's signed webhook,
gets the emergency answer at once, the on-call phone is texted (at any hour), and the report
tops the queue. Short-format texts become reports; keywords and other texts are unaffected."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.db import db
from companion.enrolment.models import Patient
from companion.messaging.backends import backend_from_config
from companion.messaging.dispatcher import dispatch_once
from companion.messaging.models import InboundMessage
from companion.sites.models import Site
from companion.symptoms.settings import symptom_settings
from companion.symptoms.wording import patient_answer_sms
from symptoms import Urgency
from tests.api.test_audit import stored_events
from tests.api.test_logs_privacy import everything_logged
from tests.enrolments import enrol
from tests.signed_webhooks import AUTH_TOKEN, new_sid, text_from
from tests.symptom_reports import (
    ANSWERS_OF,
    ON_CALL_PHONE,
    REPORTS,
    URGENT_PHONE,
    configure_site,
    outbox,
    report_count,
    submitted_at,
)
from tests.text_messages import REMINDER_BODY, queued_text
from tests.twilio_standin import ACCOUNT_SID, StandinControl
from tests.twilio_standin import AUTH_TOKEN as STANDIN_TOKEN

PHONE = "+8613912345601"
ZH_PHONE = "+8613912345602"
SITE_LABEL = "Garden Rd Clinic"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def twilio(another_app: Callable[..., Flask], client: FlaskClient) -> FlaskClient:
    """A client that calls the webhooks of an app that knows the Twilio auth token."""
    return another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=None).test_client()


@pytest.fixture
def site_ready(app: Flask, coordinator: dict[str, str]) -> None:
    configure_site(
        app,
        on_call_phone=ON_CALL_PHONE,
        urgent_phone=URGENT_PHONE,
        sms_sender_label=SITE_LABEL,
        phone="+86 21 5555 0100",
    )


@pytest.fixture
def patient_id(client: FlaskClient, coordinator: dict[str, str], site_ready: None) -> int:
    return enrol(client, coordinator, phone=PHONE)["patient_id"]


@pytest.fixture
def zh_patient_id(client: FlaskClient, coordinator: dict[str, str], site_ready: None) -> int:
    return enrol(client, coordinator, phone=ZH_PHONE, language="zh")["patient_id"]


def twiml_text(response: Any) -> str:
    found = re.search(r"<Message>(.*)</Message>", response.get_data(as_text=True), re.S)
    return found.group(1) if found else ""


def expected_answer(app: Flask, urgency: Urgency, language: str) -> str:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "SITE01"))
        return patient_answer_sms(
            urgency,
            symptom_settings(site),
            language,
            sender_label=site.sms_sender_label,
            site_phone=site.phone,
        ).text


def texts_in(app: Flask) -> list[InboundMessage]:
    with app.app_context():
        return list(db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def next_half_past_eleven_at_night() -> datetime:
    """The next 23:30 in Shanghai, in UTC."""
    local = datetime.now(SHANGHAI)
    moment = datetime.combine(local.date(), time(23, 30), tzinfo=SHANGHAI)
    if moment <= local:
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


@pytest.fixture
def sms_app(another_app: Callable[..., Flask], twilio_standin: tuple[str, StandinControl]) -> Flask:
    url, _control = twilio_standin
    return another_app(
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=STANDIN_TOKEN,
        TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_MESSAGING_SERVICE_SID=None,
        TWILIO_API_BASE=url,
        PUBLIC_BASE_URL="https://companion.example.org",
        SMS_MESSAGES_PER_SECOND=1000,
        SMS_SEND_TIMEOUT_SECONDS=0.5,
        SMS_LEASE_SECONDS=60,
        SMS_RATE_STORAGE_URI="memory://",
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "I can't breathe and my chest hurts"), ("zh", "胸口痛，喘不上气")],
)
def test_a_severe_symptom_texted_at_night_is_answered_alerted_at_once_and_first_in_queue(
    app: Flask,
    client: FlaskClient,
    twilio: FlaskClient,
    sms_app: Flask,
    twilio_standin: tuple[str, StandinControl],
    coordinator: dict[str, str],
    site_ready: None,
    language: str,
    words: str,
) -> None:
    phone = PHONE if language == "en" else ZH_PHONE
    patient_id = enrol(client, coordinator, phone=phone, language=language)["patient_id"]
    earlier = datetime.now(UTC) - timedelta(hours=1)
    older_amber = submitted_at(app, patient_id, ANSWERS_OF["amber"], earlier)
    older_red = submitted_at(app, patient_id, ANSWERS_OF["red"], earlier + timedelta(minutes=5))
    night = next_half_past_eleven_at_night()
    reminder = queued_text(app, patient_id, "reminder:tonight", due_in=timedelta(0))

    response = text_from(twilio, phone, words)

    assert response.status_code == 200
    reply = twiml_text(response)
    assert reply == expected_answer(app, Urgency.EMERGENCY, language)
    assert "120" in reply
    assert URGENT_PHONE in reply
    queue = client.get(REPORTS, headers=coordinator).get_json()
    texted = queue[0]["id"]
    (alert,) = [m for m in outbox(app, "urgent_alert") if str(texted) in m.business_key]
    assert alert.to_e164 == ON_CALL_PHONE
    assert not [m for m in outbox(app, "symptom_reply") if str(texted) in m.business_key]

    _url, standin = twilio_standin
    standin.clock = lambda: night
    dispatch_once(sms_app, backend_from_config(sms_app.config), night, "test-dispatcher")

    assert standin.count(ON_CALL_PHONE, alert.body) == 1
    assert standin.count(phone, REMINDER_BODY) == 0  # a reminder waits for the morning
    assert reminder not in {m.id for m in outbox(app) if m.status == "sent"}
    assert [report["urgency"] for report in queue] == ["emergency", "red", "amber"]
    assert queue[0]["source"] == "sms"
    assert queue[0]["answers"] == {"other": words}
    assert {queue[1]["id"], queue[2]["id"]} == {older_red, older_amber}
    (message,) = [m for m in texts_in(app) if m.patient_id == patient_id]
    assert message.handled_as == "symptom"
    created = stored_events(app, entity_type="symptom_report", entity_id=queue[0]["id"])
    assert [(e.action, e.reason) for e in created] == [
        ("create", "The patient reported symptoms by text.")
    ]


@pytest.mark.parametrize(
    ("words", "urgency", "answers"),
    [
        ("FEVER 38.6", "amber", {"temperature_c": 38.6}),
        ("temp 39.2", "red", {"temperature_c": 39.2}),
        ("发烧 38.6", "amber", {"temperature_c": 38.6}),
        ("STOOLS 5, BLOOD", "red", {"extra_stools_per_day": 5, "blood_in_stool": "yes"}),
        ("CHEST PAIN", "emergency", {"chest_pain": "yes", "other": "CHEST PAIN"}),
        ("fever 37.2", "green", {"temperature_c": 37.2}),
        (
            "FEVER 38.6 and I can't breathe",  # not the format, but an emergency in words
            "emergency",
            {"other": "FEVER 38.6 and I can't breathe"},
        ),
        (
            "FEVER 38.6\nCHEST PAIN",  # the format, and emergency words: emergency
            "emergency",
            {"temperature_c": 38.6, "chest_pain": "yes", "other": "FEVER 38.6\nCHEST PAIN"},
        ),
    ],
)
def test_a_symptom_text_becomes_a_report_and_is_answered_for_its_urgency(
    app: Flask,
    twilio: FlaskClient,
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
    words: str,
    urgency: str,
    answers: dict[str, Any],
) -> None:
    reply = twiml_text(text_from(twilio, PHONE, words))
    (report,) = client.get(REPORTS, headers=coordinator).get_json()
    assert (report["urgency"], report["answers"]) == (urgency, answers)
    assert reply == expected_answer(app, Urgency.from_name(urgency), "en")
    assert texts_in(app)[-1].handled_at is not None


@pytest.mark.parametrize(
    ("words", "handled_as"),
    [
        ("STOP", "stop"),
        ("HELP", "help"),
        ("Is it OK to take my shot an hour late?", "chat"),
        ("FEVER high", "chat"),  # the format without its number
        ("FEVER 55", "chat"),  # a temperature no one has
        ("I have a mild headache", "chat"),  # no red flag
    ],
)
def test_keywords_and_other_texts_make_no_report(
    app: Flask, twilio: FlaskClient, patient_id: int, words: str, handled_as: str
) -> None:
    text_from(twilio, PHONE, words)
    assert texts_in(app)[-1].handled_as == handled_as
    assert report_count(app) == 0
    assert outbox(app, "urgent_alert") == []


def test_a_number_we_do_not_know_makes_no_report(
    app: Flask, twilio: FlaskClient, site_ready: None
) -> None:
    reply = twiml_text(text_from(twilio, "+8613999999999", "chest pain, can't breathe"))
    assert "120" in reply
    assert (texts_in(app)[-1].handled_as, report_count(app)) == ("other", 0)


def test_the_same_text_delivered_twice_makes_one_report_and_the_same_answer(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    sid = new_sid()
    first = twiml_text(text_from(twilio, PHONE, "BLOOD", sid=sid))
    again = twiml_text(text_from(twilio, PHONE, "BLOOD", sid=sid))
    assert first == again == expected_answer(app, Urgency.RED, "en")
    assert report_count(app) == 1
    assert len(outbox(app, "urgent_alert")) == 1


def test_a_patient_who_opted_out_still_gets_the_emergency_answer_and_staff_are_alerted(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    text_from(twilio, PHONE, "STOP")
    reply = twiml_text(text_from(twilio, PHONE, "I fainted"))
    assert reply == expected_answer(app, Urgency.EMERGENCY, "en")
    assert len(outbox(app, "urgent_alert")) == 1


def test_a_symptom_text_logs_neither_its_words_nor_the_number(
    twilio: FlaskClient, patient_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    text_from(twilio, PHONE, "canary words: my chest hurts")
    logged = everything_logged(caplog)
    assert "canary" not in logged
    assert PHONE not in logged
    assert PHONE[3:] not in logged
    assert "symptom" in logged


def test_a_very_long_text_keeps_its_most_urgent_part(
    app: Flask,
    twilio: FlaskClient,
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
) -> None:
    words = "I had a long day at the market and walked home. " * 30 + "Now my chest hurts."
    text_from(twilio, PHONE, words)
    (report,) = client.get(REPORTS, headers=coordinator).get_json()
    assert report["urgency"] == "emergency"
    assert report["answers"]["other"].endswith("Now my chest hurts.")
    assert len(report["answers"]["other"]) <= 1000


def test_a_text_report_counts_as_earlier_for_worsening(
    app: Flask,
    twilio: FlaskClient,
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
) -> None:
    text_from(twilio, PHONE, "STOOLS 1")
    later = client.post(
        f"/api/v1/patients/{patient_id}/symptom-reports",
        json={"answers": {"extra_stools_per_day": 8}},
        headers=coordinator,
    ).get_json()
    assert "worsened_extra_stools_per_day" in later["reasons"]
    with app.app_context():
        assert db.session.get(Patient, patient_id).sms_opted_out_at is None
