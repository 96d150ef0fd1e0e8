"""The fuzzer's view of the API: the OpenAPI document as schemathesis reads it, in-process, and a
seeded site whose records the generated requests sometimes name.

Sizes come from the environment so that CI and a longer run share one test: `FUZZ_EXAMPLES`
(generated cases per operation in the fuzzing phase) and `FUZZ_SEED` (the run's seed; each
operation derives its own from it, so a failure is reproduced by the same two numbers).
`FUZZ_REPORT=file.json` writes the status codes each operation answered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from companion.access.policy import policy_for
from companion.db import db
from companion.openapi_security import BEARER_SCHEME
from tests.api.conftest import answer_until_done
from tests.conftest import STAFF_PASSWORD, empty_every_table
from tests.enrolments import enrol
from tests.profiles import eligible_patient

OPENAPI = "/api/openapi.json"
TRIAL = "NCT07586904"
DEFAULT_SEED = 20261206
DEFAULT_EXAMPLES = 10


SUMMARIES = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line per fuzz run: the seed, the size, and how many cases reached which operations."""
    for line in config.stash.get(SUMMARIES, []):
        terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis caches what it reads from our modules under `./.hypothesis/` as it collects;
    keep that in a temporary directory, removed after the run (the example database is off, see
    `fuzz_config`), so a run leaves nothing in the working tree."""
    home = Path(tempfile.mkdtemp(prefix="hypothesis-"))
    set_hypothesis_home_dir(home)
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


def fuzz_seed() -> int:
    return int(os.environ.get("FUZZ_SEED", DEFAULT_SEED))


def fuzz_examples() -> int:
    return int(os.environ.get("FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def fuzz_config() -> SchemathesisConfig:
    """A fixed seed, a size from the environment, and no example database: the run is repeatable
    and leaves no `.hypothesis` directory behind."""
    return SchemathesisConfig.from_dict(
        {
            "seed": fuzz_seed(),
            "generation": {"max-examples": fuzz_examples(), "database": "none"},
        }
    )


@pytest.fixture
def fuzz_schema(app: Flask) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, called in-process through its WSGI interface."""
    return schemathesis.openapi.from_wsgi(OPENAPI, app, config=fuzz_config())


def names_a_real_record(value: Any) -> bool:
    """Whether a generated path value is swapped for a real record's: for about half the values,
    chosen by the value itself so that Hypothesis replays and shrinks a case unchanged."""
    return zlib.crc32(repr(value).encode()) % 2 == 0


def spoils_its_credentials(case: schemathesis.Case) -> bool:
    """Whether schemathesis generated the case to break the document's `Authorization` header
    (the bearer scheme of a staff operation): left out, or not a bearer credential at all. Other
    invalid headers (a malformed `Content-Type`) still travel with a real token."""
    declared = case.operation.definition.raw.get("security", [])
    if {BEARER_SCHEME: []} not in declared:
        return False  # without the scheme in the document, schemathesis sends no credentials
    if case.meta is None or not case.meta.is_negative_at(ParameterLocation.HEADER):
        return False
    sent = {name.lower(): value for name, value in (case.headers or {}).items()}
    value = sent.get("authorization")
    return not (isinstance(value, str) and value.startswith("Bearer "))


@dataclass
class FuzzWorld:
    """A site with one record of each kind, seeded afresh for every operation, so that what one
    operation deletes or changes does not decide what the next one sees."""

    app: Flask
    client: FlaskClient
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    seeded_for: str | None = None
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    staff_operations: set[str] = field(default_factory=set)

    def prepare(self, case: schemathesis.Case) -> dict[str, str]:
        """Seed the site when `case` starts a new operation, point about half of the positive
        cases' path parameters at real records, and answer the headers the caller needs."""
        label = case.operation.label
        if self.seeded_for != label:
            self.seed()
            self.seeded_for = label
        unknown = set(case.path_parameters or {}) - set(self.records)
        assert not unknown, f"{label}: no seeded record for the path parameters {sorted(unknown)}"
        if case.meta is not None and case.meta.generation.mode.is_positive:
            for name, value in list((case.path_parameters or {}).items()):
                if name in self.records and names_a_real_record(value):
                    case.path_parameters[name] = self.records[name]
        return self.credentials_for(case)

    def record(self, case: schemathesis.Case, status: int) -> None:
        """Count the answer, for the run's summary and the check that no operation was missed."""
        self.statuses.setdefault(case.operation.label, Counter())[status] += 1

    def summary(self) -> str:
        cases = sum(sum(counts.values()) for counts in self.statuses.values())
        answered = sum(
            1 for counts in self.statuses.values() if any(200 <= s < 300 for s in counts)
        )
        return (
            f"fuzz: seed {fuzz_seed()}, {fuzz_examples()} fuzzing examples per operation: "
            f"{cases} cases over {len(self.statuses)} operations, "
            f"{answered} of them answered 2xx at least once"
        )

    def credentials_for(self, case: schemathesis.Case) -> dict[str, str]:
        """Nothing for a public operation; else the bearer token of the least powerful role the
        route admits (a coordinator, or an admin for the routes only admins may call).

        The document declares the bearer scheme on staff operations, so schemathesis generates an
        `Authorization` header for them. A made-up bearer token is replaced by a real one; a case
        whose credentials are deliberately invalid (`spoils_its_credentials`) is sent as
        generated, and must be refused like any other invalid input."""
        method = case.operation.method.upper()
        path = case.operation.path
        concrete = re.sub(r"\{\w+\}", "1", path)
        endpoint, _ = self.app.url_map.bind("localhost").match(concrete, method=method)
        policy = policy_for(self.app, endpoint, method)
        assert policy is not None, f"{method} {path} declares no access policy"
        if policy.kind != "staff":
            return {}
        self.staff_operations.add(case.operation.label)
        if spoils_its_credentials(case):
            return {}
        role = next(
            role for role in ("coordinator", "investigator", "admin") if role in policy.roles
        )
        if path == "/api/v1/auth/logout":
            return self.sign_in(f"{role}@site01.example.org")  # a token of its own to end
        return self.tokens[role]

    def sign_in(self, email: str) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token", json={"email": email, "password": STAFF_PASSWORD}
        )
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    def seed(self) -> None:
        """Empty the database, then seed SITE01: its staff, a lead, an enrolled patient with
        visits, a symptom report, a closed day, a chat conversation and an open pre-screen."""
        from companion.access.service import create_staff

        with self.app.app_context():
            empty_every_table()
            for role in ("coordinator", "investigator", "admin"):
                create_staff(
                    db.session,
                    email=f"{role}@site01.example.org",
                    password=STAFF_PASSWORD,
                    role=role,
                    site_code="SITE01",
                )
            db.session.commit()
        client = self.client
        self.tokens = {
            role: self.sign_in(f"{role}@site01.example.org")
            for role in ("coordinator", "investigator", "admin")
        }
        coordinator = self.tokens["coordinator"]
        prescreen = f"/api/v1/trials/{TRIAL}/prescreen/sessions"
        finished = client.post(prescreen, json={}).get_json()["token"]
        answer_until_done(client, finished, eligible_patient())
        contact = client.post(
            f"/api/v1/prescreen/sessions/{finished}/contact",
            json={
                "name": "Fuzz Lead",
                "phone": "+8613800138000",
                "language": "en",
                "consent": True,
            },
        )
        assert contact.status_code == 201, contact.get_json()
        open_token = client.post(prescreen, json={"language": "en"}).get_json()["token"]
        lead = client.get("/api/v1/leads", headers=coordinator).get_json()[0]
        staff_id = client.get("/api/v1/auth/me", headers=coordinator).get_json()["id"]
        enrolled = enrol(client, coordinator)
        closed = client.post(
            "/api/v1/closed-days", json={"day": "2030-06-01", "label": "Fuzz"}, headers=coordinator
        ).get_json()
        report = client.post(
            f"/api/v1/patients/{enrolled['patient_id']}/symptom-reports",
            json={"answers": {"temperature_c": 38.4}},
            headers=coordinator,
        ).get_json()
        chat: dict[str, Any] = {"conversation_id": None, "language": "en"}
        for text in ("hello", "banana", "pear"):
            reply = client.post("/api/v1/chat", json={**chat, "text": text})
            assert reply.status_code == 200, reply.get_json()
            chat["conversation_id"] = reply.get_json()["conversation_id"]
        self.records = {
            "trial_id": TRIAL,
            "token": open_token,
            "staff_id": staff_id,
            "lead_id": lead["id"],
            "patient_id": enrolled["patient_id"],
            "visit_id": enrolled["visits"][1]["id"],
            "closed_day_id": closed["id"],
            "report_id": report["id"],
        }


def document_operations(client: FlaskClient) -> set[str]:
    """`METHOD /path` of every operation the OpenAPI document lists."""
    document = client.get(OPENAPI).get_json()
    return {
        f"{method.upper()} {path}"
        for path, entries in document["paths"].items()
        for method in entries
        if method in {"get", "put", "post", "patch", "delete"}
    }


@pytest.fixture
def fuzz_world(
    app: Flask, clean_database: None, request: pytest.FixtureRequest
) -> Iterator[FuzzWorld]:
    """The seeded site; every table is emptied after the run (`clean_database`). After the run,
    every operation of the document must have been called at least once, and every staff
    operation must have answered 401 to at least one case with spoiled credentials."""
    world = FuzzWorld(app=app, client=app.test_client())
    yield world
    request.config.stash.setdefault(SUMMARIES, []).append(world.summary())
    if report := os.environ.get("FUZZ_REPORT"):
        Path(report).write_text(json.dumps(world.statuses, indent=1, sort_keys=True))
    missed = document_operations(world.client) - set(world.statuses)
    assert not missed, f"the fuzz never called {sorted(missed)}"
    never_refused = sorted(
        label for label in world.staff_operations if not world.statuses[label][401]
    )
    assert not never_refused, f"no case without valid credentials got 401 from {never_refused}"
