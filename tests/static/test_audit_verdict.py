"""The dependency audit's honesty rule: a pip-audit run that could not reach advisory data is
reported as NOT RUN, never as a pass; a vulnerability found fails CI. Read from outputs captured
on this machine (PyPI's per-version endpoint answering 404, OSV's host not resolving) and from
pip-audit's own wording for a clean run and a finding."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = Path(__file__).resolve().parent / "pip_audit_output"
_spec = importlib.util.spec_from_file_location("audit_verdict", ROOT / "scripts/audit_verdict.py")
audit_verdict = importlib.util.module_from_spec(_spec)
sys.modules["audit_verdict"] = audit_verdict  # dataclasses look their module up while defined
_spec.loader.exec_module(audit_verdict)


def captured(name: str, exit_code: int):
    stdout = (OUTPUTS / f"{name}.stdout").read_text()
    stderr = (OUTPUTS / f"{name}.stderr").read_text()
    return audit_verdict.verdict(exit_code, stdout, stderr)


def test_a_run_that_skipped_every_package_yet_said_no_vulnerabilities_is_not_a_pass() -> None:
    found = captured("pypi_404_loose", 0)  # pip-audit without --strict: exit 0, "No known..."
    assert found.outcome == audit_verdict.NOT_RUN
    assert found.line().startswith("dependency audit: NOT RUN — advisory data unreachable")
    assert "skipped" in found.reason
    assert "passed" not in found.line()


def test_a_strict_run_stopped_by_a_package_it_could_not_audit_is_not_run() -> None:
    found = captured("pypi_404_strict", 1)
    assert found.outcome == audit_verdict.NOT_RUN
    assert "could not be audited: aiohappyeyeballs" in found.reason


def test_an_advisory_host_that_does_not_resolve_is_not_run() -> None:
    found = captured("osv_dns_strict", 1)
    assert found.outcome == audit_verdict.NOT_RUN
    assert "api.osv.dev" in found.reason


def test_not_run_does_not_fail_ci() -> None:
    assert not captured("pypi_404_strict", 1).fails_ci


def test_a_clean_run_that_skipped_nothing_passes() -> None:
    found = captured("clean", 0)
    assert found.outcome == audit_verdict.PASSED
    assert found.line() == "dependency audit: passed — No known vulnerabilities found"
    assert not found.fails_ci


def test_a_vulnerability_found_fails_ci() -> None:
    found = captured("vulnerable", 1)
    assert found.outcome == audit_verdict.VULNERABLE
    assert found.reason == "Found 1 known vulnerability in 1 package"
    assert found.fails_ci


def test_a_missing_pip_audit_is_not_run_with_the_reason() -> None:
    found = audit_verdict.verdict(127, "", "pip-audit is not installed\n")
    assert (
        found.line()
        == "dependency audit: NOT RUN — pip-audit exited 127: pip-audit is not installed"
    )


@pytest.mark.parametrize(
    ("name", "exit_code", "status"), [("vulnerable", 1, 1), ("pypi_404_loose", 0, 0)]
)
def test_the_command_line_exits_1_only_for_a_vulnerability(
    name: str, exit_code: int, status: int
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/audit_verdict.py"),
            str(exit_code),
            str(OUTPUTS / f"{name}.stdout"),
            str(OUTPUTS / f"{name}.stderr"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == status
    assert result.stdout.startswith("dependency audit: ")
