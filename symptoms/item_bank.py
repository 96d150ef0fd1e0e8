"""The symptom questions as data: each item is one answer key of a symptom report.

The bank (`symptoms/items/red_flags.yaml`) holds every answer key the contract names, with the
lay question in English and Chinese, the kind of answer and its bounds. Reports, surveys and the
SMS and web forms all ask from it; it is checked when read and a mistake names file, item and
field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from matching.bounded_numbers import describe_range
from symptoms.data_file import DataFileReader, read_document

ITEMS_DIR = Path(__file__).resolve().parent / "items"
DEFAULT_BANK = ITEMS_DIR / "red_flags.yaml"

NUMBER, COUNT, YES_NO, SEVERITY, TEXT = "number", "count", "yes_no", "severity", "text"
KINDS = (NUMBER, COUNT, YES_NO, SEVERITY, TEXT)
# The answers of each kind with choices, from least to most: an answer's level is its place here.
SCALES: Mapping[str, tuple[str, ...]] = {
    YES_NO: ("no", "yes"),
    SEVERITY: ("none", "mild", "moderate", "severe"),
}


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    text: dict[str, str]  # language -> lay text


@dataclass(frozen=True, slots=True)
class Item:
    """One question and the answers it accepts.

    `minimum` and `maximum` bound number and count answers, `max_length` text answers;
    `choices` are the yes/no and severity answers in the order they are shown.
    """

    key: str
    kind: str
    question: dict[str, str]
    hint: dict[str, str] | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    unit: dict[str, str] | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def level(self, value: Any) -> int | None:
        """Where a yes/no or severity answer stands (severity none 0 .. severe 3, yes/no no 0,
        yes 1), to see how much a symptom worsened; None for other kinds, which the triage
        rules band themselves."""
        scale = SCALES.get(self.kind)
        if scale is None or not isinstance(value, str) or value.casefold() not in scale:
            return None
        return scale.index(value.casefold())

    def describe_allowed(self) -> str:
        """What an answer may be, in words for an error message."""
        if self.kind in (NUMBER, COUNT):
            return describe_range(self.minimum, self.maximum, whole=self.kind == COUNT)
        if self.kind == TEXT:
            return f"text of 1 to {self.max_length} characters"
        values = self.choice_values
        if len(values) == 2:
            return f"{values[0]} or {values[1]}"
        return "one of " + ", ".join(values)


@dataclass(frozen=True, slots=True)
class ItemBank:
    """The items in the order of the file; `choice_sets` are its shared yes/no and severity
    answers, which a survey's own items use too."""

    items: tuple[Item, ...]
    choice_sets: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"no symptom item {key!r}")

    def __contains__(self, key: object) -> bool:
        return any(item.key == key for item in self.items)


def load_item_bank(path: Path | None = None) -> ItemBank:
    """The bank in `path`, by default the packaged red-flag bank; SymptomDataError when it is
    not usable."""
    if path is None:
        return default_item_bank()
    return _read_bank(path)


@cache
def default_item_bank() -> ItemBank:
    """The packaged bank, read once."""
    return _read_bank(DEFAULT_BANK)


def _read_bank(path: Path) -> ItemBank:
    reader = ItemReader(path)
    document = reader.require_keys("the file", read_document(path), {"choice_sets", "items"})
    choice_sets = reader.choice_sets(document["choice_sets"])
    items = reader.items("items", document["items"], choice_sets)
    if not items:
        raise reader.fail("items", "must be a non-empty list")
    return ItemBank(items=items, choice_sets=choice_sets)


class ItemReader(DataFileReader):
    """Reads item definitions; a survey file with items of its own uses it too."""

    def choice_sets(self, spec: Any) -> dict[str, tuple[Choice, ...]]:
        self.require_keys("choice_sets", spec, set(SCALES))
        return {kind: self.choices(f"choice_sets {kind}", kind, spec[kind]) for kind in SCALES}

    def choices(self, where: str, kind: str, spec: Any) -> tuple[Choice, ...]:
        if not isinstance(spec, list):
            raise self.fail(where, "choices must be a list of value and text")
        choices = []
        for entry in spec:
            self.require_keys(where, entry, {"value", "text"})
            value = entry["value"]
            choices.append(
                Choice(
                    value=self.name(where, "choice value", value),
                    text=self.local_text(f"{where} choice {value!r}", "text", entry["text"]),
                )
            )
        values = [choice.value for choice in choices]
        if sorted(values) != sorted(SCALES[kind]):
            raise self.fail(
                where,
                f"{kind} choices must be {', '.join(SCALES[kind])}, each once, not "
                f"{', '.join(values) or 'none'}",
            )
        return tuple(choices)

    def items(
        self,
        where: str,
        spec: Any,
        choice_sets: Mapping[str, tuple[Choice, ...]],
        taken: frozenset[str] = frozenset(),
    ) -> tuple[Item, ...]:
        """The items listed in `spec`; a key must not repeat, nor be one of `taken`."""
        if not isinstance(spec, list):
            raise self.fail(where, "must be a list of items")
        items: list[Item] = []
        for index, entry in enumerate(spec):
            item = self.item(index, entry, choice_sets)
            if item.key in taken or item.key in (seen.key for seen in items):
                raise self.fail(f"item '{item.key}'", "key is used more than once")
            items.append(item)
        return tuple(items)

    def item(self, index: int, spec: Any, choice_sets: Mapping[str, tuple[Choice, ...]]) -> Item:
        key = spec.get("key") if isinstance(spec, dict) else None
        where = f"item '{key}'" if isinstance(key, str) else f"item {index + 1}"
        kind = spec.get("kind") if isinstance(spec, dict) else None
        fields_of_kind = {
            NUMBER: ({"minimum", "maximum"}, {"unit"}),
            COUNT: ({"minimum", "maximum"}, {"unit"}),
            YES_NO: (set(), {"choices"}),
            SEVERITY: (set(), {"choices"}),
            TEXT: ({"max_length"}, set()),
        }
        if isinstance(spec, dict) and kind not in KINDS:
            raise self.fail(where, f"kind {kind!r} must be one of {', '.join(KINDS)}")
        required, optional = fields_of_kind.get(kind, (set(), set()))
        self.require_keys(where, spec, {"key", "kind", "question"} | required, {"hint"} | optional)
        self.name(where, "key", key)
        item = Item(
            key=key,
            kind=kind,
            question=self.local_text(where, "question", spec["question"]),
            hint=self.local_text(where, "hint", spec["hint"]) if "hint" in spec else None,
            unit=self.local_text(where, "unit", spec["unit"]) if "unit" in spec else None,
        )
        if kind in SCALES:
            if "choices" in spec:
                return replace(item, choices=self.choices(where, kind, spec["choices"]))
            if not choice_sets.get(kind):
                raise self.fail(where, f"choices are needed: there is no shared {kind} set")
            return replace(item, choices=tuple(choice_sets[kind]))
        if kind == TEXT:
            length = self.number(where, "max_length", spec["max_length"], whole=True)
            if not 1 <= length <= 10_000:
                raise self.fail(where, f"max_length {length} must be from 1 to 10000")
            return replace(item, max_length=length)
        whole = kind == COUNT
        lowest = self.number(where, "minimum", spec["minimum"], whole=whole)
        highest = self.number(where, "maximum", spec["maximum"], whole=whole)
        if lowest >= highest:
            raise self.fail(where, f"minimum {lowest} must be below maximum {highest}")
        if whole and lowest < 0:
            raise self.fail(where, f"minimum {lowest} of a count must not be below 0")
        return replace(item, minimum=lowest, maximum=highest)
