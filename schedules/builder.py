"""A patient's calendar: (protocol, cycle 1 day 1, time zone, site's closed days) -> visits.

Each visit is placed `offset_days` after its anchor: the anchor's ACTUAL date when known, else the
date the anchor is scheduled for. So a late dose moves the next cycle and everything hanging on it.
A visit staff rescheduled keeps the date they chose; its window stays where its anchor puts it, so
a date outside that window is flagged rather than silently accepted.

A site is closed on its closed days (holidays) and on its closed weekdays (0 Monday .. 6 Sunday).
A target on a closed day moves to the nearest open day inside the visit's window. On a tie the
LATER day wins: moving a visit earlier would shorten the time since the previous dose, which the
protocol's minimum interval cares about more than a day's delay. When every day of the window is
closed the visit keeps its target and is flagged `cannot_avoid_closed_day` for a coordinator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schedules.protocol import START, LocalText, Protocol, VisitPlan


@dataclass(frozen=True, slots=True)
class Visit:
    key: str
    name: LocalText
    target: date
    window_start: date
    window_end: date
    starts_at: datetime  # aware, in the patient's time zone
    ends_at: datetime
    place: str
    activities: tuple[str, ...]
    preparation: tuple[str, ...]
    anchor: str
    cycle: int | None = None
    moved_from: date | None = None
    cannot_avoid_closed_day: bool = False
    rescheduled: bool = False
    actual: date | None = None

    @property
    def outside_window(self) -> bool:
        """The day it took place (until then, the day it is booked for) is outside its window."""
        return out_of_window(self, self.actual or self.target)


@dataclass(frozen=True, slots=True)
class HomeDose:
    key: str
    name: LocalText
    day: date
    due_at: datetime  # aware, in the patient's time zone


@dataclass(frozen=True, slots=True)
class Calendar:
    tz: str
    visits: tuple[Visit, ...]
    home_doses: tuple[HomeDose, ...]

    def visit(self, key: str) -> Visit:
        for visit in self.visits:
            if visit.key == key:
                return visit
        raise KeyError(key)


def out_of_window(visit: Visit, actual_date: date) -> bool:
    """True when `actual_date` falls outside the visit's allowed window."""
    return not visit.window_start <= actual_date <= visit.window_end


def build_calendar(
    protocol: Protocol,
    anchor_date: date,
    tz: str,
    closed_days: frozenset[date] = frozenset(),
    actual_dates: Mapping[str, date] | None = None,
    rescheduled_dates: Mapping[str, date] | None = None,
    closed_weekdays: frozenset[int] = frozenset(),
) -> Calendar:
    """Every visit and home dose for a patient whose cycle 1 day 1 is `anchor_date`.

    `actual_dates`: the day a visit took place. `rescheduled_dates`: the day staff booked a visit
    for instead of its derived target. Both move the visits anchored on it.
    """
    zone = _zone(tz)
    if not closed_weekdays <= frozenset(range(7)):
        raise ValueError("closed weekdays are numbered 0 (Monday) to 6 (Sunday)")
    actual_dates = actual_dates or {}
    rescheduled_dates = rescheduled_dates or {}
    keys = {v.key for v in protocol.visits}
    for what, given in (("actual", actual_dates), ("rescheduled", rescheduled_dates)):
        unknown = sorted(set(given) - keys)
        if unknown:
            raise ValueError(f"{what} dates given for unknown visits: {', '.join(unknown)}")
    placed: dict[str, date] = {START: anchor_date}  # the date each later visit hangs on
    visits: list[Visit] = []
    for plan in protocol.visits:
        visit = _place(
            plan,
            placed[plan.anchor],
            zone,
            _Closures(closed_days, closed_weekdays),
            actual_dates.get(plan.key),
            rescheduled_dates.get(plan.key),
        )
        placed[plan.key] = visit.actual or visit.target
        visits.append(visit)
    doses = tuple(
        HomeDose(dose.key, dose.name, day, datetime.combine(day, dose.time, tzinfo=zone))
        for dose in protocol.home_doses
        for day in _every(
            placed[dose.start_anchor] + timedelta(days=dose.start_offset_days),
            placed[dose.stop_anchor] + timedelta(days=dose.stop_offset_days),
            dose.every_days,
        )
    )
    return Calendar(tz=tz, visits=tuple(visits), home_doses=doses)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"'{tz}' is not an IANA time zone") from error


def _place(
    plan: VisitPlan,
    anchor: date,
    zone: ZoneInfo,
    closed: _Closures,
    actual: date | None,
    rescheduled: date | None,
) -> Visit:
    planned = anchor + timedelta(days=plan.offset_days)
    start = planned - timedelta(days=plan.window.before)
    end = planned + timedelta(days=plan.window.after)
    target, moved_from, stuck = planned, None, False
    if rescheduled is not None:
        target = rescheduled
    elif closed.on(planned):
        open_day = _nearest_open_day(planned, start, end, closed)
        if open_day is None:
            stuck = True
        else:
            target, moved_from = open_day, planned
    starts_at = datetime.combine(target, plan.start_time, tzinfo=zone)
    return Visit(
        key=plan.key,
        name=plan.name,
        target=target,
        window_start=start,
        window_end=end,
        starts_at=starts_at,
        ends_at=_wall_clock_after(starts_at, plan.minutes),
        place=plan.place,
        activities=plan.activities,
        preparation=plan.preparation,
        anchor=plan.anchor,
        cycle=plan.cycle,
        moved_from=moved_from,
        cannot_avoid_closed_day=stuck,
        rescheduled=rescheduled is not None,
        actual=actual,
    )


def _wall_clock_after(start: datetime, minutes: int) -> datetime:
    """The local time `minutes` later by the clock on the wall (aware, same zone)."""
    return (start.replace(tzinfo=None) + timedelta(minutes=minutes)).replace(tzinfo=start.tzinfo)


@dataclass(frozen=True, slots=True)
class _Closures:
    days: frozenset[date]
    weekdays: frozenset[int]

    def on(self, day: date) -> bool:
        return day in self.days or day.weekday() in self.weekdays


def _nearest_open_day(day: date, start: date, end: date, closed: _Closures) -> date | None:
    for distance in range(1, (end - start).days + 1):
        for candidate in (day + timedelta(days=distance), day - timedelta(days=distance)):
            if start <= candidate <= end and not closed.on(candidate):
                return candidate
    return None


def _every(first: date, last: date, step: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]
