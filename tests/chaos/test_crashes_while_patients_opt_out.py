"""Dispatchers killed two hundred times while patients text STOP: every message still owed goes
out exactly once, and nothing goes to a patient once their opt-out has committed.

The real worker (`flask --app wsgi sms dispatch`, see tests/chaos/workers.py) works through an
outbox of 1,000 due messages for 200 patients against the Twilio stand-in and is SIGKILLed 200
times: at the instant Twilio accepts a message (before the worker can record its sid: the
duplicate window of docs/messaging.md), after a few messages, a random moment into its work, or
a random moment after it starts (during start-up or its first claim). Meanwhile a tenth of the
patients text STOP (some 退订 or TD) through the service's own signed webhook, served over
HTTP, at random moments of the run; two of them text START later and are sent new messages.
Then a last worker, started as `python -m flask`, finishes and is stopped with SIGTERM.

Whether a patient's opt-out had committed when Twilio accepted a message is read from the
database at that instant (the stand-in asks it before answering the worker), so both events are
ordered by the database's own commits rather than by two clocks. A message accepted after the
opt-out committed counts as in flight only if, when the STOP committed, it was already claimed
under a live lease by a worker still alive: a worker that had passed its check just before
sending (docs/messaging.md, "Checked again just before sending"). Anything else is a send after
opt-out, and there must be none.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import and_, create_engine, func, or_, select

from companion.db import db
from companion.enrolment.models import Patient
from companion.messaging.models import (
    CANCELLED,
    PENDING,
    SENDING,
    SENT,
    UNKNOWN,
    OutboundMessage,
)
from tests.chaos.conftest import LEASE_SECONDS, all_rows, poll_until, worker_environment
from tests.chaos.workers import ForkedWorkers, Worker, start_cold_worker
from tests.outbox_rows import make_patient, queue_message
from tests.signed_webhooks import AUTH_TOKEN as WEBHOOK_AUTH_TOKEN
from tests.signed_webhooks import OUR_NUMBER, new_sid, signature
from tests.twilio_standin import AcceptedMessage

pytestmark = pytest.mark.chaos

PATIENTS_TABLE, MESSAGES_TABLE = Patient.__table__, OutboundMessage.__table__

PATIENTS = 200
MESSAGES_EACH = 5
MESSAGES = PATIENTS * MESSAGES_EACH
KILLS = 200
# A tenth of the patients opt out; Twilio acts on STOP, the service alone on 退订 and TD.
OPT_OUT_WORDS = ["STOP"] * 14 + ["退订"] * 3 + ["TD"] * 3
COMING_BACK = 2  # of those who texted STOP, this many text START later
MESSAGES_AFTER_START = 2
LANES = 3  # workers alive at a time, each killed and replaced on its own
BATCHES = (2, 5, 10, 20)  # --batch of each worker
WORKER_PATIENCE = LEASE_SECONDS + 3.0  # long enough for the claims of the last victim to lapse
SETTLE_TIMEOUT = 60.0

AT_ACCEPTANCE = "at the instant Twilio accepted a message"
AFTER_SOME = "after a few messages"
INTO_WORK = "a random moment into its work"
AFTER_START = "a random moment after it started"
NOTHING_CAME = "waited for an acceptance that did not come"


@dataclass(frozen=True)
class Acceptance:
    """A message Twilio accepted: which worker sent it (the row's lease holder at that
    instant), and whether its patient's opt-out had committed by then."""

    message: AcceptedMessage
    sender: str | None
    opted_out: bool


class AcceptanceLedger:
    """The stand-in's `on_accept`: notes each acceptance with its sender and the patient's
    opt-out as the database holds them at that instant (the worker is still waiting for the
    answer), then runs the kill armed for that sender, if any."""

    def __init__(self, database_url: str, engine_options: dict, patients: dict[str, int]):
        self._engine = create_engine(database_url, **engine_options)
        self.patients = patients
        self.message_ids: dict[str, int] = {}  # by body, each unique
        self.accepted: list[Acceptance] = []
        self.kills: dict[int, Callable[[], None]] = {}  # by worker pid
        self._sent_by: Counter[int | None] = Counter()
        self._changed = threading.Condition()

    def __call__(self, message: AcceptedMessage) -> None:
        message_id = self.message_ids.get(message.body)
        with self._engine.connect() as connection:
            opted_out_at = connection.scalar(
                select(PATIENTS_TABLE.c.sms_opted_out_at).where(
                    PATIENTS_TABLE.c.id == self.patients[message.to]
                )
            )
            sender = connection.scalar(
                select(MESSAGES_TABLE.c.claimed_by).where(MESSAGES_TABLE.c.id == message_id)
            )
        pid = worker_pid(sender)
        with self._changed:
            self.accepted.append(Acceptance(message, sender, opted_out_at is not None))
            self._sent_by[pid] += 1
            self._changed.notify_all()
            kill = self.kills.get(pid)
        if kill is not None:
            kill()

    def wait_for_sent_by(self, pid: int, count: int, timeout: float) -> bool:
        """Block until the worker `pid` has had `count` messages accepted (False: timed out)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._sent_by[pid] >= count, timeout)

    def close(self) -> None:
        self._engine.dispose()


@dataclass(frozen=True)
class Claimed:
    """An outbox row as it stood just after an opt-out committed."""

    status: str
    claimed_by: str | None
    lease_until: datetime | None


@dataclass
class Text:
    """A text a patient sends us, and when (once the kill loop has done `after_kills`)."""

    patient_id: int
    phone: str
    word: str
    after_kills: int
    sent_from: datetime | None = None  # just before the request
    answered_at: datetime | None = None  # just after the answer: the commit was in between
    status_code: int | None = None
    rows_then: dict[int, Claimed] = field(default_factory=dict)  # read just after the answer
    queued_after: list[int] = field(default_factory=list)  # messages added after a START


class Texter(threading.Thread):
    """Sends each text through the signed webhook once the kill loop has reached its moment."""

    def __init__(
        self, app: Flask, webhook: str, texts: list[Text], ledger: AcceptanceLedger, seed: float
    ):
        super().__init__(name="patients-texting", daemon=True)
        self.app, self.url, self.ledger = app, f"{webhook}/twilio/sms", ledger
        self.rng = random.Random(seed)
        self.texts = sorted(texts, key=lambda text: text.after_kills)
        self.kills = 0
        self.progress = threading.Condition()
        self.error: BaseException | None = None

    def killed_one(self) -> None:
        with self.progress:
            self.kills += 1
            self.progress.notify_all()

    def run(self) -> None:
        try:
            for text in self.texts:
                with self.progress:
                    self.progress.wait_for(lambda text=text: self.kills >= text.after_kills)
                time.sleep(self.rng.uniform(0, 0.3))  # a random moment of that worker's life
                self.send(text)
        except BaseException as error:  # reported by the test
            self.error = error

    def send(self, text: Text) -> None:
        params = {
            "MessageSid": new_sid(),
            "AccountSid": "AC" + "0" * 32,
            "From": text.phone,
            "To": OUR_NUMBER,
            "Body": text.word,
            "NumMedia": "0",
        }
        text.sent_from = datetime.now(UTC)
        response = requests.post(
            self.url,
            data=params,
            headers={"X-Twilio-Signature": signature(self.url, params, WEBHOOK_AUTH_TOKEN)},
            timeout=30,
        )
        text.answered_at = datetime.now(UTC)
        text.status_code = response.status_code
        with self.app.app_context():
            session = db.session
            text.rows_then = {
                row.id: Claimed(row.status, row.claimed_by, row.lease_until)
                for row in session.execute(
                    select(
                        MESSAGES_TABLE.c.id, MESSAGES_TABLE.c.status, MESSAGES_TABLE.c.claimed_by
                    )
                    .add_columns(MESSAGES_TABLE.c.lease_until)
                    .where(MESSAGES_TABLE.c.patient_id == text.patient_id)
                )
            }
            session.commit()
            if text.word == "START":
                text.queued_after = self.queue_later_messages(session, text.patient_id)
            session.remove()

    def queue_later_messages(self, session, patient_id: int) -> list[int]:
        """New messages for a patient who came back, due at once; returns their ids."""
        patient = session.get(Patient, patient_id)
        queued = []
        for number in range(MESSAGES_AFTER_START):
            body = f"Welcome back ({patient_id}-{number}): your next visit is on Monday."
            message = queue_message(
                session,
                patient,
                due_at=datetime.now(UTC) - timedelta(seconds=1),
                kind="reply",
                body=body,
            )
            self.ledger.message_ids[body] = message.id
            queued.append(message.id)
        session.commit()
        return queued


def fill_outbox(app: Flask, rng: random.Random) -> tuple[dict[str, int], dict[str, int]]:
    """MESSAGES due messages, MESSAGES_EACH per patient, due in an order that mixes the
    patients; returns (patient id by phone number, message id by body)."""
    moments = list(range(MESSAGES))
    rng.shuffle(moments)
    start = datetime.now(UTC) - timedelta(hours=1)
    patients: dict[str, int] = {}
    messages: dict[str, int] = {}
    with app.app_context():
        for first in range(0, MESSAGES, MESSAGES_EACH):
            patient = make_patient(db.session)
            patients[patient.phone_e164] = patient.id
            for number in range(first, first + MESSAGES_EACH):
                body = f"Message {number}: your visit is tomorrow at 09:00. Reply C to confirm."
                message = queue_message(
                    db.session,
                    patient,
                    due_at=start + timedelta(seconds=moments[number]),
                    kind="reply",  # not held by quiet hours, whenever the suite runs
                    body=body,
                )
                messages[body] = message.id
        db.session.commit()
        db.session.remove()
    return patients, messages


def plan_texts(patients: dict[str, int], rng: random.Random) -> list[Text]:
    """Opt-outs of a tenth of the patients at random moments of the kill loop, and STARTs."""
    chosen = rng.sample(sorted(patients), len(OPT_OUT_WORDS))
    texts = [
        Text(patients[phone], phone, word, rng.randrange(2, KILLS - 40))
        for phone, word in zip(chosen, OPT_OUT_WORDS, strict=True)
    ]
    back = [text for text in texts if text.word == "STOP"][:COMING_BACK]
    texts += [
        Text(text.patient_id, text.phone, "START", text.after_kills + rng.randrange(5, 30))
        for text in back
    ]
    return texts


def worker_pid(claimed_by: str | None) -> int | None:
    """The process id in a dispatcher's id (`host-pid-random`)."""
    return int(claimed_by.rsplit("-", 2)[1]) if claimed_by else None


@dataclass
class KillLoop:
    """Lanes of workers, each started, killed somewhere and replaced, until KILLS are done."""

    workers: ForkedWorkers
    environment: dict[str, str]
    log: Path
    ledger: AcceptanceLedger
    texter: Texter
    landed: Counter[str] = field(default_factory=Counter)
    killed_at: dict[int, datetime] = field(default_factory=dict)
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, lanes: int, seed: int) -> None:
        errors: list[BaseException] = []

        def lane(rng: random.Random) -> None:
            try:
                while self.take_a_kill():
                    self.one_kill(rng)
            except BaseException as error:  # raised below
                errors.append(error)

        threads = [
            threading.Thread(target=lane, args=(random.Random(seed + n),), name=f"lane-{n}")
            for n in range(lanes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def take_a_kill(self) -> bool:
        with self.lock:
            if self.started >= KILLS:
                return False
            self.started += 1
            return True

    def one_kill(self, rng: random.Random) -> None:
        worker = self.workers.start(self.environment, self.log, "--batch", str(rng.choice(BATCHES)))
        try:
            way = kill_somewhere(worker, self.ledger, rng)
        finally:
            worker.kill()
        killed = datetime.now(UTC)
        assert worker.wait(timeout=10) is not None, "a killed worker is still running"
        self.ledger.kills.pop(worker.pid, None)
        with self.lock:
            self.killed_at[worker.pid] = killed
            self.landed[way] += 1
        self.texter.killed_one()


def kill_somewhere(worker: Worker, ledger: AcceptanceLedger, rng: random.Random) -> str:
    """SIGKILL `worker` at one of the moments, chosen at random; returns where it landed."""
    way = rng.choice((AT_ACCEPTANCE, AFTER_SOME, INTO_WORK, AFTER_START))
    if way == AT_ACCEPTANCE:
        killed = threading.Event()
        skip = rng.randrange(0, 4)

        def kill_on_acceptance() -> None:
            nonlocal skip
            if skip == 0:
                worker.kill()  # Twilio has it; the worker never learns its sid
                killed.set()
            skip -= 1

        ledger.kills[worker.pid] = kill_on_acceptance
        if not killed.wait(timeout=WORKER_PATIENCE):
            way = NOTHING_CAME
    elif way == AFTER_SOME:
        if not ledger.wait_for_sent_by(worker.pid, rng.randrange(1, 8), WORKER_PATIENCE):
            way = NOTHING_CAME
    elif way == INTO_WORK:
        if ledger.wait_for_sent_by(worker.pid, 1, WORKER_PATIENCE):
            time.sleep(rng.uniform(0, 0.03))
        else:
            way = NOTHING_CAME
    else:
        time.sleep(rng.uniform(0, 0.8))
    assert worker.alive() or way == AT_ACCEPTANCE, "a worker exited before it was killed"
    worker.kill()
    return way


def settled(app: Flask) -> bool:
    """No message claimed or in doubt, and none due that waits."""
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count()).where(
                or_(
                    MESSAGES_TABLE.c.status.in_((SENDING, UNKNOWN)),
                    and_(
                        MESSAGES_TABLE.c.status == PENDING,
                        MESSAGES_TABLE.c.due_at <= datetime.now(UTC),
                    ),
                )
            )
        )
        db.session.remove()
    return waiting == 0


def test_two_hundred_kills_while_patients_opt_out_send_what_is_owed_once_and_nothing_after_stop(
    outbox_database,
    twilio_standin,
    inbound_webhook,
    forked_workers: ForkedWorkers,
    tmp_path: Path,
):
    app, database_url = outbox_database
    standin_url, standin = twilio_standin
    seed = int(os.environ.get("CHAOS_SEED", "20261125"))
    rng = random.Random(seed)
    started = time.monotonic()
    patients, message_ids = fill_outbox(app, rng)
    texts = plan_texts(patients, rng)
    ledger = AcceptanceLedger(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"], patients
    )
    ledger.message_ids.update(message_ids)
    standin.on_accept = ledger
    texter = Texter(app, inbound_webhook, texts, ledger, rng.random())
    log = tmp_path / "workers.log"
    environment = worker_environment(database_url, standin_url)
    kills = KillLoop(forked_workers, environment, log, ledger, texter)
    last: Worker | None = None
    try:
        texter.start()
        kills.run(LANES, seed)
        kill_loop_seconds = time.monotonic() - started
        accepted_in_kill_loop = standin.count()
        last = start_cold_worker(environment, log)
        texter.join(timeout=SETTLE_TIMEOUT)
        assert not texter.is_alive(), "the patients' texts were not all sent"
        assert texter.error is None, f"texting failed: {texter.error!r}"
        done = poll_until(lambda: settled(app), SETTLE_TIMEOUT)
        last.terminate()
        assert last.wait(timeout=15) == 0, "the last worker did not stop cleanly on SIGTERM"
    finally:
        if last is not None and last.wait(timeout=0) is None:
            last.kill()  # a failed run leaves no worker behind
            last.wait(timeout=10)
        standin.on_accept = None
        ledger.close()
    assert done, f"messages still waiting after {SETTLE_TIMEOUT:.0f} s (see {log})"
    seconds = time.monotonic() - started

    rows = all_rows(app)
    stops = {text.patient_id: text for text in texts if text.word != "START"}
    starts = {text.patient_id: text for text in texts if text.word == "START"}
    came_back = {id for text in starts.values() for id in text.queued_after}
    ours = set(message_ids.values()) | came_back
    in_flight, after_opt_out = judge_sends_after_opt_out(ledger, rows, stops)
    accepted = Counter((a.message.to, a.message.body) for a in ledger.accepted)
    statuses = Counter(row.status for row in rows if row.id in ours)
    planned_by_start = [row for row in rows if row.id not in ours]
    words = Counter(text.word for text in stops.values())
    print(
        f"\nchaos with opt-outs: {sum(kills.landed.values())} kills "
        f"({'; '.join(f'{n} {way}' for way, n in kills.landed.most_common())}), {LANES} at a "
        f"time; {len(ours)} messages ({len(came_back)} after START) for {PATIENTS} patients; "
        f"{len(stops)} opt-outs ({', '.join(f'{n} {w}' for w, n in words.items())}), "
        f"{len(starts)} START (which planned {len(planned_by_start)} reminders); "
        f"outcome {dict(statuses)}; {standin.count()} accepted ({accepted_in_kill_loop} while "
        f"workers were being killed), {standin.create_attempts} "
        f"create requests, {standin.duplicates()} duplicates, {standin.list_requests} list "
        f"requests; sends after opt-out {len(after_opt_out)}, in flight at STOP "
        f"{len(in_flight)} (latest accepted {max(in_flight, default=0) * 1000:.0f} ms after "
        f"the STOP was answered); kill loop {kill_loop_seconds:.1f} s, all {seconds:.1f} s"
    )

    assert sum(kills.landed.values()) == KILLS
    assert all(text.status_code == 200 for text in texts), [t.status_code for t in texts]
    assert after_opt_out == [], "messages accepted after the patient's opt-out committed"
    assert standin.duplicates() == 0
    assert standin.create_attempts == standin.count(), "a send attempt Twilio refused"
    assert set(statuses) <= {SENT, CANCELLED}, f"messages not finished: {dict(statuses)}"
    assert statuses[CANCELLED] > 0, "no opt-out came while its patient still had messages due"
    accepted_sids = {acceptance.message.sid for acceptance in ledger.accepted}
    for row in rows:
        times = accepted[(row.to_e164, row.body)]
        if row.status == SENT:
            assert times == 1, f"message {row.id} accepted {times} times"
            assert row.provider_sid in accepted_sids, f"message {row.id}: a sid Twilio never gave"
        else:
            assert times == 0, f"message {row.id} was accepted but is {row.status}"
        if row.status == CANCELLED:
            assert row.patient_id in stops, f"message {row.id} cancelled, never opted out"
        owed = row.id in came_back or (row.id in ours and row.patient_id not in stops)
        assert row.status == SENT or not owed, f"message {row.id}, owed, is {row.status}"
    for row in planned_by_start:
        assert row.patient_id in starts, f"message {row.id} planned for no START"
        assert row.status in (SENT, PENDING), f"reminder {row.id} planned by START: {row.status}"
    with app.app_context():
        for text in stops.values():
            opted_out_at = db.session.get(Patient, text.patient_id).sms_opted_out_at
            assert (opted_out_at is None) == (text.patient_id in starts), text.word
        db.session.remove()


def judge_sends_after_opt_out(
    ledger: AcceptanceLedger, rows: list, stops: dict[int, Text]
) -> tuple[list[float], list[int]]:
    """(seconds from the STOP's answer to each acceptance in flight, ids of messages sent
    after an opt-out). In flight: when the STOP committed, the message was already claimed, under
    a lease still running, by the very worker that then sent it (it had passed its last check)."""
    by_content = {(row.to_e164, row.body): row for row in rows}
    in_flight, after_opt_out = [], []
    for acceptance in ledger.accepted:
        if not acceptance.opted_out:
            continue
        row = by_content[(acceptance.message.to, acceptance.message.body)]
        stop = stops[row.patient_id]
        then = stop.rows_then.get(row.id)
        held = (
            then is not None
            and then.claimed_by == acceptance.sender
            and (
                then.status == SENT
                or (then.status == SENDING and then.lease_until > stop.sent_from)
            )
        )
        if held:
            in_flight.append((acceptance.message.date_created - stop.answered_at).total_seconds())
        else:
            after_opt_out.append(row.id)
    return in_flight, after_opt_out
