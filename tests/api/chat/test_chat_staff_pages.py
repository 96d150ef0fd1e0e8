"""Staff and the chat: transcripts, taking a conversation over (the bot goes silent), writing in
it, handing it back, and the tasks the bot left. Through the staff pages, signed in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.chat.models import ChatTask, Conversation
from companion.db import db
from companion.messaging.models import InboundMessage, OutboundMessage
from tests.api.chat.test_chat_api import WebChat
from tests.api.chat.test_chat_sms import Texting, rows
from tests.api.test_symptom_sms import PHONE
from tests.conftest import csrf_token_from
from tests.staff_session import html_of, sign_in


@pytest.fixture
def staff_client(
    another_app: Callable[..., Flask], make_staff: Callable[..., str], patient_id: int
) -> FlaskClient:
    client = another_app().test_client()
    sign_in(client, make_staff("coordinator", "SITE01", email="nurse@site01.example.org"))
    return client


def post_form(client: FlaskClient, path: str, **fields: str):
    token = csrf_token_from(client.get("/staff/chats").data)
    return client.post(path, data={"csrf_token": token, **fields})


def conversation_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(Conversation.id))
        assert found is not None
        return found


def test_staff_read_the_transcript_of_a_patient_s_conversation(
    app: Flask, twilio: FlaskClient, staff_client: FlaskClient
) -> None:
    Texting(twilio, PHONE).texts("when is my next visit?")
    listing = html_of(staff_client, "/staff/chats")
    assert "Text messages" in listing
    page = html_of(staff_client, f"/staff/chats/{conversation_id(app)}")
    assert "when is my next visit?" in page
    assert "Your next visit:" in page
    assert "Take over from the bot" in page


def test_once_taken_over_the_bot_is_silent_until_released(
    app: Flask, twilio: FlaskClient, staff_client: FlaskClient
) -> None:
    patient = Texting(twilio, PHONE).texts("hello")
    chat = conversation_id(app)
    assert post_form(staff_client, f"/staff/chats/{chat}/take-over").status_code == 303
    patient.texts("when is my next visit?")
    assert patient.reply == ""  # no answer from the bot: a person will answer
    assert rows(app, InboundMessage)[-1].handled_at is None  # it waits for the team
    assert "when is my next visit?" in html_of(staff_client, f"/staff/chats/{chat}")

    answer = post_form(staff_client, f"/staff/chats/{chat}/write", text="Thursday at 9, see you")
    assert answer.status_code == 303
    [sent] = [m for m in rows(app, OutboundMessage) if m.kind == "reply"]
    assert "Thursday at 9, see you" in sent.body
    assert "Thursday at 9, see you" in html_of(staff_client, f"/staff/chats/{chat}")

    assert post_form(staff_client, f"/staff/chats/{chat}/release").status_code == 303
    patient.texts("when is my next visit?").reads("Your next visit:")
    with app.app_context():
        reasons = list(db.session.scalars(select(AuditEvent.reason)))
    assert "A member of staff took the conversation over from the bot." in reasons
    assert "A member of staff handed the conversation back to the bot." in reasons


def test_emergency_words_are_answered_even_while_staff_have_taken_over(
    app: Flask, twilio: FlaskClient, staff_client: FlaskClient
) -> None:
    patient = Texting(twilio, PHONE).texts("hello")
    post_form(staff_client, f"/staff/chats/{conversation_id(app)}/take-over")
    patient.texts("I can't breathe").reads("120")


def test_writing_without_taking_over_is_refused_and_sends_nothing(
    app: Flask, twilio: FlaskClient, staff_client: FlaskClient
) -> None:
    Texting(twilio, PHONE).texts("hello")
    response = post_form(staff_client, f"/staff/chats/{conversation_id(app)}/write", text="hi")
    assert response.status_code == 409
    assert "Take the conversation over before you write in it." in response.get_data(as_text=True)
    assert [m for m in rows(app, OutboundMessage) if m.kind == "reply"] == []


def test_an_empty_message_is_a_400_naming_the_field(
    app: Flask, twilio: FlaskClient, staff_client: FlaskClient
) -> None:
    Texting(twilio, PHONE).texts("hello")
    chat = conversation_id(app)
    post_form(staff_client, f"/staff/chats/{chat}/take-over")
    response = post_form(staff_client, f"/staff/chats/{chat}/write", text="   ")
    assert response.status_code == 400
    assert "Please write a message of 1 to 600 characters." in response.get_data(as_text=True)


def test_a_task_the_bot_left_is_listed_and_marked_done(
    app: Flask, twilio: FlaskClient, staff_client: FlaskClient
) -> None:
    Texting(twilio, PHONE).texts("I need to change my appointment").texts("Friday morning")
    listing = html_of(staff_client, "/staff/chats")
    assert "Arrange a new visit time" in listing
    assert "Friday morning" in listing
    [task] = rows(app, ChatTask)
    done = post_form(staff_client, f"/staff/chats/tasks/{task.id}/done")
    assert done.status_code == 303
    assert rows(app, ChatTask)[0].status == "done"
    assert "No task is waiting." in html_of(staff_client, "/staff/chats")
    again = post_form(staff_client, f"/staff/chats/tasks/{task.id}/done")
    assert again.status_code == 409


def test_a_web_visitor_reads_what_staff_wrote_with_the_answer_to_their_next_message(
    app: Flask, client: FlaskClient, staff_client: FlaskClient
) -> None:
    chat = WebChat(client).says("hello")
    conversation = conversation_id(app)
    post_form(staff_client, f"/staff/chats/{conversation}/take-over")
    post_form(staff_client, f"/staff/chats/{conversation}/write", text="Hi, this is Mei, a nurse.")
    assert [m for m in rows(app, OutboundMessage) if m.kind == "reply"] == []  # not a text
    chat.says("is anyone there?")
    assert chat.replies == ["Hi, this is Mei, a nurse."]  # and nothing from the bot
    chat.says("ok thanks")
    assert chat.replies == []
    assert "Hi, this is Mei, a nurse." in client.get(f"/chat/{chat.conversation_id}").text
