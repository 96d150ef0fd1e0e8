"""The closed rule language of criteria files, evaluated in four-valued logic.

A rule says when a criterion *does not stand in the way*. Facts the person has not given yet are
"unknown" (the patient could tell us) or "site check" (only staff can supply them), and the
answer "unsure" is unknown too: it never makes a rule fail on its own.

Rules are frozen values built once by the loader; evaluating them never raises on facts that the
trial's fact schema accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from matching.status import Status

UNSURE = "unsure"
Facts = Mapping[str, Any]


class Rule(Protocol):
    def status(self, facts: Facts) -> Status:
        """How this rule stands on these facts."""

    def open_facts(self, facts: Facts) -> frozenset[str]:
        """Patient facts, not given yet, whose answer could still settle this rule."""

    def facts(self) -> frozenset[str]:
        """Every fact the rule reads."""


@dataclass(frozen=True, slots=True)
class Always:
    """A rule that always holds (the `pass` of an `if` without a condition to meet)."""

    def status(self, facts: Facts) -> Status:
        return Status.PASS

    def open_facts(self, facts: Facts) -> frozenset[str]:
        return frozenset()

    def facts(self) -> frozenset[str]:
        return frozenset()


class Check:
    """One fact compared with allowed values, or with bounds (inclusive).

    The hottest code of the engine: every criterion ends in checks, so a check precomputes what
    it answers when its fact is missing and reads the facts once.
    """

    __slots__ = ("_when_missing", "allowed", "at_least", "at_most", "fact", "patient_answers")

    def __init__(
        self,
        fact: str,
        patient_answers: bool,
        allowed: frozenset[Any] | None = None,
        at_least: float | None = None,
        at_most: float | None = None,
    ) -> None:
        self.fact = fact
        self.patient_answers = patient_answers
        self.allowed = allowed
        self.at_least = at_least
        self.at_most = at_most
        self._when_missing = Status.UNKNOWN if patient_answers else Status.SITE_CHECK

    def __repr__(self) -> str:
        test = (
            f"in {sorted(map(str, self.allowed))}"
            if self.allowed is not None
            else f"within [{self.at_least}, {self.at_most}]"
        )
        return f"Check({self.fact} {test})"

    def status(self, facts: Facts) -> Status:
        value = facts.get(self.fact)
        if value is None:
            return self._when_missing
        if value == UNSURE:
            return Status.UNKNOWN
        if self.allowed is not None:
            return Status.PASS if value in self.allowed else Status.FAIL
        if (self.at_least is not None and value < self.at_least) or (
            self.at_most is not None and value > self.at_most
        ):
            return Status.FAIL
        return Status.PASS

    def open_facts(self, facts: Facts) -> frozenset[str]:
        if self.patient_answers and self.fact not in facts:
            return frozenset((self.fact,))
        return frozenset()

    def facts(self) -> frozenset[str]:
        return frozenset((self.fact,))


@dataclass(frozen=True, slots=True)
class All:
    """Holds when every part holds."""

    parts: tuple[Rule, ...]

    def status(self, facts: Facts) -> Status:
        worst = Status.PASS
        for part in self.parts:
            status = part.status(facts)
            if status is Status.FAIL:
                return status
            if status > worst:
                worst = status
        return worst

    def open_facts(self, facts: Facts) -> frozenset[str]:
        statuses = [part.status(facts) for part in self.parts]
        if Status.FAIL in statuses:
            return frozenset()
        return _union(
            p.open_facts(facts)
            for p, s in zip(self.parts, statuses, strict=True)
            if s is not Status.PASS
        )

    def facts(self) -> frozenset[str]:
        return _union(part.facts() for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Holds when at least one part holds."""

    parts: tuple[Rule, ...]

    def status(self, facts: Facts) -> Status:
        return _any_status([part.status(facts) for part in self.parts])

    def open_facts(self, facts: Facts) -> frozenset[str]:
        statuses = [part.status(facts) for part in self.parts]
        if Status.PASS in statuses:
            return frozenset()
        return _union(
            p.open_facts(facts)
            for p, s in zip(self.parts, statuses, strict=True)
            if s is not Status.FAIL
        )

    def facts(self) -> frozenset[str]:
        return _union(part.facts() for part in self.parts)


@dataclass(frozen=True, slots=True)
class When:
    """`then` applies when `condition` holds, `otherwise` when it does not.

    While the condition is open, the rule is settled only if both branches agree. The patient is
    asked the condition's facts first, so that branch questions reach only those they concern
    (contraception only for those who can become pregnant, distant spread only for stage IV).
    """

    condition: Rule
    then: Rule
    otherwise: Rule

    def status(self, facts: Facts) -> Status:
        condition = self.condition.status(facts)
        if condition is Status.PASS:
            return self.then.status(facts)
        if condition is Status.FAIL:
            return self.otherwise.status(facts)
        return _any_status([self.then.status(facts), self.otherwise.status(facts)], condition)

    def open_facts(self, facts: Facts) -> frozenset[str]:
        if self.status(facts).is_settled:
            return frozenset()
        asked_first = self.condition.open_facts(facts)
        if asked_first:
            return asked_first
        condition = self.condition.status(facts)
        if condition is Status.PASS:
            return self.then.open_facts(facts)
        if condition is Status.FAIL:
            return self.otherwise.open_facts(facts)
        return self.then.open_facts(facts) | self.otherwise.open_facts(facts)

    def facts(self) -> frozenset[str]:
        return self.condition.facts() | self.then.facts() | self.otherwise.facts()


def _any_status(statuses: list[Status], floor: Status = Status.PASS) -> Status:
    """Either-or: settled when some branch passes or all fail; otherwise the most open branch."""
    if floor is Status.PASS and Status.PASS in statuses:
        return Status.PASS
    if all(status is Status.FAIL for status in statuses):
        return Status.FAIL
    if floor is not Status.PASS and all(status is statuses[0] for status in statuses):
        return statuses[0]
    return max([floor, *(status for status in statuses if status is not Status.FAIL)])


def _union(sets: Any) -> frozenset[str]:
    result: frozenset[str] = frozenset()
    for item in sets:
        result |= item
    return result
