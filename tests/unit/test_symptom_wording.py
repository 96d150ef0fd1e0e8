"""What patients read in the symptom questions: our own plain words, in English at grade 8 or
below (Flesch-Kincaid, measured with textstat as the questionnaire is) and in Chinese."""

from __future__ import annotations

import re

import pytest
import textstat

from symptoms import Item, load_item_bank, load_survey
from tests.unit.test_readability import GOAL_GRADE, as_sentence

BANK = load_item_bank()
WEEKLY = load_survey()
HAN = re.compile(r"[\u4e00-\u9fff]")
FORBIDDEN_LAY_WORDS = re.compile(
    r"cadonilimab|interferon|IFN|melanoma|cancer|tumou?r|PRO-CTCAE|卡度尼利|开坦尼|干扰素|黑色素瘤|癌|肿瘤",
    re.IGNORECASE,
)


def item_texts(item: Item) -> dict[str, dict[str, str]]:
    """Every lay text of an item but its unit (a symbol such as °C), by where it is shown."""
    texts = {f"question {item.key}": item.question}
    if item.hint:
        texts[f"hint {item.key}"] = item.hint
    for choice in item.choices:
        texts[f"choice {item.key}={choice.value}"] = choice.text
    return texts


def lay_texts() -> dict[str, dict[str, str]]:
    texts = {"survey title": WEEKLY.title, "survey intro": WEEKLY.intro}
    texts["survey recall"] = WEEKLY.recall
    for item in (*BANK.items, *WEEKLY.items):
        texts.update(item_texts(item))
    return texts


LAY_TEXTS = lay_texts()


@pytest.mark.parametrize("name", sorted(LAY_TEXTS))
def test_every_english_text_reads_at_grade_8_or_below(name: str) -> None:
    grade = textstat.flesch_kincaid_grade(as_sentence(LAY_TEXTS[name]["en"]))
    assert grade <= GOAL_GRADE, f"{name}: grade {grade:.1f}; use shorter words and sentences"


def test_the_questions_read_at_grade_8_or_below_as_a_whole() -> None:
    everything = " ".join(as_sentence(text["en"]) for text in LAY_TEXTS.values())
    assert textstat.flesch_kincaid_grade(everything) <= GOAL_GRADE


@pytest.mark.parametrize("name", sorted(LAY_TEXTS))
def test_every_text_is_in_english_and_chinese(name: str) -> None:
    assert sorted(LAY_TEXTS[name]) == ["en", "zh"]
    assert all(text.strip() for text in LAY_TEXTS[name].values())


@pytest.mark.parametrize("name", sorted(LAY_TEXTS))
def test_every_chinese_text_is_written_in_chinese_characters(name: str) -> None:
    assert HAN.search(LAY_TEXTS[name]["zh"])


@pytest.mark.parametrize("name", sorted(LAY_TEXTS))
def test_no_lay_text_names_the_disease_the_drugs_or_the_source_scale(name: str) -> None:
    assert [text for text in LAY_TEXTS[name].values() if FORBIDDEN_LAY_WORDS.search(text)] == []


@pytest.mark.parametrize("item", [i for i in BANK.items if i.unit], ids=lambda item: item.key)
def test_every_unit_is_in_english_and_chinese(item: Item) -> None:
    assert sorted(item.unit or {}) == ["en", "zh"]


def test_the_self_harm_question_is_asked_neutrally_and_kindly() -> None:
    item = BANK.item("self_harm_thoughts")
    assert item.question["en"] == (
        "In the past 7 days, have you had thoughts of hurting yourself or ending your life?"
    )
    assert item.hint is not None
    assert "we want to help" in item.hint["en"]
