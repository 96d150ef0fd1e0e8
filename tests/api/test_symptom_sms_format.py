"""Reading a patient's text as a symptom report (pure: no app, no database): the short format in
English and Chinese, and emergency words, which always win."""

from __future__ import annotations

from typing import Any

import pytest

from companion.symptoms.sms_format import read_symptom_format
from companion.symptoms.sms_reports import answers_from_text, most_urgent_part
from symptoms import load_triage_rules, triage


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("FEVER 38.6", {"temperature_c": "38.6"}),
        ("fever 38.6", {"temperature_c": "38.6"}),  # any case
        ("Temp 39", {"temperature_c": "39"}),
        ("TEMPERATURE 38.6C", {"temperature_c": "38.6"}),  # a unit after the number
        ("FEVER 38.6 °C", {"temperature_c": "38.6"}),
        ("FEVER 38.6℃", {"temperature_c": "38.6"}),
        ("ＦＥＶＥＲ　３８．６", {"temperature_c": "38.6"}),  # full-width, as phones type it
        ("发烧 38.6", {"temperature_c": "38.6"}),
        ("发烧38.6度", {"temperature_c": "38.6"}),
        ("体温 37.5", {"temperature_c": "37.5"}),
        ("STOOLS 5", {"extra_stools_per_day": "5"}),
        ("diarrhea 6 times", {"extra_stools_per_day": "6"}),
        ("腹泻 5", {"extra_stools_per_day": "5"}),
        ("腹泻5次", {"extra_stools_per_day": "5"}),
        ("BLOOD", {"blood_in_stool": "yes"}),
        ("black stools", {"blood_in_stool": "yes"}),
        ("便血", {"blood_in_stool": "yes"}),
        ("CHEST PAIN", {"chest_pain": "yes"}),
        ("胸痛", {"chest_pain": "yes"}),
        (
            "FEVER 38.6, STOOLS 5, BLOOD",  # several, separated by commas
            {"temperature_c": "38.6", "extra_stools_per_day": "5", "blood_in_stool": "yes"},
        ),
        ("FEVER 38.6\nSTOOLS 5", {"temperature_c": "38.6", "extra_stools_per_day": "5"}),
        (
            "发烧 38.6，腹泻 5，便血",
            {"temperature_c": "38.6", "extra_stools_per_day": "5", "blood_in_stool": "yes"},
        ),
        ("便血胸痛", {"blood_in_stool": "yes", "chest_pain": "yes"}),  # no separator in Chinese
        ("BLOOD IN STOOL STOOLS 4", {"blood_in_stool": "yes", "extra_stools_per_day": "4"}),
        ("FEVER 38.1 FEVER 38.9", {"temperature_c": "38.9"}),  # twice: the highest counts
        ("fever 38.6.", {"temperature_c": "38.6"}),  # a full stop at the end
    ],
)
def test_the_short_format_reads_as_answers(text: str, answers: dict[str, str]) -> None:
    assert read_symptom_format(text) == answers


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "FEVER",  # no number
        "FEVER high",
        "38.6",  # a number without its word
        "FEVER 38.6 and tired",  # a word we do not know
        "I had a fever of 38.6",
        "发烧很厉害",  # Chinese words we do not know
        "Is it OK to take my shot late?",
        "STOP",
        "C",
    ],
)
def test_anything_else_is_not_the_format(text: str) -> None:
    assert read_symptom_format(text) is None


@pytest.mark.parametrize(
    ("text", "urgency", "answers"),
    [
        ("FEVER 38.6", "amber", {"temperature_c": 38.6}),
        ("FEVER 50", None, None),  # out of range, no red flag: a message for the team
        (
            "I can't breathe and my chest hurts",
            "emergency",
            {"other": "I can't breathe and my chest hurts"},
        ),
        ("胸口痛，喘不上气", "emergency", {"other": "胸口痛，喘不上气"}),
        ("There is blood in my stool", "red", {"other": "There is blood in my stool"}),
        (
            "FEVER 37.0, CHEST PAIN",
            "emergency",
            {"temperature_c": 37.0, "chest_pain": "yes", "other": "FEVER 37.0, CHEST PAIN"},
        ),
        ("FEVER 50, chest pain", "emergency", {"other": "FEVER 50, chest pain"}),  # words still win
        ("Feeling fine, thanks", None, None),
    ],
)
def test_emergency_words_always_win(text: str, urgency: str | None, answers: Any) -> None:
    read = answers_from_text(text)
    assert read == answers
    if read is not None:
        assert triage(read, load_triage_rules()).urgency.name_lower == urgency


def test_the_most_urgent_stretch_of_a_long_text_is_kept() -> None:
    text = "Chest is fine. " + "Nothing else to say today. " * 60 + "But I fainted."
    part = most_urgent_part(text, 1000)
    assert len(part) <= 1000
    assert part.endswith("But I fainted.")
    assert most_urgent_part("short", 1000) == "short"
