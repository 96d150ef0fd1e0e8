"""The chat's words: every reply the dialogue can give has words in English and Chinese, and
what a patient reads by text never names the illness, the medicines or the study."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from companion.chat import dialogue, wording
from companion.chat.dialogue import Say
from companion.chat.service import chat_survey
from companion.messaging.wording import sms_from_team

DIALOGUE_SOURCE = Path(dialogue.__file__).read_text(encoding="utf-8")
SAID = set(re.findall(r'Say\(\s*"(\w+)"', DIALOGUE_SOURCE))
VERDICTS = {
    "verdict_not_eligible",
    "verdict_needs_review",
    "verdict_likely_eligible",
    "verdict_eligible",
}
ANSWERED_BY_THE_SERVICE = {"emergency", "report_answer"}  # the site's own words, see service
SAMPLE_PARAMS = {
    "question": {"text": "Q?", "help": "H.", "choices": ["A", "B"], "skip": True},
    "not_understood": {"hint": "option"},
    "check_answer": {"answer": "A"},
    "next_visit": {"name": "Visit", "day": "Thu, Nov 26", "time": "9:00 AM"},
    **{key: {"blocking": ["X"], "open_items": ["Y"], "site_checks": ["Z"]} for key in VERDICTS},
}
# What a patient on the study may read in a text (the pre-screen is only on the web).
PATIENT_KEYS = {
    "menu",
    "menu_hint",
    "passed_to_team",
    "next_visit",
    "no_next_visit",
    "ask_reschedule",
    "reschedule_requested",
    "injection_logged",
    "injection_not_planned",
    "symptom_nothing_reported",
    "you_are_welcome",
    "call_requested",
    "offer_call",
    "welcome_back",
    "not_understood",
}
DISEASE_WORDS = (
    "melanoma",
    "cancer",
    "tumour",
    "tumor",
    "cadonilimab",
    "interferon",
    "黑色素瘤",
    "癌",
    "肿瘤",
    "干扰素",
    "NCT",
)


def sample_say(key: str, language: str) -> Say:
    """A reply as the dialogue would send it; the check's intro comes from the survey file,
    already in the conversation's language."""
    if key == "symptom_intro":
        return Say(key, {"intro": chat_survey().intro[language]})
    return Say(key, SAMPLE_PARAMS.get(key, {}))


def test_the_dialogue_says_nothing_the_wording_cannot_put_into_words() -> None:
    known = set(wording.SIMPLE) | set(SAMPLE_PARAMS) | ANSWERED_BY_THE_SERVICE | {"symptom_intro"}
    known |= {"ask_best_time", "ask_consent", "verdict_"}
    assert SAID - known == set()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    "key", sorted((SAID | set(wording.SIMPLE) | VERDICTS) - ANSWERED_BY_THE_SERVICE - {"verdict_"})
)
def test_every_reply_has_words_in_both_languages(app: Flask, key: str, language: str) -> None:
    with app.test_request_context():
        text = wording.render(sample_say(key, language), language, {})
    assert text.strip()
    assert "%(" not in text
    if language == "zh":
        assert re.search(r"[\u4e00-\u9fff]", text), text


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("key", sorted(PATIENT_KEYS))
def test_a_patient_s_text_never_names_the_illness_the_medicines_or_the_study(
    app: Flask, key: str, language: str
) -> None:
    with app.test_request_context():
        text = wording.render(sample_say(key, language), language, {})
    for word in DISEASE_WORDS:
        assert word.lower() not in text.lower()


MOST_SEGMENTS = 3  # a question with its numbered answers; most replies fit in one or two


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_text_the_patient_chat_sends_fits_in_three_segments(
    app: Flask, language: str
) -> None:
    says = [sample_say(key, language) for key in sorted(PATIENT_KEYS)]
    says += symptom_check_as_asked(language)
    too_long = {}
    with app.test_request_context():
        for say in says:
            body = wording.render(say, language, {})
            sms = sms_from_team(body, language, site="Garden Rd Clinic", phone="+86 21 5555 0100")
            if sms.segments > MOST_SEGMENTS:
                too_long[say.params.get("text", say.key)] = sms.segments
    assert too_long == {}


def symptom_check_as_asked(language: str) -> list[Say]:
    """Every reply of a symptom check by text, as the dialogue gives them (all skipped)."""
    context = dialogue.Context(language=language, survey=chat_survey(), triage_rules=None)
    state, replies = dialogue.new_patient_chat(), []
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for text in ["symptoms"] + ["skip"] * len(chat_survey().items):
        at += timedelta(minutes=1)
        turn = dialogue.respond(state, text, at, context)
        state = turn.state
        replies += [say for say in turn.replies if say.key != "report_answer"]
    assert any(say.key == "question" for say in replies)
    return replies
