"""The triage rules as data: thresholds a site may change, and which answers are urgent.

The packaged `symptoms/triage_rules.yaml` holds the defaults and the answer tables; a site
changes thresholds through its settings (`TriageRules.with_overrides`), never the tables in
code. Both are checked: a file mistake names the file and the field, a bad override its key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from matching.bounded_numbers import OutOfRange, bounded_number, written_number
from symptoms.data_file import DataFileReader, read_document
from symptoms.item_bank import COUNT, NUMBER, TEXT, ItemBank, load_item_bank
from symptoms.urgency import Urgency

DEFAULT_RULES = Path(__file__).resolve().parent / "triage_rules.yaml"


class RulesError(ValueError):
    """A threshold a site may not use; `field` is its key, `allowed` what it may be."""

    def __init__(self, field: str, allowed: str) -> None:
        super().__init__(f"{field}: {allowed}")
        self.field = field
        self.allowed = allowed


@dataclass(frozen=True, slots=True)
class AnswerRule:
    """`item` answered `answer` is a finding of `urgency`, reported as `code`."""

    item: str
    answer: str
    urgency: Urgency
    code: str


@dataclass(frozen=True, slots=True)
class Measurement:
    """A number or count answer banded by two thresholds (names of TriageRules fields)."""

    item: str
    amber_from: str
    red_from: str
    amber_code: str
    red_code: str

    def band(self, value: Any, rules: TriageRules) -> int | None:
        """0 below the amber threshold, 1 from it, 2 from the red one; None for a non-number."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not math.isfinite(value):  # an int of any size compares
            return None
        if value >= getattr(rules, self.red_from):
            return 2
        return 1 if value >= getattr(rules, self.amber_from) else 0


def _packaged_answer_rules() -> tuple[AnswerRule, ...]:
    return default_triage_rules().answer_rules


def _packaged_measurements() -> tuple[Measurement, ...]:
    return default_triage_rules().measurements


def _packaged_free_text() -> tuple[str, ...]:
    return default_triage_rules().free_text


@dataclass(frozen=True, slots=True)
class TriageRules:
    """Thresholds (site-configurable) and the answer tables of `triage_rules.yaml`.

    `TriageRules()` is the packaged rules: the tables default to the packaged file's.
    """

    fever_amber_c: float = 38.0
    fever_red_c: float = 39.0
    stools_amber: int = 4
    stools_red: int = 7
    ambers_for_red: int = 2
    worsening_levels: int = 2
    answer_rules: tuple[AnswerRule, ...] = field(default_factory=_packaged_answer_rules)
    measurements: tuple[Measurement, ...] = field(default_factory=_packaged_measurements)
    free_text: tuple[str, ...] = field(default_factory=_packaged_free_text)

    OVERRIDABLE: ClassVar[tuple[str, ...]] = (
        "fever_amber_c",
        "fever_red_c",
        "stools_amber",
        "stools_red",
        "ambers_for_red",
        "worsening_levels",
    )

    @property
    def thresholds(self) -> dict[str, float | int]:
        """The site-configurable values, by key."""
        return {key: getattr(self, key) for key in self.OVERRIDABLE}

    def with_overrides(self, overrides: Mapping[str, Any]) -> TriageRules:
        """These rules with a site's thresholds; RulesError names the first bad key.

        Values may be numbers or numbers written as text (from a settings file or form).
        """
        changes: dict[str, float | int] = {}
        for key, value in overrides.items():
            if key not in self.OVERRIDABLE:
                raise RulesError(str(key), "a site may set only " + ", ".join(self.OVERRIDABLE))
            changes[key] = _threshold(key, value)
        changed = replace(self, **changes)
        check_thresholds(changed, blame=tuple(changes))
        return changed


# key -> (whole number?, lowest, highest)
_LIMITS: Mapping[str, tuple[bool, float, float]] = {
    "fever_amber_c": (False, 35, 42),
    "fever_red_c": (False, 35, 42),
    "stools_amber": (True, 1, 30),
    "stools_red": (True, 1, 30),
    "ambers_for_red": (True, 1, 10),
    "worsening_levels": (True, 1, 3),
}
_PAIRS = (("fever_amber_c", "fever_red_c"), ("stools_amber", "stools_red"))


def _threshold(key: str, value: Any) -> float | int:
    whole, lowest, highest = _LIMITS[key]
    if isinstance(value, str):
        value = written_number(value)
    try:
        number = bounded_number(value, lowest, highest, whole=whole)
    except OutOfRange as refused:
        raise RulesError(key, "must be " + refused.allowed) from None
    return number if whole else float(number)


def check_thresholds(rules: TriageRules, blame: tuple[str, ...] = ()) -> None:
    """RulesError unless every threshold is in range and each amber is below its red.

    A pair out of order is blamed on whichever of its two keys is in `blame` (amber first).
    """
    for key in TriageRules.OVERRIDABLE:
        _threshold(key, getattr(rules, key))
    for amber, red in _PAIRS:
        if getattr(rules, amber) >= getattr(rules, red):
            key = amber if amber in blame or red not in blame else red
            raise RulesError(key, f"{amber} must be below {red}")


def load_triage_rules(path: Path | None = None, bank: ItemBank | None = None) -> TriageRules:
    """The rules in `path` (by default the packaged defaults), checked against the items of
    `bank` (by default the packaged bank); SymptomDataError names file and field."""
    if path is None and bank is None:
        return default_triage_rules()
    return _read_rules(path or DEFAULT_RULES, bank or load_item_bank())


@cache
def default_triage_rules() -> TriageRules:
    """The packaged rules, read once."""
    return _read_rules(DEFAULT_RULES, load_item_bank())


def _read_rules(path: Path, bank: ItemBank) -> TriageRules:
    return _RulesReader(path, bank).read(read_document(path))


class _RulesReader(DataFileReader):
    def __init__(self, path: Path, bank: ItemBank) -> None:
        super().__init__(path)
        self.bank = bank

    def read(self, document: Any) -> TriageRules:
        self.require_keys(
            "the file", document, {"thresholds", "measurements", "answers", "free_text"}
        )
        thresholds = self.thresholds(document["thresholds"])
        rules = TriageRules(
            **thresholds,
            answer_rules=self.answer_rules(document["answers"]),
            measurements=self.measurements(document["measurements"]),
            free_text=self.free_text(document["free_text"]),
        )
        codes = [rule.code for rule in rules.answer_rules]
        codes += [code for m in rules.measurements for code in (m.amber_code, m.red_code)]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise self.fail("codes", f"{', '.join(repeated)} used more than once")
        return rules

    def thresholds(self, spec: Any) -> dict[str, float | int]:
        self.require_keys("thresholds", spec, TriageRules.OVERRIDABLE)
        values = {}
        for key in TriageRules.OVERRIDABLE:
            try:
                values[key] = _threshold(key, spec[key])
            except RulesError as error:
                raise self.fail(f"thresholds {key}", error.allowed) from error
        try:
            check_thresholds(TriageRules(**values, answer_rules=(), measurements=(), free_text=()))
        except RulesError as error:
            raise self.fail(f"thresholds {error.field}", error.allowed) from error
        return values

    def known_item(self, where: str, key: Any, kinds: tuple[str, ...] = ()) -> str:
        if key not in self.bank:
            raise self.fail(where, f"item {key!r} is not in the item bank")
        kind = self.bank.item(key).kind
        if kinds and kind not in kinds:
            raise self.fail(where, f"item {key!r} is a {kind} item, not {' or '.join(kinds)}")
        return key

    def answer_rules(self, spec: Any) -> tuple[AnswerRule, ...]:
        levels = [urgency.name_lower for urgency in Urgency if urgency > Urgency.GREEN]
        self.require_keys("answers", spec, (), levels)
        rules: list[AnswerRule] = []
        for level, entries in spec.items():
            urgency = Urgency.from_name(level)
            if not isinstance(entries, list):
                raise self.fail(f"answers {level}", "must be a list of item, answer and code")
            for index, entry in enumerate(entries):
                where = f"answers {level} entry {index + 1}"
                self.require_keys(where, entry, {"item", "answer", "code"})
                item = self.bank.item(self.known_item(where, entry["item"]))
                if entry["answer"] not in item.choice_values:
                    raise self.fail(
                        where,
                        f"answer {entry['answer']!r} must be one of {item.key}'s answers: "
                        + ", ".join(item.choice_values),
                    )
                if any((r.item, r.answer) == (item.key, entry["answer"]) for r in rules):
                    raise self.fail(where, f"{item.key} {entry['answer']} is listed twice")
                code = self.name(where, "code", entry["code"])
                rules.append(AnswerRule(item.key, entry["answer"], urgency, code))
        return tuple(rules)

    def measurements(self, spec: Any) -> tuple[Measurement, ...]:
        if not isinstance(spec, list):
            raise self.fail("measurements", "must be a list")
        found = []
        fields = ("item", "amber_from", "red_from", "amber_code", "red_code")
        for index, entry in enumerate(spec):
            where = f"measurements entry {index + 1}"
            self.require_keys(where, entry, fields)
            self.known_item(where, entry["item"], (NUMBER, COUNT))
            pair = (entry["amber_from"], entry["red_from"])
            if pair not in _PAIRS:
                allowed = "; ".join(f"{a} and {r}" for a, r in _PAIRS)
                raise self.fail(where, f"amber_from and red_from must be one of: {allowed}")
            for name in ("amber_code", "red_code"):
                self.name(where, name, entry[name])
            found.append(Measurement(*(entry[name] for name in fields)))
        return tuple(found)

    def free_text(self, spec: Any) -> tuple[str, ...]:
        if not isinstance(spec, list):
            raise self.fail("free_text", "must be a list of text items")
        return tuple(self.known_item("free_text", key, (TEXT,)) for key in spec)
