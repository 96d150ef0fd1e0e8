"""Dispatchers killed at random points lose no message and send none twice.

The real worker (`python -m flask --app wsgi sms dispatch`) runs as a subprocess against a
database of its own and the Twilio stand-in, and is SIGKILLed again and again while it works
through an outbox of due messages: sometimes the moment Twilio accepts a message (before the
worker can record its sid: the duplicate window of docs/messaging.md), sometimes after a few
messages, sometimes a random moment into its work. Then a last worker finishes and is stopped
with SIGTERM. Every message must end `sent` with a sid Twilio gave it, and Twilio must have
received each exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from companion.app import create_app
from companion.db import db
from companion.messaging.models import SENT, OutboundMessage
from tests.conftest import database_of_its_own
from tests.outbox_rows import make_patient, queue_message
from tests.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, AcceptedMessage, StandinControl

pytestmark = pytest.mark.chaos

REPO = Path(__file__).resolve().parents[2]
MESSAGES = 300
KILLS = 50
LEASE_SECONDS = 5  # the least the configuration allows: crashed claims come back quickly
SETTLE_TIMEOUT = 60.0
# How long a worker gets to reach its kill point (past the leases of the last one's claims).
WORKER_PATIENCE = LEASE_SECONDS + 3.0


@pytest.fixture
def outbox_database(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """(app, DATABASE_URL for a subprocess) of a migrated database of its own."""
    with database_of_its_own(tmp_path / "chaos.sqlite3", "chaos") as (url, options):
        app = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
        )
        with app.app_context():
            upgrade(directory=str(REPO / "migrations"))
        search_path = options.get("connect_args", {}).get("options")
        yield app, url + (f"?options={quote(search_path)}" if search_path else "")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def fill_outbox(app: Flask, count: int, due_at: datetime) -> None:
    """`count` due messages, ten per patient, each with a body of its own."""
    with app.app_context():
        for first in range(0, count, 10):
            patient = make_patient(db.session)
            for number in range(first, min(first + 10, count)):
                queue_message(
                    db.session,
                    patient,
                    due_at=due_at,
                    kind="reply",  # not held by quiet hours, whenever the suite runs
                    body=f"Message {number}: your visit is tomorrow at 09:00. Reply C to confirm.",
                )
        db.session.commit()


def worker_environment(database_url: str, standin_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE": standin_url,
        "SMS_MESSAGES_PER_SECOND": "1000",
        "SMS_SEND_TIMEOUT_SECONDS": "1",
        "SMS_LEASE_SECONDS": str(LEASE_SECONDS),
        "SMS_RATE_STORAGE_URI": "memory://",
        **extra,
    }


def start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "sms", "dispatch"],
            cwd=REPO,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until_all_sent(app: Flask, count: int, workers: list[subprocess.Popen]) -> None:
    """Poll the outbox until every message is sent (the workers are other processes)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        with app.app_context():
            sent = db.session.scalar(select(func.count()).where(OutboundMessage.status == SENT))
            db.session.remove()
        if sent == count:
            return
        assert all(worker.poll() is None for worker in workers), "a worker exited early"
        time.sleep(0.2)
    pytest.fail(f"only {sent} of {count} messages were sent within {SETTLE_TIMEOUT:.0f} s")


def stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0


def sent_rows(app: Flask) -> list[OutboundMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboundMessage)).all()
        db.session.remove()
    return list(rows)


def assert_each_sent_once(app: Flask, standin: StandinControl) -> None:
    rows = sent_rows(app)
    accepted_sids = {message.sid for message in standin.accepted}
    assert len(rows) == MESSAGES
    assert {row.status for row in rows} == {SENT}, "a message was lost"
    assert all(row.provider_sid in accepted_sids for row in rows)
    assert standin.count() == MESSAGES + standin.duplicates()
    assert standin.duplicates() == 0


def test_a_worker_killed_fifty_times_loses_nothing_and_sends_nothing_twice(
    outbox_database, twilio_standin, tmp_path
):
    app, database_url = outbox_database
    standin_url, standin = twilio_standin
    fill_outbox(app, MESSAGES, datetime.now(UTC) - timedelta(minutes=1))
    environment = worker_environment(database_url, standin_url)
    rng = random.Random(int(os.environ.get("CHAOS_SEED", "20261125")))
    log = tmp_path / "workers.log"
    landed = {"at acceptance": 0, "after some messages": 0, "mid-work": 0}
    kills = 0
    while kills < KILLS:
        worker = start_worker(environment, log)
        before = standin.count()
        way = rng.choice(list(landed))
        if way == "at acceptance":
            killed = threading.Event()
            skip = rng.randrange(0, 4)

            def kill_on_acceptance(_message: AcceptedMessage, worker=worker, killed=killed) -> None:
                nonlocal skip
                if skip == 0:
                    worker.kill()  # Twilio has it; the worker never learns its sid
                    killed.set()
                skip -= 1

            standin.on_accept = kill_on_acceptance
            killed.wait(timeout=WORKER_PATIENCE)
        elif way == "after some messages":
            target = min(before + rng.randrange(1, 10), MESSAGES)
            standin.wait_for_accepted(target, timeout=WORKER_PATIENCE)
        else:
            standin.wait_for_accepted(min(before + 1, MESSAGES), timeout=WORKER_PATIENCE)
            time.sleep(rng.uniform(0, 0.05))  # a random moment into its work
        worker.kill()
        worker.wait(timeout=10)
        standin.on_accept = None
        landed[way] += 1
        kills += 1

    last = start_worker(environment, log)
    wait_until_all_sent(app, MESSAGES, [last])
    stop(last)

    print(
        f"\nchaos: {kills} kills ({', '.join(f'{n} {way}' for way, n in landed.items())}); "
        f"{standin.count()} accepted for {MESSAGES} messages; "
        f"{standin.duplicates()} duplicates; {standin.list_requests} list requests"
    )
    assert_each_sent_once(app, standin)


def test_three_workers_at_once_send_each_message_once(outbox_database, twilio_standin, tmp_path):
    app, database_url = outbox_database
    standin_url, standin = twilio_standin
    # Due a moment from now, so that all three are polling when the messages fall due.
    fill_outbox(app, MESSAGES, datetime.now(UTC) + timedelta(seconds=3))
    standin.on_accept = lambda _message: time.sleep(0.01)  # Twilio takes its time too
    environment = worker_environment(database_url, standin_url)
    workers = [start_worker(environment, tmp_path / f"worker-{n}.log") for n in range(3)]

    wait_until_all_sent(app, MESSAGES, workers)
    for worker in workers:
        stop(worker)

    claimed_by = {row.claimed_by for row in sent_rows(app)}
    print(
        f"\nthree workers: {MESSAGES} messages, sent by {len(claimed_by)} of them; "
        f"{standin.duplicates()} duplicates"
    )
    assert len(claimed_by) >= 2
    assert_each_sent_once(app, standin)
