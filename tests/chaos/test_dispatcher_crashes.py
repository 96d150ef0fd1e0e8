"""Several dispatchers at once send each message once.

Three real workers (`flask --app wsgi sms dispatch`, see tests/chaos/workers.py) share one
outbox of due messages and the Twilio stand-in; every message must end `sent` with a sid Twilio
gave it, and Twilio must have received each exactly once. Workers killed again and again, while
patients opt out, are the subject of test_crashes_while_patients_opt_out.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from companion.db import db
from companion.messaging.models import SENT
from tests.chaos.conftest import all_rows, count_messages, poll_until, worker_environment
from tests.chaos.workers import ForkedWorkers
from tests.outbox_rows import make_patient, queue_message
from tests.twilio_standin import StandinControl

pytestmark = pytest.mark.chaos

MESSAGES = 300
SETTLE_TIMEOUT = 60.0


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
        db.session.remove()


def assert_each_sent_once(app: Flask, standin: StandinControl) -> None:
    rows = all_rows(app)
    accepted_sids = {message.sid for message in standin.accepted}
    assert len(rows) == MESSAGES
    assert {row.status for row in rows} == {SENT}, "a message was lost"
    assert all(row.provider_sid in accepted_sids for row in rows)
    assert standin.count() == MESSAGES + standin.duplicates()
    assert standin.duplicates() == 0


def test_three_workers_at_once_send_each_message_once(
    outbox_database, twilio_standin, forked_workers: ForkedWorkers, tmp_path
):
    app, database_url = outbox_database
    standin_url, standin = twilio_standin
    # Due a moment from now, so that all three are polling when the messages fall due.
    fill_outbox(app, MESSAGES, datetime.now(UTC) + timedelta(seconds=3))
    standin.on_accept = lambda _message: time.sleep(0.01)  # Twilio takes its time too
    environment = worker_environment(database_url, standin_url)
    workers = [forked_workers.start(environment, tmp_path / f"worker-{n}.log") for n in range(3)]

    def all_sent() -> bool:
        assert all(worker.alive() for worker in workers), "a worker exited early"
        return count_messages(app, SENT) == MESSAGES

    try:
        sent = poll_until(all_sent, SETTLE_TIMEOUT)
        for worker in workers:
            worker.terminate()
        assert [worker.wait(timeout=15) for worker in workers] == [0, 0, 0]
    finally:
        for worker in workers:
            if worker.wait(timeout=0) is None:
                worker.kill()  # a failed run leaves no worker behind
    assert sent, f"not every message was sent within {SETTLE_TIMEOUT:.0f} s"

    claimed_by = {row.claimed_by for row in all_rows(app)}
    print(
        f"\nthree workers: {MESSAGES} messages, sent by {len(claimed_by)} of them; "
        f"{standin.duplicates()} duplicates"
    )
    assert len(claimed_by) >= 2
    assert_each_sent_once(app, standin)
