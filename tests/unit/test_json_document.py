"""A JSON body is read once, within limits: what breaks one is refused naming the field's path,
never a RecursionError, int()'s 4,300-digit ValueError or a NUL left for the database."""

from __future__ import annotations

import json

import pytest

from companion.json_document import (
    MAX_DEPTH,
    MAX_NUMBER_LENGTH,
    JsonRefused,
    read_json_document,
)


def refusal(text: str) -> JsonRefused:
    with pytest.raises(JsonRefused) as refused:
        read_json_document(text.encode())
    return refused.value


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def test_a_document_within_the_limits_is_read_as_json() -> None:
    text = '{"facts": {"age_years": 54, "stage": "III"}, "tags": [1, 2.5, true, null]}'
    assert read_json_document(text.encode()) == {
        "facts": {"age_years": 54, "stage": "III"},
        "tags": [1, 2.5, True, None],
    }


def test_a_document_nested_to_the_limit_is_read() -> None:
    assert read_json_document(nested(MAX_DEPTH).encode()) is not None


def test_json_nested_5000_deep_is_refused_naming_the_limit_and_the_field() -> None:
    refused = refusal('{"facts": ' + nested(5000) + "}")
    assert refused.field.startswith("facts.0.0")
    assert f"at most {MAX_DEPTH} levels" in refused.problem


def test_nesting_one_past_the_limit_is_refused() -> None:
    assert refusal(nested(MAX_DEPTH + 1)).field.startswith("0.0")


def test_objects_count_towards_the_depth_like_arrays() -> None:
    text = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    assert refusal(text).field == ".".join(["a"] * MAX_DEPTH)


def test_the_path_counts_array_items_and_names_object_keys() -> None:
    text = '{"answers": [0, {"x": 1, "deep": ' + nested(MAX_DEPTH) + "}]}"
    assert refusal(text).field.startswith("answers.1.deep.0")


def test_an_integer_of_5000_digits_is_refused_naming_the_field() -> None:
    refused = refusal('{"facts": {"age_years": ' + "1" * 5000 + "}}")
    assert refused.field == "facts.age_years"
    assert f"at most {MAX_NUMBER_LENGTH} characters" in refused.problem


def test_an_integer_as_long_as_the_limit_is_read() -> None:
    document = read_json_document(('{"n": ' + "1" * MAX_NUMBER_LENGTH + "}").encode())
    assert document == {"n": int("1" * MAX_NUMBER_LENGTH)}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_a_number_json_cannot_hold_is_refused_naming_the_field(number: str) -> None:
    refused = refusal('{"answers": {"temperature_c": ' + number + "}}")
    assert refused.field == "answers.temperature_c"
    assert "finite number" in refused.problem


@pytest.mark.parametrize("escaped", ["\\u0000", "\\ud800", "\\udfff"])
def test_text_no_database_can_store_is_refused_naming_the_field(escaped: str) -> None:
    refused = refusal('{"contact": {"name": "Ada' + escaped + '"}}')
    assert refused.field == "contact.name"
    assert "NUL" in refused.problem


def test_a_key_no_database_can_store_is_refused_naming_it_with_the_character_escaped() -> None:
    assert refusal('{"a\\u0000b": 1}').field == "a\\u0000b"


def test_a_whole_document_out_of_bounds_is_named_body() -> None:
    assert refusal("1" * 5000).field == "body"


@pytest.mark.parametrize("text", ["{", '{"a": 1,}', "[1 2]", "", "\xff"])
def test_what_is_not_json_is_left_to_the_route_s_own_parser(text: str) -> None:
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
        read_json_document(text.encode("latin-1"))


def test_brackets_inside_strings_do_not_count_towards_the_depth() -> None:
    text = '{"note": "' + "[" * 5000 + '"}'
    assert read_json_document(text.encode()) == {"note": "[" * 5000}


def test_digits_inside_strings_are_not_numbers() -> None:
    text = '{"note": "' + "1" * 5000 + '"}'
    assert read_json_document(text.encode()) == {"note": "1" * 5000}
