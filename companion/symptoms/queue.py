"""When a report must be answered, whether it is late, and the order staff see reports in.

Pure: plain values in, plain values out (no database, no clock of its own).

- Emergency and red reports are due `respond_within_minutes_urgent` after submission.
- Amber reports are due by the end of the site's working day, `amber_respond_by` local time:
  one submitted before it is due by it the same day, one submitted at or after it by that
  time the next day.
- Green reports are routine: no deadline.

A report is overdue while no one has acknowledged it and its deadline has passed. The queue
shows the most urgent first (emergency, red, amber, green), then the oldest first.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from symptoms import Urgency

OPEN = "open"


def respond_by(
    urgency: Urgency,
    submitted_at: datetime,
    *,
    respond_within_minutes_urgent: int,
    amber_respond_by: time,
    timezone: str,
) -> datetime | None:
    """The deadline of a report of `urgency` submitted at `submitted_at` (aware); None: green."""
    if urgency >= Urgency.RED:
        return submitted_at + timedelta(minutes=respond_within_minutes_urgent)
    if urgency == Urgency.AMBER:
        zone = ZoneInfo(timezone)
        local = submitted_at.astimezone(zone)
        day = local.date() if local.time() < amber_respond_by else local.date() + timedelta(days=1)
        deadline = datetime.combine(day, amber_respond_by, tzinfo=zone)
        return deadline.astimezone(submitted_at.tzinfo)
    return None


def is_overdue(deadline: datetime | None, status: str, now: datetime) -> bool:
    """Whether a report is late: still open (no one acknowledged it) after its deadline."""
    return status == OPEN and deadline is not None and deadline < now


def minutes_waiting(submitted_at: datetime, acknowledged_at: datetime | None, now: datetime) -> int:
    """Whole minutes the report waited for someone to pick it up (so far, while open)."""
    until = acknowledged_at or now
    return max(0, int((until - submitted_at).total_seconds() // 60))


def queue_order(urgency: Urgency, submitted_at: datetime, report_id: int) -> tuple:
    """Sort key: the most urgent first, then the oldest, then the first stored."""
    return (-int(urgency), submitted_at, report_id)
