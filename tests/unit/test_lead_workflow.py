"""The lead workflow's rules, without an app: statuses, attempts, reasons, final statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from companion.leads.workflow import (
    OUTCOMES,
    STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    StepInvalid,
    StepRefused,
    check_transition,
    next_statuses,
    status_after_attempt,
)

NONE_YET: tuple[str, ...] = ()
ONE_MISSED = ("no_answer",)
TWO_MISSED = ("no_answer", "left_message")
THREE_MISSED = ("no_answer", "left_message", "no_answer")
REACHED_ONCE = ("reached",)
WRONG_NUMBER = ("wrong_number",)
FINAL = ("enrolled", "not_eligible", "declined", "could_not_reach")


@pytest.mark.parametrize(
    ("status", "outcomes", "expected"),
    [
        ("new", NONE_YET, ("not_eligible", "declined")),
        ("contacted", ONE_MISSED, ("not_eligible", "declined")),
        ("contacted", TWO_MISSED, ("not_eligible", "declined")),
        ("contacted", THREE_MISSED, ("not_eligible", "declined", "could_not_reach")),
        ("contacted", WRONG_NUMBER, ("not_eligible", "declined", "could_not_reach")),
        ("contacted", REACHED_ONCE, ("screening_booked", "not_eligible", "declined")),
        ("screening_booked", REACHED_ONCE, ("enrolled", "not_eligible", "declined")),
        *[(status, REACHED_ONCE, ()) for status in FINAL],
    ],
)
def test_next_statuses_follow_the_attempts_made(
    status: str, outcomes: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert next_statuses(status, outcomes) == expected


def test_every_status_has_its_transitions_listed_and_only_final_ones_have_none() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert set(FINAL) == TERMINAL_STATUSES


@pytest.mark.parametrize(
    ("status", "outcomes", "outcome"),
    [
        ("new", NONE_YET, "no_answer"),
        ("new", NONE_YET, "reached"),
        ("new", NONE_YET, "wrong_number"),
        ("contacted", ONE_MISSED, "left_message"),
        ("contacted", TWO_MISSED, "no_answer"),
        ("contacted", THREE_MISSED, "reached"),
    ],
)
def test_a_logged_attempt_leaves_the_lead_contacted(
    status: str, outcomes: tuple[str, ...], outcome: str
) -> None:
    assert status_after_attempt(status, outcomes, outcome) == "contacted"


@pytest.mark.parametrize("outcome", ["no_answer", "left_message", "wrong_number"])
def test_a_fourth_unsuccessful_attempt_is_refused(outcome: str) -> None:
    with pytest.raises(StepRefused, match="3 unsuccessful attempts") as refused:
        status_after_attempt("contacted", THREE_MISSED, outcome)
    assert refused.value.field == "outcome"


@pytest.mark.parametrize("status", ["screening_booked", *FINAL])
def test_attempts_are_logged_only_for_new_or_contacted_leads(status: str) -> None:
    with pytest.raises(StepRefused, match=f"this lead is {status}"):
        status_after_attempt(status, REACHED_ONCE, "reached")


def test_an_unknown_outcome_is_invalid_and_names_the_field() -> None:
    with pytest.raises(StepInvalid, match="outcome") as invalid:
        status_after_attempt("new", NONE_YET, "emailed")
    assert invalid.value.field == "outcome"


@pytest.mark.parametrize(
    ("status", "outcomes", "target", "reason"),
    [
        ("new", NONE_YET, "not_eligible", "Stage II on the pathology report"),
        ("new", NONE_YET, "declined", "Called in to withdraw"),
        ("contacted", THREE_MISSED, "could_not_reach", "Three calls, no answer"),
        ("contacted", WRONG_NUMBER, "could_not_reach", "Number belongs to someone else"),
        ("contacted", REACHED_ONCE, "screening_booked", None),
        ("screening_booked", REACHED_ONCE, "enrolled", None),
        ("screening_booked", REACHED_ONCE, "declined", "Too far to travel"),
    ],
)
def test_allowed_transitions_pass(
    status: str, outcomes: tuple[str, ...], target: str, reason: str | None
) -> None:
    check_transition(status, target, outcomes, reason)


@pytest.mark.parametrize(
    ("status", "outcomes", "target", "why"),
    [
        ("new", NONE_YET, "contacted", "contact attempt is logged"),
        ("contacted", ONE_MISSED, "contacted", "already contacted"),
        ("new", NONE_YET, "screening_booked", "cannot become screening_booked"),
        ("new", NONE_YET, "enrolled", "cannot become enrolled"),
        ("contacted", REACHED_ONCE, "enrolled", "cannot become enrolled"),
        ("contacted", TWO_MISSED, "could_not_reach", "2 logged so far"),
        ("contacted", ("reached", "no_answer"), "could_not_reach", "1 logged so far"),
        ("contacted", THREE_MISSED, "screening_booked", "reached the person"),
        ("screening_booked", REACHED_ONCE, "new", "cannot become new"),
        *[(status, REACHED_ONCE, "screening_booked", "final") for status in FINAL],
        *[(status, THREE_MISSED, "declined", "final") for status in FINAL],
    ],
)
def test_refused_transitions_say_why(
    status: str, outcomes: tuple[str, ...], target: str, why: str
) -> None:
    with pytest.raises(StepRefused, match=why) as refused:
        check_transition(status, target, outcomes, "a reason")
    assert refused.value.field == "status"


@pytest.mark.parametrize(
    ("status", "outcomes", "target"),
    [
        ("new", NONE_YET, "not_eligible"),
        ("new", NONE_YET, "declined"),
        ("contacted", THREE_MISSED, "could_not_reach"),
    ],
)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_ending_a_lead_without_success_needs_a_reason(
    status: str, outcomes: tuple[str, ...], target: str, reason: str | None
) -> None:
    with pytest.raises(StepInvalid, match="reason") as invalid:
        check_transition(status, target, outcomes, reason)
    assert invalid.value.field == "reason"


def test_an_unknown_status_is_invalid_and_names_the_field() -> None:
    with pytest.raises(StepInvalid, match="status") as invalid:
        check_transition("new", "archived", NONE_YET, None)
    assert invalid.value.field == "status"


def test_every_outcome_but_reached_counts_as_unsuccessful() -> None:
    for outcome in OUTCOMES:
        history = (outcome,) * 3
        gives_up = "could_not_reach" in next_statuses("contacted", history)
        assert gives_up is (outcome != "reached"), outcome


def test_the_workflow_imports_neither_flask_nor_the_database() -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, companion.leads.workflow; "
            "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert {"flask", "sqlalchemy", "flask_sqlalchemy"} & set(json.loads(loaded.stdout)) == set()
