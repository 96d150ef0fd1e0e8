"""Checking a patient's raw answers (a JSON body, a web form, an SMS reading) against the bank.

Every path into a symptom report passes here first, so the triage reads clean values only:
numbers as numbers, counts as whole numbers, yes/no and severity as their lower-case words,
free text without control characters. Blank answers are left out (a form's empty fields), since
every question is optional; a report needs at least one answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from matching.bounded_numbers import bounded_number, written_number
from symptoms.item_bank import COUNT, NUMBER, TEXT, Item, ItemBank

_KEPT_CONTROLS = {"\n", "\t"}

Answer = float | int | str


class AnswerError(ValueError):
    """Answers that cannot be taken: `field` is the first bad key ("answers" for the whole
    set) and `allowed` what it may be; `problems` holds every bad key with what is allowed."""

    def __init__(self, field: str, allowed: str, problems: Mapping[str, str] | None = None) -> None:
        self.problems = dict(problems or {field: allowed})
        super().__init__("; ".join(f"{key}: {text}" for key, text in self.problems.items()))
        self.field = field
        self.allowed = allowed


def check_answers(bank: ItemBank, raw: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers in `raw` as the triage reads them, in the bank's order.

    Raises AnswerError naming every unknown key and every value an item does not accept.
    """
    if not isinstance(raw, Mapping):
        raise AnswerError("answers", "a mapping of answer key to answer")
    problems: dict[str, str] = {}
    checked: dict[str, Answer] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or key not in bank:
            problems[str(key)] = "one of the answer keys: " + ", ".join(bank.keys)
            continue
        item = bank.item(key)
        try:
            answer = read_answer(item, value)
        except ValueError:
            problems[key] = "must be " + item.describe_allowed()
            continue
        if answer is not None:
            checked[key] = answer
    if problems:
        field, allowed = next(iter(problems.items()))
        raise AnswerError(field, allowed, problems)
    if not checked:
        raise AnswerError("answers", "at least one answer")
    return {key: checked[key] for key in bank.keys if key in checked}


def read_answer(item: Item, value: Any) -> Answer | None:
    """One answer as `item` takes it; None when it is blank; ValueError when not allowed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if item.kind == TEXT:
        return _text(item, value)
    if item.kind in (NUMBER, COUNT):
        return _number(item, value)
    if isinstance(value, str) and value.strip().casefold() in item.choice_values:
        return value.strip().casefold()
    raise ValueError(value)


def _number(item: Item, value: Any) -> float | int:
    """A number or a count within the item's bounds (OutOfRange, a ValueError, otherwise)."""
    if isinstance(value, str):
        written = written_number(value)
        if written is None:
            raise ValueError(value)
        value = written
    number = bounded_number(value, item.minimum, item.maximum, whole=item.kind == COUNT)
    return number if item.kind == COUNT else float(number)


def _text(item: Item, value: Any) -> str | None:
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        char
        for char in text
        if char in _KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
    ).strip()
    if not text:
        return None
    if len(text) > item.max_length:
        raise ValueError(value)
    return text
