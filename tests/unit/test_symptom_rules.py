"""Triage rules: the packaged defaults, a site's thresholds, and a rules file that is refused."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from symptoms import RulesError, SymptomDataError, TriageRules, Urgency, load_triage_rules
from symptoms.triage_rules import DEFAULT_RULES


def packaged() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8")))


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "RULES.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_the_packaged_thresholds_are_the_documented_defaults() -> None:
    assert load_triage_rules().thresholds == {
        "fever_amber_c": 38.0,
        "fever_red_c": 39.0,
        "stools_amber": 4,
        "stools_red": 7,
        "ambers_for_red": 2,
        "worsening_levels": 2,
    }


def test_rules_made_in_code_are_the_packaged_rules() -> None:
    assert TriageRules() == load_triage_rules()


def test_the_packaged_answer_tables_come_from_the_file() -> None:
    rules = load_triage_rules()
    emergency = [r.code for r in rules.answer_rules if r.urgency == Urgency.EMERGENCY]
    assert emergency == [entry["code"] for entry in packaged()["answers"]["emergency"]]


def test_a_site_may_set_exactly_the_six_thresholds() -> None:
    assert TriageRules.OVERRIDABLE == (
        "fever_amber_c",
        "fever_red_c",
        "stools_amber",
        "stools_red",
        "ambers_for_red",
        "worsening_levels",
    )


def test_overrides_give_new_rules_and_leave_the_defaults_alone() -> None:
    rules = TriageRules()
    changed = rules.with_overrides({"fever_amber_c": 37.5, "stools_red": 8})
    assert (changed.fever_amber_c, changed.stools_red) == (37.5, 8)
    assert (rules.fever_amber_c, rules.stools_red) == (38.0, 7)
    assert changed.answer_rules == rules.answer_rules


def test_no_overrides_change_nothing() -> None:
    assert TriageRules().with_overrides({}) == TriageRules()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"fever_amber_c": "37.5"}, ("fever_amber_c", 37.5)),
        ({"fever_red_c": 40}, ("fever_red_c", 40.0)),
        ({"stools_amber": "3"}, ("stools_amber", 3)),
        ({"stools_red": 10.0}, ("stools_red", 10)),
    ],
)
def test_overrides_written_as_text_or_whole_floats_are_read(
    overrides: dict[str, Any], expected: tuple[str, float]
) -> None:
    key, value = expected
    changed = getattr(TriageRules().with_overrides(overrides), key)
    assert (changed, type(changed)) == (value, type(value))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"fever_amber_c": 34.9}, "fever_amber_c"),
        ({"fever_red_c": 42.1}, "fever_red_c"),
        ({"fever_amber_c": "hot"}, "fever_amber_c"),
        ({"fever_amber_c": True}, "fever_amber_c"),
        ({"fever_amber_c": math.nan}, "fever_amber_c"),
        ({"fever_red_c": math.inf}, "fever_red_c"),
        ({"fever_amber_c": None}, "fever_amber_c"),
        ({"fever_amber_c": 39.0}, "fever_amber_c"),  # not below red
        ({"fever_red_c": 37.5}, "fever_red_c"),  # not above amber
        ({"fever_amber_c": 40.0, "fever_red_c": 39.5}, "fever_amber_c"),
        ({"stools_amber": 0}, "stools_amber"),
        ({"stools_amber": 7}, "stools_amber"),
        ({"stools_red": 3}, "stools_red"),
        ({"stools_red": 31}, "stools_red"),
        ({"stools_red": 7.5}, "stools_red"),
        ({"stools_amber": False}, "stools_amber"),
        ({"ambers_for_red": 0}, "ambers_for_red"),
        ({"ambers_for_red": 11}, "ambers_for_red"),
        ({"worsening_levels": 0}, "worsening_levels"),
        ({"worsening_levels": 4}, "worsening_levels"),
        ({"worsening_levels": "two"}, "worsening_levels"),
        ({"stools_red": 10**400}, "stools_red"),  # past any float: found by the hostile fuzz
        ({"fever_red_c": -(10**400)}, "fever_red_c"),
        ({"ambers_for_red": "9" * 5000}, "ambers_for_red"),  # past int()'s 4,300 digits
        ({"stools_amber": "²"}, "stools_amber"),
    ],
)
def test_a_bad_override_is_refused_naming_its_key(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(RulesError, match=rf"^{field}: ") as error:
        TriageRules().with_overrides(overrides)
    assert error.value.field == field


def test_an_unknown_override_says_which_keys_a_site_may_set() -> None:
    with pytest.raises(RulesError, match="a site may set only fever_amber_c, fever_red_c"):
        TriageRules().with_overrides({"fever_c": 38})


def test_a_rules_error_is_a_value_error() -> None:
    assert issubclass(RulesError, ValueError)


# --- the rules file -----------------------------------------------------------------------


def test_a_rules_file_with_changed_thresholds_loads(tmp_path: Path) -> None:
    document = packaged()
    document["thresholds"]["fever_amber_c"] = 37.8
    assert load_triage_rules(write(tmp_path, document)).fever_amber_c == 37.8


def entry(document: dict[str, Any], level: str, index: int = 0) -> dict[str, Any]:
    return document["answers"][level][index]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("thresholds"), r"the file: missing thresholds"),
        (lambda d: d.update(extra=1), r"the file: unknown field extra"),
        (lambda d: d["thresholds"].pop("stools_red"), r"thresholds: missing stools_red"),
        (
            lambda d: d["thresholds"].update(fever_red_c=50),
            r"thresholds fever_red_c: must be a number from 35 to 42",
        ),
        (
            lambda d: d["thresholds"].update(stools_amber=9),
            r"thresholds stools_amber: stools_amber must be below stools_red",
        ),
        (
            lambda d: entry(d, "red").update(item="bleeding"),
            r"answers red entry 1: item 'bleeding' is not in the item bank",
        ),
        (
            lambda d: entry(d, "emergency").update(answer="maybe"),
            r"answers emergency entry 1: answer 'maybe' must be one of chest_pain's answers",
        ),
        (
            lambda d: entry(d, "amber").pop("code"),
            r"answers amber entry 1: missing code",
        ),
        (
            lambda d: entry(d, "amber").update(code="New Cough"),
            r"answers amber entry 1: code 'New Cough' must be a name",
        ),
        (
            lambda d: d["answers"].update(purple=[]),
            r"answers: unknown field purple",
        ),
        (
            lambda d: d["answers"]["amber"].append(dict(entry(d, "amber"))),
            r"answers amber entry 16: new_cough yes is listed twice",
        ),
        (
            lambda d: entry(d, "amber", 1).update(code="new_cough"),
            r"codes: new_cough used more than once",
        ),
        (
            lambda d: d["measurements"][0].update(item="chest_pain"),
            r"measurements entry 1: item 'chest_pain' is a yes_no item, not number or count",
        ),
        (
            lambda d: d["measurements"][0].update(red_from="stools_red"),
            r"measurements entry 1: amber_from and red_from must be one of",
        ),
        (
            lambda d: d.update(free_text=["fatigue"]),
            r"free_text: item 'fatigue' is a severity item, not text",
        ),
    ],
)
def test_a_broken_rules_file_is_refused_naming_file_and_field(
    tmp_path: Path, change: Any, message: str
) -> None:
    document = packaged()
    change(document)
    with pytest.raises(SymptomDataError, match=r"RULES\.yaml: " + message):
        load_triage_rules(write(tmp_path, document))


def test_a_rules_file_that_is_not_yaml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "RULES.yaml"
    path.write_text("thresholds: [unclosed", encoding="utf-8")
    with pytest.raises(SymptomDataError, match=r"RULES\.yaml: cannot be read as YAML"):
        load_triage_rules(path)
