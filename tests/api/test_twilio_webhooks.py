"""Twilio's webhooks: texts from patients (STOP, START, HELP, C, anything else) and delivery
reports, each signed by Twilio; anything not signed is refused and leaves no trace."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import Patient, Visit
from companion.messaging import replies, wording
from companion.messaging.delivery import apply_stored_reports
from companion.messaging.models import (
    CANCELLED,
    PENDING,
    SENT,
    DeliveryReport,
    InboundMessage,
    OutboundMessage,
)
from companion.messaging.visit_words import visit_words
from companion.sites.models import Site
from companion.timestamps import utcnow
from tests.api.test_logs_privacy import everything_logged
from tests.enrolments import enrol
from tests.signed_webhooks import (
    AUTH_TOKEN,
    OUR_NUMBER,
    new_sid,
    post_signed,
    signature,
    status_of,
    text_from,
)
from tests.text_messages import dispatched_text, queued_text

PHONE = "+8613912340001"
OTHER_PHONE = "+8613912340002"
SITE_PHONE = "+86 21 5555 0199"
IDEMPOTENCY = "I-Twilio-Idempotency-Token"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@pytest.fixture
def twilio(another_app: Callable[..., Flask], client: FlaskClient) -> FlaskClient:
    """A client that calls the webhooks of an app that knows the Twilio auth token."""
    return another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN).test_client()


@pytest.fixture
def enrolled(app: Flask, client: FlaskClient, make_staff: Any, bearer: Any) -> Callable[..., int]:
    """`enrolled(first_treatment_in_days=15, site="SITE01", **body)` -> a new patient's id.

    With the default, the first check-up visit is tomorrow at 08:30 where the patient lives."""
    headers_by_site: dict[str, dict[str, str]] = {}

    def make(first_treatment_in_days: int = 15, site: str = "SITE01", **body: Any) -> int:
        if site not in headers_by_site:
            headers_by_site[site] = bearer(make_staff("coordinator", site))
            with app.app_context():
                db.session.scalar(select(Site).where(Site.code == site)).phone = SITE_PHONE
                db.session.commit()
        body.setdefault("phone", PHONE)
        return enrol(client, headers_by_site[site], first_treatment_in_days, **body)["patient_id"]

    return make


def patient(app: Flask, patient_id: int) -> Patient:
    with app.app_context():
        return db.session.get(Patient, patient_id)


def inbound(app: Flask) -> list[InboundMessage]:
    with app.app_context():
        return list(db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def queue_reminder(app: Flask, patient_id: int, key: str = "reminder:1") -> int:
    """A reminder waiting in the outbox for the patient, due in an hour; returns its id."""
    return queued_text(app, patient_id, key)


def outbox_status(app: Flask, message_id: int) -> str:
    with app.app_context():
        return db.session.get(OutboundMessage, message_id).status


def sent_message(app: Flask, patient_id: int, provider_sid: str) -> int:
    """A reminder the dispatcher has sent (Twilio accepted it as `provider_sid`)."""
    return dispatched_text(app, patient_id, f"sent:{provider_sid}", provider_sid=provider_sid)


def first_visit(app: Flask, patient_id: int) -> Visit:
    with app.app_context():
        return db.session.scalar(
            select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.position)
        )


def reply_text(
    app: Flask, template: Any, language: str, phone: str | None = SITE_PHONE, **params: str
) -> str:
    """A reply as every text of ours reads: from the study team, with the site's phone."""
    with app.test_request_context():
        return wording.render_sms(template, language, phone=phone, **params).text


def pending_count(app: Flask, patient_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.patient_id == patient_id, OutboundMessage.status == PENDING)
        )


def twiml_with(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escaped}</Message></Response>'
    )


# ---------- Only Twilio may call ----------


def test_an_unsigned_text_is_refused_with_403_and_nothing_is_stored_or_done(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    reminder = queue_reminder(app, patient_id)
    response = twilio.post(
        "/twilio/sms", data={"MessageSid": new_sid(), "From": PHONE, "Body": "STOP"}
    )
    assert response.status_code == 403
    assert inbound(app) == []
    assert patient(app, patient_id).sms_opted_out_at is None
    assert outbox_status(app, reminder) == PENDING


def test_a_text_signed_with_another_token_is_refused(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    params = {"MessageSid": new_sid(), "From": PHONE, "Body": "STOP"}
    response = post_signed(twilio, "/twilio/sms", params, token="not-our-token")
    assert response.status_code == 403
    assert inbound(app) == []
    assert patient(app, patient_id).sms_opted_out_at is None


def test_a_signed_text_whose_fields_were_changed_on_the_way_is_refused(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    signed = {"MessageSid": new_sid(), "From": PHONE, "Body": "Hello"}
    response = twilio.post(
        "/twilio/sms",
        data={**signed, "Body": "STOP"},
        headers={"X-Twilio-Signature": signature("http://localhost/twilio/sms", signed)},
    )
    assert response.status_code == 403
    assert inbound(app) == []
    assert patient(app, patient_id).sms_opted_out_at is None


def test_without_an_auth_token_configured_every_webhook_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    response = text_from(client, PHONE, "HELP")  # the suite's app has no TWILIO_AUTH_TOKEN
    assert response.status_code == 403
    assert inbound(app) == []


def test_an_unsigned_status_callback_is_refused_and_stores_nothing(
    app: Flask, twilio: FlaskClient
) -> None:
    response = twilio.post("/twilio/status", data={"MessageSid": "SM1", "MessageStatus": "sent"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeliveryReport)) == 0


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(
    app: Flask, another_app: Callable[..., Flask], client: FlaskClient
) -> None:
    proxied = another_app(
        TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL="https://companion.example.org"
    ).test_client()
    params = {"MessageSid": new_sid(), "From": OTHER_PHONE, "Body": "HELP"}

    internal = post_signed(proxied, "/twilio/sms", params)
    assert internal.status_code == 403
    assert inbound(app) == []

    public = post_signed(
        proxied, "/twilio/sms", params, signed_url="https://companion.example.org/twilio/sms"
    )
    assert public.status_code == 200
    assert len(inbound(app)) == 1


def test_the_query_string_is_part_of_what_twilio_signed(
    app: Flask, another_app: Callable[..., Flask], client: FlaskClient
) -> None:
    proxied = another_app(
        TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL="https://companion.example.org"
    ).test_client()
    params = {"MessageSid": "SM0001", "MessageStatus": "sent"}
    path = "/twilio/status?site=SITE01&kind=reminder"
    wrong = post_signed(
        proxied, path, params, signed_url="https://companion.example.org/twilio/status"
    )
    assert wrong.status_code == 403
    right = post_signed(proxied, path, params, signed_url="https://companion.example.org" + path)
    assert right.status_code == 204


def test_webhooks_need_no_csrf_token(
    app: Flask, another_app: Callable[..., Flask], client: FlaskClient
) -> None:
    strict = another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN, WTF_CSRF_ENABLED=True).test_client()
    assert text_from(strict, OTHER_PHONE, "HELP").status_code == 200


# ---------- STOP and START ----------


def test_stop_opts_the_patient_out_cancels_their_queued_texts_and_gets_no_reply_from_us(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    reminder = queue_reminder(app, patient_id)

    response = text_from(twilio, PHONE, "STOP")

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.get_data(as_text=True) == EMPTY_TWIML
    assert patient(app, patient_id).sms_opted_out_at is not None
    assert outbox_status(app, reminder) == CANCELLED
    (message,) = inbound(app)
    assert (message.handled_as, message.patient_id) == ("stop", patient_id)


@pytest.mark.parametrize("body", ["退订", "TD", "ｓｔｏｐ", "unsubscribe"])
def test_every_stop_word_stops_texts(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int], body: str
) -> None:
    patient_id = enrolled(language="zh")
    assert text_from(twilio, PHONE, body).get_data(as_text=True) == EMPTY_TWIML
    assert patient(app, patient_id).sms_opted_out_at is not None


def test_twilio_s_advanced_opt_out_type_decides_over_the_words(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    text_from(twilio, PHONE, "Arrêt", OptOutType="STOP")
    assert patient(app, patient_id).sms_opted_out_at is not None


def test_start_opts_the_patient_back_in_and_says_so_in_their_language(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled(language="zh")
    text_from(twilio, PHONE, "STOP")

    response = text_from(twilio, PHONE, "START")

    assert patient(app, patient_id).sms_opted_out_at is None
    expected = reply_text(app, wording.START_REPLY, "zh")
    assert response.get_data(as_text=True) == twiml_with(expected)


def test_start_brings_back_the_reminders_stop_cancelled(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    planned = pending_count(app, patient_id)
    assert planned > 0
    text_from(twilio, PHONE, "STOP")
    assert pending_count(app, patient_id) == 0
    text_from(twilio, PHONE, "UNSTOP")
    assert pending_count(app, patient_id) == planned


def test_yes_from_an_opted_out_number_opts_in_again_as_twilio_does(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    text_from(twilio, PHONE, "STOP")
    text_from(twilio, PHONE, "YES")
    assert patient(app, patient_id).sms_opted_out_at is None
    assert inbound(app)[-1].handled_as == "start"
    assert first_visit(app, patient_id).confirmed_at is None


def test_stop_from_a_number_enrolled_at_two_sites_opts_out_both_patients(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    here, there = enrolled(site="SITE01"), enrolled(site="SITE02")
    text_from(twilio, PHONE, "STOP")
    assert patient(app, here).sms_opted_out_at is not None
    assert patient(app, there).sms_opted_out_at is not None


def test_a_text_from_a_shared_number_is_tied_to_the_patient_we_last_texted(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    texted, _enrolled_later = enrolled(site="SITE01"), enrolled(site="SITE02")
    sent_message(app, texted, new_sid())
    text_from(twilio, PHONE, "Is parking free?")
    (message,) = inbound(app)
    assert message.patient_id == texted
    assert message.site_id == patient(app, texted).site_id


def test_an_opted_out_patient_s_other_texts_are_kept_but_get_no_reply(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    enrolled()
    text_from(twilio, PHONE, "STOP")
    response = text_from(twilio, PHONE, "Can I come later?")
    assert response.get_data(as_text=True) == EMPTY_TWIML
    assert inbound(app)[-1].handled_as == "chat"


# ---------- HELP ----------


def test_help_answers_with_the_site_s_phone_in_the_patient_s_language(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    enrolled(language="zh")
    response = text_from(twilio, PHONE, "帮助")
    expected = reply_text(app, wording.HELP_REPLY, "zh")
    assert response.get_data(as_text=True) == twiml_with(expected)
    assert SITE_PHONE in expected


def test_replies_say_which_site_s_study_team_they_are_from(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    enrolled()
    with app.app_context():
        db.session.scalar(select(Site)).sms_sender_label = "Ward 5"
        db.session.commit()
    response = text_from(twilio, PHONE, "HELP")
    with app.test_request_context():
        expected = wording.render_sms(
            wording.HELP_REPLY, "en", site="Ward 5", phone=SITE_PHONE
        ).text
    assert response.get_data(as_text=True) == twiml_with(expected)
    assert "Ward 5" in expected


def test_help_without_a_site_phone_still_tells_the_patient_what_to_do(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    enrolled()
    with app.app_context():
        db.session.scalar(select(Site)).phone = None
        db.session.commit()
    response = text_from(twilio, PHONE, "HELP")
    expected = reply_text(app, wording.HELP_REPLY, "en", phone=None)
    assert response.get_data(as_text=True) == twiml_with(expected)


def test_help_from_an_unknown_number_answers_in_english_and_chinese_and_tells_nothing(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    enrolled()
    response = text_from(twilio, OTHER_PHONE, "HELP")
    text = response.get_data(as_text=True)
    with app.app_context():
        expected = replies.unknown_sender_reply()
    assert text == twiml_with(expected)
    assert SITE_PHONE not in text
    (message,) = inbound(app)
    assert (message.patient_id, message.site_id, message.handled_as) == (None, None, "help")


def test_a_text_from_an_unknown_number_is_kept_without_a_patient_and_promises_nothing(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    enrolled()
    response = text_from(twilio, OTHER_PHONE, "Is this the hospital?")
    with app.app_context():
        expected = replies.unknown_sender_reply()
    assert response.get_data(as_text=True) == twiml_with(expected)
    (message,) = inbound(app)
    assert (message.patient_id, message.site_id, message.handled_as) == (None, None, "other")


@pytest.mark.parametrize("body", ["I can't breathe", "胸口痛，喘不上气"])
def test_an_emergency_from_an_unknown_number_is_told_to_call_120_now_first(
    app: Flask, twilio: FlaskClient, body: str
) -> None:
    response = text_from(twilio, OTHER_PHONE, body)

    text = response.get_data(as_text=True)
    with app.app_context():
        first_line = str(replies.UNKNOWN_SENDER_EMERGENCY)
    assert "<Message>" + first_line in text
    assert "120" in first_line
    (message,) = inbound(app)
    assert (message.patient_id, message.handled_as) == (None, "other")


# ---------- Confirming a visit ----------


def test_c_confirms_the_visit_of_the_next_two_days_and_answers_its_day_and_time(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled(language="zh")

    response = text_from(twilio, PHONE, "C")

    visit = first_visit(app, patient_id)
    assert visit.confirmed_at is not None
    with app.test_request_context():
        params = visit_words(visit, patient(app, patient_id))
    expected = reply_text(app, wording.CONFIRM_THANKS, "zh", **params)
    assert response.get_data(as_text=True) == twiml_with(expected)
    assert params["visit"] == "第一次检查"
    assert "8:30" in params["time"]


def test_confirm_with_no_visit_in_the_next_two_days_confirms_nothing(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled(first_treatment_in_days=30)
    response = text_from(twilio, PHONE, "yes")
    expected = reply_text(app, wording.CONFIRM_NOTHING_TO_CONFIRM, "en")
    assert response.get_data(as_text=True) == twiml_with(expected)
    with app.app_context():
        confirmed = db.session.scalar(
            select(func.count())
            .select_from(Visit)
            .where(Visit.patient_id == patient_id, Visit.confirmed_at.is_not(None))
        )
    assert confirmed == 0


def test_a_confirmation_is_in_the_audit_trail(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int], client: FlaskClient, bearer
) -> None:
    patient_id = enrolled()
    text_from(twilio, PHONE, "确认")
    visit = first_visit(app, patient_id)
    from companion.audit.models import AuditEvent

    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "visit", AuditEvent.entity_id == visit.id)
            .order_by(AuditEvent.id.desc())
        )
    assert "confirmed_at" in event.changes
    assert event.reason == "The patient confirmed the visit by text."


# ---------- Anything else ----------


def test_a_text_the_chat_cannot_answer_is_kept_for_the_team_and_answered_that_they_will_read_it(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    response = text_from(twilio, PHONE, "I have a rash on my arm")
    with app.app_context(), force_locale("en"):
        will_read = str(wording.OTHER_RECEIVED)
    assert will_read in response.get_data(as_text=True)
    (message,) = inbound(app)
    assert (message.handled_as, message.patient_id, message.handled_at) == (
        "chat",
        patient_id,
        None,
    )
    with app.app_context():
        assert db.session.get(InboundMessage, message.id).body == "I have a rash on my arm"


def test_a_text_without_a_message_sid_is_refused_naming_the_field(
    app: Flask, twilio: FlaskClient
) -> None:
    response = post_signed(twilio, "/twilio/sms", {"From": PHONE, "Body": "HELP"})
    assert response.status_code == 400
    assert "MessageSid" in response.get_data(as_text=True)
    assert inbound(app) == []


# ---------- Twilio delivers the same webhook twice ----------


def test_a_repeated_text_gets_the_same_answer_and_is_acted_on_once(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    sid = new_sid()

    first = text_from(twilio, PHONE, "C", sid=sid)
    confirmed_at = first_visit(app, patient_id).confirmed_at
    second = text_from(twilio, PHONE, "C", sid=sid)

    assert second.status_code == 200
    assert second.get_data(as_text=True) == first.get_data(as_text=True)
    assert len(inbound(app)) == 1
    assert first_visit(app, patient_id).confirmed_at == confirmed_at


def test_twin_deliveries_at_the_same_moment_store_and_act_once(
    app: Flask, another_app: Callable[..., Flask], enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    clients = [another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN).test_client() for _ in range(4)]
    sid = new_sid()
    start = threading.Barrier(len(clients))

    def deliver(twin: FlaskClient) -> tuple[int, str]:
        start.wait()
        response = text_from(twin, PHONE, "C", sid=sid)
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = set(pool.map(deliver, clients))

    assert len(answers) == 1
    assert next(iter(answers))[0] == 200
    assert len(inbound(app)) == 1
    assert first_visit(app, patient_id).confirmed_at is not None


def test_a_repeated_stop_cancels_nothing_queued_after_the_first(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    sid = new_sid()
    text_from(twilio, PHONE, "STOP", sid=sid)
    text_from(twilio, PHONE, "START")
    reminder = queue_reminder(app, patient_id, key="after-start")
    text_from(twilio, PHONE, "STOP", sid=sid)
    assert outbox_status(app, reminder) == PENDING
    assert patient(app, patient_id).sms_opted_out_at is None


# ---------- Delivery reports ----------


def delivery_of(app: Flask, message_id: int) -> tuple[str | None, int | None]:
    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        return message.delivery_status, message.error_code


def test_status_callbacks_out_of_order_end_at_the_furthest_state(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    sid = new_sid()
    message_id = sent_message(app, enrolled(), sid)
    for status in ("sent", "delivered", "queued", "sent", "sending"):
        assert status_of(twilio, sid, status).status_code == 204
    assert delivery_of(app, message_id) == ("delivered", None)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeliveryReport)) == 5


def test_a_failure_is_kept_with_its_error_code(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    sid = new_sid()
    message_id = sent_message(app, enrolled(), sid)
    status_of(twilio, sid, "sent")
    status_of(twilio, sid, "undelivered", error_code=30005)
    status_of(twilio, sid, "sent")
    assert delivery_of(app, message_id) == ("undelivered", 30005)


def test_a_repeated_callback_with_the_same_idempotency_token_is_kept_once(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    sid = new_sid()
    sent_message(app, enrolled(), sid)
    for _ in range(3):
        assert status_of(twilio, sid, "delivered", token="token-1").status_code == 204
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeliveryReport)) == 1


def test_a_failure_because_the_number_replied_stop_opts_the_patient_out(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    sid = new_sid()
    sent_message(app, patient_id, sid)
    reminder = queue_reminder(app, patient_id, key="next")
    status_of(twilio, sid, "failed", error_code=21610)
    assert patient(app, patient_id).sms_opted_out_at is not None
    assert outbox_status(app, reminder) == CANCELLED


def test_a_report_that_comes_before_the_sid_is_written_is_applied_afterwards(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    sid = new_sid()
    message_id = queue_reminder(app, patient_id)
    status_of(twilio, sid, "delivered")
    assert delivery_of(app, message_id) == (None, None)
    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        message.status, message.provider_sid = SENT, sid
        apply_stored_reports(db.session, message, utcnow())
        db.session.commit()
    assert delivery_of(app, message_id) == ("delivered", None)


def test_a_report_for_a_message_we_do_not_know_is_kept(app: Flask, twilio: FlaskClient) -> None:
    assert status_of(twilio, new_sid(), "sent").status_code == 204
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeliveryReport)) == 1


# ---------- Malformed input: a 400 naming the field; nothing stored, changed or done ----------

NUL = "\x00"
GOOD_SID = "SM" + "ab12" * 8  # two letters and 32 hex characters, as Twilio's
OMITTED = None  # a field left out of the form


def stored_rows(app: Flask) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every stored text and delivery report, field by field."""
    with app.app_context():
        texts = [
            (m.message_sid, m.from_e164, m.body, m.handled_as, m.patient_id)
            for m in db.session.scalars(select(InboundMessage).order_by(InboundMessage.id))
        ]
        reports = [
            (r.provider_sid, r.status, r.error_code, r.idempotency_token)
            for r in db.session.scalars(select(DeliveryReport).order_by(DeliveryReport.id))
        ]
    return texts, reports


@pytest.fixture
def already_stored(app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]) -> dict[str, Any]:
    """An enrolled patient with a sent reminder (SID `GOOD_SID`, reported delivered), a
    reminder waiting in the outbox, and a text of theirs already stored."""
    patient_id = enrolled()
    sent = sent_message(app, patient_id, GOOD_SID)
    assert status_of(twilio, GOOD_SID, "delivered", token="token-before").status_code == 204
    assert text_from(twilio, PHONE, "I have a rash on my arm").status_code == 200
    return {
        "patient_id": patient_id,
        "sent": sent,
        "waiting": queue_reminder(app, patient_id, key="waiting"),
        "rows": stored_rows(app),
    }


def with_changes(params: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    merged = {**params, **changes}
    return {name: value for name, value in merged.items() if value is not OMITTED}


BAD_SIDS = [
    pytest.param(OMITTED, id="sid-missing"),
    pytest.param("", id="sid-empty"),
    pytest.param("SM" + NUL + "0" * 31, id="sid-nul"),
    pytest.param(GOOD_SID + NUL, id="sid-trailing-nul"),
    pytest.param("SM\x1b[31m" + "0" * 28, id="sid-escape"),
    pytest.param("SM" + "0" * 31 + "\x7f", id="sid-delete-char"),
    pytest.param("SM-1", id="sid-hyphen"),
    pytest.param("SM 1", id="sid-space"),
    pytest.param("ＳＭ１２３", id="sid-fullwidth"),
    pytest.param("S" * 65, id="sid-too-long"),
]


def assert_refused_naming(response: Any, field: str) -> None:
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    message = response.get_data(as_text=True)
    assert message.startswith(f"{field}: "), message
    assert NUL not in message


def assert_nothing_stored_changed_or_done(app: Flask, before: dict[str, Any]) -> None:
    assert stored_rows(app) == before["rows"]
    assert delivery_of(app, before["sent"]) == ("delivered", None)
    assert outbox_status(app, before["waiting"]) == PENDING
    assert patient(app, before["patient_id"]).sms_opted_out_at is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        *[
            pytest.param({"MessageSid": sid}, "MessageSid", id=p.id)
            for p in BAD_SIDS
            for sid in p.values
        ],
        pytest.param({"From": OMITTED}, "From", id="from-missing"),
        pytest.param({"From": PHONE + NUL}, "From", id="from-trailing-nul"),
        pytest.param({"From": "+86139" + NUL + "12340001"}, "From", id="from-nul"),
        pytest.param({"From": "+86139\x0712340001"}, "From", id="from-bell"),
        pytest.param({"From": "+86\u2028139"}, "From", id="from-line-separator"),
        pytest.param({"From": "+86-139-1234-0001"}, "From", id="from-hyphens"),
        pytest.param({"From": "+" + "1" * 16}, "From", id="from-too-many-digits"),
        pytest.param({"From": "<b>Clinic</b>"}, "From", id="from-markup"),
        pytest.param({"From": "StudyTeamSender"}, "From", id="from-sender-id-too-long"),
    ],
)
def test_a_malformed_text_is_refused_naming_the_field_and_nothing_is_stored_or_done(
    app: Flask,
    twilio: FlaskClient,
    already_stored: dict[str, Any],
    changes: dict[str, str | None],
    field: str,
) -> None:
    params = {
        "MessageSid": new_sid(),
        "AccountSid": "AC" + "0" * 32,
        "From": PHONE,
        "To": OUR_NUMBER,
        "Body": "STOP",
        "NumMedia": "0",
    }
    response = post_signed(twilio, "/twilio/sms", with_changes(params, changes))
    assert_refused_naming(response, field)
    assert_nothing_stored_changed_or_done(app, already_stored)


@pytest.mark.parametrize(
    ("changes", "headers", "field"),
    [
        *[
            pytest.param({"MessageSid": sid}, {}, "MessageSid", id=p.id)
            for p in BAD_SIDS
            for sid in p.values
        ],
        pytest.param({"MessageStatus": OMITTED}, {}, "MessageStatus", id="status-missing"),
        pytest.param({"MessageStatus": "exploded"}, {}, "MessageStatus", id="status-unknown"),
        pytest.param({"MessageStatus": "failed" + NUL}, {}, "MessageStatus", id="status-nul"),
        pytest.param({"MessageStatus": "fai\x01led"}, {}, "MessageStatus", id="status-control"),
        pytest.param({"ErrorCode": "²"}, {}, "ErrorCode", id="error-superscript-two"),
        pytest.param({"ErrorCode": "٣٠٠٠٥"}, {}, "ErrorCode", id="error-arabic-indic-digits"),
        pytest.param({"ErrorCode": "３０００５"}, {}, "ErrorCode", id="error-fullwidth-digits"),
        pytest.param({"ErrorCode": "5" * 5000}, {}, "ErrorCode", id="error-5000-digits"),
        pytest.param({"ErrorCode": "99999999999"}, {}, "ErrorCode", id="error-overflows-integer"),
        pytest.param({"ErrorCode": "1234567890"}, {}, "ErrorCode", id="error-ten-digits"),
        pytest.param({"ErrorCode": "x1"}, {}, "ErrorCode", id="error-letters"),
        pytest.param({"ErrorCode": "-30005"}, {}, "ErrorCode", id="error-negative"),
        pytest.param({"ErrorCode": "30005.0"}, {}, "ErrorCode", id="error-decimal"),
        pytest.param({"ErrorCode": "300" + NUL + "05"}, {}, "ErrorCode", id="error-nul"),
        pytest.param({}, {IDEMPOTENCY: "token" + NUL + "1"}, IDEMPOTENCY, id="token-nul"),
        pytest.param({}, {IDEMPOTENCY: "token\x011"}, IDEMPOTENCY, id="token-control"),
        pytest.param({}, {IDEMPOTENCY: "token\x7f"}, IDEMPOTENCY, id="token-delete-char"),
        pytest.param({}, {IDEMPOTENCY: "t" * 129}, IDEMPOTENCY, id="token-too-long"),
    ],
)
def test_a_malformed_status_callback_is_refused_naming_the_field_and_changes_nothing(
    app: Flask,
    twilio: FlaskClient,
    already_stored: dict[str, Any],
    changes: dict[str, str | None],
    headers: dict[str, str],
    field: str,
) -> None:
    params = {
        "MessageSid": GOOD_SID,  # the sent reminder: a wrongly accepted report would change it
        "MessageStatus": "failed",
        "ErrorCode": "21610",  # "replied STOP": accepted, it would opt the patient out
        "AccountSid": "AC" + "0" * 32,
        "To": PHONE,
        "From": OUR_NUMBER,
    }
    response = post_signed(twilio, "/twilio/status", with_changes(params, changes), headers=headers)
    assert_refused_naming(response, field)
    assert_nothing_stored_changed_or_done(app, already_stored)


def test_the_refusals_say_what_is_allowed(app: Flask, twilio: FlaskClient) -> None:
    status = {"MessageSid": GOOD_SID, "MessageStatus": "failed"}
    sms = {"MessageSid": new_sid(), "From": PHONE, "Body": "HELP"}
    answers = {
        "ErrorCode": post_signed(twilio, "/twilio/status", {**status, "ErrorCode": "²"}),
        "MessageStatus": post_signed(twilio, "/twilio/status", {**status, "MessageStatus": "x"}),
        "MessageSid": post_signed(twilio, "/twilio/sms", {**sms, "MessageSid": "SM" + NUL}),
        "From": post_signed(twilio, "/twilio/sms", {**sms, "From": "+86" + NUL}),
    }
    said = {field: answer.get_data(as_text=True) for field, answer in answers.items()}
    assert "1 to 9 digits" in said["ErrorCode"]
    assert "delivered" in said["MessageStatus"]
    assert "letters and digits" in said["MessageSid"]
    assert "+" in said["From"]
    assert "sender ID" in said["From"]


@pytest.mark.parametrize(
    ("changes", "headers"),
    [
        pytest.param({"ErrorCode": " 30005 "}, {}, id="error-code-with-spaces"),
        pytest.param({"ErrorCode": ""}, {}, id="error-code-empty"),
        pytest.param({"ErrorCode": "999999999"}, {}, id="error-code-nine-digits"),
        pytest.param({"MessageSid": "MM" + "0" * 32}, {}, id="mms-sid"),
        pytest.param({"MessageSid": "S" * 64}, {}, id="sid-64-characters"),
        pytest.param({"MessageStatus": "Delivered"}, {}, id="status-capitalised"),
        pytest.param({}, {IDEMPOTENCY: "AC" + "0" * 32 + "-1-" + "f" * 32}, id="token"),
    ],
)
def test_well_formed_status_callbacks_are_accepted(
    app: Flask,
    twilio: FlaskClient,
    changes: dict[str, str],
    headers: dict[str, str],
) -> None:
    params = {"MessageSid": new_sid(), "MessageStatus": "undelivered", **changes}
    response = post_signed(twilio, "/twilio/status", params, headers=headers)
    assert response.status_code == 204
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeliveryReport)) == 1


@pytest.mark.parametrize(
    "sender",
    [PHONE, "12345", "Clinic", "Study Team1"],
)
def test_texts_from_phone_numbers_short_codes_and_sender_ids_are_accepted(
    app: Flask, twilio: FlaskClient, sender: str
) -> None:
    assert text_from(twilio, sender, "Hello").status_code == 200
    assert len(inbound(app)) == 1


def test_nul_characters_are_removed_from_a_text_and_the_rest_is_kept_as_sent(
    app: Flask, twilio: FlaskClient, enrolled: Callable[..., int]
) -> None:
    patient_id = enrolled()
    sent = "I have a rash" + NUL + " on my arm\n\tsince Monday 😟\x01" + NUL
    response = text_from(twilio, PHONE, sent)
    assert response.status_code == 200
    (message,) = inbound(app)
    assert (message.patient_id, message.handled_as) == (patient_id, "chat")
    with app.app_context():
        body = db.session.get(InboundMessage, message.id).body
    assert body == "I have a rash on my arm\n\tsince Monday 😟\x01"


# ---------- Privacy ----------


def test_webhooks_leave_no_phone_number_or_message_text_in_the_logs(
    app: Flask,
    twilio: FlaskClient,
    enrolled: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    enrolled()
    caplog.set_level(logging.DEBUG)
    for name in ("companion", "sqlalchemy.engine", "werkzeug", "twilio"):
        caplog.set_level(logging.DEBUG, logger=name)
    canary = "canary-text-my-chest-hurts"
    for phone, body in ((PHONE, canary), (OTHER_PHONE, canary), (PHONE, "STOP")):
        text_from(twilio, phone, body)
    twilio.post("/twilio/sms", data={"MessageSid": new_sid(), "From": PHONE, "Body": canary})

    logged = everything_logged(caplog)
    assert caplog.records, "nothing was logged at all: the capture is not working"
    for secret in (PHONE, PHONE[3:], OTHER_PHONE, OTHER_PHONE[3:], canary):
        assert secret not in logged
