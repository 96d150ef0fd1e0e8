"""The web chat through `POST /api/v1/chat`, as the contract says: a pre-screen as a
conversation, read as a script of what the person types and what they read back."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from companion.chat.models import ChatTask, Conversation, ConversationTurn
from companion.db import db
from companion.prescreen.models import Lead, PrescreenSession
from companion.timestamps import utcnow
from tests.unit.test_chat_dialogue import HOPEFUL_EN, HOPEFUL_ZH, NO_BY_LANGUAGE

CHAT = "/api/v1/chat"


class WebChat:
    """One person in the web chat: each `says` posts a message and keeps the conversation id."""

    def __init__(self, client: FlaskClient, language: str = "en") -> None:
        self.client = client
        self.language = language
        self.conversation_id: str | None = None
        self.body: dict[str, Any] = {}

    def says(self, text: str) -> WebChat:
        response = self.client.post(
            CHAT,
            json={
                "conversation_id": self.conversation_id,
                "text": text,
                "language": self.language,
            },
        )
        assert response.status_code == 200, response.get_json()
        self.body = response.get_json()
        self.conversation_id = self.body["conversation_id"]
        return self

    @property
    def replies(self) -> list[str]:
        return self.body["replies"]

    @property
    def text(self) -> str:
        return "\n".join(self.replies)

    @property
    def asking(self) -> str | None:
        return self.body["prescreen"]["asking"]

    @property
    def facts(self) -> dict[str, Any]:
        return self.body["prescreen"]["facts"]

    @property
    def verdict(self) -> str | None:
        return self.body["prescreen"]["verdict"]


def answer_all(chat: WebChat, answers: dict[str, str]) -> WebChat:
    yes = "yes" if chat.language == "en" else "是"
    for _ in range(40):
        if chat.asking is None:
            return chat
        asked = chat.asking
        chat.says(answers.get(asked, NO_BY_LANGUAGE[chat.language]))
        if chat.asking == asked and asked not in chat.facts:
            chat.says(yes)  # the bot checked an answer it was unsure of
    raise AssertionError("the pre-screen never ended")


def stored(app: Flask, model: Any) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(select(model)))


@pytest.mark.parametrize(
    ("language", "first_question"),
    [("en", "Where did your melanoma first start?"), ("zh", "您的黑色素瘤最早长在哪里？")],
)
def test_a_new_conversation_starts_the_pre_screen(
    client: FlaskClient, language: str, first_question: str
) -> None:
    chat = WebChat(client, language).says("hi" if language == "en" else "你好")
    assert chat.conversation_id is not None
    assert len(chat.conversation_id) >= 16
    assert chat.body["emergency"] is False
    assert first_question in chat.text
    assert "1. " in chat.replies[-1]  # the answers are numbered
    assert chat.body["prescreen"] == {
        "asking": "melanoma_origin",
        "facts": {},
        "verdict": "needs_review",
    }


@pytest.mark.parametrize(
    ("language", "answers", "heading", "offer"),
    [
        (
            "en",
            HOPEFUL_EN,
            "This study may be a fit for you",
            "Would you like the study team to call you?",
        ),
        ("zh", HOPEFUL_ZH, None, None),
    ],
    ids=["en", "zh"],
)
def test_a_whole_pre_screen_by_chat_ends_with_the_same_verdict_as_the_questionnaire(
    app: Flask,
    client: FlaskClient,
    language: str,
    answers: dict[str, str],
    heading: str | None,
    offer: str | None,
) -> None:
    chat = answer_all(WebChat(client, language).says("hello"), answers)
    assert chat.verdict == "likely_eligible"
    evaluated = client.post(
        "/api/v1/trials/NCT07586904/prescreen/evaluate",
        json={"facts": chat.facts, "language": language},
    ).get_json()
    assert evaluated["verdict"] == chat.verdict
    site_checks = [c["lay_text"] for c in evaluated["criteria"] if c["status"] == "site_check"]
    for lay_text in site_checks:
        assert lay_text in chat.text  # the same explanations, word for word
    if heading and offer:
        assert heading in chat.text
        assert offer in chat.replies[-1]
    sessions = stored(app, PrescreenSession)
    assert len(sessions) == 1
    assert sessions[0].facts == chat.facts  # the pre-screen session holds the same answers


def test_a_lead_left_in_the_chat_reaches_the_site_with_consent(
    app: Flask, client: FlaskClient
) -> None:
    chat = answer_all(WebChat(client).says("hello"), HOPEFUL_EN)
    chat.says("yes").says("Ann Lee").says("138 0013 8000").says("3")
    assert "I agree that the study team may call or text me" in chat.text
    chat.says("yes")
    assert "The study team will contact you." in chat.text
    [lead] = stored(app, Lead)
    assert (lead.name, lead.phone_e164, lead.best_time_to_call) == (
        "Ann Lee",
        "+8613800138000",
        "evening",
    )
    assert lead.consent_to_contact is True
    assert lead.verdict == "likely_eligible"
    assert lead.facts == chat.facts


def test_an_unsure_answer_is_confirmed_before_it_is_recorded(client: FlaskClient) -> None:
    chat = WebChat(client).says("hi").says("I think on my foot")
    assert "Just to check" in chat.text
    assert chat.asking == "melanoma_origin"
    assert chat.facts == {}
    chat.says("yes")
    assert chat.facts == {"melanoma_origin": "acral"}
    assert chat.asking == "stage"


def test_back_and_start_over_work_by_chat(client: FlaskClient) -> None:
    chat = WebChat(client, "zh").says("你好").says("1").says("3")
    assert chat.asking == "regional_spread"
    chat.says("返回")
    assert (chat.asking, chat.facts) == ("stage", {"melanoma_origin": "skin"})
    chat.says("重新开始")
    assert (chat.asking, chat.facts) == ("melanoma_origin", {})


def test_an_ineligible_person_is_told_kindly_with_the_reason(client: FlaskClient) -> None:
    chat = WebChat(client).says("hi").says("4")
    assert chat.verdict == "not_eligible"
    assert chat.asking is None
    assert "This study may not be right for you" in chat.text
    assert "It is not about you." in chat.text


@pytest.mark.parametrize(
    ("language", "words", "number"),
    [("en", "I can't breathe and my chest hurts", "120"), ("zh", "胸口痛，喘不上气", "120")],
)
def test_emergency_words_mid_questionnaire_get_the_fixed_emergency_answer(
    app: Flask, client: FlaskClient, language: str, words: str, number: str
) -> None:
    chat = WebChat(client, language).says("hi").says("1")
    chat.says(words)
    assert chat.body["emergency"] is True
    assert len(chat.replies) == 1
    assert number in chat.replies[0]
    assert chat.asking == "stage"  # the place is kept
    [conversation] = stored(app, Conversation)
    assert conversation.emergency_at is not None  # staff see it
    chat.says("3")
    assert chat.body["emergency"] is False
    assert chat.asking == "regional_spread"


def test_an_emergency_as_the_very_first_message_gets_the_emergency_answer(
    client: FlaskClient,
) -> None:
    chat = WebChat(client).says("my husband collapsed and is not breathing")
    assert chat.body["emergency"] is True
    assert chat.replies
    assert "120" in chat.replies[0]


def test_after_two_misses_the_bot_offers_a_call_and_a_task_is_left(
    app: Flask, client: FlaskClient
) -> None:
    chat = WebChat(client).says("hi").says("banana").says("what?")
    assert "call me" in chat.text
    chat.says("call me").says("13800138000")
    assert "will call you" in chat.text
    [task] = stored(app, ChatTask)
    assert (task.kind, task.phone_e164, task.status) == ("callback", "+8613800138000", "open")


def test_a_lapsed_conversation_starts_again_and_says_so(app: Flask, client: FlaskClient) -> None:
    chat = WebChat(client).says("hi").says("1")
    old_id = chat.conversation_id
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        conversation.expires_at -= timedelta(days=30)
        db.session.commit()
    chat.says("3")
    assert chat.conversation_id != old_id
    assert "start again" in chat.replies[0]
    assert chat.asking == "melanoma_origin"


def test_the_transcript_is_kept_encrypted(app: Flask, client: FlaskClient) -> None:
    WebChat(client).says("hi").says("Ann's secret answer 1")
    with app.app_context():
        raw = db.session.execute(text("SELECT text FROM conversation_turns")).scalars().all()
        clear = db.session.scalars(select(ConversationTurn.text)).all()
    assert "Ann's secret answer 1" in clear
    assert raw
    assert not any("secret" in stored_text for stored_text in raw)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"conversation_id": None, "text": "", "language": "en"}, "text"),
        ({"conversation_id": None, "text": "x" * 1001, "language": "en"}, "text"),
        ({"conversation_id": None, "language": "en"}, "text"),
        ({"conversation_id": None, "text": "hi", "language": "fr"}, "language"),
        ({"text": "hi", "language": "en"}, "conversation_id"),
        ({"conversation_id": "../../etc", "text": "hi", "language": "en"}, "conversation_id"),
        ({"conversation_id": 12, "text": "hi", "language": "en"}, "conversation_id"),
        ({"conversation_id": None, "text": "hi \ud800", "language": "en"}, "text"),
        ({"conversation_id": None, "text": "hi\x00there", "language": "en"}, "text"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    app: Flask, client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    # The standard encoder writes lone surrogates as escapes, as a careless client might.
    response = client.post(CHAT, data=json.dumps(body), content_type="application/json")
    assert response.status_code in (400, 422)
    assert field in str(response.get_json())
    assert stored(app, Conversation) == []


def test_an_unknown_conversation_id_is_a_404_naming_it(client: FlaskClient) -> None:
    response = client.post(CHAT, json={"conversation_id": "A" * 32, "text": "hi", "language": "en"})
    assert response.status_code == 404
    assert "conversation_id" in response.get_json()["message"]


def test_lapsed_web_chats_are_purged_with_their_transcripts_unless_a_task_is_open(
    app: Flask, client: FlaskClient
) -> None:
    WebChat(client).says("hi").says("1")
    WebChat(client).says("hi").says("banana").says("pear").says("call me").says("13800138000")
    with app.app_context():
        for conversation in db.session.scalars(select(Conversation)):
            conversation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["prescreen", "purge-expired"])
    assert "removed 1 lapsed web chat(s)" in result.output
    [kept] = stored(app, Conversation)
    assert [task.conversation_id for task in stored(app, ChatTask)] == [kept.id]
    assert {turn.conversation_id for turn in stored(app, ConversationTurn)} == {kept.id}
