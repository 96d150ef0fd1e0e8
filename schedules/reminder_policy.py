"""When text-message reminders go out, as data: quiet hours, how much notice, which reminders.

A site changes its reminder policy in a YAML file, not in code. The file is checked when it is
read; a mistake is named with the file and the field. Pure: plain values in and out.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import yaml

from matching.strict_yaml import read_yaml
from schedules.protocol import ACTIVITIES, PLACES

VISIT = "visit"
HOME_DOSE = "home_dose"
SUBJECTS = (VISIT, HOME_DOSE)  # what a reminder is about
KIND_LENGTH = 32  # the outbox keeps a message's kind in 32 characters
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


class ReminderPolicyError(ValueError):
    """A reminder policy file that cannot be used as it is."""


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours when no text is sent, from `start` up to (not including) `end`.

    A period that starts later in the day than it ends runs over midnight (21:00 to 08:00).
    """

    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        """True when the local wall time of `moment` is inside the quiet period."""
        clock = moment.time()
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def after(self, moment: datetime) -> datetime:
        """`moment` itself when it is not quiet, else the end of the quiet period it is in."""
        if not self.contains(moment):
            return moment
        day = moment.date()
        if moment.time() >= self.end:  # in the evening part of a period over midnight
            day += timedelta(days=1)
        return wall_clock(day, self.end, moment.tzinfo)

    def next_start(self, moment: datetime) -> datetime:
        """When the next quiet period starts after `moment`."""
        start = wall_clock(moment.date(), self.start, moment.tzinfo)
        if start <= moment:
            start = wall_clock(moment.date() + timedelta(days=1), self.start, moment.tzinfo)
        return start


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """One kind of reminder: `days_before` its subject's day, at a local `time`.

    Visit reminders apply to visits at one of `places` that include at least one of `activities`
    (any activity when that is empty).
    """

    kind: str
    about: str
    days_before: int
    time: time
    template: str
    places: frozenset[str] = frozenset()
    activities: frozenset[str] = frozenset()

    def applies_to_visit(self, place: str, activities: Collection[str]) -> bool:
        return (
            self.about == VISIT
            and place in self.places
            and (not self.activities or not self.activities.isdisjoint(activities))
        )


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """`least_notice`: a reminder landing later than this before its subject is dropped.
    `horizon`: how far ahead reminders are planned."""

    quiet_hours: QuietHours
    least_notice: timedelta
    horizon: timedelta
    rules: tuple[ReminderRule, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(rule.kind for rule in self.rules)


def wall_clock(day: date, clock: time, zone: tzinfo | None) -> datetime:
    """`clock` on `day` in `zone` as a real instant (a time skipped by a clock change reads as
    the time after it, 02:30 becoming 03:30)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC).astimezone(zone)


def load_reminder_policy(path: Path, templates: Collection[str] | None = None) -> ReminderPolicy:
    """The policy in `path`; `templates`, when given, are the message templates a rule may name."""
    try:
        document = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise ReminderPolicyError(f"{path}: cannot be read as YAML: {error}") from error
    return _PolicyReader(path, templates).read(document)


class _PolicyReader:
    def __init__(self, path: Path, templates: Collection[str] | None) -> None:
        self.path = path
        self.templates = templates

    def fail(self, where: str, problem: str) -> ReminderPolicyError:
        return ReminderPolicyError(f"{self.path}: {where}: {problem}")

    def read(self, document: Any) -> ReminderPolicy:
        self.require_keys(
            "the file",
            document,
            {"quiet_hours", "least_notice_minutes", "plan_days_ahead", "reminders"},
        )
        quiet = document["quiet_hours"]
        self.require_keys("quiet_hours", quiet, {"start", "end"})
        quiet_hours = QuietHours(
            start=self.clock("quiet_hours start", quiet["start"]),
            end=self.clock("quiet_hours end", quiet["end"]),
        )
        if quiet_hours.start == quiet_hours.end:
            raise self.fail("quiet_hours", "start and end must differ")
        if not isinstance(document["reminders"], list) or not document["reminders"]:
            raise self.fail("reminders", "must be a non-empty list")
        rules = tuple(self.rule(index, spec) for index, spec in enumerate(document["reminders"]))
        kinds = [rule.kind for rule in rules]
        repeated = sorted({kind for kind in kinds if kinds.count(kind) > 1})
        if repeated:
            raise self.fail("reminders", f"kind {', '.join(repeated)} is used more than once")
        return ReminderPolicy(
            quiet_hours=quiet_hours,
            least_notice=timedelta(
                minutes=self.whole_number("least_notice_minutes", document, 0, 24 * 60)
            ),
            horizon=timedelta(days=self.whole_number("plan_days_ahead", document, 1, 366)),
            rules=rules,
        )

    def rule(self, index: int, spec: Any) -> ReminderRule:
        kind = spec.get("kind") if isinstance(spec, dict) else None
        where = f"reminder '{kind or index}'"
        about = spec.get("about") if isinstance(spec, dict) else None
        visit_fields = {"places", "activities"} if about == VISIT else set()
        self.require_keys(
            where,
            spec,
            {"kind", "about", "days_before", "time", "template"} | ({"places"} & visit_fields),
            optional=visit_fields,
        )
        if not isinstance(kind, str) or not _KIND.match(kind) or len(kind) > KIND_LENGTH:
            raise self.fail(
                where,
                f"kind must be a name of lower-case letters, digits and _ (at most {KIND_LENGTH})",
            )
        if about not in SUBJECTS:
            raise self.fail(where, f"about {about!r} must be one of {', '.join(SUBJECTS)}")
        template = spec["template"]
        if self.templates is not None and template not in self.templates:
            raise self.fail(
                where,
                f"unknown template {template!r}: use one of {', '.join(sorted(self.templates))}",
            )
        return ReminderRule(
            kind=kind,
            about=about,
            days_before=self.whole_number("days_before", spec, 0, 30, where),
            time=self.clock(where, spec["time"]),
            template=str(template),
            places=self.names(where, "places", spec.get("places"), PLACES, about == VISIT),
            activities=self.names(where, "activities", spec.get("activities"), ACTIVITIES, False),
        )

    def names(
        self, where: str, field: str, value: Any, allowed: frozenset[str], required: bool
    ) -> frozenset[str]:
        if value is None and not required:
            return frozenset()
        if not isinstance(value, list) or not value or not set(value) <= allowed:
            raise self.fail(
                where, f"{field} must be a list of {', '.join(sorted(allowed))}, not {value!r}"
            )
        return frozenset(value)

    def require_keys(
        self, where: str, spec: Any, required: set[str], optional: Collection[str] = ()
    ) -> None:
        if not isinstance(spec, dict):
            raise self.fail(where, f"must be a mapping, not {spec!r}")
        missing = sorted(required - spec.keys())
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(map(str, spec.keys() - required - set(optional)))
        if unknown:
            raise self.fail(where, f"unknown field {', '.join(unknown)}")

    def whole_number(
        self, field: str, spec: dict[str, Any], lowest: int, highest: int, where: str = ""
    ) -> int:
        value = spec[field]
        if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
            raise self.fail(
                f"{where} {field}".strip(),
                f"{value!r} must be a whole number from {lowest} to {highest}",
            )
        return value

    def clock(self, where: str, value: Any) -> time:
        match = _TIME.match(value) if isinstance(value, str) else None
        if not match:
            raise self.fail(where, f'time {value!r} must be a quoted local time like "19:00"')
        return time(int(match[1]), int(match[2]))
