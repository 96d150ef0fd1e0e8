"""A trial's pre-screen as plain values: facts, questions, criteria."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from matching.bounded_numbers import OutOfRange, bounded_number, describe_range
from matching.rules import Rule

LocalText = Mapping[str, str]  # language code -> text
FactType = Literal["choice", "integer", "number"]


@dataclass(frozen=True, slots=True)
class Option:
    value: Any
    label: LocalText


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact the rules read; `asked` when the patient answers it, otherwise staff supply it."""

    key: str
    type: FactType
    asked: bool
    values: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    label: LocalText | None = None

    def canonical(self, value: Any) -> Any:
        """The value as the rules expect it, or None when this fact does not accept it.

        Choices match exactly (`"1"` is read as `1` where a choice is numeric, as in ECOG);
        numbers must be finite, inside the bounds, and whole for integer facts.
        """
        if isinstance(value, bool):
            return None
        if self.type == "choice":
            for allowed in self.values:
                if type(allowed) is type(value) and allowed == value:
                    return allowed
                if isinstance(allowed, int) and isinstance(value, str) and value == str(allowed):
                    return allowed
            return None
        try:
            return bounded_number(value, self.minimum, self.maximum, whole=self.type == "integer")
        except OutOfRange:
            return None

    def describe_allowed(self) -> str:
        if self.type == "choice":
            return "one of " + ", ".join(str(value) for value in self.values)
        return describe_range(self.minimum, self.maximum, whole=self.type == "integer")


@dataclass(frozen=True, slots=True)
class Question:
    """How the patient is asked for one fact, and when the question applies."""

    fact: Fact
    text: LocalText
    options: tuple[Option, ...]
    priority: float
    order: int
    help: LocalText | None = None
    ask_when: Rule | None = None
    ask_when_source: Any = None


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    kind: Literal["inclusion", "exclusion"]
    registered_text: str
    lay_text: LocalText
    rule: Rule
    site_note: str | None = None


@dataclass(frozen=True, slots=True)
class Trial:
    id: str
    title: LocalText
    languages: tuple[str, ...]
    facts: Mapping[str, Fact]
    questions: tuple[Question, ...]
    criteria: tuple[Criterion, ...]
    version: str
    ask_order: tuple[Question, ...] = field(init=False, repr=False)
    """The questions, the one most likely to end a screen first (priority, then file order)."""

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.questions, key=lambda q: (-q.priority, q.order)))
        object.__setattr__(self, "ask_order", ordered)

    def question_for(self, fact: str) -> Question | None:
        return next((q for q in self.questions if q.fact.key == fact), None)
