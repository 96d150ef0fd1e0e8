"""Urgency is ordered from routine to emergency and named as the API names it."""

from __future__ import annotations

import pytest

from symptoms import Urgency


def test_urgencies_are_ordered_from_green_to_emergency() -> None:
    assert sorted(Urgency, reverse=True) == [
        Urgency.EMERGENCY,
        Urgency.RED,
        Urgency.AMBER,
        Urgency.GREEN,
    ]
    assert Urgency.AMBER > Urgency.GREEN


@pytest.mark.parametrize(
    ("urgency", "name"),
    [
        (Urgency.GREEN, "green"),
        (Urgency.AMBER, "amber"),
        (Urgency.RED, "red"),
        (Urgency.EMERGENCY, "emergency"),
    ],
)
def test_each_urgency_has_the_lower_case_name_the_api_uses(urgency: Urgency, name: str) -> None:
    assert (urgency.name_lower, urgency.label, urgency.value_name) == (name, name, name)
    assert Urgency.from_name(name) is urgency


def test_a_name_is_read_in_any_case() -> None:
    assert Urgency.from_name(" Red ") is Urgency.RED


@pytest.mark.parametrize("name", ["purple", "", "2", None])
def test_an_unknown_name_is_refused_with_the_allowed_names(name: object) -> None:
    with pytest.raises(ValueError, match="green, amber, red, emergency"):
        Urgency.from_name(name)  # type: ignore[arg-type]
