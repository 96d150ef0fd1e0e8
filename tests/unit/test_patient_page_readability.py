"""A patient's own pages (visits, shot diary, symptom check-in, link errors) read at grade 6 or
below.

Measured with textstat (Flesch-Kincaid) on every English message the pages show: their templates,
the enrolment wording that reaches patients (pages, calendar events, reminders) and the symptom
check-in's error messages. (The check-in's questions are data, measured in test_symptom_wording.)
"""

from __future__ import annotations

from pathlib import Path

import textstat
from babel.messages.extract import extract_from_file

GOAL_GRADE = 6.0
COMPANION = Path(__file__).resolve().parents[2] / "companion"
KEYWORDS = {"_": None, "_l": None, "lazy_gettext": None}


def patient_page_messages() -> list[str]:
    messages = [
        message
        for path in sorted((COMPANION / "templates" / "patient").glob("*.html"))
        for _, message, _, _ in extract_from_file("jinja2", str(path))
    ]
    messages += [
        message
        for module in ("wording.py", "symptom_form.py")
        for _, message, _, _ in extract_from_file(
            "python", str(COMPANION / "enrolment" / module), keywords=KEYWORDS
        )
    ]
    return [message for message in messages if isinstance(message, str)]


def as_sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!", ":")) else text + "."


def test_the_patient_pages_have_words_to_measure() -> None:
    assert len(patient_page_messages()) > 20


def test_the_patient_pages_read_at_grade_6_or_below() -> None:
    everything = " ".join(as_sentence(text) for text in patient_page_messages())
    grade = textstat.flesch_kincaid_grade(everything)
    assert grade <= GOAL_GRADE, f"Flesch-Kincaid grade {grade:.1f} is above {GOAL_GRADE}"
