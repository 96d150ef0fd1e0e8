"""A setting that should be a whole number is read by the shared reader: one written with "²"
(which `str.isdigit()` takes and int() refuses) or with 5,000 digits is refused by name, like any
other wrong value, instead of a ValueError at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.config import ConfigurationError, load_config


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("²", id="superscript-two"),
        pytest.param("1" * 5000, id="5000-digits"),
        pytest.param("-5", id="negative"),
        pytest.param("5.0", id="a-point"),
    ],
)
@pytest.mark.parametrize("name", ["SMS_LEASE_SECONDS", "ARGON2_TIME_COST"])
def test_a_whole_number_setting_not_in_decimal_digits_is_refused_by_name(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_config(tmp_path, {name: value})


def test_a_whole_number_setting_in_decimal_digits_is_read(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"SMS_LEASE_SECONDS": " 90 ", "ARGON2_TIME_COST": "3"})

    assert (config["SMS_LEASE_SECONDS"], config["ARGON2_TIME_COST"]) == (90, 3)
