"""What a load run comes to: figures per kind of user, and stored rows against successful answers.

Pure: exchanges, tallies and row counts in, figures and a printable table out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from load_client import CONNECTION_ERROR, Exchange


@dataclass(frozen=True, slots=True)
class KindFigures:
    """One kind of user over the measured time. Errors are answers the flow did not expect
    (5xx among them), connection errors, and answers whose body could not be read; passes
    (whole flows completed) are counted over the whole run."""

    kind: str
    users: int
    passes: int
    requests: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    server_errors: int
    connection_errors: int
    statuses: Mapping[str, int]

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """Rows of one kind in the database against what the service answered as stored."""

    what: str
    successful: int
    stored: int

    @property
    def holds(self) -> bool:
        return self.stored == self.successful


def percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of values sorted in increasing order (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def figures_of(
    kind: str,
    users: int,
    exchanges: Iterable[Exchange],
    tally: Mapping[str, int],
    seconds: float,
) -> KindFigures:
    """`kind`'s figures from every exchange of the run (`kind` "all": every exchange)."""
    mine = [e for e in exchanges if kind in ("all", e.kind)]
    latencies = sorted(exchange.seconds * 1000 for exchange in mine)
    statuses = Counter("no answer" if e.status == CONNECTION_ERROR else str(e.status) for e in mine)
    return KindFigures(
        kind=kind,
        users=users,
        passes=tally.get("passes", 0),
        requests=len(mine),
        requests_per_second=len(mine) / seconds if seconds else 0.0,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        max_ms=latencies[-1] if latencies else 0.0,
        errors=sum(1 for e in mine if not e.expected) + tally.get("unreadable answers", 0),
        server_errors=sum(1 for e in mine if e.status >= 500),
        connection_errors=statuses["no answer"],
        statuses=dict(sorted(statuses.items())),
    )


def stored_checks(
    tallies: Mapping[str, Mapping[str, int]], stored: Mapping[str, int], seeded_reports: int
) -> list[StoredCheck]:
    """Each kind of row the load writes, counted in the database and in successful answers.

    A web chat message stores the person's line and one bot line per non-empty reply
    (companion/chat/service.py `_finish_turn`); a new chat conversation also starts a
    pre-screen session behind it, which is why sessions are counted apart by channel.
    """
    web, chat, triage = (tallies.get(kind, {}) for kind in ("questionnaire", "chat", "triage"))
    return [
        StoredCheck(
            "pre-screens started on the web",
            web.get("web pre-screens started", 0),
            stored["web pre-screen sessions"],
        ),
        StoredCheck(
            "answers stored by those pre-screens",
            web.get("web answers", 0),
            stored["web pre-screen answers"],
        ),
        StoredCheck(
            "chat conversations",
            chat.get("chat conversations started", 0),
            stored["web conversations"],
        ),
        StoredCheck(
            "pre-screens started by chat",
            chat.get("chat conversations started", 0),
            stored["chat pre-screen sessions"],
        ),
        StoredCheck("chat lines from people", chat.get("chat messages", 0), stored["person lines"]),
        StoredCheck("chat lines from the bot", chat.get("chat bot lines", 0), stored["bot lines"]),
        StoredCheck(
            "symptom reports (seeded + phoned in)",
            seeded_reports + triage.get("reports phoned in", 0),
            stored["symptom reports"],
        ),
        StoredCheck(
            "reports acknowledged",
            triage.get("reports acknowledged", 0),
            stored["acknowledged reports"],
        ),
        StoredCheck("notes on reports", triage.get("notes", 0), stored["report notes"]),
    ]


def table(figures: Sequence[KindFigures], checks: Sequence[StoredCheck]) -> str:
    """The figures and the checks as plain-text tables."""
    head = (
        f"{'kind':<14}{'users':>6}{'passes':>8}{'requests':>10}{'req/s':>8}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'5xx':>6}"
    )
    lines = [head, "-" * len(head)]
    for f in figures:
        lines.append(
            f"{f.kind:<14}{f.users:>6}{f.passes:>8}{f.requests:>10}{f.requests_per_second:>8.1f}"
            f"{f.p50_ms:>9.1f}{f.p95_ms:>9.1f}{f.p99_ms:>9.1f}{f.max_ms:>9.1f}"
            f"{f.errors:>8}{f.server_errors:>6}"
        )
    lines += ["", f"{'stored rows':<40}{'successful':>11}{'stored':>9}  holds", "-" * 67]
    for check in checks:
        lines.append(
            f"{check.what:<40}{check.successful:>11}{check.stored:>9}  "
            f"{'yes' if check.holds else 'NO'}"
        )
    return "\n".join(lines)
