"""No reminder reaches a patient between 21:00 and 08:00 where they live.

The reminder planner already puts `due_at` outside these hours; the dispatcher checks again at
the moment of sending, because a message can be held up (retries, a stopped worker) until late.
Answers to a text the patient has just sent are not held: they are awake and waiting for them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
# Kinds that answer the patient's own text (HELP, START, a confirmation) at any hour.
ANSWER_KINDS = frozenset({"reply"})


def held_by_quiet_hours(kind: str) -> bool:
    """Whether messages of this kind wait for the morning."""
    return kind not in ANSWER_KINDS


def in_quiet_hours(moment: datetime, timezone: str) -> bool:
    """Whether `moment` (aware) falls between 21:00 and 08:00 local time in `timezone`."""
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def end_of_quiet_hours(moment: datetime, timezone: str) -> datetime:
    """The next 08:00 local time after `moment` (the same instant, if it is 08:00 already)."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day = local.date() if local.time() <= QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone).astimezone(moment.tzinfo)
