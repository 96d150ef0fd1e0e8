"""No reminder reaches a patient during the quiet hours where they live.

The hours are the reminder policy's (`companion/messaging/reminder_policy.yaml`, 21:00 to 08:00
by default), the same ones the planner used when it set `due_at`. The dispatcher checks again at
the moment of sending, because a message can be held up (retries, a stopped worker) until late.
Answers to a text the patient has just sent are not held: they are awake and waiting for them.
Nor is the answer to a symptom report they have just made, nor an alert to the on-call phone
about an urgent one: those matter most at night.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from schedules.reminder_policy import QuietHours

# Kinds that answer the patient's own text (HELP, START, a confirmation) or symptom report at
# any hour.
ANSWER_KINDS = frozenset({"reply", "symptom_reply"})
# Kinds that tell staff a patient needs them now (an emergency or red symptom report).
URGENT_KINDS = frozenset({"urgent_alert"})


def held_by_quiet_hours(kind: str) -> bool:
    """Whether messages of this kind wait for the morning."""
    return kind not in ANSWER_KINDS and kind not in URGENT_KINDS


def in_quiet_hours(moment: datetime, timezone: str, hours: QuietHours) -> bool:
    """Whether `moment` (aware) falls inside `hours` local time in `timezone`."""
    return hours.contains(moment.astimezone(ZoneInfo(timezone)))


def end_of_quiet_hours(moment: datetime, timezone: str, hours: QuietHours) -> datetime:
    """When the quiet period `moment` is in ends (`moment` itself when it is not quiet)."""
    return hours.after(moment.astimezone(ZoneInfo(timezone))).astimezone(moment.tzinfo)
