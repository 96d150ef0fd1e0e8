"""The service under a small concurrent load stays correct: no server errors, every answer the
one its flow expects, and exactly the rows in the database that its answers said were stored.

`benchmarks/load.py --size small` runs once for this module, against the database the suite runs
on (a SQLite file, or a schema of its own in TEST_DATABASE_URL's PostgreSQL): gunicorn with 4
sync workers, 12 s of prospective patients walking the questionnaire and chatting while
coordinators work the triage queue. Throughput is checked only against a generous floor, as a
sign that the load really ran; the speed itself is measured and documented in
docs/performance.md, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DATABASE = os.environ.get("TEST_DATABASE_URL") or "sqlite"
KINDS = ("questionnaire", "chat", "triage")
WRITES = (
    "pre-screens started on the web",
    "answers stored by those pre-screens",
    "chat conversations",
    "pre-screens started by chat",
    "chat lines from people",
    "chat lines from the bot",
    "symptom reports (seeded + phoned in)",
    "reports acknowledged",
    "notes on reports",
)
SANITY_FLOOR_PER_SECOND = 5.0
RUN_TIMEOUT = 180


@pytest.fixture(scope="module")
def load_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small load's results (benchmarks/load.py's JSON), with its printed output."""
    results = tmp_path_factory.mktemp("load") / "load.json"
    command = [sys.executable, str(REPO / "benchmarks" / "load.py"), "--size", "small"]
    done = subprocess.run(
        [*command, "--database", DATABASE, "--json", str(results)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    output = f"{done.stdout}\n{done.stderr[-4000:]}"
    assert results.exists(), f"the load did not finish ({done.returncode}):\n{output}"
    return {**json.loads(results.read_text()), "output": output}


def figures_of(run: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(figures for figures in run["figures"] if figures["kind"] == kind)


def test_no_request_under_load_gets_a_server_error(load_run: dict[str, Any]) -> None:
    everyone = figures_of(load_run, "all")
    assert everyone["server_errors"] == 0, load_run["output"]
    assert not any(status.startswith("5") for status in everyone["statuses"]), load_run["output"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_request_gets_the_answer_its_flow_expects(
    load_run: dict[str, Any], kind: str
) -> None:
    figures = figures_of(load_run, kind)
    assert figures["requests"] > 0, load_run["output"]
    assert figures["connection_errors"] == 0, load_run["output"]
    assert figures["error_rate"] == 0, load_run["output"]


def test_no_request_fails_over_the_whole_run(load_run: dict[str, Any]) -> None:
    assert load_run["errors_whole_run"] == 0, load_run["output"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_user_completes_whole_passes(load_run: dict[str, Any], kind: str) -> None:
    assert figures_of(load_run, kind)["passes"] > 0, load_run["output"]


@pytest.mark.parametrize("what", WRITES)
def test_stored_rows_equal_the_answers_that_said_they_were_stored(
    load_run: dict[str, Any], what: str
) -> None:
    check = next(check for check in load_run["checks"] if check["what"] == what)
    assert check["successful"] > 0, load_run["output"]
    assert check["stored"] == check["successful"], load_run["output"]


def test_throughput_is_above_a_sanity_floor(load_run: dict[str, Any]) -> None:
    assert figures_of(load_run, "all")["requests_per_second"] > SANITY_FLOOR_PER_SECOND, load_run[
        "output"
    ]
