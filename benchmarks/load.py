"""Load: the public questionnaire and chat, and staff triage, at once, under gunicorn.

    python benchmarks/load.py [--size small|large] [--database sqlite|URL] [--json [PATH]]

A fresh database (a SQLite file, or a schema of its own in the PostgreSQL database URL names,
dropped after), migrated and seeded with a site, a coordinator and a few enrolled patients
with symptom reports; `gunicorn wsgi:app` with 4 sync workers on a free 127.0.0.1 port
(`COMPANION_ENV=production`, keys of its own); then, for a fixed time, three kinds of simulated
people at once (benchmarks/load_users.py): prospective patients walking the web questionnaire,
others chatting, and coordinators working the triage queue. It reports, per kind, requests,
throughput, latency percentiles and errors, then counts the database's rows against the
answers that said they were stored. The server is always stopped and the database removed.

Rate limits stay on, raised far above the load (every request comes from 127.0.0.1, one
address): the limiter's own work is part of what is measured. Results: docs/performance.md.
Exits 1 when a request failed or the rows do not match.
"""

# ruff: noqa: E402  (the import path is set before anything is imported: see below)
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
# Run as a script, this file's folder comes first on the path, and benchmarks/calendar.py would
# hide the standard library's `calendar` (imported by `email`, `http.cookiejar`...). The
# modules beside this file go last instead, before anything is imported.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != BENCHMARKS)]
sys.path.append(str(BENCHMARKS))

import argparse
import json
import os
import random
import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import http_load  # beside this file
import load_users
from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import upgrade
from load_client import Exchange, TimeUp, UnexpectedAnswer, Visitor
from load_figures import KindFigures, StoredCheck, figures_of, stored_checks, table
from sqlalchemy import func, select

from companion.access.service import create_staff
from companion.app import create_app
from companion.chat.models import BOT, PERSON, WEB, Conversation, ConversationTurn
from companion.db import db
from companion.demo import LIKELY_FIT
from companion.prescreen.models import PrescreenSession
from companion.symptoms.models import ACKNOWLEDGED, SymptomReport, SymptomReportNote
from tests.database_schemas import schema_of_its_own
from tests.profiles import INELIGIBLE_PROFILES, eligible_patient

WORKERS = 4
REQUEST_TIMEOUT = 30.0  # gunicorn's own worker timeout
PATIENTS = 3
REPORTS_PER_PATIENT = 4
COORDINATOR = "coordinator@load.example.org"
COORDINATOR_PASSWORD = secrets.token_urlsafe(18)
ZONE = "Asia/Shanghai"
PROFILES = (LIKELY_FIT, eligible_patient(), *INELIGIBLE_PROFILES.values())
# Config variables the caller's environment may hold (a test run sets some): the service gets
# only what this harness gives it.
SERVICE_VARIABLES = (
    "FLASK_",
    "COMPANION_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "DATA_ENCRYPTION_KEYS",
    "PHONE_HASH_KEY",
    "ARGON2_",
    "RATELIMIT_",
    "RATE_LIMIT_",
    "SMS_",
    "TWILIO_",
    "PUBLIC_BASE_URL",
    "TRUSTED_PROXIES",
    "DEFAULT_",
    "PRESCREEN_",
    "CHAT_",
    "LEAD_",
)


@dataclass(frozen=True, slots=True)
class Size:
    """How long, and how many simulated people of each kind at once. Figures leave out the
    first `warmup` seconds (workers still starting, caches filling); errors and stored rows
    count the whole run."""

    seconds: float
    warmup: float
    users: Mapping[str, int]


SIZES = {
    "small": Size(seconds=12, warmup=0, users={"questionnaire": 3, "chat": 3, "triage": 2}),
    "large": Size(seconds=100, warmup=10, users={"questionnaire": 6, "chat": 6, "triage": 4}),
}


@dataclass(frozen=True, slots=True)
class Run:
    """One run's figures: per kind, then all kinds together; and the row checks."""

    figures: list[KindFigures]
    checks: list[StoredCheck]
    seconds: float  # measured, after the warm-up
    errors_whole_run: int

    @property
    def passed(self) -> bool:
        return self.errors_whole_run == 0 and all(check.holds for check in self.checks)


@contextmanager
def fresh_database(database: str, work_dir: Path) -> Iterator[tuple[str, str]]:
    """(label, DATABASE_URL) of an empty database: for `sqlite`, a file in `work_dir`; for a
    PostgreSQL URL, a schema of its own in that database (through `search_path`), dropped after.
    """
    if database == "sqlite":
        yield "SQLite", f"sqlite:///{work_dir / 'load.sqlite3'}"
        return
    with schema_of_its_own(database, "load") as (url, schema):
        separator = "&" if urlsplit(url).query else "?"
        yield "PostgreSQL", f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def service_environment(database_url: str) -> dict[str, str]:
    """Production settings with keys of the run's own; rate limits raised, not turned off."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(SERVICE_VARIABLES)
    }
    env.update(
        COMPANION_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATA_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PHONE_HASH_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        SMS_BACKEND="outbox",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI="memory://",
        RATE_LIMIT_PRESCREEN="1000000/minute",
        RATE_LIMIT_SIGN_IN="1000/minute",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


@contextmanager
def prepared(env: Mapping[str, str]) -> Iterator[Flask]:
    """The application on the fresh database, migrated, with the coordinator's account; it
    counts the rows after the run (in its app context: some columns are encrypted).

    In this process rather than through `flask db upgrade` and `flask staff create`: each of
    those imports the whole application again, seconds of the CI budget on a busy machine.
    This process takes the service's environment for it (it is a script; nothing else runs).
    """
    os.environ.clear()
    os.environ.update(env)
    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        create_staff(
            db.session,
            email=COORDINATOR,
            password=COORDINATOR_PASSWORD,
            role="coordinator",
            site_code="SITE01",
        )
        db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def visitor(url: str, kind: str, deadline: float = float("inf")) -> Visitor:
    parts = urlsplit(url)
    return Visitor(
        parts.hostname or http_load.HOST, parts.port or 80, kind, REQUEST_TIMEOUT, deadline
    )


def signed_in(url: str) -> dict[str, str]:
    """Bearer headers of a fresh token for the coordinator."""
    answer = visitor(url, "setup").post_json(
        "sign in",
        "/api/v1/auth/token",
        {"email": COORDINATOR, "password": COORDINATOR_PASSWORD},
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def seed(url: str) -> list[int]:
    """`PATIENTS` enrolled patients with `REPORTS_PER_PATIENT` open reports each; their ids."""
    staff = visitor(url, "setup")
    staff.headers.update(signed_in(url))
    first_dose = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=14)
    patient_ids = []
    for number in range(PATIENTS):
        enrolment = {
            "trial_id": "NCT07586904",
            "phone": f"+86138001380{number:02d}",
            "language": "en",
            "timezone": ZONE,
            "anchor_date": first_dose.isoformat(),
            "sms_consent": True,
        }
        answer = staff.post_json("enrol", "/api/v1/enrollments", enrolment, expect=(201,))
        patient_ids.append(answer.json()["patient_id"])
    for patient, answers in zip(
        patient_ids * REPORTS_PER_PATIENT, load_users.PHONED_IN * PATIENTS, strict=True
    ):
        staff.post_json(
            "report",
            f"/api/v1/patients/{patient}/symptom-reports",
            {"answers": answers},
            expect=(201,),
        )
    return patient_ids


def run_users(
    url: str,
    size: Size,
    flows: Mapping[str, load_users.Flow],
    credentials: Mapping[str, Callable[[], Mapping[str, str]]],
) -> tuple[list[Exchange], dict[str, Counter[str]], float, float]:
    """Every simulated person at once, for `size.seconds`: (exchanges, tallies by kind, and
    when the load started and ended, as time.monotonic()).

    `credentials[kind]()` gives each person of that kind their own headers (a coordinator's
    bearer token) before the clock starts.
    """
    people = []
    for kind, count in size.users.items():
        for number in range(count):
            person = visitor(url, kind)
            person.headers.update(credentials[kind]() if kind in credentials else {})
            people.append((person, Counter[str](), random.Random(f"{kind}-{number}")))
    started = time.monotonic()
    deadline = started + size.seconds
    for person, _tally, _rng in people:
        person.deadline = deadline
    threads = [
        threading.Thread(
            target=_keep_going, args=(person, flows[person.kind], tally, rng), daemon=True
        )
        for person, tally, rng in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
    ended = time.monotonic()
    if any(thread.is_alive() for thread in threads):
        raise http_load.LoadError("a simulated user did not stop after the load's time")
    tallies: dict[str, Counter[str]] = {kind: Counter() for kind in size.users}
    for person, tally, _rng in people:
        tallies[person.kind].update(tally)
    exchanges = [exchange for person, _tally, _rng in people for exchange in person.exchanges]
    return exchanges, tallies, started, ended


def _keep_going(
    person: Visitor, flow: load_users.Flow, tally: Counter[str], rng: random.Random
) -> None:
    """Pass after pass until the time is up; a failed pass is counted and the next begins."""
    while True:
        try:
            flow(person, tally, rng)
        except UnexpectedAnswer:
            continue
        except (ValueError, KeyError, TypeError):  # a body that is not what the API promises
            tally["unreadable answers"] += 1
        except TimeUp:
            return


def stored_rows(app: Flask) -> dict[str, int]:
    """The rows the load writes, counted the way the checks need them."""
    with app.app_context():
        session = db.session
        chat_sessions = select(Conversation.prescreen_session_id).where(
            Conversation.prescreen_session_id.is_not(None)
        )
        web_answers = session.scalars(
            select(PrescreenSession.answer_order).where(PrescreenSession.id.not_in(chat_sessions))
        ).all()

        def count(*where: Any, of: Any = None) -> int:
            query = select(func.count()).select_from(of)
            return session.scalar(query.where(*where) if where else query)

        return {
            "web pre-screen sessions": len(web_answers),
            "web pre-screen answers": sum(len(order) for order in web_answers),
            "chat pre-screen sessions": count(
                PrescreenSession.id.in_(chat_sessions), of=PrescreenSession
            ),
            "web conversations": count(Conversation.channel == WEB, of=Conversation),
            "person lines": count(ConversationTurn.speaker == PERSON, of=ConversationTurn),
            "bot lines": count(ConversationTurn.speaker == BOT, of=ConversationTurn),
            "symptom reports": count(of=SymptomReport),
            "acknowledged reports": count(SymptomReport.status == ACKNOWLEDGED, of=SymptomReport),
            "report notes": count(of=SymptomReportNote),
        }


def run(size: Size, database: str) -> tuple[Run, dict[str, Any]]:
    phases: dict[str, float] = {}
    clock = time.monotonic()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        phases[name] = round(now - clock, 2)
        clock = now

    with tempfile.TemporaryDirectory(prefix="load-") as work:
        work_dir = Path(work)
        with fresh_database(database, work_dir) as (label, url):
            env = service_environment(url)
            with prepared(env) as app:
                phase("migrate and create the coordinator")
                log = work_dir / "gunicorn.log"
                options = ("--config", str(ROOT / "gunicorn.conf.py"))
                with http_load.gunicorn(
                    "wsgi:app", ROOT, env, log, workers=WORKERS, options=options
                ) as base_url:
                    phase("start gunicorn")
                    patient_ids = seed(base_url)
                    flows = {
                        "questionnaire": load_users.questionnaire(PROFILES),
                        "chat": load_users.chat(PROFILES),
                        "triage": load_users.triage(patient_ids),
                    }
                    phase("seed")
                    cpu_before = time.process_time()
                    exchanges, tallies, started, ended = run_users(
                        base_url, size, flows, {"triage": lambda: signed_in(base_url)}
                    )
                    generator_cpu = time.process_time() - cpu_before
                    phase("sign in and load")
                phase("stop gunicorn")
                stored = stored_rows(app)
                server_log_tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        phase("count rows and drop the database")
    measured_from = started + size.warmup
    measured = [exchange for exchange in exchanges if exchange.started >= measured_from]
    seconds = ended - measured_from
    figures = [
        figures_of(kind, size.users[kind], measured, tallies[kind], seconds) for kind in size.users
    ]
    everyone = sum(tallies.values(), Counter())
    figures.append(figures_of("all", sum(size.users.values()), measured, everyone, seconds))
    checks = stored_checks(tallies, stored, PATIENTS * REPORTS_PER_PATIENT)
    errors = sum(1 for e in exchanges if not e.expected) + everyone["unreadable answers"]
    details = {
        "database": label,
        "stored": stored,
        "phases_seconds": phases,
        # CPU this process (the simulated people) took from the machine's cores during the load
        "generator_cpu_share": round(generator_cpu / (ended - started), 2),
        "server_log_tail": server_log_tail,
    }
    return Run(figures, checks, seconds, errors), details


def report(size_name: str, size: Size, outcome: Run, details: Mapping[str, Any]) -> dict:
    return {
        "size": size_name,
        "database": details["database"],
        "seconds_planned": size.seconds,
        "warmup_seconds": size.warmup,
        "seconds_measured": outcome.seconds,
        "errors_whole_run": outcome.errors_whole_run,
        "server": f"gunicorn wsgi:app, {WORKERS} sync workers, 127.0.0.1, COMPANION_ENV=production",
        "rate_limits": "on, raised: RATE_LIMIT_PRESCREEN=1000000/minute, "
        "RATE_LIMIT_SIGN_IN=1000/minute, memory://",
        "users": dict(size.users),
        "figures": [{**asdict(f), "error_rate": f.error_rate} for f in outcome.figures],
        "checks": [{**asdict(c), "holds": c.holds} for c in outcome.checks],
        "stored": details["stored"],
        "passed": outcome.passed,
        "cores": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "phases_seconds": details["phases_seconds"],
        "generator_cpu_share_of_one_core": details["generator_cpu_share"],
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "server_log_tail": details["server_log_tail"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument(
        "--database", default="sqlite", help="sqlite (default) or a postgresql:// URL"
    )
    parser.add_argument("--seconds", type=float, help="load time instead of the size's")
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="also write the results as JSON"
    )
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    if args.seconds:
        size = Size(args.seconds, min(size.warmup, args.seconds / 10), size.users)
    load_at_start = os.getloadavg()
    outcome, details = run(size, args.database)
    results = {**report(args.size, size, outcome, details), "load_average_at_start": load_at_start}
    print(
        f"Load {args.size} on {details['database']}: {size.seconds:g} s ({size.warmup:g} s of "
        f"warm-up not in the figures), gunicorn {WORKERS} sync workers; errors over the whole "
        f"run: {outcome.errors_whole_run}; load average {load_at_start[0]:.2f} at the start"
    )
    print(table(outcome.figures, outcome.checks))
    print(
        f"\nthe load generator used {details['generator_cpu_share']:.0%} of one core; phases: "
        + ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in details["phases_seconds"].items()
        )
    )
    if args.json == "-":
        print(json.dumps(results, indent=2))
    elif args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if not outcome.passed:
        print("\nserver log (tail):\n" + details["server_log_tail"], file=sys.stderr)
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
