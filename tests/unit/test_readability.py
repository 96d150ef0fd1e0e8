"""The questionnaire's English reads at grade 8 or below (Flesch-Kincaid, measured with textstat).

Grade formulas are noisy on a few words ("Afternoon" scores 20), so the goal is measured on the
whole questionnaire, and single texts are held to a looser bound only when long enough to score.
"""

from __future__ import annotations

from pathlib import Path

import textstat
from babel.messages.extract import extract_from_file

from matching import load_trial

GOAL_GRADE = 8.0
LONG_TEXT_WORDS = 12
LONG_TEXT_LIMIT = 10.0
ROOT = Path(__file__).resolve().parents[2]
# The patient-facing pages of the questionnaire and the words their code supplies.
PAGE_TEMPLATES = (
    "templates/prescreen/*.html",
    "templates/base.html",
    "templates/index.html",
    "templates/error.html",
)
PAGE_MODULES = ("prescreen/wording.py", "pages.py")
KEYWORDS = {"_": None, "_l": None, "lazy_gettext": None}


def page_messages() -> list[str]:
    companion = ROOT / "companion"
    messages = [
        message
        for pattern in PAGE_TEMPLATES
        for path in sorted(companion.glob(pattern))
        for _, message, _, _ in extract_from_file("jinja2", str(path))
    ]
    messages += [
        message
        for module in PAGE_MODULES
        for _, message, _, _ in extract_from_file(
            "python", str(companion / module), keywords=KEYWORDS
        )
    ]
    return [message for message in messages if isinstance(message, str)]


def questionnaire_texts() -> dict[str, str]:
    trial = load_trial("NCT07586904")
    texts = {}
    for question in trial.questions:
        key = question.fact.key
        texts[f"question {key}"] = question.text["en"]
        if question.help:
            texts[f"help {key}"] = question.help["en"]
        for option in question.options:
            texts[f"option {key}={option.value}"] = option.label["en"]
    for criterion in trial.criteria:
        texts[f"criterion {criterion.id}"] = criterion.lay_text["en"]
    for message in page_messages():
        texts[f"page text {message[:30]!r}"] = message
    return texts


def as_sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!")) else text + "."


def test_questionnaire_english_reads_at_grade_8_or_below() -> None:
    everything = " ".join(as_sentence(text) for text in questionnaire_texts().values())
    grade = textstat.flesch_kincaid_grade(everything)
    assert grade <= GOAL_GRADE, f"Flesch-Kincaid grade {grade:.1f} is above {GOAL_GRADE}"


def test_no_long_questionnaire_text_reads_above_grade_10() -> None:
    too_hard = {
        name: round(textstat.flesch_kincaid_grade(as_sentence(text)), 1)
        for name, text in questionnaire_texts().items()
        if len(text.split()) >= LONG_TEXT_WORDS
        and textstat.flesch_kincaid_grade(as_sentence(text)) > LONG_TEXT_LIMIT
    }
    assert too_hard == {}, f"rewrite in shorter words and sentences: {too_hard}"
