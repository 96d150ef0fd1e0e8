"""A visit's life after it is booked: which status may follow which, and what needs a coordinator.

A visit starts `scheduled`. Staff mark it `done` (on the day it took place), `missed` or
`cancelled`; a mistake is undone by returning it to `scheduled`, with a reason. A scheduled or
missed visit can be rescheduled, which books it again.

Warnings are what a coordinator must look at, worst first:
- `overdue`: still scheduled though its booked day has passed (was it done? missed?);
- `out_of_window`: booked for, or done on, a day outside the window the protocol allows;
- `closed_day`: every day of its window is a day the site is closed.

Pure: plain values in, plain values out; the caller gives today's date in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

SCHEDULED = "scheduled"
DONE = "done"
MISSED = "missed"
CANCELLED = "cancelled"
STATUSES: tuple[str, ...] = (SCHEDULED, DONE, MISSED, CANCELLED)

TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        SCHEDULED: (DONE, MISSED, CANCELLED),
        DONE: (SCHEDULED,),
        MISSED: (SCHEDULED, DONE),
        CANCELLED: (SCHEDULED,),
    }
)
REASON_REQUIRED = frozenset({MISSED, CANCELLED, SCHEDULED})  # anything but "it happened"
RESCHEDULABLE = frozenset({SCHEDULED, MISSED})

OVERDUE = "overdue"
OUT_OF_WINDOW = "out_of_window"
CLOSED_DAY = "closed_day"
WARNINGS: tuple[str, ...] = (OVERDUE, OUT_OF_WINDOW, CLOSED_DAY)


class VisitStatusError(ValueError):
    """A status change that cannot be made as asked; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StatusChangeRefused(VisitStatusError):
    """A status the visit cannot take from the one it has now (a conflict, not a typo)."""


def check_status_change(
    current: str, new: str, *, on: date | None, reason: str | None, today: date
) -> None:
    """Raise VisitStatusError unless a visit in `current` may become `new`.

    `on` is the day a visit was done: required for `done`, never in the future.
    """
    if new not in STATUSES:
        raise VisitStatusError("status", f"status must be one of {', '.join(STATUSES)}.")
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(TRANSITIONS[current])
        raise StatusChangeRefused("status", f"A {current} visit can only become: {allowed}.")
    if new in REASON_REQUIRED and not (reason and reason.strip()):
        raise VisitStatusError("reason", f"Give a reason to mark a visit {new}.")
    if new == DONE:
        if on is None:
            raise VisitStatusError("date", "Give the date the visit took place.")
        if on > today:
            raise VisitStatusError("date", "A visit cannot be done on a day still to come.")
    elif on is not None:
        raise VisitStatusError("date", "A date is only given when marking a visit done.")


def warnings_for(
    *,
    status: str,
    booked: date,
    window_start: date,
    window_end: date,
    done_on: date | None,
    cannot_avoid_closed_day: bool,
    today: date,
) -> tuple[str, ...]:
    """What a coordinator should check about this visit today, worst first."""
    if status == CANCELLED:
        return ()
    found: list[str] = []
    if status == SCHEDULED and booked < today:
        found.append(OVERDUE)
    when = done_on if status == DONE and done_on is not None else booked
    if status != MISSED and not window_start <= when <= window_end:
        found.append(OUT_OF_WINDOW)
    if status == SCHEDULED and cannot_avoid_closed_day:
        found.append(CLOSED_DAY)
    return tuple(found)
