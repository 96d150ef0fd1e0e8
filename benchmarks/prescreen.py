"""Pre-screen speed: the engine on one core, the evaluate endpoint under gunicorn, screen length.

    python benchmarks/prescreen.py [--quick] [--json [PATH]]

Measures, in one run:
- `matching.evaluate`, `matching.next_question`, and both as the API calls them, per second on
  one core, over a mix of fact sets (none, partial, full patient answers, patient + site facts);
- `POST /api/v1/trials/NCT07586904/prescreen/evaluate` under gunicorn (2 sync workers) beside a
  bare Flask JSON route served the same way, loaded by wrk on 127.0.0.1;
- the mean number of questions an ineligible person answers before being told so.
Results and how to read them: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "results"
sys.path[:0] = [str(ROOT), str(BENCHMARKS)]

import http_load  # noqa: E402  (beside this file)

from companion.demo import LIKELY_FIT  # noqa: E402
from matching import Trial, evaluate, load_trial, next_question, read_facts  # noqa: E402
from tests.profiles import (  # noqa: E402
    INELIGIBLE_PROFILES,
    passing_site_checks,
    questions_until_verdict,
    resectable_stage_iv_patient,
)

TRIAL_ID = "NCT07586904"
EVALUATE_PATH = f"/api/v1/trials/{TRIAL_ID}/prescreen/evaluate"
ENGINE_GOAL_PER_SECOND = 20_000
HTTP_GOAL_RATIO = 0.5
WORKERS = 2
PRODUCT_PATHS = ("matching", "companion", "wsgi.py", "migrations", "pyproject.toml")

STAGE_IV = resectable_stage_iv_patient()
SITE_FACTS = passing_site_checks()


@dataclass(frozen=True, slots=True)
class Durations:
    engine_seconds: float
    engine_runs: int
    category_seconds: float
    warmup_seconds: float
    load_seconds: float
    load_rounds: int


FULL = Durations(
    engine_seconds=2.0,
    engine_runs=5,
    category_seconds=0.5,
    warmup_seconds=3,
    load_seconds=10,
    load_rounds=3,
)
QUICK = Durations(
    engine_seconds=0.2,
    engine_runs=3,
    category_seconds=0.1,
    warmup_seconds=1,
    load_seconds=2,
    load_rounds=1,
)


@dataclass(frozen=True, slots=True)
class FactSet:
    name: str
    category: str
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rate:
    """Operations per second over several timed runs."""

    median: float
    best: float
    runs: tuple[float, ...]
    cpu_share: float  # the lowest, over the runs, of CPU time / wall time: below ~0.95, disturbed


def answers_after(trial: Trial, answers: Mapping[str, Any], count: int) -> dict[str, Any]:
    """The facts of a person who has answered the first `count` questions the engine asked."""
    facts: dict[str, Any] = {}
    for _ in range(count):
        question = next_question(trial, facts)
        if question is None:
            break
        facts[question.fact.key] = answers[question.fact.key]
    return facts


def fact_sets(trial: Trial) -> list[FactSet]:
    """What the engine is given in use: from a first call with nothing to a full site check."""
    return [
        FactSet("nothing yet", "empty", {}),
        FactSet("3 answers", "partial", answers_after(trial, LIKELY_FIT, 3)),
        FactSet("10 answers", "partial", answers_after(trial, LIKELY_FIT, 10)),
        FactSet("20 answers", "partial", answers_after(trial, LIKELY_FIT, 20)),
        FactSet("stage IV, 6 answers", "partial", answers_after(trial, STAGE_IV, 6)),
        FactSet("likely fit", "full patient", LIKELY_FIT),
        FactSet(
            "stage IV, hepatitis B unsure",
            "full patient",
            {**STAGE_IV, "hepatitis_b_active": "unsure"},
        ),
        FactSet("ECOG 3", "full patient", {**LIKELY_FIT, "ecog": 3}),
        FactSet("mucosal origin", "full patient", {**LIKELY_FIT, "melanoma_origin": "mucosal"}),
        FactSet("all checks pass", "patient + site", {**LIKELY_FIT, **SITE_FACTS}),
        FactSet(
            "half the checks",
            "patient + site",
            {**LIKELY_FIT, **dict(list(SITE_FACTS.items())[:8])},
        ),
        FactSet(
            "low platelets",
            "patient + site",
            {**LIKELY_FIT, **SITE_FACTS, "platelets_10e9_per_l": 60},
        ),
    ]


def rate(operation: Callable[[], int], seconds: float, runs: int) -> Rate:
    """Time `operation` (returning how many operations it did) for `runs` runs of ~`seconds`.

    The doubling first finds how many passes fill a tenth of `seconds`, and warms up on the way.
    """
    passes = 1
    while True:
        started = time.perf_counter()
        for _ in range(passes):
            done = operation()
        elapsed = time.perf_counter() - started
        if elapsed >= seconds / 10:
            break
        passes *= 2
    passes = max(1, round(passes * seconds / elapsed))
    rates, shares = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(passes):
            operation()
        elapsed = time.perf_counter() - started
        rates.append(passes * done / elapsed)
        shares.append((time.process_time() - cpu_started) / elapsed)
    return Rate(statistics.median(rates), max(rates), tuple(rates), min(shares))


@contextmanager
def one_core() -> Iterator[int | None]:
    """Run the block pinned to CPU 0 (where the OS allows it); the old affinity comes back after."""
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {0})
    try:
        yield 0
    finally:
        os.sched_setaffinity(0, before)


def measure_engine(trial: Trial, sets: list[FactSet], durations: Durations) -> dict[str, Any]:
    checked = [read_facts(trial, fact_set.raw) for fact_set in sets]

    def evaluations() -> int:
        for facts in checked:
            evaluate(trial, facts)
        return len(checked)

    def next_questions() -> int:
        for facts in checked:
            next_question(trial, facts)
        return len(checked)

    def as_the_api_does() -> int:
        for facts in checked:
            next_question(trial, facts, evaluate(trial, facts))
        return len(checked)

    seconds, runs = durations.engine_seconds, durations.engine_runs
    with one_core() as core:
        rates = {
            "evaluate": rate(evaluations, seconds, runs),
            "next_question": rate(next_questions, seconds, runs),
            "evaluate + next_question": rate(as_the_api_does, seconds, runs),
        }
        by_category = {}
        for category in dict.fromkeys(fact_set.category for fact_set in sets):
            chosen = [
                facts
                for facts, fact_set in zip(checked, sets, strict=True)
                if fact_set.category == category
            ]

            def evaluate_chosen(chosen: list[dict[str, Any]] = chosen) -> int:
                for facts in chosen:
                    evaluate(trial, facts)
                return len(chosen)

            by_category[category] = rate(evaluate_chosen, durations.category_seconds, 3)
    return {
        "pinned_to_cpu": core,
        "fact_sets": [
            {
                "name": s.name,
                "category": s.category,
                "facts": len(facts),
                "verdict": evaluate(trial, facts).verdict.value,
            }
            for s, facts in zip(sets, checked, strict=True)
        ],
        "per_second": {name: asdict(value) for name, value in rates.items()},
        "evaluate_per_second_by_category": {
            name: asdict(value) for name, value in by_category.items()
        },
    }


def questions_to_not_eligible(trial: Trial) -> dict[str, Any]:
    """Walk every ineligible profile of the tests; how many questions until `not_eligible`."""
    counts = {
        name: questions_until_verdict(trial, profile)
        for name, profile in INELIGIBLE_PROFILES.items()
    }
    return {
        "available": True,
        "profiles": len(counts),
        "mean": statistics.mean(counts.values()),
        "median": statistics.median(counts.values()),
        "min": min(counts.values()),
        "max": max(counts.values()),
        "by_profile": counts,
    }


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    app: str
    chdir: Path
    path: str
    answer_key: str  # a key the JSON answer must have


TARGETS = (
    Target("bare Flask POST /echo", "bare_flask_app:app", BENCHMARKS, "/echo", "facts"),
    Target("POST …/prescreen/evaluate", "wsgi:app", ROOT, EVALUATE_PATH, "verdict"),
)


def measure_http(sets: list[FactSet], durations: Durations) -> dict[str, Any]:
    """The evaluate endpoint and a bare Flask JSON route, each under gunicorn, loaded in turn.

    Both servers run for the whole measurement and are loaded alternately, round after round,
    so that a change in what else the machine does touches both alike. Each round's ratio
    compares two loads a few seconds apart; the median ratio counts.
    """
    if not http_load.wrk_available():
        return {
            "available": False,
            "reason": "wrk is not installed (Debian: apt-get install -y wrk)",
        }
    rounds: dict[str, list[http_load.Load]] = {target.label: [] for target in TARGETS}
    with tempfile.TemporaryDirectory(prefix="prescreen-bench-") as work, ExitStack() as servers:
        work_dir = Path(work)
        bodies = work_dir / "bodies.jsonl"
        bodies.write_text("".join(request_body(s.raw) + "\n" for s in sets))
        env = app_environment(work_dir)
        upgrade = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if upgrade.returncode != 0:
            raise http_load.LoadError(f"flask db upgrade failed:\n{upgrade.stderr}")
        urls = {}
        for target in TARGETS:
            log = work_dir / f"{target.app.split(':')[0]}.log"
            url = servers.enter_context(
                http_load.gunicorn(target.app, target.chdir, env, log, workers=WORKERS)
            )
            status, answer = http_load.post_json(
                url, target.path, request_body(LIKELY_FIT).encode()
            )
            if status != 200 or target.answer_key not in (answer or {}):
                raise http_load.LoadError(f"{target.label} answered {status}: {answer!r}")
            urls[target.label] = url + target.path
            http_load.run_wrk(urls[target.label], bodies, durations.warmup_seconds)
        for _ in range(durations.load_rounds):
            for target in TARGETS:
                rounds[target.label].append(
                    http_load.run_wrk(urls[target.label], bodies, durations.load_seconds)
                )
    chosen = {label: median_round(loads) for label, loads in rounds.items()}
    bare_rounds, endpoint_rounds = (rounds[target.label] for target in TARGETS)
    ratios = [
        endpoint.requests_per_second / bare.requests_per_second
        for bare, endpoint in zip(bare_rounds, endpoint_rounds, strict=True)
    ]
    return {
        "available": True,
        "server": f"gunicorn, {WORKERS} sync workers, 127.0.0.1",
        "load": f"wrk, 2 threads, 16 connections, {durations.warmup_seconds:g} s warm-up, "
        f"then {durations.load_rounds} round(s) of {durations.load_seconds:g} s each",
        "bodies": len(sets),
        "results": {
            label: {**asdict(load), "error_count": load.error_count}
            for label, load in chosen.items()
        },
        "rounds_requests_per_second": {
            label: [load.requests_per_second for load in loads] for label, loads in rounds.items()
        },
        "errors_in_all_rounds": {
            label: sum(load.error_count for load in loads) for label, loads in rounds.items()
        },
        "ratio_by_round": ratios,
        "ratio": statistics.median(ratios),
    }


def median_round(loads: list[http_load.Load]) -> http_load.Load:
    return sorted(loads, key=lambda load: load.requests_per_second)[(len(loads) - 1) // 2]


def request_body(facts: Mapping[str, Any]) -> str:
    return json.dumps({"facts": dict(facts), "language": "en"}, separators=(",", ":"))


def app_environment(work_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update(
        COMPANION_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=f"sqlite:///{work_dir / 'benchmark.sqlite3'}",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = (
        subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        if http_load.wrk_available()
        else None
    )
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if wrk else None,
        "load_average_at_start": os.getloadavg(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and product files that differ from it (figures then describe those)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""

    changed = git("status", "--porcelain", "--", *PRODUCT_PATHS)
    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "uncommitted_product_changes": [line[3:] for line in changed.splitlines()],
    }


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    engine = results["engine"]["per_second"]["evaluate"]["best"]  # the least disturbed run
    checks = [
        {
            "goal": f"engine evaluations per second on one core >= {ENGINE_GOAL_PER_SECOND:,} "
            "(best run)",
            "value": round(engine),
            "met": engine >= ENGINE_GOAL_PER_SECOND,
        }
    ]
    if results["http"].get("available"):
        ratio = results["http"]["ratio"]
        checks.append(
            {
                "goal": f"evaluate endpoint / bare Flask throughput >= {HTTP_GOAL_RATIO} "
                "(median of rounds)",
                "value": round(ratio, 3),
                "met": ratio >= HTTP_GOAL_RATIO,
            }
        )
    return checks


def disturbances(results: dict[str, Any]) -> list[str]:
    """Signs that something else used the CPU meanwhile, which makes every figure low."""
    engine = results["engine"]
    rates = [*engine["per_second"].values(), *engine["evaluate_per_second_by_category"].values()]
    share = min(value["cpu_share"] for value in rates)
    load = results["machine"]["load_average_at_start"][0]  # at the end, it counts our own load
    found = []
    if share < 0.9:
        found.append(f"an engine run had only {share:.0%} of its core; rerun on a quiet machine")
    if load > 1.0:
        found.append(f"load average (1 min) was {load:.2f} at the start; rerun on a quiet machine")
    return found


def report(results: dict[str, Any]) -> str:
    lines = [
        f"Pre-screen benchmark, {results['started']}"
        f"{' (quick: figures are rough)' if results['quick'] else ''}",
        "Machine: {cores} cores, {cpu}, Python {python}".format(**results["machine"]),
        "Load average (1, 5, 15 min) at start {:.2f} {:.2f} {:.2f}, ".format(
            *results["machine"]["load_average_at_start"]
        )
        + "at end {:.2f} {:.2f} {:.2f}".format(*results["load_average_at_end"]),
        "Code: commit {}{}".format(
            results["code"]["commit"],
            "".join(f", {path} changed" for path in results["code"]["uncommitted_product_changes"]),
        ),
        "",
    ]
    engine = results["engine"]
    lines += [
        f"Engine on one core (CPU {engine['pinned_to_cpu']}), "
        f"{len(engine['fact_sets'])} fact sets in turn    median/s      best/s   CPU share"
    ]
    for name, value in engine["per_second"].items():
        lines.append(
            f"  {name:<46}{value['median']:>10,.0f}  {value['best']:>10,.0f}"
            f"  {value['cpu_share']:>10.2f}"
        )
    lines.append("  evaluate, by kind of fact set:")
    for name, value in engine["evaluate_per_second_by_category"].items():
        lines.append(
            f"    {name:<44}{value['median']:>10,.0f}  {value['best']:>10,.0f}"
            f"  {value['cpu_share']:>10.2f}"
        )
    lines.append("")
    http = results["http"]
    if http.get("available"):
        lines += [
            f"HTTP: {http['server']}; {http['load']}",
            f"  median round{'':<18}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}",
        ]
        for label, load in http["results"].items():
            latency = load["latency_ms"]
            lines.append(
                f"  {label:<30}{load['requests_per_second']:>9,.0f}{latency['p50']:>9.1f}"
                f"{latency['p95']:>9.1f}{latency['p99']:>9.1f}{load['error_count']:>8}"
            )
        for label, values in http["rounds_requests_per_second"].items():
            lines.append(
                f"  {label} req/s by round: {', '.join(f'{v:,.0f}' for v in values)}; "
                f"errors in all rounds: {http['errors_in_all_rounds'][label]}"
            )
        lines.append(
            f"  ratio evaluate / bare by round: "
            f"{', '.join(f'{ratio:.3f}' for ratio in http['ratio_by_round'])}; "
            f"median {http['ratio']:.3f}"
        )
    else:
        lines.append(f"HTTP: skipped ({http['reason']})")
    lines.append("")
    walk = results["questions_to_not_eligible"]
    if walk["available"]:
        lines.append(
            f"Questions to a not-eligible verdict over {walk['profiles']} ineligible "
            f"profiles: mean {walk['mean']:.2f}, median {walk['median']:g}, "
            f"min {walk['min']}, max {walk['max']}"
        )
    else:
        lines.append(f"Questions to a not-eligible verdict: unavailable ({walk['reason']})")
    lines.append("")
    lines += [f"Warning: {warning}" for warning in disturbances(results)]
    for goal in results["goals"]:
        lines.append(
            f"Goal {goal['goal']}: {goal['value']:,} -> {'met' if goal['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short runs for a smoke test (under 30 s); figures are rough",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="",
        metavar="PATH",
        help="also write the results as JSON (default: benchmarks/results/prescreen-<time>.json)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that servers are stopped

    durations = QUICK if args.quick else FULL
    started = datetime.now(UTC)
    trial = load_trial(TRIAL_ID)
    sets = fact_sets(trial)
    results: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "durations": asdict(durations),
        "machine": machine(),
        "code": code_version(),
        "engine": measure_engine(trial, sets, durations),
        "questions_to_not_eligible": questions_to_not_eligible(trial),
        "http": measure_http(sets, durations),
    }
    results["load_average_at_end"] = os.getloadavg()
    results["goals"] = goals(results)
    results["disturbances"] = disturbances(results)
    print(report(results))
    if args.json is not None:
        path = (
            Path(args.json)
            if args.json
            else (RESULTS / f"prescreen-{started.strftime('%Y%m%dT%H%M%SZ')}.json")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"\nResults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
