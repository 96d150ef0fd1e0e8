"""A patient on the study texts the chat: their phone finds them, and the bot answers in their
language through Twilio's signed webhook. Scripts of what the patient texts and reads back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.chat.models import ChatTask, Conversation, ConversationTurn
from companion.db import db
from companion.enrolment.models import InjectionLogEntry, Visit
from companion.messaging.models import InboundMessage, OutboundMessage
from companion.symptoms.models import SymptomReport
from symptoms import load_item_bank
from tests.api.test_symptom_sms import PHONE, ZH_PHONE, twiml_text
from tests.signed_webhooks import text_from

DISEASE_WORDS = ("melanoma", "cancer", "cadonilimab", "interferon", "黑色素瘤", "癌", "干扰素")


class Texting:
    """A patient texting the study number; `texts` returns what they read back."""

    def __init__(self, twilio: FlaskClient, phone: str) -> None:
        self.twilio = twilio
        self.phone = phone
        self.reply = ""

    def texts(self, body: str) -> Texting:
        response = text_from(self.twilio, self.phone, body)
        assert response.status_code == 200, response.get_data(as_text=True)
        self.reply = twiml_text(response)
        for word in DISEASE_WORDS:
            assert word not in self.reply.lower()
        return self

    def reads(self, *parts: str) -> Texting:
        for part in parts:
            assert part in self.reply, self.reply
        return self


def rows(app: Flask, model: Any) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(select(model).order_by(model.id)))


def a_night_passes(app: Flask, hours: int = 20) -> None:
    """Move the patient's conversation back in time, as if they had slept on the question."""
    with app.app_context():
        for conversation in db.session.scalars(select(Conversation)):
            state = dict(conversation.state)
            if state.get("last_at"):
                from datetime import datetime

                state["last_at"] = (
                    datetime.fromisoformat(state["last_at"]) - timedelta(hours=hours)
                ).isoformat()
            conversation.state = state
            conversation.last_message_at -= timedelta(hours=hours)
        db.session.commit()


def test_a_patient_asks_for_their_next_visit_and_reads_its_day_and_time(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    with app.app_context():
        visit = db.session.scalar(
            select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.starts_at)
        )
        assert visit is not None
    Texting(twilio, PHONE).texts("when is my next visit?").reads("Your next visit:")
    [message] = rows(app, InboundMessage)
    assert message.handled_as == "chat"
    assert message.handled_at is not None  # the bot answered it: nothing for staff to do


def test_a_chinese_patient_is_answered_in_chinese(twilio: FlaskClient, zh_patient_id: int) -> None:
    Texting(twilio, ZH_PHONE).texts("你好").reads("有什么可以帮您？请回复数字：1")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_symptom_check_by_text_feeds_the_triage_queue(
    app: Flask, twilio: FlaskClient, patient_id: int, zh_patient_id: int, language: str
) -> None:
    phone, feel, no, skip = (
        (PHONE, "I don't feel well", "no", "skip")
        if language == "en"
        else (ZH_PHONE, "我不舒服", "没有", "跳过")
    )
    patient = Texting(twilio, phone).texts(feel)
    patient.reads(load_item_bank().item("chest_pain").question[language])
    patient.texts(no).reads("1. ", "4. ")  # how short of breath: numbered answers
    patient.texts("2").texts("38.6").texts("0").texts(no).texts(no).texts(skip)
    [report] = rows(app, SymptomReport)
    assert report.source == "sms"
    assert report.answers == {
        "chest_pain": "no",
        "shortness_of_breath": "mild",
        "temperature_c": 38.6,
        "extra_stools_per_day": 0,
        "blood_in_stool": "no",
        "rash_blistering": "no",
    }
    assert report.urgency in ("amber", "red")


def test_yes_to_chest_pain_in_the_check_gets_the_emergency_answer_and_an_alert(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    patient = Texting(twilio, PHONE).texts("symptoms")
    patient.texts("yes").reads("120")
    [report] = rows(app, SymptomReport)
    assert report.urgency == "emergency"
    alerts = [m for m in rows(app, OutboundMessage) if m.kind == "urgent_alert"]
    assert len(alerts) == 1


def test_emergency_words_mid_check_are_answered_at_once_with_the_answers_so_far(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    patient = Texting(twilio, PHONE).texts("I feel sick").texts("no")
    patient.texts("I passed out this morning").reads("120")
    [report] = rows(app, SymptomReport)
    assert report.urgency == "emergency"
    assert report.answers["chest_pain"] == "no"


def test_a_patient_answers_the_next_morning_and_the_check_carries_on(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    patient = Texting(twilio, PHONE).texts("symptoms").texts("no")
    a_night_passes(app)
    patient.texts("good morning").reads("Welcome back", "short of breath")
    patient.texts("1").reads("temperature")


def test_yes_answers_the_chats_question_instead_of_confirming_a_visit(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    Texting(twilio, PHONE).texts("symptoms").texts("YES")
    assert [m.handled_as for m in rows(app, InboundMessage)] == ["chat", "chat"]
    with app.app_context():
        assert db.session.scalar(select(Visit).where(Visit.confirmed_at.is_not(None))) is None


def test_a_request_to_reschedule_leaves_a_task_for_the_coordinator(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    Texting(twilio, PHONE).texts("I can't make it, need to change my visit")
    Texting(twilio, PHONE).texts("Next Tuesday afternoon").reads("A coordinator will contact you")
    [task] = rows(app, ChatTask)
    assert (task.kind, task.note, task.patient_id) == (
        "reschedule",
        "Next Tuesday afternoon",
        patient_id,
    )


@pytest.mark.parametrize(
    ("language", "change", "red_flag", "answer", "when"),
    [
        ("en", "2", "there is blood in my poo", "within the hour", "Friday morning"),
        ("zh", "2", "拉黑便两天了", "1小时内", "周五上午"),
    ],
)
def test_red_flag_words_while_asked_for_a_new_time_are_reported_and_on_call_alerted(
    app: Flask,
    twilio: FlaskClient,
    patient_id: int,
    zh_patient_id: int,
    language: str,
    change: str,
    red_flag: str,
    answer: str,
    when: str,
) -> None:
    patient = Texting(twilio, PHONE if language == "en" else ZH_PHONE).texts(change)
    patient.texts(red_flag).reads(answer)
    [report] = rows(app, SymptomReport)
    assert report.urgency == "red"
    assert report.answers["other"] == red_flag
    alerts = [m for m in rows(app, OutboundMessage) if m.kind == "urgent_alert"]
    assert len(alerts) == 1
    patient.texts(when)  # the request for a new time is still open
    [task] = rows(app, ChatTask)
    assert (task.kind, task.note) == ("reschedule", when)


def test_took_my_injection_is_logged_on_a_shot_day_and_passed_on_otherwise(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    # The enrolled patient's treatment starts in two weeks: today is no shot day.
    Texting(twilio, PHONE).texts("took my injection").reads("passed your message to the team")
    assert rows(app, InjectionLogEntry) == []
    [message] = rows(app, InboundMessage)
    assert message.handled_at is None  # the team reads it


def test_texts_the_bot_cannot_help_with_wait_for_the_team_and_two_misses_offer_a_call(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    patient = Texting(twilio, PHONE).texts("Can I eat before the blood test?")
    patient.reads("We got your message", "reply 1 for your next visit")
    patient.texts("and can I drive home after?").reads("call me")
    assert all(message.handled_at is None for message in rows(app, InboundMessage))


def test_stop_still_works_in_the_middle_of_a_check(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    Texting(twilio, PHONE).texts("symptoms").texts("STOP")
    assert rows(app, InboundMessage)[-1].handled_as == "stop"


def test_a_repeated_delivery_gets_the_same_answer_and_changes_nothing(
    app: Flask, twilio: FlaskClient, patient_id: int
) -> None:
    first = twiml_text(text_from(twilio, PHONE, "symptoms", sid="SM" + "a" * 32))
    again = twiml_text(text_from(twilio, PHONE, "symptoms", sid="SM" + "a" * 32))
    assert first == again
    assert len(rows(app, InboundMessage)) == 1
    assert len([t for t in rows(app, ConversationTurn) if t.speaker == "person"]) == 1
