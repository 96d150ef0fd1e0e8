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


@dataclass(frozen=True, slots=True)
class Check:
    """One fact compared with allowed values or bounds (inclusive)."""

    fact: str
    patient_answers: bool
    allowed: frozenset[Any] | None = None
    at_least: float | None = None
    at_most: float | None = None

    def status(self, facts: Facts) -> Status:
        value = facts.get(self.fact)
        if value is None:
            return Status.UNKNOWN if self.patient_answers else Status.SITE_CHECK
        if value == UNSURE:
            return Status.UNKNOWN
        return Status.PASS if self.holds_for(value) else Status.FAIL

    def holds_for(self, value: Any) -> bool:
        if self.allowed is not None:
            return value in self.allowed
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)

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
        return max(part.status(facts) for part in self.parts)

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
