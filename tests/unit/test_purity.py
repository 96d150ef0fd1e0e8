"""The pre-screen core stays pure: no web framework, no database, no clock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import matching

MATCHING_DIR = Path(matching.__file__).resolve().parent
REPO_ROOT = MATCHING_DIR.parent
FORBIDDEN_MODULES = ("flask", "sqlalchemy", "flask_sqlalchemy", "twilio", "companion")
CLOCK_CALL = re.compile(r"\b(?:datetime\.(?:now|utcnow|today)|date\.today|time\.time)\s*\(")

LOADED_TOP_LEVEL_MODULES = """
import json, pkgutil, sys, importlib
import matching
for module in pkgutil.walk_packages(matching.__path__, "matching."):
    importlib.import_module(module.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def modules_loaded_by_importing_matching() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED_TOP_LEVEL_MODULES],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


def test_importing_matching_loads_no_framework_database_or_app_module() -> None:
    assert modules_loaded_by_importing_matching() & set(FORBIDDEN_MODULES) == set()


def test_the_import_check_sees_the_matching_package_itself() -> None:
    assert "matching" in modules_loaded_by_importing_matching()


@pytest.mark.parametrize(
    "path", sorted(MATCHING_DIR.rglob("*.py")), ids=lambda path: str(path.relative_to(MATCHING_DIR))
)
def test_no_matching_module_reads_the_clock(path: Path) -> None:
    assert CLOCK_CALL.findall(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "datetime.now()",
        "date.today()",
        "time.time()",
        "datetime.datetime.now(tz=UTC)",
        "datetime.utcnow()",
    ],
)
def test_the_clock_pattern_recognises_clock_calls(source: str) -> None:
    assert CLOCK_CALL.search(source)
