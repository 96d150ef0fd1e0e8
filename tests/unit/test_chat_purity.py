"""The chat's core stays pure: the dialogue, the answer reader and the intents import no web
framework, database, Twilio or other part of the app, and never read the clock (the caller
passes the time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_purity import CLOCK_CALL, FORBIDDEN_MODULES, REPO_ROOT

CORE = ("companion.chat.dialogue", "companion.chat.reading", "companion.chat.intents")
FRAMEWORKS = {name for name in FORBIDDEN_MODULES if name != "companion"} | {"flask_babel"}
LOADED = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def modules_loaded_by(module: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED, module],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", CORE)
def test_the_chat_core_loads_no_framework_database_or_other_app_module(module: str) -> None:
    loaded = modules_loaded_by(module)
    assert module in loaded
    assert {name.split(".")[0] for name in loaded} & FRAMEWORKS == set()
    app_modules = {name for name in loaded if name.split(".")[0] == "companion"}
    assert app_modules <= {"companion", "companion.chat", *CORE}


@pytest.mark.parametrize("module", CORE)
def test_the_chat_core_does_not_read_the_clock(module: str) -> None:
    path = REPO_ROOT / Path(*module.split(".")).with_suffix(".py")
    assert CLOCK_CALL.findall(path.read_text(encoding="utf-8")) == []
