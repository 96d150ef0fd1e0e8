"""Numbers from outside are read only within bounds: an absurd one is out of range, in words
naming what is allowed, never an OverflowError or int()'s 4,300-digit ValueError."""

from __future__ import annotations

import math

import pytest

from matching.bounded_numbers import (
    MAX_WRITTEN_DIGITS,
    OutOfRange,
    bounded_number,
    describe_range,
    written_number,
    written_whole_number,
)

FOUR_HUNDRED_DIGITS = int("9" * 400)


def test_a_number_inside_the_bounds_is_taken_as_it_is() -> None:
    assert bounded_number(54, 0, 120, whole=True) == 54
    assert bounded_number(38.6, 30, 45) == 38.6


@pytest.mark.parametrize("value", [FOUR_HUNDRED_DIGITS, -FOUR_HUNDRED_DIGITS])
def test_an_integer_of_400_digits_is_out_of_range_not_an_overflow(value: int) -> None:
    with pytest.raises(OutOfRange) as refused:
        bounded_number(value, 0, 120, whole=True)
    assert refused.value.allowed == "a whole number from 0 to 120"


def test_an_integer_of_400_digits_is_out_of_range_of_a_fractional_bound_too() -> None:
    with pytest.raises(OutOfRange):
        bounded_number(FOUR_HUNDRED_DIGITS, 30, 45)


def test_a_negative_integer_of_400_digits_is_below_a_minimum_without_a_maximum() -> None:
    with pytest.raises(OutOfRange) as refused:
        bounded_number(-FOUR_HUNDRED_DIGITS, 0, None, whole=True)
    assert refused.value.allowed == "a whole number of at least 0"


def test_without_a_maximum_an_integer_of_400_digits_is_taken_exactly() -> None:
    assert bounded_number(FOUR_HUNDRED_DIGITS, 0, None, whole=True) == FOUR_HUNDRED_DIGITS


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_infinity_and_not_a_number_are_out_of_range(value: float) -> None:
    with pytest.raises(OutOfRange):
        bounded_number(value, None, None)


@pytest.mark.parametrize("value", [True, "54", None, [54]])
def test_only_ints_and_floats_are_numbers(value: object) -> None:
    with pytest.raises(OutOfRange):
        bounded_number(value, 0, 120)


def test_a_whole_number_is_asked_for_and_a_fraction_is_refused() -> None:
    with pytest.raises(OutOfRange):
        bounded_number(3.5, 0, 30, whole=True)


def test_a_whole_float_is_taken_as_an_int_where_a_whole_number_is_asked() -> None:
    taken = bounded_number(3.0, 0, 30, whole=True)
    assert taken == 3
    assert type(taken) is int


def test_the_bounds_are_inclusive() -> None:
    assert bounded_number(0, 0, 120, whole=True) == 0
    assert bounded_number(120, 0, 120, whole=True) == 120


@pytest.mark.parametrize(
    ("lowest", "highest", "whole", "words"),
    [
        (0, 120, True, "a whole number from 0 to 120"),
        (30, 45, False, "a number from 30 to 45"),
        (35.5, None, False, "a number of at least 35.5"),
        (None, 10, True, "a whole number of at most 10"),
        (None, None, False, "a number"),
    ],
)
def test_the_range_is_described_in_words(
    lowest: float | None, highest: float | None, whole: bool, words: str
) -> None:
    assert describe_range(lowest, highest, whole=whole) == words


@pytest.mark.parametrize(
    ("text", "number"),
    [("54", 54), (" 7 ", 7), ("０５４", 54), ("007", 7), ("٣", 3)],
)
def test_a_whole_number_is_written_with_decimal_digits_of_any_width(text: str, number: int) -> None:
    assert written_whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["²", "5²", "①", "½", "", " ", "-3", "+3", "3.0", "1e3", "0x10", "1_000", "54\x00", None],
)
def test_what_is_not_written_with_decimal_digits_alone_is_no_whole_number(
    text: str | None,
) -> None:
    assert written_whole_number(text) is None


def test_a_whole_number_of_more_digits_than_anyone_writes_is_no_whole_number() -> None:
    assert written_whole_number("1" * MAX_WRITTEN_DIGITS) == int("1" * MAX_WRITTEN_DIGITS)
    assert written_whole_number("1" * (MAX_WRITTEN_DIGITS + 1)) is None
    assert written_whole_number("1" * 5000) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [("38.6", 38.6), (" 37 ", 37), ("３８.５", 38.5), ("-1.5", -1.5), (".5", 0.5), ("3.", 3.0)],
)
def test_a_written_number_may_have_a_sign_and_a_decimal_point(text: str, number: float) -> None:
    assert written_number(text) == number


def test_a_written_number_without_a_point_is_an_int() -> None:
    assert type(written_number("37")) is int


@pytest.mark.parametrize("text", ["²", "38²", "1e2", "nan", "inf", "38,5", "1" * 5000, "", "."])
def test_what_is_not_a_plain_decimal_is_no_written_number(text: str) -> None:
    assert written_number(text) is None
