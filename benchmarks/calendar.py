"""Visit calendar speed: 1,000 patients' calendars built and rendered as subscription feeds.

    python benchmarks/calendar.py

Loads the protocol once, then for 1,000 patients (anchor dates spread over a year, six time
zones, English or Chinese) builds the calendar (`schedules.build_calendar`, 3 cycles), turns its
visits into `CalendarEvent`s as the application does, and renders the feed with
`schedules.ics.render_feed`. Beside it, the raw icalendar baseline serialises the same events
with the most direct icalendar code: `icalendar.Event`s with the same properties in one
`icalendar.Calendar` per patient, VTIMEZONE added by `add_missing_timezones` over the same whole
years, then `to_ical()`. Each is timed with time.perf_counter, best of 5 runs after a warm-up,
on CPU 0. Exits 1 when a goal is missed. Results and how to read them: docs/performance.md.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is named like the standard library's `calendar`, which icalendar's dependencies
# import: keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != HERE]
sys.path.insert(0, str(ROOT))

from icalendar import Alarm, Event  # noqa: E402
from icalendar import Calendar as ICalendar  # noqa: E402

from schedules import Calendar, build_calendar, load_protocol  # noqa: E402
from schedules.ics import PRODID, CalendarEvent, render_feed  # noqa: E402
from schedules.protocol import Protocol  # noqa: E402

TRIAL_ID = "NCT07586904"
CYCLES = 3
PATIENTS = 1_000
RUNS = 5
WARM_UP_PATIENTS = 100
TOTAL_GOAL_SECONDS = 2.0
RATIO_GOAL = 1.5
ZONES = (
    "Europe/Paris",
    "Asia/Shanghai",
    "America/New_York",
    "Australia/Sydney",
    "Europe/London",
    "America/Sao_Paulo",
)
LANGUAGES = ("en", "zh")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REFRESH = timedelta(hours=6)
REMINDER = {"en": "Tomorrow: {}", "zh": "明天：{}"}
LOCATION = {"en": "Clinic, building B; floor 2", "zh": "门诊，B栋；2楼"}
NAME = {"en": "My study visits", "zh": "我的研究访视"}

Patient = tuple[date, str, str]  # cycle 1 day 1, time zone, language
T = TypeVar("T")


def patients(count: int) -> list[Patient]:
    first = date(2026, 1, 5)
    return [
        (first + timedelta(days=(37 * n) % 365), ZONES[n % len(ZONES)], LANGUAGES[n % 2])
        for n in range(count)
    ]


def events_for(
    protocol: Protocol, calendar: Calendar, patient: int, language: str
) -> list[CalendarEvent]:
    """The visits as the application would pass them to the renderer."""
    return [
        CalendarEvent(
            uid=f"{patient:08x}-{visit.key}@companion.example",
            sequence=0,
            changed_at=NOW,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            summary=visit.name[language],
            description=" ".join(protocol.preparation[key][language] for key in visit.preparation),
            location=LOCATION[language] if visit.place == "clinic" else None,
            cancelled=False,
            reminder=REMINDER[language].format(visit.name[language]),
        )
        for visit in calendar.visits
    ]


def build_all(protocol: Protocol, group: Sequence[Patient]) -> list[list[CalendarEvent]]:
    return [
        events_for(protocol, build_calendar(protocol, anchor, zone), n, language)
        for n, (anchor, zone, language) in enumerate(group)
    ]


def render_all(feeds: Sequence[Sequence[CalendarEvent]], group: Sequence[Patient]) -> int:
    return sum(
        len(render_feed(events, name=NAME[language], now=NOW, language=language, refresh=REFRESH))
        for events, (_, _, language) in zip(feeds, group, strict=True)
    )


def raw_icalendar(events: Sequence[CalendarEvent], language: str) -> tuple[bytes, float]:
    """The same feed written the most direct way with icalendar's component model, and the
    seconds of that spent adding the VTIMEZONE."""
    calendar = ICalendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", NAME[language], parameters={"LANGUAGE": language})
    calendar.add("X-WR-CALNAME", NAME[language])
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", REFRESH)
    text = {"LANGUAGE": language}
    for visit in events:
        event = Event()
        event.add("UID", visit.uid)
        event.add("SEQUENCE", visit.sequence)
        event.add("DTSTAMP", NOW)
        event.add("LAST-MODIFIED", visit.changed_at)
        event.add("DTSTART", visit.starts_at)
        event.add("DTEND", visit.ends_at)
        event.add("SUMMARY", visit.summary, parameters=text)
        event.add("DESCRIPTION", visit.description, parameters=text)
        if visit.location:
            event.add("LOCATION", visit.location, parameters=text)
        event.add("STATUS", "CANCELLED" if visit.cancelled else "CONFIRMED")
        event.add("TRANSP", "OPAQUE")
        event.add("CLASS", "PRIVATE")
        if visit.reminder is not None and not visit.cancelled:
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("TRIGGER", timedelta(days=-1))
            alarm.add("DESCRIPTION", visit.reminder, parameters=text)
            event.add_component(alarm)
        calendar.add_component(event)
    start = time.perf_counter()
    calendar.add_missing_timezones(
        first_date=date(min(e.starts_at for e in events).year, 1, 1),
        last_date=date(max(e.ends_at for e in events).year + 1, 1, 1),
    )
    timezones = time.perf_counter() - start
    return calendar.to_ical(), timezones


def raw_all(feeds: Sequence[Sequence[CalendarEvent]], group: Sequence[Patient]) -> float:
    """Serialise every feed with raw icalendar; return the seconds spent on VTIMEZONEs."""
    return sum(
        raw_icalendar(events, language)[1]
        for events, (_, _, language) in zip(feeds, group, strict=True)
    )


def best_of(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The shortest of `runs` timed calls of `work`, with what that call returned."""
    runs_seen = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        runs_seen.append((time.perf_counter() - start, result))
    return min(runs_seen, key=lambda run: run[0])


def main() -> int:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")  # at the start
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    protocol = load_protocol(TRIAL_ID, CYCLES)
    group = patients(PATIENTS)
    warm = group[:WARM_UP_PATIENTS]
    warm_feeds = build_all(protocol, warm)
    render_all(warm_feeds, warm)
    raw_all(warm_feeds, warm)

    feeds = build_all(protocol, group)
    visits = sum(len(events) for events in feeds)
    totals = []
    renders = []
    for _ in range(RUNS):
        start = time.perf_counter()
        built = build_all(protocol, group)
        middle = time.perf_counter()
        render_all(built, group)
        end = time.perf_counter()
        totals.append(end - start)
        renders.append(end - middle)
    build, _ = best_of(RUNS, lambda: build_all(protocol, group))
    raw, raw_timezones = best_of(RUNS, lambda: raw_all(feeds, group))
    total, render = min(totals), min(renders)
    ratio = render / raw
    octets = render_all(feeds, group)

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.2f}")
    print(f"{PATIENTS} patients, {visits} visits, {octets / PATIENTS / 1024:.1f} KiB per feed")
    print(f"build calendars + events     {build:7.3f} s")
    print(f"render_feed                  {render:7.3f} s")
    print(f"built and rendered           {total:7.3f} s   goal < {TOTAL_GOAL_SECONDS} s")
    print(f"raw icalendar, same events   {raw:7.3f} s   of which VTIMEZONE {raw_timezones:.3f} s")
    print(f"render_feed / raw icalendar  {ratio:7.3f}     goal <= {RATIO_GOAL}")
    missed = []
    if total > TOTAL_GOAL_SECONDS:
        missed.append(f"built and rendered in {total:.3f} s, goal < {TOTAL_GOAL_SECONDS} s")
    if ratio > RATIO_GOAL:
        missed.append(f"render_feed / raw icalendar {ratio:.3f}, goal <= {RATIO_GOAL}")
    for goal in missed:
        print(f"GOAL MISSED: {goal}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
