"""The weekly check-in asks from the item bank, most urgent first; a survey file may bring items
of its own, and a broken one is refused naming the file and the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from symptoms import (
    SymptomDataError,
    available_surveys,
    check_answers,
    load_item_bank,
    load_survey,
    load_survey_file,
)
from symptoms.survey import SURVEYS_DIR

BANK = load_item_bank()
WEEKLY = load_survey()


def test_the_weekly_check_in_is_the_default_survey() -> None:
    assert WEEKLY.key == "weekly_check_in"
    assert "weekly_check_in" in available_surveys()


def test_the_weekly_check_in_asks_the_emergency_questions_first() -> None:
    assert WEEKLY.keys[:5] == (
        "chest_pain",
        "shortness_of_breath",
        "fainting",
        "confusion",
        "self_harm_thoughts",
    )


def test_the_weekly_check_in_asks_temperature_stools_and_blood_next() -> None:
    assert WEEKLY.keys[5:8] == ("temperature_c", "extra_stools_per_day", "blood_in_stool")


def test_the_weekly_check_in_asks_for_free_text_last() -> None:
    assert WEEKLY.keys[-1] == "other"


def test_the_weekly_check_in_asks_every_bank_item_once() -> None:
    assert sorted(WEEKLY.keys) == sorted(BANK.keys)


def test_the_weekly_check_in_items_are_the_bank_items() -> None:
    assert WEEKLY.items == tuple(BANK.item(key) for key in WEEKLY.keys)


def test_the_recall_period_is_the_past_7_days_or_since_the_last_check_in() -> None:
    assert WEEKLY.recall["en"] == "In the past 7 days, or since your last check-in"


# --- survey files -------------------------------------------------------------------------


def survey(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(
        yaml.safe_load((SURVEYS_DIR / "weekly_check_in.yaml").read_text(encoding="utf-8"))
    )
    document["survey"] = "site_extra"
    document.update(changes)
    return document


def extra_item(key: str = "dry_mouth") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "severity",
        "question": {"en": "How bad has a dry mouth been?", "zh": "您口干有多严重？"},
    }


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "site_extra.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_survey_may_ask_a_few_bank_items_in_its_own_order(tmp_path: Path) -> None:
    path = write(tmp_path, survey(questions=["fatigue", "chest_pain"]))
    assert load_survey_file(path).keys == ("fatigue", "chest_pain")


def test_a_survey_is_found_by_its_key_in_a_directory(tmp_path: Path) -> None:
    write(tmp_path, survey())
    assert available_surveys(tmp_path) == ("site_extra",)
    assert load_survey("site_extra", directory=tmp_path).key == "site_extra"


def test_a_survey_may_define_items_of_its_own(tmp_path: Path) -> None:
    document = survey(items=[extra_item()], questions=["chest_pain", "dry_mouth", "other"])
    extra = load_survey_file(write(tmp_path, document))
    assert extra.keys == ("chest_pain", "dry_mouth", "other")
    assert extra.items[1].choice_values == ("none", "mild", "moderate", "severe")


def test_answers_to_a_survey_of_its_own_items_are_checked_against_it(tmp_path: Path) -> None:
    document = survey(items=[extra_item()], questions=["dry_mouth"])
    extra = load_survey_file(write(tmp_path, document))
    assert check_answers(extra.as_bank(), {"dry_mouth": "Mild"}) == {"dry_mouth": "mild"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"items": [extra_item("fatigue")], "questions": ["fatigue"]},
            r"item 'fatigue': key is used",
        ),
        ({"questions": ["fatigue", "mood"]}, r"questions: 'mood' is not an item"),
        ({"questions": ["fatigue", "fatigue"]}, r"questions: 'fatigue' is asked more than once"),
        ({"questions": []}, r"questions: must be a non-empty list"),
        (
            {"items": [extra_item()], "questions": ["fatigue"]},
            r"items: dry_mouth defined but not in",
        ),
        ({"survey": "weekly"}, r"survey: 'weekly' must match the file name 'site_extra'"),
        ({"recall": {"en": "Past week"}}, r"the file: recall has no text in zh"),
        ({"colour": "blue"}, r"the file: unknown field colour"),
        (
            {"items": [{**extra_item(), "kind": "scale"}], "questions": ["dry_mouth"]},
            r"item 'dry_mouth': kind 'scale'",
        ),
    ],
)
def test_a_broken_survey_file_is_refused_naming_file_and_field(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(SymptomDataError, match=r"site_extra\.yaml: " + message):
        load_survey_file(write(tmp_path, survey(**changes)))


def test_an_unknown_survey_is_refused_naming_the_file() -> None:
    with pytest.raises(SymptomDataError, match=r"monthly\.yaml: cannot be read"):
        load_survey("monthly")
