"""Checking facts from outside (a form, an API body, a chat) against a trial's fact schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.bounded_numbers import MAX_WRITTEN_DIGITS
from matching.trial import Trial

SHOWN_LENGTH = 40  # of a refused value, quoted in the message


class FactsError(ValueError):
    """Facts a trial does not accept; `problems` maps each offending key to what is allowed."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {problem}" for key, problem in problems.items()))
        self.problems = dict(problems)


def read_facts(trial: Trial, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The facts in the form the rules read; raises FactsError naming every bad key."""
    facts: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, value in raw.items():
        fact = trial.facts.get(key)
        if fact is None:
            problems[key] = "unknown fact for trial " + trial.id
            continue
        canonical = fact.canonical(value)
        if canonical is None:
            problems[key] = f"{_shown(value)} is not allowed; use {fact.describe_allowed()}"
        else:
            facts[key] = canonical
    if problems:
        raise FactsError(problems)
    return facts


def read_answer(trial: Trial, key: str, value: Any) -> Any:
    """One answer from the patient: only facts the patient is asked are accepted."""
    fact = trial.facts.get(key)
    if fact is None or not fact.asked:
        raise FactsError({key: "not a question of this pre-screen"})
    return read_facts(trial, {key: value})[key]


def _shown(value: Any) -> str:
    """The refused value as a message quotes it: cut short, and an int too long to print (int()
    prints at most 4,300 digits) is described instead."""
    if isinstance(value, int) and abs(value) >= 10**MAX_WRITTEN_DIGITS:
        return f"a number of more than {MAX_WRITTEN_DIGITS} digits"
    try:
        shown = repr(value)
    except (ValueError, RecursionError):  # such an int inside a list, or a list nested deep
        return "a value too long to show"
    return shown if len(shown) <= SHOWN_LENGTH else shown[: SHOWN_LENGTH - 3] + "..."
