"""Read and check a protocol schedule file; every mistake is named with the file and the entry."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from matching.strict_yaml import read_yaml
from schedules.protocol import (
    ACTIVITIES,
    PLACES,
    START,
    HomeDosePlan,
    LocalText,
    Protocol,
    VisitPlan,
    Window,
)

PROTOCOLS_DIR = Path(__file__).resolve().parent / "protocols"
PREVIOUS_DOSE = "previous_dose"
LAST_DOSE = "last_dose"
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ScheduleDefinitionError(ValueError):
    """A protocol schedule file that cannot be used as it is."""


def available_protocols(directory: Path = PROTOCOLS_DIR) -> list[str]:
    """The trials that have a schedule file, by id."""
    return sorted(path.stem for path in directory.glob("*.yaml"))


def load_protocol(
    trial_id: str, cycles: int | None = None, directory: Path = PROTOCOLS_DIR
) -> Protocol:
    """The schedule stored as `<directory>/<trial_id>.yaml`, with `cycles` neoadjuvant cycles
    (the file's default when None)."""
    return load_protocol_file(directory / f"{trial_id}.yaml", cycles)


def load_protocol_file(path: Path, cycles: int | None = None) -> Protocol:
    try:
        document = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise ScheduleDefinitionError(f"{path}: cannot be read as YAML: {error}") from error
    return _ProtocolReader(path, document).read(cycles)


class _ProtocolReader:
    def __init__(self, path: Path, document: Any) -> None:
        self.path = path
        self.document = document if isinstance(document, dict) else {}
        self.languages: tuple[str, ...] = ()
        self.preparation: dict[str, LocalText] = {}

    def fail(self, where: str, problem: str) -> ScheduleDefinitionError:
        return ScheduleDefinitionError(f"{self.path}: {where}: {problem}")

    def read(self, cycles: int | None) -> Protocol:
        doc = self.document
        self.require_keys(
            "the file",
            doc,
            {"protocol", "version", "languages", "cycles", "preparation", "visits"},
            optional={"status", "regimen", "home_doses"},
        )
        self.languages = tuple(doc["languages"] or ())
        if "en" not in self.languages:
            raise self.fail("languages", "English (en) is required")
        chosen, cycle_range = self.cycles(doc["cycles"], cycles)
        if not isinstance(doc["preparation"], dict):
            raise self.fail("preparation", "must be a mapping of key to lay text")
        for key, text in doc["preparation"].items():
            self.preparation[key] = self.local_text(f"preparation '{key}'", text)
        if not isinstance(doc["visits"], list) or not doc["visits"]:
            raise self.fail("visits", "must be a non-empty list")
        visits: list[VisitPlan] = []
        for index, spec in enumerate(doc["visits"]):
            visits.extend(self.visit(index, spec, visits, chosen))
        if not any(v.cycle is not None for v in visits):
            raise self.fail("visits", "one visit needs `first_cycle: true` (cycle 1 day 1)")
        keys = [v.key for v in visits]
        home = tuple(
            self.home_dose(index, spec, set(keys))
            for index, spec in enumerate(doc.get("home_doses") or [])
        )
        return Protocol(
            trial=str(doc["protocol"]),
            version=str(doc["version"]),
            languages=self.languages,
            cycles=chosen,
            cycle_range=cycle_range,
            visits=tuple(visits),
            home_doses=home,
            preparation=dict(self.preparation),
        )

    def require_keys(
        self, where: str, spec: Any, required: set[str], optional: frozenset[str] | set[str] = ()
    ) -> None:
        if not isinstance(spec, dict):
            raise self.fail(where, f"must be a mapping, not {spec!r}")
        missing = sorted(required - spec.keys())
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(spec.keys() - required - set(optional))
        if unknown:
            raise self.fail(where, f"unknown field {', '.join(map(str, unknown))}")

    def integer(self, where: str, value: Any, what: str, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"{what} {value!r} is not a whole number")
        if minimum is not None and value < minimum:
            raise self.fail(where, f"{what} {value} is below {minimum}")
        return value

    def cycles(self, spec: Any, requested: int | None) -> tuple[int, tuple[int, int]]:
        self.require_keys("cycles", spec, {"default", "minimum", "maximum"})
        low = self.integer("cycles", spec["minimum"], "minimum", 1)
        high = self.integer("cycles", spec["maximum"], "maximum", low)
        chosen = spec["default"] if requested is None else requested
        if isinstance(chosen, bool) or not isinstance(chosen, int) or not low <= chosen <= high:
            raise self.fail("cycles", f"{chosen!r} cycles is outside the allowed {low}-{high}")
        return chosen, (low, high)

    def local_text(self, where: str, value: Any) -> LocalText:
        if not isinstance(value, dict):
            raise self.fail(where, "needs a text for each language: " + ", ".join(self.languages))
        for language in self.languages:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(where, f"missing translation for language '{language}'")
        return {language: value[language].strip() for language in self.languages}

    def start_time(self, where: str, value: Any) -> time:
        match = _TIME.match(value) if isinstance(value, str) else None
        if not match:
            raise self.fail(where, f'time {value!r} must be a quoted local time like "08:30"')
        return time(int(match[1]), int(match[2]))

    def window(self, where: str, spec: Any) -> Window:
        self.require_keys(f"{where} window", spec, {"before", "after"})
        return Window(
            before=self.integer(f"{where} window", spec["before"], "before", 0),
            after=self.integer(f"{where} window", spec["after"], "after", 0),
        )

    def visit(
        self, index: int, spec: Any, earlier: list[VisitPlan], cycles: int
    ) -> list[VisitPlan]:
        key = spec.get("key") if isinstance(spec, dict) else None
        where = f"visit '{key or index}'"
        common = {"key", "confirmed", "name", "anchor", "window", "time", "minutes", "place"}
        common |= {"activities"}
        self.require_keys(
            where,
            spec,
            common | {"preparation"},
            optional={"offset_days", "first_cycle", "each_cycle", "repeat"},
        )
        if not isinstance(key, str) or not key:
            raise self.fail(where, "key must be a name")
        if not isinstance(spec["confirmed"], bool):
            raise self.fail(where, "confirmed must be true or false")
        name = self.local_text(f"{where} name", spec["name"])
        window = self.window(where, spec["window"])
        start = self.start_time(where, spec["time"])
        minutes = self.integer(where, spec["minutes"], "minutes", 1)
        if spec["place"] not in PLACES:
            raise self.fail(
                where, f"place {spec['place']!r} must be one of {', '.join(sorted(PLACES))}"
            )
        activities = tuple(spec["activities"] or ())
        unknown = sorted(set(activities) - ACTIVITIES)
        if unknown or not activities:
            raise self.fail(
                where, f"activities must be among {', '.join(sorted(ACTIVITIES))}, not {unknown}"
            )
        preparation = tuple(spec["preparation"] or ())
        for item in preparation:
            if item not in self.preparation:
                raise self.fail(where, f"unknown preparation '{item}'")
        anchor = spec["anchor"]
        known = {v.key for v in earlier}
        cycle_visits = [v for v in earlier if v.cycle is not None]
        if anchor == LAST_DOSE:
            if not cycle_visits:
                raise self.fail(where, "anchor last_dose needs the cycle visits listed before it")
            if not spec.get("each_cycle"):
                anchor = "<last_dose>"  # resolved once all cycles are known, below
        elif anchor == PREVIOUS_DOSE:
            if not spec.get("each_cycle"):
                raise self.fail(where, "anchor previous_dose is only for the per-cycle entry")
        elif anchor != START and anchor not in known:
            raise self.fail(
                where,
                f"unknown anchor '{anchor}': use start, last_dose or a visit listed before it",
            )

        def plan(key: str, name: LocalText, anchor: str, offset: int, cycle: int | None):
            if key in known:
                raise self.fail(where, f"visit key '{key}' is used more than once")
            if anchor == "<last_dose>":
                anchor = cycle_visits[-1].key
            return VisitPlan(
                key=key,
                name=name,
                anchor=anchor,
                offset_days=offset,
                window=window,
                start_time=start,
                minutes=minutes,
                place=spec["place"],
                activities=activities,
                preparation=preparation,
                confirmed=spec["confirmed"],
                cycle=cycle,
            )

        def numbered(n: int) -> LocalText:
            return {language: text.replace("{n}", str(n)) for language, text in name.items()}

        if "repeat" in spec:
            self.require_keys(f"{where} repeat", spec["repeat"], {"every_days", "until_days"})
            every = self.integer(where, spec["repeat"]["every_days"], "every_days", 1)
            until = self.integer(where, spec["repeat"]["until_days"], "until_days", every)
            return [
                plan(f"{key}_{n}", numbered(n), anchor, every * n, None)
                for n in range(1, until // every + 1)
            ]
        offset = self.integer(where, spec.get("offset_days"), "offset_days")
        if spec.get("each_cycle"):
            if anchor != PREVIOUS_DOSE or "{n}" not in key or not cycle_visits:
                raise self.fail(
                    where,
                    "a per-cycle entry needs a key with {n}, anchor previous_dose,"
                    " and the first_cycle visit before it",
                )
            plans: list[VisitPlan] = []
            previous = cycle_visits[-1].key
            for n in range(2, cycles + 1):
                plans.append(plan(key.replace("{n}", str(n)), numbered(n), previous, offset, n))
                known.add(plans[-1].key)
                previous = plans[-1].key
            return plans
        return [plan(key, name, anchor, offset, 1 if spec.get("first_cycle") else None)]

    def home_dose(self, index: int, spec: Any, visit_keys: set[str]) -> HomeDosePlan:
        key = spec.get("key") if isinstance(spec, dict) else None
        where = f"home dose '{key or index}'"
        self.require_keys(
            where, spec, {"key", "confirmed", "name", "every_days", "start", "stop", "time"}
        )
        ends = {}
        for end in ("start", "stop"):
            self.require_keys(f"{where} {end}", spec[end], {"anchor", "offset_days"})
            anchor = spec[end]["anchor"]
            if anchor not in visit_keys:
                raise self.fail(f"{where} {end}", f"unknown anchor '{anchor}'")
            ends[end] = (anchor, self.integer(where, spec[end]["offset_days"], "offset_days"))
        if not isinstance(spec["confirmed"], bool):
            raise self.fail(where, "confirmed must be true or false")
        return HomeDosePlan(
            key=str(key),
            name=self.local_text(f"{where} name", spec["name"]),
            every_days=self.integer(where, spec["every_days"], "every_days", 1),
            start_anchor=ends["start"][0],
            start_offset_days=ends["start"][1],
            stop_anchor=ends["stop"][0],
            stop_offset_days=ends["stop"][1],
            time=self.start_time(where, spec["time"]),
            confirmed=spec["confirmed"],
        )
