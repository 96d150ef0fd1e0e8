"""PostgreSQL under faults, on a private throwaway cluster: never a 500, never half a write.

A backend terminated in the middle of a request's transaction (right after its first INSERT, or
just before its COMMIT) answers 503 with Retry-After and leaves no row of that transaction; the
next request succeeds on the same app. With the server stopped, the API, the pages and the health
check answer 503, and the first request after it is back succeeds; after a restart while the app
was idle, the first request succeeds too (the pool pings what it hands out). Under load from several
threads against gunicorn, `pg_ctl restart -m fast` and `-m immediate` give only 200s and 503s,
every acknowledged write is stored and no refused one is, the same workers serve again within a
bounded time.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gunicorn.config
import psycopg
import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from companion.chat.service import token_digest
from companion.db import db
from companion.errors import DATABASE_UNAVAILABLE
from tests.faults.clinic import migrated_app, open_clinic, row_counts
from tests.faults.private_postgres import PrivateCluster, free_port
from tests.faults.report_writer import RED_ANSWERS
from tests.symptom_reports import patient_reports

pytestmark = pytest.mark.chaos

REPO = Path(__file__).resolve().parents[2]
CHAT = "/api/v1/chat"
FIRST_MESSAGE = {"conversation_id": None, "text": "hello", "language": "en"}
UNAVAILABLE_BODY = {"code": 503, "status": "Service Unavailable", "message": DATABASE_UNAVAILABLE}
LOAD_THREADS = 4
GUNICORN_WORKERS = 2
SERVER_START_SECONDS = 60.0  # gunicorn importing the app on a busy 2-core machine
RECOVERY_SECONDS = 10.0  # from the restarted server accepting connections to a 2xx again


@dataclass(frozen=True)
class Clinic:
    app: Flask
    headers: dict[str, str]
    patient_id: int


@pytest.fixture(scope="module")
def clinic(cluster: PrivateCluster) -> Iterator[Clinic]:
    with migrated_app(cluster.url) as app:
        headers, patient_id = open_clinic(app)
        yield Clinic(app, headers, patient_id)


def terminate_backend(cluster: PrivateCluster, connection: Connection) -> None:
    """Kill the server process behind `connection` from another session; wait till it is gone."""
    pid = connection.connection.dbapi_connection.info.backend_pid
    with psycopg.connect(cluster.libpq_url, autocommit=True) as admin:
        cursor = admin.execute("SELECT pg_terminate_backend(%s::integer, 10000)", (pid,))
        assert cursor.fetchone() == (True,)


@contextmanager
def backend_killed_in_report_transaction(
    engine: Engine, cluster: PrivateCluster, moment: str
) -> Iterator[list[int]]:
    """Terminate the backend of the next symptom-report transaction at `moment`: right after
    its first INSERT ("after the first insert") or just before its COMMIT ("before commit").

    Yields the list of backends killed (one, once it has happened).
    """
    killed: list[int] = []
    report_inserted = threading.Event()

    def after_statement(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if killed or not statement.startswith("INSERT INTO symptom_reports"):
            return
        report_inserted.set()
        if moment == "after the first insert":
            terminate_backend(cluster, connection)
            killed.append(1)

    def before_commit(connection: Connection) -> None:
        if not killed and report_inserted.is_set() and moment == "before commit":
            terminate_backend(cluster, connection)
            killed.append(1)

    event.listen(engine, "after_cursor_execute", after_statement)
    event.listen(engine, "commit", before_commit)
    try:
        yield killed
    finally:
        event.remove(engine, "after_cursor_execute", after_statement)
        event.remove(engine, "commit", before_commit)


@pytest.mark.parametrize("moment", ["after the first insert", "before commit"])
def test_a_report_whose_connection_is_killed_mid_transaction_gets_503_and_leaves_no_row(
    clinic: Clinic, cluster: PrivateCluster, moment: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = clinic.app.test_client()
    url = patient_reports(clinic.patient_id)
    before = row_counts(clinic.app)
    with clinic.app.app_context():
        engine = db.engine

    with backend_killed_in_report_transaction(engine, cluster, moment) as killed:
        refused = client.post(url, json={"answers": RED_ANSWERS}, headers=clinic.headers)

    assert killed, "the fault was never injected"
    assert refused.status_code == 503
    assert refused.get_json() == UNAVAILABLE_BODY
    assert int(refused.headers["Retry-After"]) > 0
    assert row_counts(clinic.app) == before
    warnings = [r.getMessage() for r in caplog.records if r.name == "companion.errors"]
    assert warnings == [
        "database unavailable on POST /api/v1/patients/<int:patient_id>/symptom-reports: "
        "psycopg.errors.AdminShutdown (57P01), connection lost"
    ]
    answered = client.post(url, json={"answers": RED_ANSWERS}, headers=clinic.headers)
    assert answered.status_code == 201, answered.get_json()
    after = row_counts(clinic.app)
    assert after["symptom_reports"] == before["symptom_reports"] + 1
    assert after["outbound_messages"] == before["outbound_messages"] + 2  # on-call, patient


def test_a_stopped_server_gets_503_from_api_pages_and_health_and_the_first_request_after_works(
    clinic: Clinic, cluster: PrivateCluster
) -> None:
    client = clinic.app.test_client()
    started = client.post(CHAT, json=FIRST_MESSAGE)
    assert started.status_code == 200
    page = f"/chat/{started.get_json()['conversation_id']}"
    before = row_counts(clinic.app)

    cluster.stop("fast")
    try:
        health = client.get("/healthz")
        chat = client.post(CHAT, json=FIRST_MESSAGE)
        report = client.post(
            patient_reports(clinic.patient_id),
            json={"answers": RED_ANSWERS},
            headers=clinic.headers,
        )
        page_down = client.get(page)
    finally:
        cluster.start()
    first_after = client.post(CHAT, json=FIRST_MESSAGE)

    assert [r.status_code for r in (health, chat, report, page_down)] == [503] * 4
    assert all(int(r.headers["Retry-After"]) > 0 for r in (health, chat, report, page_down))
    assert chat.get_json() == report.get_json() == UNAVAILABLE_BODY
    assert page_down.mimetype == "text/html"
    assert "What you sent was not saved" in page_down.get_data(as_text=True)
    assert "120" in page_down.get_data(as_text=True)  # the emergency number, though all is down
    assert first_after.status_code == 200, first_after.get_json()
    assert client.get(page).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert row_counts(clinic.app)["conversations"] == before["conversations"] + 1


def test_after_a_restart_while_idle_the_first_request_succeeds_on_a_fresh_connection(
    clinic: Clinic, cluster: PrivateCluster
) -> None:
    client = clinic.app.test_client()
    assert client.post(CHAT, json=FIRST_MESSAGE).status_code == 200  # a connection in the pool

    cluster.restart("fast")  # closes every connection the pool holds
    first_after = client.post(CHAT, json=FIRST_MESSAGE)

    assert first_after.status_code == 200, first_after.get_json()


# ---- restarts under load ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One request of the load: when it was sent and answered, and what came back."""

    sent: float
    answered: float
    status: int | None  # None: no HTTP answer at all (connection dropped or timed out)
    body: dict[str, Any] | None
    retry_after: str | None
    failure: str | None = None


def post_json(port: int, path: str, body: dict[str, Any]) -> Outcome:
    sent = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
        parsed = (
            json.loads(raw) if response.getheader("Content-Type") == "application/json" else None
        )
        return Outcome(
            sent, time.monotonic(), response.status, parsed, response.getheader("Retry-After")
        )
    except (OSError, http.client.HTTPException) as error:
        return Outcome(sent, time.monotonic(), None, None, None, repr(error))
    finally:
        connection.close()


class Load:
    """Threads that start chat conversations through the server until told to stop."""

    def __init__(self, port: int, threads: int) -> None:
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(port,), daemon=True) for _ in range(threads)
        ]

    def _run(self, port: int) -> None:
        while not self._stop.is_set():
            outcome = post_json(port, CHAT, FIRST_MESSAGE)
            with self._lock:
                self.outcomes.append(outcome)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def wait_for(self, condition: Callable[[list[Outcome]], bool], seconds: float) -> float:
        """Poll until `condition(outcomes)` holds; the time it took. Fails after `seconds`."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            with self._lock:
                if condition(list(self.outcomes)):
                    return time.monotonic() - started
            time.sleep(0.02)
        pytest.fail(f"the load did not reach its condition within {seconds:.0f} s")


def gunicorn_workers(master: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return {int(pid) for pid in children}


@contextmanager
def gunicorn_on(cluster: PrivateCluster, port: int, log: Path) -> Iterator[subprocess.Popen]:
    """gunicorn (the production server, engines made after fork) on the private cluster."""
    environment = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "RATELIMIT_ENABLED": "false",
    }
    command = [sys.executable, "-m", "gunicorn", "--preload", "-w", str(GUNICORN_WORKERS)]
    command += ["-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"]
    if "control_socket_disable" in gunicorn.config.Config().settings:
        # gunicorn 27 opens a control socket at one path under $HOME, which parallel runs share
        command.append("--no-control-socket")
    with log.open("wb") as output:
        master = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not (_healthy(port) and len(gunicorn_workers(master)) == GUNICORN_WORKERS):
            assert master.poll() is None, f"gunicorn exited: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"gunicorn not up: {log.read_text()[-2000:]}"
            time.sleep(0.1)
        yield master
    finally:
        master.send_signal(signal.SIGINT)  # quick shutdown: the test is over
        master.wait(timeout=30)


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def stored_conversations(cluster: PrivateCluster) -> dict[str, int]:
    """Token digest -> number of transcript lines, for every web conversation."""
    with psycopg.connect(cluster.libpq_url) as connection:
        rows = connection.execute(
            "SELECT c.token_digest, count(t.id) FROM conversations c"
            " LEFT JOIN conversation_turns t ON t.conversation_id = c.id"
            " WHERE c.channel = 'web' GROUP BY c.token_digest"
        ).fetchall()
    return dict(rows)


def test_restarts_under_load_answer_200_or_503_keep_each_acknowledged_write_and_recover(
    clinic: Clinic, cluster: PrivateCluster, tmp_path: Path
) -> None:
    port = free_port()
    before = stored_conversations(cluster)
    restarts: dict[str, float] = {}  # how long `pg_ctl restart` took
    recoveries: dict[str, float] = {}  # from then to the first 200 of a request sent after it
    with gunicorn_on(cluster, port, tmp_path / "gunicorn.log") as master:
        workers = gunicorn_workers(master)
        with Load(port, LOAD_THREADS) as load:
            load.wait_for(lambda outcomes: _successes(outcomes) >= 10, 30)
            for mode in ("fast", "immediate"):
                restarting = time.monotonic()
                cluster.restart(mode)
                back = time.monotonic()
                restarts[mode] = back - restarting
                recoveries[mode] = load.wait_for(
                    lambda outcomes, back=back: any(
                        o.status == 200 and o.sent >= back for o in outcomes
                    ),
                    RECOVERY_SECONDS,
                )
            load.wait_for(lambda outcomes: _successes(outcomes) >= 10 + 20, 30)
        assert gunicorn_workers(master) == workers, "a worker died and was replaced"
        assert master.poll() is None

    outcomes = load.outcomes
    logged = Counter(
        line.split(": ", 1)[1]
        for line in (tmp_path / "gunicorn.log").read_text().splitlines()
        if "database unavailable on" in line
    )
    refused = [o for o in outcomes if o.status == 503]
    acknowledged = [o.body["conversation_id"] for o in outcomes if o.status == 200]
    stored = stored_conversations(cluster)
    new = {digest: turns for digest, turns in stored.items() if digest not in before}
    print(
        f"\npostgres restarts under load: {len(outcomes)} requests from {LOAD_THREADS} threads to "
        f"{GUNICORN_WORKERS} workers; {len(acknowledged)} answered 200, {len(refused)} 503; "
        f"restart -m fast {restarts['fast']:.2f} s, then first 200 {recoveries['fast']:.2f} s; "
        f"-m immediate {restarts['immediate']:.2f} s, then {recoveries['immediate']:.2f} s; "
        f"503s by cause: {dict(logged)}"
    )
    assert [o for o in outcomes if o.status is None] == [], "a request got no HTTP answer"
    assert {o.status for o in outcomes} <= {200, 503}
    assert refused, "the restarts were never felt"
    assert all(o.body == UNAVAILABLE_BODY and int(o.retry_after or 0) > 0 for o in refused)
    assert set(new) == {token_digest(token) for token in acknowledged}, "a 200 lost or a 503 stored"
    assert len(new) == len(acknowledged)
    assert len(set(new.values())) == 1, "conversations with different numbers of lines"


def _successes(outcomes: list[Outcome]) -> int:
    return sum(1 for o in outcomes if o.status == 200)
