"""The sign-in wait and the password rules stay pure: no web framework, no database, no other
part of the app, no clock (the caller passes the time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_chat_purity import FRAMEWORKS, modules_loaded_by
from tests.unit.test_purity import CLOCK_CALL, REPO_ROOT

CORE = ("companion.access.throttle_policy", "companion.access.password_rules")


@pytest.mark.parametrize("module", CORE)
def test_the_access_rules_load_no_framework_database_or_other_app_module(module: str) -> None:
    loaded = modules_loaded_by(module)
    assert module in loaded
    assert {name.split(".")[0] for name in loaded} & FRAMEWORKS == set()
    app_modules = {name for name in loaded if name.split(".")[0] == "companion"}
    assert app_modules <= {"companion", "companion.access", module}


@pytest.mark.parametrize("module", CORE)
def test_the_access_rules_do_not_read_the_clock(module: str) -> None:
    path = REPO_ROOT / Path(*module.split(".")).with_suffix(".py")
    assert CLOCK_CALL.findall(path.read_text(encoding="utf-8")) == []
