"""Text message dispatch: throughput to a Twilio stand-in, and the rate cap under load.

    python benchmarks/dispatch.py                 # SQLite (a temporary file)
    python benchmarks/dispatch.py --postgres URL  # PostgreSQL, in a schema of its own

Starts the Twilio stand-in of the test suite (tests/twilio_standin.py) on 127.0.0.1, migrates a
fresh database and fills the outbox, then runs the real dispatcher as separate processes
(`python -m flask --app wsgi sms dispatch`):

- Throughput: 2,000 due messages, sent by 1 and then by 2 worker processes with the cap set
  out of the way (1,000 a second). Messages per second is counted at the stand-in, from the
  first message it accepted to the last, so process start-up is left out.
- Rate cap: 2 worker processes sharing a private Redis (SMS_RATE_STORAGE_URI), cap 5 a second,
  fed for 20 s. Reports the most messages the stand-in accepted in any one-second window
  (sliding, to the microsecond) and in any calendar second; neither may exceed the cap.

Exits 1 when a goal is missed. Results and how to read them: docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/calendar.py would shadow the standard library's calendar: keep this folder off
# the import path.
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != HERE]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("SECRET_KEY", "benchmark-secret-key")
os.environ.setdefault("DATA_ENCRYPTION_KEYS", "YmVuY2htYXJrLWRhdGEta2V5LW5vdC1mb3ItcmVhbC0=")
os.environ.setdefault("PHONE_HASH_KEY", "benchmark-phone-hash-key-not-for-production")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from companion.app import create_app  # noqa: E402
from companion.db import db  # noqa: E402
from companion.messaging.models import SENT, OutboundMessage  # noqa: E402
from tests.database_schemas import schema_of_its_own  # noqa: E402
from tests.outbox_rows import make_patient, queue_message  # noqa: E402
from tests.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, running_standin  # noqa: E402

THROUGHPUT_MESSAGES = 2_000
THROUGHPUT_GOAL = 200.0
CAP = 5
CAP_SECONDS = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", metavar="URL", help="e.g. postgresql://postgres@127.0.0.1/test"
    )
    arguments = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f} at the start"
    )
    print(f"commit: {_commit()}")
    ok = True
    with running_standin() as (standin_url, standin), _redis() as redis_url:
        for workers in (1, 2):
            with _database(arguments.postgres) as (app, url):
                _fill(app, THROUGHPUT_MESSAGES, due_at=datetime.now(UTC) - timedelta(minutes=1))
                standin.reset()
                environment = _environment(url, standin_url, per_second=1000)
                started = time.monotonic()
                processes = [_worker(environment, once=True) for _ in range(workers)]
                for process in processes:
                    process.wait(timeout=600)
                wall = time.monotonic() - started
                sent = _sent(app)
                times = sorted(message.date_created for message in standin.accepted)
                span = (times[-1] - times[0]).total_seconds()
                rate = (len(times) - 1) / span
                duplicates = standin.duplicates()
                print(
                    f"throughput, {workers} process(es): {rate:,.0f} messages/s "
                    f"({len(times)} accepted in {span:.2f} s; {wall:.1f} s with start-up; "
                    f"{sent} marked sent; {duplicates} duplicates)"
                )
                ok &= rate >= THROUGHPUT_GOAL and sent == THROUGHPUT_MESSAGES and not duplicates

        with _database(arguments.postgres) as (app, url):
            _fill(app, CAP * CAP_SECONDS * 3, due_at=datetime.now(UTC) - timedelta(minutes=1))
            standin.reset()
            environment = _environment(url, standin_url, per_second=CAP, storage=redis_url)
            processes = [_worker(environment, once=False) for _ in range(2)]
            standin.wait_for_accepted(1, timeout=60)
            first = time.monotonic()
            while time.monotonic() - first < CAP_SECONDS:
                time.sleep(0.5)
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
            times = sorted(message.date_created for message in standin.accepted)
            sliding = _most_in_one_second(times)
            calendar = max(Counter(moment.replace(microsecond=0) for moment in times).values())
            span = (times[-1] - times[0]).total_seconds()
            print(
                f"rate cap {CAP}/s, 2 processes sharing Redis, {span:.1f} s: {len(times)} sent "
                f"({len(times) / span:.2f}/s); most in any one-second window {sliding}, "
                f"in any calendar second {calendar}"
            )
            ok &= sliding <= CAP and calendar <= CAP
    print("goals met" if ok else "A GOAL WAS MISSED")
    return 0 if ok else 1


def _most_in_one_second(times: list[datetime]) -> int:
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= timedelta(seconds=1):
            first += 1
        most = max(most, last - first + 1)
    return most


def _fill(app, count: int, due_at: datetime) -> None:
    with app.app_context():
        for first in range(0, count, 50):
            patient = make_patient(db.session)
            for number in range(first, min(first + 50, count)):
                queue_message(
                    db.session,
                    patient,
                    due_at=due_at,
                    kind="reply",
                    body=f"Message {number}: your visit is tomorrow at 09:00. Reply C to confirm.",
                )
        db.session.commit()


def _sent(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(OutboundMessage.status == SENT))
        db.session.remove()
    return count


def _environment(url: str, standin_url: str, per_second: int, storage: str = "memory://"):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE": standin_url,
        "SMS_MESSAGES_PER_SECOND": str(per_second),
        "SMS_RATE_STORAGE_URI": storage,
    }


def _worker(environment: dict[str, str], *, once: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "sms", "dispatch"]
    return subprocess.Popen(
        command + (["--once"] if once else []),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
    )


class _database:
    """A migrated, empty database: a temporary SQLite file, or a PostgreSQL schema."""

    def __init__(self, postgres: str | None) -> None:
        self.postgres = postgres

    def __enter__(self):
        options: dict = {}
        self.schema_kept = ExitStack()
        if self.postgres:
            self.url, schema = self.schema_kept.enter_context(
                schema_of_its_own(self.postgres, "bench")
            )
            search_path = f"-csearch_path={schema}"
            options = {"connect_args": {"options": search_path}}
            worker_url = f"{self.url}?options={quote(search_path)}"
        else:
            self.folder = tempfile.mkdtemp(prefix="dispatch-bench-")
            self.url = worker_url = f"sqlite:///{self.folder}/outbox.sqlite3"
        self.app = create_app(
            {"SQLALCHEMY_DATABASE_URI": self.url, "SQLALCHEMY_ENGINE_OPTIONS": options}
        )
        with self.app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        return self.app, worker_url

    def __exit__(self, *_exc: object) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        self.schema_kept.close()  # drops the PostgreSQL schema
        if not self.postgres:
            shutil.rmtree(self.folder, ignore_errors=True)


class _redis:
    """A private redis-server on a free 127.0.0.1 port, keeping nothing on disk."""

    def __enter__(self) -> str:
        import redis

        binary = shutil.which("redis-server")
        if binary is None:
            sys.exit("redis-server is not installed: run ./scripts/setup")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}"
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        return url

    def __exit__(self, *_exc: object) -> None:
        self.server.terminate()
        self.server.wait(timeout=10)


def _commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return commit + (" (with uncommitted changes)" if changed else "")


if __name__ == "__main__":
    sys.exit(main())
