"""The protocol schedule file is checked at load time; errors name the file and the entry."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from schedules import ScheduleDefinitionError, load_protocol, load_protocol_file
from schedules.loader import PROTOCOLS_DIR

SHIPPED = PROTOCOLS_DIR / "NCT07586904.yaml"
FORBIDDEN_LAY_WORDS = re.compile(
    r"cadonilimab|interferon|IFN|melanoma|cancer|tumou?r|卡度尼利|开坦尼|干扰素|黑色素瘤|癌|肿瘤",
    re.IGNORECASE,
)


def shipped() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")))


def visit_spec(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(spec for spec in document["visits"] if spec["key"] == key)


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "TEST.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("cycles", [2, 3, 4])
def test_the_shipped_file_loads_with_2_3_or_4_cycles(cycles: int) -> None:
    assert load_protocol("NCT07586904", cycles).cycles == cycles


def test_the_shipped_file_defaults_to_2_cycles() -> None:
    assert load_protocol("NCT07586904").last_dose_key == "c2d1"


def test_every_shipped_entry_is_marked_as_a_default_for_the_site_to_confirm() -> None:
    protocol = load_protocol("NCT07586904")
    assert len(protocol.unconfirmed) == len(protocol.visits) + len(protocol.home_doses)
    assert "DEFAULT FOR THE SITE TO CONFIRM" in SHIPPED.read_text(encoding="utf-8")[:400]


def test_shipped_lay_text_never_names_the_disease_or_the_drugs() -> None:
    protocol = load_protocol("NCT07586904", 4)
    texts = [t for v in protocol.visits for t in v.name.values()]
    texts += [t for d in protocol.home_doses for t in d.name.values()]
    texts += [t for text in protocol.preparation.values() for t in text.values()]
    assert [t for t in texts if FORBIDDEN_LAY_WORDS.search(t)] == []


@pytest.mark.parametrize("cycles", [1, 5])
def test_cycles_outside_2_to_4_are_refused(cycles: int) -> None:
    with pytest.raises(ScheduleDefinitionError, match=r"NCT07586904\.yaml: cycles: .*2-4"):
        load_protocol("NCT07586904", cycles)


def test_an_unknown_anchor_is_named_with_file_and_visit(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "post_op")["anchor"] = "operation"
    with pytest.raises(
        ScheduleDefinitionError, match=r"TEST\.yaml: visit 'post_op': .*'operation'"
    ):
        load_protocol_file(write(tmp_path, document))


def test_an_anchor_on_a_later_visit_is_refused(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "restaging")["anchor"] = "surgery"
    with pytest.raises(ScheduleDefinitionError, match="visit 'restaging': unknown anchor"):
        load_protocol_file(write(tmp_path, document))


def test_a_negative_window_is_refused(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "surgery")["window"] = {"before": -1, "after": 7}
    with pytest.raises(ScheduleDefinitionError, match="visit 'surgery' window: before -1"):
        load_protocol_file(write(tmp_path, document))


def test_a_window_without_after_is_refused(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "surgery")["window"] = {"before": 7}
    with pytest.raises(ScheduleDefinitionError, match="visit 'surgery' window: missing after"):
        load_protocol_file(write(tmp_path, document))


def test_a_missing_translation_is_named(tmp_path: Path) -> None:
    document = shipped()
    del visit_spec(document, "surgery")["name"]["zh"]
    with pytest.raises(ScheduleDefinitionError, match=r"visit 'surgery' name: .*'zh'"):
        load_protocol_file(write(tmp_path, document))


def test_a_missing_preparation_translation_is_named(tmp_path: Path) -> None:
    document = shipped()
    document["preparation"]["fasting"]["zh"] = " "
    with pytest.raises(ScheduleDefinitionError, match=r"preparation 'fasting': .*'zh'"):
        load_protocol_file(write(tmp_path, document))


def test_an_unknown_activity_is_refused(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "surgery")["activities"] = ["dancing"]
    with pytest.raises(ScheduleDefinitionError, match="visit 'surgery': activities"):
        load_protocol_file(write(tmp_path, document))


def test_an_unknown_preparation_key_is_refused(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "surgery")["preparation"] = ["bring_snacks"]
    with pytest.raises(ScheduleDefinitionError, match="unknown preparation 'bring_snacks'"):
        load_protocol_file(write(tmp_path, document))


def test_a_badly_written_time_is_refused(tmp_path: Path) -> None:
    document = shipped()
    visit_spec(document, "surgery")["time"] = "7am"
    with pytest.raises(ScheduleDefinitionError, match="visit 'surgery': time '7am'"):
        load_protocol_file(write(tmp_path, document))


def test_a_home_dose_with_an_unknown_stop_anchor_is_refused(tmp_path: Path) -> None:
    document = shipped()
    document["home_doses"][0]["stop"]["anchor"] = "operation"
    with pytest.raises(ScheduleDefinitionError, match="home dose 'home_injection' stop: unknown"):
        load_protocol_file(write(tmp_path, document))


def test_yes_stays_a_word_not_a_boolean(tmp_path: Path) -> None:
    path = write(tmp_path, shipped())
    path.write_text(
        path.read_text(encoding="utf-8").replace("confirmed: false", "confirmed: no", 1),
        encoding="utf-8",
    )
    with pytest.raises(ScheduleDefinitionError, match="confirmed must be true or false"):
        load_protocol_file(path)


def test_a_visit_s_length_and_place_come_from_the_file() -> None:
    protocol = load_protocol("NCT07586904")
    assert (protocol.visit("checkin_d8").place, protocol.visit("checkin_d8").minutes) == (
        "phone",
        15,
    )
    assert protocol.visit("c1d1").place == "clinic"


def test_the_allowed_range_of_cycles_is_read_from_the_file() -> None:
    assert load_protocol("NCT07586904").cycle_range == (2, 4)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("place", "home", "place 'home' must be one of clinic, phone"),
        ("minutes", 0, "minutes 0 is below 1"),
        ("minutes", "an hour", "minutes 'an hour' is not a whole number"),
    ],
)
def test_a_bad_length_or_place_is_named_with_the_visit(
    tmp_path: Path, field: str, value: Any, problem: str
) -> None:
    document = shipped()
    visit_spec(document, "restaging")[field] = value
    with pytest.raises(ScheduleDefinitionError, match=f"visit 'restaging': {re.escape(problem)}"):
        load_protocol_file(write(tmp_path, document))
