"""Surveys as data: which symptom questions a patient is asked, in what order, with what intro.

A survey file (`symptoms/surveys/<key>.yaml`) lists item keys from the item bank, the most
urgent questions first. It may also define items of its own (an `items:` block with the bank's
schema, say a site's licensed PRO-CTCAE items); their keys must not clash with the bank's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symptoms.data_file import read_document
from symptoms.item_bank import Item, ItemBank, ItemReader, load_item_bank

SURVEYS_DIR = Path(__file__).resolve().parent / "surveys"


@dataclass(frozen=True, slots=True)
class Survey:
    """`recall` is the period the questions are about, as the patient reads it."""

    key: str
    title: dict[str, str]
    intro: dict[str, str]
    recall: dict[str, str]
    items: tuple[Item, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    def as_bank(self) -> ItemBank:
        """The survey's items as a bank, to check answers to it with `check_answers`."""
        return ItemBank(items=self.items)


def available_surveys(directory: Path = SURVEYS_DIR) -> tuple[str, ...]:
    """The surveys there are, by key."""
    return tuple(sorted(path.stem for path in directory.glob("*.yaml")))


def load_survey(
    key: str = "weekly_check_in", bank: ItemBank | None = None, directory: Path = SURVEYS_DIR
) -> Survey:
    """The survey `<directory>/<key>.yaml`, asking from `bank` (by default the packaged one);
    SymptomDataError names the file and the field at fault."""
    return load_survey_file(directory / f"{key}.yaml", bank)


def load_survey_file(path: Path, bank: ItemBank | None = None) -> Survey:
    bank = bank or load_item_bank()
    return _SurveyReader(path, bank).read(read_document(path))


class _SurveyReader(ItemReader):
    def __init__(self, path: Path, bank: ItemBank) -> None:
        super().__init__(path)
        self.bank = bank

    def read(self, document: Any) -> Survey:
        self.require_keys(
            "the file", document, {"survey", "title", "intro", "recall", "questions"}, {"items"}
        )
        key = self.name("survey", "survey", document["survey"])
        if key != self.path.stem:
            raise self.fail("survey", f"{key!r} must match the file name {self.path.stem!r}")
        own = self.items(
            "items",
            document.get("items") or [],
            self.bank.choice_sets or _choice_sets_of(self.bank),
            taken=frozenset(self.bank.keys),
        )
        questions = document["questions"]
        if not isinstance(questions, list) or not questions:
            raise self.fail("questions", "must be a non-empty list of item keys")
        items: list[Item] = []
        known = {item.key: item for item in (*self.bank.items, *own)}
        for entry in questions:
            if not isinstance(entry, str) or entry not in known:
                raise self.fail("questions", f"{entry!r} is not an item of the bank or the file")
            if known[entry] in items:
                raise self.fail("questions", f"{entry!r} is asked more than once")
            items.append(known[entry])
        unasked = [item.key for item in own if item not in items]
        if unasked:
            raise self.fail("items", f"{', '.join(unasked)} defined but not in questions")
        return Survey(
            key=key,
            title=self.local_text("the file", "title", document["title"]),
            intro=self.local_text("the file", "intro", document["intro"]),
            recall=self.local_text("the file", "recall", document["recall"]),
            items=tuple(items),
        )


def _choice_sets_of(bank: ItemBank) -> dict[str, tuple[Any, ...]]:
    """Choices of a bank built in code without shared sets: those of its first item of a kind."""
    sets: dict[str, tuple[Any, ...]] = {}
    for item in bank.items:
        if item.choices:
            sets.setdefault(item.kind, item.choices)
    return sets
