"""A lead's pre-screen answers as staff read them: each question with the answer given.

The stored facts are plain values (`"acral"`, `54`); staff see the question that was asked and
the option's label, in the language the staff member reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matching import Status, Trial, evaluate


@dataclass(frozen=True)
class AnsweredQuestion:
    question: str
    answer: str


def answered_questions(
    trial: Trial, facts: Mapping[str, Any], language: str
) -> list[AnsweredQuestion]:
    """Every answer in the order the questionnaire asks, then any fact it does not ask."""
    lines = []
    shown = set()
    for question in trial.ask_order:
        key = question.fact.key
        if key not in facts:
            continue
        shown.add(key)
        value = facts[key]
        option = next((o for o in question.options if o.value == value), None)
        answer = _in(option.label, language) if option else str(value)
        lines.append(AnsweredQuestion(_in(question.text, language), answer))
    for key, value in facts.items():
        if key not in shown:
            fact = trial.facts.get(key)
            title = _in(fact.label, language) if fact and fact.label else key
            lines.append(AnsweredQuestion(title, str(value)))
    return lines


def checks_to_make(trial: Trial, facts: Mapping[str, Any], language: str) -> list[str]:
    """The study's rules the answers leave open (the person said "not sure", or was not asked)."""
    return [
        _in(result.criterion.lay_text, language)
        for result in evaluate(trial, facts).with_status(Status.UNKNOWN)
    ]


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: str
    new: str


def change_lines(changes: Mapping[str, Any]) -> list[ChangeLine]:
    """An audit event's `{field: [old, new]}` as text; values stay as recorded (masked or not)."""
    lines = []
    for field, values in changes.items():
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        lines.append(ChangeLine(field, _as_text(old), _as_text(new)))
    return lines


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(str(key) for key in value)
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _in(text: Mapping[str, str], language: str) -> str:
    return text.get(language) or text.get("en") or next(iter(text.values()), "")
