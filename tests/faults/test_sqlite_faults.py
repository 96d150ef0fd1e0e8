"""SQLite under faults: a writer killed mid-transaction, and a lock held past the busy timeout.

A writer process (the app's own symptom-report service, one red report per transaction: the
report, its audit event and two outbox rows) is SIGKILLed at random moments again and again,
most of them inside a transaction (the test counts how many).
After every kill the file passes `PRAGMA integrity_check` and `foreign_key_check`, and each report
is whole: its audit event and both texts are there, or nothing of it is. A request that cannot get
the write lock within the busy timeout answers 503 with Retry-After and stores nothing, and the
same request succeeds once the lock is released.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from companion.errors import DATABASE_UNAVAILABLE
from tests.conftest import csrf_token_from
from tests.faults.clinic import migrated_app, open_clinic, row_counts
from tests.signed_webhooks import AUTH_TOKEN, OUR_NUMBER, new_sid, post_signed

pytestmark = pytest.mark.chaos

REPO = Path(__file__).resolve().parents[2]

KILLS = 40
WRITER_PATIENCE = 20.0  # seconds for a new writer to commit its first report
BUSY_TIMEOUT_MS = 250  # shortened from the production 5 s; the behaviour past it is the same
CHAT = "/api/v1/chat"
FIRST_MESSAGE = {"conversation_id": None, "text": "hello", "language": "en"}


class ReportWriters:
    """`python -m tests.faults.report_writer`: writers forked on demand, SIGKILLed on demand."""

    def __init__(self, server: subprocess.Popen) -> None:
        self._server = server

    def ask(self, command: str) -> list[str]:
        assert self._server.stdin is not None
        assert self._server.stdout is not None
        self._server.stdin.write(command + "\n")
        self._server.stdin.flush()
        return self._server.stdout.readline().split()

    def fork(self) -> int:
        """A new writer; its pid."""
        answer = self.ask("fork")
        assert answer[0] == "forked", answer
        return int(answer[1])

    def kill(self) -> tuple[int, int]:
        """SIGKILL the writer: (its exit code, how many reports it had begun)."""
        answer = self.ask("kill")
        assert answer[0] == "killed", answer
        return int(answer[1]), int(answer[2])


@contextmanager
def report_writers(database_url: str, patient_id: int) -> Iterator[ReportWriters]:
    command = [sys.executable, "-m", "tests.faults.report_writer", database_url, str(patient_id)]
    with subprocess.Popen(
        command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            assert server.stdout.readline().strip() == "ready"
            yield ReportWriters(server)
        finally:
            assert server.stdin is not None
            server.stdin.close()  # the server kills a writer still running, then exits
            try:
                server.wait(timeout=30)
            finally:
                server.kill()


def committed_reports(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT count(*) FROM symptom_reports").fetchone()[0]


def wait_for_reports(path: Path, at_least: int) -> None:
    deadline = time.monotonic() + WRITER_PATIENCE
    while committed_reports(path) < at_least:
        assert time.monotonic() < deadline, f"no report committed within {WRITER_PATIENCE} s"
        time.sleep(0.01)


def assert_intact_with_whole_reports(path: Path) -> int:
    """Integrity and foreign keys check out, and every report is whole; returns the row count."""
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        reports = [row[0] for row in connection.execute("SELECT id FROM symptom_reports")]
        audited = [
            row[0]
            for row in connection.execute(
                "SELECT entity_id FROM audit_events"
                " WHERE entity_type = 'symptom_report' AND action = 'create'"
            )
        ]
        texts = [
            row[0]
            for row in connection.execute(
                "SELECT business_key FROM outbound_messages"
                " WHERE business_key LIKE 'symptom-report:%'"
            )
        ]
        rows = sum(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("symptom_reports", "audit_events", "outbound_messages")
        )
    assert sorted(audited) == sorted(reports), "a report without its audit event, or the reverse"
    expected_texts = {
        f"symptom-report:{report}:{to}" for report in reports for to in ("on-call", "patient")
    }
    assert len(texts) == len(expected_texts)
    assert set(texts) == expected_texts, "a report without both of its texts, or the reverse"
    return rows


def test_a_writer_killed_at_random_moments_again_and_again_leaves_an_intact_file_and_whole_reports(
    tmp_path: Path,
) -> None:
    path = tmp_path / "killed-writers.sqlite3"
    url = f"sqlite:///{path}"
    with migrated_app(url) as app:
        _headers, patient_id = open_clinic(app)
    rng = random.Random(int(os.environ.get("CHAOS_SEED", "20261125")))
    mid_transaction = 0
    rows_checked = 0
    with report_writers(url, patient_id) as writers:
        for _kill in range(KILLS):
            before = committed_reports(path)
            writers.fork()
            wait_for_reports(path, before + 1)
            time.sleep(rng.uniform(0, 0.05))  # a random moment in its work
            exit_code, begun = writers.kill()
            assert exit_code == -signal.SIGKILL, "the writer stopped on its own"
            in_flight = begun - (committed_reports(path) - before)
            assert in_flight in (0, 1)
            mid_transaction += in_flight
            rows_checked = assert_intact_with_whole_reports(path)

    reports = committed_reports(path)
    print(
        f"\nsqlite writer kills: {KILLS} SIGKILLs, {mid_transaction} inside a transaction; "
        f"{reports} reports whole, {rows_checked} rows in their tables at the last check"
    )
    assert reports >= KILLS
    assert mid_transaction >= 1, "no kill landed inside a transaction"


@contextmanager
def write_lock_held(app: Flask) -> Iterator[None]:
    """Another connection holds SQLite's write lock (BEGIN IMMEDIATE) until the block ends."""
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")


def test_a_write_that_waits_past_the_busy_timeout_answers_503_with_retry_after_and_stores_nothing(
    another_app, clean_database: None
) -> None:
    app = another_app(SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    client = app.test_client()
    before = row_counts(app)

    with write_lock_held(app):
        started = time.monotonic()
        refused = client.post(CHAT, json=FIRST_MESSAGE)
        waited = time.monotonic() - started

    assert refused.status_code == 503
    assert refused.get_json() == {
        "code": 503,
        "status": "Service Unavailable",
        "message": DATABASE_UNAVAILABLE,
    }
    assert int(refused.headers["Retry-After"]) > 0
    assert waited >= BUSY_TIMEOUT_MS / 1000
    assert row_counts(app) == before
    answered = client.post(CHAT, json=FIRST_MESSAGE)
    assert answered.status_code == 200, answered.get_json()
    assert row_counts(app)["conversations"] == before["conversations"] + 1


def test_a_page_form_sent_while_the_database_is_locked_gets_the_friendly_page_with_503(
    another_app, clean_database: None
) -> None:
    app = another_app(SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    client = app.test_client()
    form = {"csrf_token": csrf_token_from(client.get("/chat").data), "text": "hello"}
    before = row_counts(app)

    with write_lock_held(app):
        refused = client.post("/chat", data=form)

    assert refused.status_code == 503
    assert refused.mimetype == "text/html"
    assert int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "What you sent was not saved" in page
    assert "call the emergency number 120 now" in page  # the way out, though all is down
    assert "Traceback" not in page
    assert row_counts(app) == before
    assert client.post("/chat", data=form).status_code == 303


@pytest.mark.parametrize(
    ("body", "emergency"),
    [("I can't breathe and my chest hurts", True), ("胸口痛，喘不上气", True), ("C", False)],
)
def test_a_text_that_arrives_while_the_database_is_locked_is_still_answered(
    another_app, clean_database: None, body: str, emergency: bool
) -> None:
    app = another_app(
        SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS, TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=None
    )
    client = app.test_client()
    text = {"MessageSid": new_sid(), "From": "+8613912340077", "To": OUR_NUMBER, "Body": body}
    before = row_counts(app)

    with write_lock_held(app):
        answered = post_signed(client, "/twilio/sms", text)

    assert answered.status_code == 200
    reply = answered.get_data(as_text=True)
    assert "send it again in a few minutes" in reply
    assert "几分钟后" in reply
    assert ("Call 120 now" in reply) is emergency
    assert reply.count("120") == (2 if emergency else 0)  # in English and in Chinese
    assert row_counts(app) == before  # nothing half-stored
