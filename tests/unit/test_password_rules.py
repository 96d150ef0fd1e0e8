"""Which staff passwords are refused, and why (one reason a person can act on)."""

from __future__ import annotations

import pytest

from companion.access.password_rules import MINIMUM_LENGTH, password_problem

EMAIL_INPUTS = ("coordinator@site01.example.org", "SITE01")


def test_twelve_spaces_are_refused_as_only_spaces() -> None:
    assert password_problem(" " * 12) == "only_spaces"


def test_tabs_and_newlines_are_whitespace_too() -> None:
    assert password_problem(" \t\n" * 5) == "only_spaces"


@pytest.mark.parametrize("password", ["a" * 12, "7" * 20, "家" * 12])
def test_one_character_repeated_is_refused(password: str) -> None:
    assert password_problem(password) == "one_character"


@pytest.mark.parametrize(
    "password",
    ["password1234", "qwertyuiop12", "iloveyou1234", "123456789012", "Passw0rd!Passw0rd!"],
)
def test_a_common_or_leaked_password_is_refused(password: str) -> None:
    assert password_problem(password) == "too_common"


def test_a_password_made_of_the_account_s_own_email_is_refused() -> None:
    assert password_problem("coordinatorsite01", related=EMAIL_INPUTS) == "too_common"


def test_a_password_shorter_than_the_minimum_is_refused() -> None:
    assert password_problem("x7#Lq2!v") == "too_short"
    assert MINIMUM_LENGTH == 12


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "a long enough password", "melanoma trial 2026"]
)
def test_a_long_uncommon_passphrase_is_accepted(password: str) -> None:
    assert password_problem(password, related=EMAIL_INPUTS) is None


def test_a_random_password_from_a_password_manager_is_accepted() -> None:
    assert password_problem("q8V!t2mR#x9Lw4") is None


def test_a_very_long_password_is_judged_quickly_on_its_start() -> None:
    """The estimator reads only the first 72 characters, so a 1 KiB password costs no more."""
    assert password_problem("q8V!t2mR#x9Lw4" * 70) is None
