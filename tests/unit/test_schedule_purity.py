"""The schedule core stays pure: no web framework, no database, no clock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import schedules
from tests.unit.test_purity import CLOCK_CALL, FORBIDDEN_MODULES

SCHEDULES_DIR = Path(schedules.__file__).resolve().parent

LOADED_TOP_LEVEL_MODULES = """
import json, pkgutil, sys, importlib
import schedules
for module in pkgutil.walk_packages(schedules.__path__, "schedules."):
    importlib.import_module(module.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def modules_loaded_by_importing_schedules() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED_TOP_LEVEL_MODULES],
        cwd=SCHEDULES_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


def test_importing_schedules_loads_no_framework_database_or_app_module() -> None:
    loaded = modules_loaded_by_importing_schedules()
    assert "schedules" in loaded
    assert loaded & set(FORBIDDEN_MODULES) == set()


@pytest.mark.parametrize(
    "path",
    sorted(SCHEDULES_DIR.rglob("*.py")),
    ids=lambda path: str(path.relative_to(SCHEDULES_DIR)),
)
def test_no_schedules_module_reads_the_clock(path: Path) -> None:
    assert CLOCK_CALL.findall(path.read_text(encoding="utf-8")) == []
