"""Where a request to the evaluate endpoint spends its time, in one process on one core.

    python benchmarks/profile_evaluate.py [--requests N] [--top N]

Times each stage of the request alone (reading the body, checking the facts, the engine, putting
the answer into words, the response schema, JSON), then profiles whole requests through the
WSGI app with cProfile and sums the time by where the code lives.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from prescreen import EVALUATE_PATH, TRIAL_ID, fact_sets, request_body  # noqa: E402

AREAS = (  # first match wins; matched against the file path of each profiled function
    ("werkzeug/test.py", "test client (not part of serving)"),
    ("flask/testing.py", "test client (not part of serving)"),
    ("/matching/", "matching (engine, fact checks)"),
    ("/companion/", "companion (routes, presenter, errors)"),
    ("/marshmallow/", "marshmallow (request and response schemas)"),
    ("/webargs/", "webargs + flask-smorest"),
    ("/flask_smorest/", "webargs + flask-smorest"),
    ("/flask_babel/", "flask-babel"),
    ("/babel/", "flask-babel"),
    ("/flask/", "flask + werkzeug"),
    ("/werkzeug/", "flask + werkzeug"),
    ("/json/", "json"),
    ("~", "built-ins (isinstance, …), from any area"),
)


def per_call_microseconds(operation: Callable[[], Any], seconds: float = 1.0) -> float:
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        operation()
        calls += 1
    return elapsed / calls * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests to profile")
    parser.add_argument("--top", type=int, default=15, help="functions to list by own time")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})

    with tempfile.TemporaryDirectory(prefix="prescreen-profile-") as work:
        os.environ.update(
            SECRET_KEY="profile",
            COMPANION_ENV="production",
            DATABASE_URL=f"sqlite:///{Path(work) / 'profile.sqlite3'}",
        )
        from bare_flask_app import app as bare_app

        from companion.app import create_app
        from companion.prescreen import schemas, service
        from companion.prescreen.presenter import describe_assessment
        from matching import evaluate, read_facts

        app = create_app()
        client, bare_client = app.test_client(), bare_app.test_client()
        trial = service.trial_named(TRIAL_ID)
        sets = fact_sets(trial)
        bodies = [request_body(s.raw) for s in sets]
        likely_fit = next(i for i, s in enumerate(sets) if s.name == "likely fit")
        body = json.loads(bodies[likely_fit])  # all a patient answers
        facts = read_facts(trial, body["facts"])
        assessment = evaluate(trial, facts)
        described = describe_assessment(trial, facts, assessment, "en")
        request_schema = schemas.EvaluateRequest()

        with app.app_context():
            stages = {
                "request schema (marshmallow load)": lambda: request_schema.load(body),
                "read_facts": lambda: read_facts(trial, body["facts"]),
                "evaluate": lambda: evaluate(trial, facts),
                "describe_assessment (incl. open_questions)": lambda: describe_assessment(
                    trial, facts, assessment, "en"
                ),
                "JSON encoding of the response": lambda: app.json.response(described),
                "whole request (test client)": lambda: client.post(
                    EVALUATE_PATH, data=bodies[likely_fit], content_type="application/json"
                ),
                "for scale: bare Flask /echo (test client)": lambda: bare_client.post(
                    "/echo", data=bodies[likely_fit], content_type="application/json"
                ),
            }
            print(
                f"One request with {len(body['facts'])} facts "
                f"({len(app.json.response(described).get_data()):,} bytes of JSON back), one core:"
            )
            for name, operation in stages.items():
                print(f"  {name:<46}{per_call_microseconds(operation):>9,.0f} µs")

        profile = cProfile.Profile()
        profile.enable()
        for index in range(args.requests):
            client.post(
                EVALUATE_PATH, data=bodies[index % len(bodies)], content_type="application/json"
            )
        profile.disable()

    stats = pstats.Stats(profile)
    by_area: dict[str, float] = defaultdict(float)
    for (path, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        area = next((label for part, label in AREAS if part in path), "other")
        by_area[area] += own
    total = sum(by_area.values())
    print(
        f"\ncProfile, {args.requests} requests over the {len(bodies)} benchmark bodies: "
        "own time by where the code lives"
    )
    for area, own in sorted(by_area.items(), key=lambda item: -item[1]):
        print(f"  {area:<46}{own / total:>7.1%}")
    print(f"\nTop {args.top} functions by own time:")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
