"""A patient's raw answers are checked before triage; a refusal names the field and what is
allowed, in words a person can act on."""

from __future__ import annotations

import math
from typing import Any

import pytest

from symptoms import AnswerError, check_answers, load_item_bank

BANK = load_item_bank()


@pytest.mark.parametrize(
    ("raw", "checked"),
    [
        ({"temperature_c": 38.6}, {"temperature_c": 38.6}),
        ({"temperature_c": 38}, {"temperature_c": 38.0}),
        ({"temperature_c": "38.6"}, {"temperature_c": 38.6}),
        ({"temperature_c": " 37 "}, {"temperature_c": 37.0}),
        ({"temperature_c": "３８.５"}, {"temperature_c": 38.5}),  # full-width digits
        ({"temperature_c": 30}, {"temperature_c": 30.0}),
        ({"temperature_c": 45}, {"temperature_c": 45.0}),
        ({"extra_stools_per_day": 3}, {"extra_stools_per_day": 3}),
        ({"extra_stools_per_day": 3.0}, {"extra_stools_per_day": 3}),
        ({"extra_stools_per_day": "3"}, {"extra_stools_per_day": 3}),
        ({"extra_stools_per_day": "3.0"}, {"extra_stools_per_day": 3}),
        ({"extra_stools_per_day": 0}, {"extra_stools_per_day": 0}),
        ({"extra_stools_per_day": 30}, {"extra_stools_per_day": 30}),
        ({"fatigue": "Severe"}, {"fatigue": "severe"}),
        ({"fatigue": " MILD "}, {"fatigue": "mild"}),
        ({"chest_pain": "YES"}, {"chest_pain": "yes"}),
        ({"chest_pain": "No"}, {"chest_pain": "no"}),
        ({"other": "  my feet hurt  "}, {"other": "my feet hurt"}),
    ],
)
def test_allowed_answers_are_read_as_the_triage_expects(
    raw: dict[str, Any], checked: dict[str, Any]
) -> None:
    result = check_answers(BANK, raw)
    assert result == checked
    assert [type(value) for value in result.values()] == [type(v) for v in checked.values()]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("sore\x00 feet\x07", "sore feet"),
        ("line one\nline two", "line one\nline two"),
        ("line one\r\nline two", "line one\nline two"),
        ("a\ttab", "a\ttab"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("胸口有点痒", "胸口有点痒"),
    ],
)
def test_free_text_keeps_newlines_and_tabs_but_drops_other_control_characters(
    text: str, kept: str
) -> None:
    assert check_answers(BANK, {"other": text}) == {"other": kept}


def test_free_text_of_1000_characters_is_taken() -> None:
    assert len(check_answers(BANK, {"other": "x" * 1000})["other"]) == 1000


def test_blank_answers_are_left_out() -> None:
    raw = {"temperature_c": "", "fatigue": None, "other": "   ", "nausea": "mild", "rash": " "}
    assert check_answers(BANK, raw) == {"nausea": "mild"}


def test_answers_come_back_in_the_order_of_the_bank() -> None:
    raw = {"other": "hello", "temperature_c": 37, "chest_pain": "no"}
    assert list(check_answers(BANK, raw)) == ["chest_pain", "temperature_c", "other"]


@pytest.mark.parametrize(
    ("raw", "field", "allowed"),
    [
        ({"colour": "red"}, "colour", "one of the answer keys: chest_pain, "),
        ({"Temperature_C": 38}, "Temperature_C", "one of the answer keys: "),
        ({1: "x"}, "1", "one of the answer keys: "),
        ({"temperature_c": "hot"}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": "38,5"}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": "1e2"}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": True}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": math.nan}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": "nan"}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": math.inf}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": "inf"}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": 29.9}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": 45.1}, "temperature_c", "must be a number from 30 to 45"),
        ({"temperature_c": [38]}, "temperature_c", "must be a number from 30 to 45"),
        (
            {"extra_stools_per_day": 3.5},
            "extra_stools_per_day",
            "must be a whole number from 0 to 30",
        ),
        (
            {"extra_stools_per_day": "3.5"},
            "extra_stools_per_day",
            "must be a whole number from 0 to 30",
        ),
        (
            {"extra_stools_per_day": -1},
            "extra_stools_per_day",
            "must be a whole number from 0 to 30",
        ),
        (
            {"extra_stools_per_day": 31},
            "extra_stools_per_day",
            "must be a whole number from 0 to 30",
        ),
        (
            {"extra_stools_per_day": True},
            "extra_stools_per_day",
            "must be a whole number from 0 to 30",
        ),
        (
            {"extra_stools_per_day": "three"},
            "extra_stools_per_day",
            "must be a whole number from 0 to 30",
        ),
        ({"fatigue": "very"}, "fatigue", "must be one of none, mild, moderate, severe"),
        ({"fatigue": 3}, "fatigue", "must be one of none, mild, moderate, severe"),
        ({"chest_pain": True}, "chest_pain", "must be yes or no"),
        ({"chest_pain": "y"}, "chest_pain", "must be yes or no"),
        ({"chest_pain": 1}, "chest_pain", "must be yes or no"),
        ({"other": 5}, "other", "must be text of 1 to 1000 characters"),
        ({"other": "x" * 1001}, "other", "must be text of 1 to 1000 characters"),
    ],
)
def test_a_refused_answer_names_its_field_and_what_is_allowed(
    raw: dict[Any, Any], field: str, allowed: str
) -> None:
    with pytest.raises(AnswerError) as error:
        check_answers(BANK, raw)
    assert error.value.field == field
    assert error.value.allowed.startswith(allowed)
    assert str(error.value).startswith(f"{field}: {allowed}")


def test_the_message_reads_as_the_field_then_what_is_allowed() -> None:
    with pytest.raises(AnswerError) as error:
        check_answers(BANK, {"temperature_c": 50})
    assert str(error.value) == "temperature_c: must be a number from 30 to 45"


def test_an_unknown_key_lists_every_answer_key() -> None:
    with pytest.raises(AnswerError) as error:
        check_answers(BANK, {"mood": "sad"})
    assert error.value.allowed == "one of the answer keys: " + ", ".join(BANK.keys)


def test_every_refused_field_is_named_at_once() -> None:
    with pytest.raises(AnswerError) as error:
        check_answers(BANK, {"temperature_c": 99, "fatigue": "mild", "nausea": "lots"})
    assert list(error.value.problems) == ["temperature_c", "nausea"]


@pytest.mark.parametrize(
    "raw", [{}, {"temperature_c": ""}, {"fatigue": None, "other": " \n "}, {"other": "\x00"}]
)
def test_a_report_needs_at_least_one_answer(raw: dict[str, Any]) -> None:
    with pytest.raises(AnswerError) as error:
        check_answers(BANK, raw)
    assert (error.value.field, error.value.allowed) == ("answers", "at least one answer")


@pytest.mark.parametrize("raw", [None, ["temperature_c"], "temperature_c=38"])
def test_answers_that_are_not_a_mapping_are_refused(raw: Any) -> None:
    with pytest.raises(AnswerError) as error:
        check_answers(BANK, raw)
    assert error.value.field == "answers"


def test_an_answer_error_is_a_value_error() -> None:
    assert issubclass(AnswerError, ValueError)
