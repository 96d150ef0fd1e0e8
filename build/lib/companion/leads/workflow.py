"""The lead workflow as data: which status may follow which, and what contact attempts allow.

A lead starts as `new`. The first contact attempt makes it `contacted`; after up to three
unsuccessful attempts (or a wrong number) the site may give up with `could_not_reach`. A lead the
site reached can have a screening visit booked, and then be enrolled. Not eligible and declined
may end the workflow at any open step. Terminal statuses accept nothing more.

Pure: plain values in, plain values out; no web framework, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

NEW = "new"
CONTACTED = "contacted"
SCREENING_BOOKED = "screening_booked"
ENROLLED = "enrolled"
NOT_ELIGIBLE = "not_eligible"
DECLINED = "declined"
COULD_NOT_REACH = "could_not_reach"

STATUSES: tuple[str, ...] = (
    NEW,
    CONTACTED,
    SCREENING_BOOKED,
    ENROLLED,
    NOT_ELIGIBLE,
    DECLINED,
    COULD_NOT_REACH,
)

TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        NEW: (NOT_ELIGIBLE, DECLINED),
        CONTACTED: (SCREENING_BOOKED, NOT_ELIGIBLE, DECLINED, COULD_NOT_REACH),
        SCREENING_BOOKED: (ENROLLED, NOT_ELIGIBLE, DECLINED),
        ENROLLED: (),
        NOT_ELIGIBLE: (),
        DECLINED: (),
        COULD_NOT_REACH: (),
    }
)
"""Status changes staff may make; `contacted` is reached only by logging a contact attempt."""

TERMINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
REASON_REQUIRED = frozenset({NOT_ELIGIBLE, DECLINED, COULD_NOT_REACH})
OPEN_TO_ATTEMPTS = frozenset({NEW, CONTACTED})

REACHED = "reached"
NO_ANSWER = "no_answer"
LEFT_MESSAGE = "left_message"
WRONG_NUMBER = "wrong_number"
OUTCOMES: tuple[str, ...] = (REACHED, NO_ANSWER, LEFT_MESSAGE, WRONG_NUMBER)
UNSUCCESSFUL_OUTCOMES = frozenset({NO_ANSWER, LEFT_MESSAGE, WRONG_NUMBER})
MAX_UNSUCCESSFUL_ATTEMPTS = 3


class WorkflowError(Exception):
    """A step the workflow refuses; `field` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StepInvalid(WorkflowError):
    """The request itself is incomplete or names something unknown (a client error)."""


class StepRefused(WorkflowError):
    """The request is well formed, but the lead's current state does not allow it."""


def unsuccessful_attempts(outcomes: Sequence[str]) -> int:
    return sum(1 for outcome in outcomes if outcome in UNSUCCESSFUL_OUTCOMES)


def may_give_up(outcomes: Sequence[str]) -> bool:
    """Could-not-reach needs three unsuccessful attempts, or a number that is not the person's."""
    return unsuccessful_attempts(outcomes) >= MAX_UNSUCCESSFUL_ATTEMPTS or WRONG_NUMBER in outcomes


def next_statuses(status: str, outcomes: Sequence[str]) -> tuple[str, ...]:
    """The statuses staff may move a lead to, given its contact attempts' outcomes so far."""
    return tuple(
        target
        for target in TRANSITIONS.get(status, ())
        if _refusal(status, target, outcomes) is None
    )


def check_transition(status: str, target: str, outcomes: Sequence[str], reason: str | None) -> None:
    """Raise unless staff may move a lead from `status` to `target` with this reason."""
    if target not in STATUSES:
        raise StepInvalid(
            f"status: {target!r} is not a lead status; use one of {', '.join(STATUSES)}.", "status"
        )
    refusal = _refusal(status, target, outcomes)
    if refusal:
        raise StepRefused(refusal, "status")
    if target in REASON_REQUIRED and not (reason or "").strip():
        raise StepInvalid(f"reason: a reason is required to mark a lead {target}.", "reason")


def status_after_attempt(status: str, outcomes: Sequence[str], outcome: str) -> str:
    """The lead's status once an attempt with `outcome` is logged; raises if none may be."""
    if outcome not in OUTCOMES:
        raise StepInvalid(
            f"outcome: {outcome!r} is not a contact outcome; use one of {', '.join(OUTCOMES)}.",
            "outcome",
        )
    if status not in OPEN_TO_ATTEMPTS:
        raise StepRefused(
            f"outcome: contact attempts are logged only for new or contacted leads; "
            f"this lead is {status}.",
            "outcome",
        )
    if (
        outcome in UNSUCCESSFUL_OUTCOMES
        and unsuccessful_attempts(outcomes) >= MAX_UNSUCCESSFUL_ATTEMPTS
    ):
        raise StepRefused(
            f"outcome: {MAX_UNSUCCESSFUL_ATTEMPTS} unsuccessful attempts are already logged; "
            f"mark the lead {COULD_NOT_REACH} (with a reason) or log a call that reached them.",
            "outcome",
        )
    return CONTACTED


def _refusal(status: str, target: str, outcomes: Sequence[str]) -> str | None:
    """Why `status` -> `target` is not allowed now, or None when it is."""
    if status in TERMINAL_STATUSES:
        return f"status: this lead is {status}, which is final; it cannot change any more."
    if target == status:
        return f"status: this lead is already {status}."
    if target == CONTACTED:
        return "status: a lead becomes contacted when a contact attempt is logged."
    if target not in TRANSITIONS.get(status, ()):
        allowed = ", ".join(next_statuses(status, outcomes)) or "none"
        return f"status: a {status} lead cannot become {target}; allowed now: {allowed}."
    if target == COULD_NOT_REACH and not may_give_up(outcomes):
        return (
            f"status: {COULD_NOT_REACH} needs {MAX_UNSUCCESSFUL_ATTEMPTS} unsuccessful contact "
            f"attempts or a wrong number; {unsuccessful_attempts(outcomes)} logged so far."
        )
    if target == SCREENING_BOOKED and REACHED not in outcomes:
        return (
            "status: a screening visit can be booked only after a contact attempt "
            f"reached the person (outcome {REACHED})."
        )
    return None
