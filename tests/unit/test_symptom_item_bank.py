"""The item bank holds exactly the contract's answer keys, and a broken bank file is refused
with a message naming the file, the item and the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from symptoms import Choice, ItemBank, SymptomDataError, load_item_bank
from symptoms.item_bank import DEFAULT_BANK

BANK = load_item_bank()
SEVERITY_KEYS = [
    "abdominal_pain",
    "shortness_of_breath",
    "rash",
    "itching",
    "fatigue",
    "nausea",
    "headache",
    "joint_or_muscle_pain",
    "low_mood",
    "injection_site_reaction",
]
YES_NO_KEYS = [
    "blood_in_stool",
    "chest_pain",
    "new_cough",
    "rash_blistering",
    "vomiting_over_24h",
    "vision_change",
    "yellow_skin_or_eyes",
    "dark_urine",
    "confusion",
    "fainting",
    "self_harm_thoughts",
]


def test_the_bank_has_exactly_the_contract_answer_keys() -> None:
    contract = {"temperature_c", "extra_stools_per_day", "other", *SEVERITY_KEYS, *YES_NO_KEYS}
    assert sorted(BANK.keys) == sorted(contract)
    assert len(BANK.keys) == len(set(BANK.keys))


@pytest.mark.parametrize(
    ("key", "kind", "bounds"),
    [
        ("temperature_c", "number", (30, 45, None)),
        ("extra_stools_per_day", "count", (0, 30, None)),
        ("other", "text", (None, None, 1000)),
    ],
)
def test_measured_and_text_items_have_the_contract_bounds(
    key: str, kind: str, bounds: tuple[Any, ...]
) -> None:
    item = BANK.item(key)
    assert (item.kind, (item.minimum, item.maximum, item.max_length)) == (kind, bounds)


@pytest.mark.parametrize(
    ("key", "unit"),
    [
        ("temperature_c", {"en": "°C", "zh": "°C"}),
        ("extra_stools_per_day", {"en": "times a day", "zh": "次/天"}),
    ],
)
def test_measured_items_carry_their_unit(key: str, unit: dict[str, str]) -> None:
    assert BANK.item(key).unit == unit


@pytest.mark.parametrize("key", SEVERITY_KEYS)
def test_severity_items_offer_none_mild_moderate_severe(key: str) -> None:
    item = BANK.item(key)
    assert (item.kind, item.choice_values) == ("severity", ("none", "mild", "moderate", "severe"))


@pytest.mark.parametrize("key", YES_NO_KEYS)
def test_yes_no_items_offer_yes_then_no(key: str) -> None:
    item = BANK.item(key)
    assert (item.kind, item.choice_values) == ("yes_no", ("yes", "no"))


@pytest.mark.parametrize(
    ("key", "value", "level"),
    [
        ("fatigue", "none", 0),
        ("fatigue", "mild", 1),
        ("fatigue", "moderate", 2),
        ("fatigue", "severe", 3),
        ("fatigue", "Severe", 3),
        ("fatigue", "very", None),
        ("fatigue", 3, None),
        ("chest_pain", "no", 0),
        ("chest_pain", "yes", 1),
        ("temperature_c", 39.5, None),
        ("extra_stools_per_day", 7, None),
        ("other", "severe", None),
    ],
)
def test_an_answer_level_orders_severity_and_yes_no_only(key: str, value: Any, level: Any) -> None:
    assert BANK.item(key).level(value) == level


def test_an_item_may_word_its_choices_its_own_way() -> None:
    breath = BANK.item("shortness_of_breath").choices[-1]
    assert breath.value == "severe"
    assert breath.text != BANK.item("fatigue").choices[-1].text


def test_asking_for_an_unknown_item_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="mood"):
        BANK.item("mood")


def test_a_bank_can_be_built_in_code() -> None:
    bank = ItemBank(items=(BANK.item("fatigue"),))
    assert (bank.keys, "fatigue" in bank, "nausea" in bank) == (("fatigue",), True, False)


# --- the bank file ------------------------------------------------------------------------


def packaged() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(DEFAULT_BANK.read_text(encoding="utf-8")))


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "BANK.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def item_spec(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(spec for spec in document["items"] if spec["key"] == key)


def test_a_copy_of_the_packaged_bank_loads_the_same(tmp_path: Path) -> None:
    assert load_item_bank(write(tmp_path, packaged())) == BANK


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("items"), r"the file: missing items"),
        (lambda d: d.update(items=[]), r"items: must be a non-empty list"),
        (lambda d: item_spec(d, "fatigue").update(kind="scale"), r"item 'fatigue': kind 'scale'"),
        (
            lambda d: item_spec(d, "fatigue").update(colour=1),
            r"item 'fatigue': unknown field colour",
        ),
        (lambda d: item_spec(d, "fatigue").pop("question"), r"item 'fatigue': missing question"),
        (
            lambda d: item_spec(d, "fatigue")["question"].pop("zh"),
            r"item 'fatigue': question has no text in zh",
        ),
        (
            lambda d: item_spec(d, "fatigue")["question"].update(fr="Fatigue?"),
            r"item 'fatigue': question has unknown language fr",
        ),
        (
            lambda d: item_spec(d, "fatigue")["question"].update(en="  "),
            r"item 'fatigue': question en must be a non-empty text",
        ),
        (
            lambda d: item_spec(d, "chest_pain")["hint"].pop("en"),
            r"item 'chest_pain': hint has no text in en",
        ),
        (lambda d: d["items"].append(item_spec(d, "fatigue")), r"item 'fatigue': key is used more"),
        (lambda d: item_spec(d, "fatigue").update(key="Fatigue"), r"item 'Fatigue': key 'Fatigue'"),
        (
            lambda d: item_spec(d, "temperature_c").update(minimum=46),
            r"item 'temperature_c': minimum 46 must be below maximum 45",
        ),
        (
            lambda d: item_spec(d, "temperature_c").pop("maximum"),
            r"item 'temperature_c': missing maximum",
        ),
        (
            lambda d: item_spec(d, "temperature_c").update(maximum="hot"),
            r"item 'temperature_c': maximum 'hot' must be a number",
        ),
        (
            lambda d: item_spec(d, "extra_stools_per_day").update(maximum=30.5),
            r"item 'extra_stools_per_day': maximum 30.5 must be a whole number",
        ),
        (
            lambda d: item_spec(d, "extra_stools_per_day").update(minimum=-1),
            r"item 'extra_stools_per_day': minimum -1 of a count must not be below 0",
        ),
        (lambda d: item_spec(d, "other").pop("max_length"), r"item 'other': missing max_length"),
        (
            lambda d: item_spec(d, "other").update(max_length=0),
            r"item 'other': max_length 0 must be from 1 to 10000",
        ),
        (
            lambda d: item_spec(d, "other").update(unit={"en": "x", "zh": "个"}),
            r"item 'other': unknown field unit",
        ),
        (
            lambda d: item_spec(d, "shortness_of_breath")["choices"].pop(),
            r"item 'shortness_of_breath': severity choices must be none, mild, moderate, severe",
        ),
        (
            lambda d: d["choice_sets"]["yes_no"][0].update(value="maybe"),
            r"choice_sets yes_no: yes_no choices must be no, yes, each once",
        ),
        (lambda d: d["choice_sets"].pop("severity"), r"choice_sets: missing severity"),
    ],
)
def test_a_broken_bank_file_is_refused_naming_file_item_and_field(
    tmp_path: Path, change: Any, message: str
) -> None:
    document = packaged()
    change(document)
    with pytest.raises(SymptomDataError, match=r"BANK\.yaml: " + message):
        load_item_bank(write(tmp_path, document))


def test_a_missing_bank_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(SymptomDataError, match=r"nowhere\.yaml: cannot be read"):
        load_item_bank(tmp_path / "nowhere.yaml")


def test_a_symptom_data_error_is_a_value_error() -> None:
    assert issubclass(SymptomDataError, ValueError)


def test_a_choice_holds_its_value_and_lay_text() -> None:
    assert BANK.item("chest_pain").choices[0] == Choice("yes", {"en": "Yes", "zh": "是"})
