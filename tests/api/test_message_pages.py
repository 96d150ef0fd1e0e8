"""Staff pages of text messages: the site's failed texts and patients' texts waiting for an
answer (`/staff/messages`), and the texts on a patient's timeline. Site-scoped; any role reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.db import db
from companion.messaging.models import InboundMessage
from tests.conftest import csrf_token_from
from tests.enrolments import enrol
from tests.signed_webhooks import AUTH_TOKEN, text_from
from tests.staff_session import html_of, sign_in
from tests.text_messages import dispatched_text, queued_text

MESSAGES = "/staff/messages"
PHONE = "+8613912340011"
THERE_PHONE = "+8613912340012"
QUESTION = "Can my daughter come with me on Tuesday?"


def section(html: str, heading_id: str) -> str:
    """The page from the heading with `heading_id` up to the next h2."""
    start = html.index(f'<h2 id="{heading_id}">')
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def twilio(another_app: Callable[..., Flask], client: FlaskClient) -> FlaskClient:
    return another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN).test_client()


@pytest.fixture
def world(client: FlaskClient, make_staff: Any, bearer: Any) -> dict[str, Any]:
    """A patient at SITE01 and one at SITE02, each enrolled by a coordinator of their site."""
    here, there = make_staff("coordinator", "SITE01"), make_staff("coordinator", "SITE02")
    return {
        "coordinator": here,
        "here": enrol(client, bearer(here), 15, phone=PHONE, name="Li Na")["patient_id"],
        "there": enrol(client, bearer(there), 15, phone=THERE_PHONE, name="Zhao Lei")["patient_id"],
    }


def test_the_messages_page_needs_a_signed_in_staff_member(client: FlaskClient) -> None:
    response = client.get(MESSAGES)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("role", ["coordinator", "investigator", "admin"])
def test_every_staff_role_reads_the_messages_page(
    client: FlaskClient, make_staff: Any, role: str
) -> None:
    sign_in(client, make_staff(role))
    html = html_of(client, MESSAGES)
    assert "<h1>Text messages</h1>" in html
    assert "No text from a patient is waiting for an answer." in html
    assert "Every text reached its patient, as far as we know." in html


def test_the_nav_leads_to_the_messages_page(client: FlaskClient, make_staff: Any) -> None:
    sign_in(client, make_staff())
    html = html_of(client, MESSAGES)
    assert f'<a href="{MESSAGES}" aria-current="page">Messages</a>' in html


def test_texts_that_did_not_reach_the_patient_are_listed_with_what_went_wrong(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    here = world["here"]
    dispatched_text(
        app,
        here,
        "k1",
        provider_sid="SM1",
        delivery_status="undelivered",
        error_code=30005,
        body="Reminder one",
    )
    dispatched_text(app, here, "k2", status="failed", error_code=21610, body="Reminder two")
    dispatched_text(app, here, "k3", status="unknown", body="Reminder three")
    dispatched_text(
        app, here, "k4", provider_sid="SM4", delivery_status="delivered", body="Reminder four"
    )
    sign_in(client, world["coordinator"])

    failed = section(html_of(client, MESSAGES), "failed")

    for body in ("Reminder one", "Reminder two", "Reminder three"):
        assert body in failed
    assert "Reminder four" not in failed
    assert "This number is unknown or no longer in use. Check it with the patient." in failed
    assert "The patient replied STOP, so no texts reach them." in failed
    assert "We did not hear back when this text was sent." in failed
    assert "Li Na" in failed
    assert f'href="/staff/patients/{here}#texts"' in failed


def test_an_error_code_without_plain_words_is_shown_as_the_code(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    dispatched_text(app, world["here"], "k1", status="failed", error_code=21999)
    sign_in(client, world["coordinator"])
    assert "Twilio error 21999." in section(html_of(client, MESSAGES), "failed")


def test_texts_from_patients_that_are_no_keyword_wait_for_an_answer(
    client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    text_from(twilio, PHONE, QUESTION)
    text_from(twilio, PHONE, "HELP")
    text_from(twilio, PHONE, "C")
    sign_in(client, world["coordinator"])

    waiting = section(html_of(client, MESSAGES), "waiting")

    assert QUESTION in waiting
    assert waiting.count("<tr id=") == 1
    assert "Mark as answered" in waiting


def test_the_lists_show_only_the_site_s_own_texts(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    dispatched_text(app, world["there"], "k1", status="failed", body="Elsewhere reminder")
    text_from(twilio, THERE_PHONE, "A question for the other site")
    text_from(twilio, "+8613912349999", "A question from nobody we know")
    sign_in(client, world["coordinator"])

    html = html_of(client, MESSAGES)

    assert "Elsewhere reminder" not in html
    assert "A question for the other site" not in html
    assert "A question from nobody we know" not in html


def test_marking_a_text_answered_takes_it_off_the_list_and_is_audited(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    text_from(twilio, PHONE, QUESTION)
    sign_in(client, world["coordinator"])
    with app.app_context():
        message_id = db.session.scalar(select(InboundMessage.id))
    token = csrf_token_from(client.get(MESSAGES).data)

    response = client.post(f"{MESSAGES}/{message_id}/answered", data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["Location"] == f"{MESSAGES}#notice"
    html = html_of(client, MESSAGES)
    assert "Marked as answered. It has left the list." in html
    assert QUESTION not in html
    with app.app_context():
        assert db.session.get(InboundMessage, message_id).handled_at is not None
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_type == "inbound_message",
                AuditEvent.entity_id == message_id,
                AuditEvent.action == "update",
            )
        )
    assert (event.actor_type, event.actor_label) == ("staff", world["coordinator"])
    assert QUESTION not in str(event.changes)


def test_an_admin_reads_the_texts_but_cannot_mark_them_answered(
    app: Flask, client: FlaskClient, twilio: FlaskClient, make_staff: Any, world: dict[str, Any]
) -> None:
    text_from(twilio, PHONE, QUESTION)
    sign_in(client, make_staff("admin"))
    html = html_of(client, MESSAGES)
    assert QUESTION in html
    assert "Mark as answered" not in html
    with app.app_context():
        message_id = db.session.scalar(select(InboundMessage.id))
    token = csrf_token_from(html)
    response = client.post(f"{MESSAGES}/{message_id}/answered", data={"csrf_token": token})
    assert response.status_code == 403


def test_a_text_of_another_site_cannot_be_marked_answered(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    text_from(twilio, THERE_PHONE, QUESTION)
    sign_in(client, world["coordinator"])
    with app.app_context():
        message_id = db.session.scalar(select(InboundMessage.id))
    token = csrf_token_from(client.get(MESSAGES).data)
    response = client.post(f"{MESSAGES}/{message_id}/answered", data={"csrf_token": token})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(InboundMessage, message_id).handled_at is None


def test_marking_answered_needs_the_form_s_csrf_token(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    text_from(twilio, PHONE, QUESTION)
    sign_in(client, world["coordinator"])
    with app.app_context():
        message_id = db.session.scalar(select(InboundMessage.id))
    assert client.post(f"{MESSAGES}/{message_id}/answered").status_code == 400
    with app.app_context():
        assert db.session.get(InboundMessage, message_id).handled_at is None


# ---------- The patient's timeline ----------


def test_the_timeline_shows_the_patient_s_texts_both_ways_newest_first(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    here = world["here"]
    dispatched_text(
        app, here, "k1", provider_sid="SM1", delivery_status="delivered", body="An earlier reminder"
    )
    text_from(twilio, PHONE, QUESTION)
    queued_text(app, here, "k2", body="A reminder still to send")
    sign_in(client, world["coordinator"])

    texts = section(html_of(client, f"/staff/patients/{here}"), "texts")

    order = [
        texts.index(body) for body in ("A reminder still to send", QUESTION, "An earlier reminder")
    ]
    assert order == sorted(order)
    assert "Sent, Delivered to the phone" in texts
    assert "Waiting to be sent" in texts
    assert "A message to the chat" in texts
    assert "Waiting for an answer" in texts


def test_the_timeline_says_when_the_patient_replied_stop_and_why_a_text_failed(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any]
) -> None:
    here = world["here"]
    dispatched_text(
        app, here, "k1", provider_sid="SM1", delivery_status="undelivered", error_code=30003
    )
    text_from(twilio, PHONE, "STOP")
    sign_in(client, world["coordinator"])

    texts = section(html_of(client, f"/staff/patients/{here}"), "texts")

    assert "The patient replied STOP on" in texts
    assert "Asked to stop texts (STOP)" in texts
    assert "The phone was off or out of reach" in texts


def test_the_timeline_never_shows_another_patient_s_texts(
    app: Flask, client: FlaskClient, twilio: FlaskClient, world: dict[str, Any], bearer: Any
) -> None:
    other = enrol(client, bearer(world["coordinator"]), 15, phone="+8613912340013")["patient_id"]
    queued_text(app, other, "k1", body="A reminder for another patient")
    sign_in(client, world["coordinator"])
    texts = section(html_of(client, f"/staff/patients/{world['here']}"), "texts")
    assert "A reminder for another patient" not in texts
