"""What a pip-audit run proved, read from its exit code and output: passed, vulnerable, not run.

pip-audit can say "No known vulnerabilities found" and exit 0 without having checked anything:
when its advisory source answers 404 for every package (as PyPI's per-version endpoint does on
this network) it skips them all. `--strict` turns skips into a failure, but a failure is not a
finding either. So a run counts as a pass only when it exited 0, said "No known vulnerabilities
found" and skipped nothing; a run that found vulnerabilities fails CI; anything else is NOT RUN,
with the reason, and is never reported as a pass.

Usage: `python scripts/audit_verdict.py EXIT_CODE STDOUT_FILE STDERR_FILE`; prints one line and
exits 0 (passed, not run) or 1 (vulnerable).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

PASSED, VULNERABLE, NOT_RUN = "passed", "vulnerable", "not run"
FOUND = re.compile(r"Found \d+ known vulnerabilit(?:y|ies)[^\n]* in \d+ packages?")
CLEAN = "No known vulnerabilities found"
# Signs that some or all dependencies were not checked against advisory data.
UNCHECKED = (
    re.compile(r"Dependency not found on PyPI and could not be audited: [^\n]+"),
    re.compile(r"Failed to resolve '[^']+'"),
    re.compile(r"Name or service not known|Temporary failure in name resolution"),
    re.compile(r"Max retries exceeded[^\n]*"),
    re.compile(r"ConnectionError[^\n]*"),
    re.compile(r"your network may be blocking this service"),
)


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str

    @property
    def fails_ci(self) -> bool:
        """Only a vulnerability found fails: the network is outside the project's control."""
        return self.outcome == VULNERABLE

    def line(self) -> str:
        if self.outcome == PASSED:
            return f"dependency audit: passed — {self.reason}"
        if self.outcome == VULNERABLE:
            return f"dependency audit: FAILED — {self.reason}"
        return f"dependency audit: NOT RUN — {self.reason}"


def verdict(exit_code: int, stdout: str, stderr: str) -> Verdict:
    """The outcome of one pip-audit run (see the module's docstring for the rules)."""
    output = f"{stdout}\n{stderr}"
    found = FOUND.search(output)
    if found:
        return Verdict(VULNERABLE, found.group(0))
    for sign in UNCHECKED:
        unchecked = sign.search(output)
        if unchecked:
            skipped = output.count("could not be audited")
            many = f" ({skipped} dependencies skipped)" if skipped > 1 else ""
            return Verdict(NOT_RUN, f"advisory data unreachable: {unchecked.group(0)}{many}")
    if exit_code == 0 and CLEAN in output:
        return Verdict(PASSED, CLEAN)
    last = next((line for line in reversed(output.splitlines()) if line.strip()), "no output")
    return Verdict(NOT_RUN, f"pip-audit exited {exit_code}: {last.strip()}")


def main(argv: list[str]) -> int:
    exit_code, stdout, stderr = int(argv[1]), Path(argv[2]), Path(argv[3])
    found = verdict(
        exit_code, stdout.read_text(errors="replace"), stderr.read_text(errors="replace")
    )
    print(found.line())
    return 1 if found.fails_ci else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
