"""The symptom core stays pure: no web framework, no database, no app module, no clock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import symptoms
from tests.unit.test_purity import CLOCK_CALL, FORBIDDEN_MODULES

SYMPTOMS_DIR = Path(symptoms.__file__).resolve().parent

LOADED_TOP_LEVEL_MODULES = """
import json, pkgutil, sys, importlib
import symptoms
for module in pkgutil.walk_packages(symptoms.__path__, "symptoms."):
    importlib.import_module(module.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def modules_loaded_by_importing_symptoms() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED_TOP_LEVEL_MODULES],
        cwd=SYMPTOMS_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


def test_importing_symptoms_loads_no_framework_database_or_app_module() -> None:
    loaded = modules_loaded_by_importing_symptoms()
    assert "symptoms" in loaded
    assert loaded & set(FORBIDDEN_MODULES) == set()


@pytest.mark.parametrize(
    "path",
    sorted(SYMPTOMS_DIR.rglob("*.py")),
    ids=lambda path: str(path.relative_to(SYMPTOMS_DIR)),
)
def test_no_symptoms_module_reads_the_clock(path: Path) -> None:
    assert CLOCK_CALL.findall(path.read_text(encoding="utf-8")) == []
