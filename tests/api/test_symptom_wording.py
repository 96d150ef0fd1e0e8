"""What a patient is told after a symptom report, and what the on-call phone is texted: plain
English (grade 8 or lower), nothing about the illness, the drugs or the trial, few segments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time

import pytest
import textstat
from flask import Flask
from flask_babel import force_locale

from companion.messaging.wording import GSM_7
from companion.symptoms import wording
from companion.symptoms.settings import SymptomSettings
from symptoms import Urgency

FORBIDDEN = re.compile(
    r"melanoma|\bcancer|cadonilimab|interferon|\bIFN|\bNCT|黑色素瘤|癌|肿瘤|干扰素|卡度尼利", re.I
)
LONGEST_SITE_NAME = "Ruijin North Skin Clinic"
LONGEST_PHONE = "+86 (21) 6437-0045 ext. 1234567"
GOAL_GRADE = 8.0


def settings(urgent_phone: str | None = LONGEST_PHONE) -> SymptomSettings:
    return SymptomSettings(
        emergency_number="120",
        urgent_phone=urgent_phone,
        on_call_phone=None,
        respond_within_minutes_urgent=30,
        amber_respond_by=time(18),
        timezone="Asia/Shanghai",
    )


@pytest.fixture(autouse=True)
def context(app: Flask) -> Iterator[None]:
    with app.test_request_context("/"):
        yield


CASES = [
    (urgency, phone)
    for urgency in Urgency
    for phone in ((LONGEST_PHONE, None) if urgency >= Urgency.RED else (LONGEST_PHONE,))
]


def translated(language: str) -> bool:
    with force_locale(language):
        text = str(wording.GREEN_ANSWER)
    with force_locale("en"):
        return language == "en" or text != str(wording.GREEN_ANSWER)


@pytest.mark.parametrize(("urgency", "phone"), CASES)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_answer_fits_a_few_segments_and_names_nothing_it_must_not(
    urgency: Urgency, phone: str | None, language: str
) -> None:
    assert translated(language)
    rendered = wording.patient_answer_sms(
        urgency, settings(phone), language, sender_label=LONGEST_SITE_NAME, site_phone=LONGEST_PHONE
    )
    assert rendered.segments <= (2 if language == "en" else 3), rendered
    assert FORBIDDEN.findall(rendered.text) == []
    assert "%(" not in rendered.text
    if language == "en":
        assert rendered.encoding == GSM_7


def test_the_emergency_answer_says_call_the_emergency_number_now_then_the_24_hour_phone() -> None:
    text = wording.patient_answer(Urgency.EMERGENCY, settings("+86 21 5555 0199"), "en")
    assert text.index("Call 120 now") < text.index("+86 21 5555 0199")
    assert "24-hour" not in wording.patient_answer(Urgency.EMERGENCY, settings(None), "en")


def test_the_answers_read_at_grade_8_or_below() -> None:
    texts = [
        wording.patient_answer(urgency, settings("+86 21 5555 0199"), "en") for urgency in Urgency
    ]
    grade = textstat.flesch_kincaid_grade(" ".join(texts))
    assert grade <= GOAL_GRADE, f"Flesch-Kincaid grade {grade:.1f}"


@pytest.mark.parametrize("urgency", [Urgency.EMERGENCY, Urgency.RED])
def test_the_on_call_alert_links_the_report_and_says_nothing_else(
    app: Flask, urgency: Urgency
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://companion.example.org"
    try:
        alert = wording.on_call_alert(urgency, 42)
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert alert.text.startswith("URGENT: a patient report needs")
    assert alert.text.splitlines()[-1] == "https://companion.example.org/staff/symptoms/42"
    assert FORBIDDEN.findall(alert.text) == []
    assert alert.segments <= 3
