"""Which text reminders a patient should get, and when: (visits, home doses, policy) -> plan.

Each rule of the policy puts a reminder `days_before` the visit's (or dose's) local day at a local
time. A time inside the quiet hours moves to their end; a reminder that then lands after its
subject, or with less than the policy's notice, is dropped rather than sent too late. A visit
that is not `scheduled` (done, missed, cancelled) gets none.

Every reminder has a key naming its subject, its kind and its due time: planning twice gives the
same keys, and a moved visit gets new ones, so the caller can cancel what is no longer planned.

Pure: the caller gives the time zone, the visits' statuses and the time now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from schedules.builder import HomeDose
from schedules.reminder_policy import HOME_DOSE, VISIT, ReminderPolicy, ReminderRule, wall_clock

SCHEDULED = "scheduled"


class Appointment(Protocol):
    """What the planner needs of a visit (a built `schedules.Visit` or a `BookedVisit`)."""

    @property
    def key(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def place(self) -> str: ...
    @property
    def activities(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class BookedVisit:
    """A visit as it is booked now (what a stored visit holds), for planning its reminders."""

    key: str
    starts_at: datetime  # aware
    place: str
    activities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder to send at `due_at` (aware, UTC), and not after `not_after`.

    `subject_key`: the visit's key, or "<dose key>:<day>" for a home dose. `params`: what the
    message needs, here `at` (when the visit starts or the dose is due, in the patient's zone).
    """

    key: str
    kind: str
    subject_key: str
    due_at: datetime
    not_after: datetime
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)


def plan_reminders(
    visits: Iterable[Appointment],
    home_doses: Iterable[HomeDose],
    policy: ReminderPolicy,
    tz: str,
    now: datetime,
    *,
    statuses: Mapping[str, str] | None = None,
) -> list[PlannedReminder]:
    """Every reminder due from `now` to `now` + the policy's horizon, in time order.

    `statuses`: visit key -> status; a visit not listed counts as scheduled.
    """
    zone = ZoneInfo(tz)
    statuses = statuses or {}
    subjects: list[tuple[ReminderRule, str, datetime]] = []
    for rule in policy.rules:
        if rule.about == VISIT:
            subjects += [
                (rule, visit.key, visit.starts_at)
                for visit in visits
                if statuses.get(visit.key, SCHEDULED) == SCHEDULED
                and rule.applies_to_visit(visit.place, visit.activities)
            ]
        elif rule.about == HOME_DOSE:
            subjects += [
                (rule, f"{dose.key}:{dose.day.isoformat()}", dose.due_at) for dose in home_doses
            ]
    planned: dict[tuple[str, datetime], PlannedReminder] = {}
    for rule, subject, at in subjects:
        reminder = _reminder(rule, subject, at.astimezone(zone), policy)
        if reminder is None or not now <= reminder.due_at <= now + policy.horizon:
            continue
        # Two rules that land at the same moment (both pushed out of the quiet hours) send once.
        planned.setdefault((subject, reminder.due_at), reminder)
    return sorted(planned.values(), key=lambda reminder: (reminder.due_at, reminder.key))


def _reminder(
    rule: ReminderRule, subject: str, at: datetime, policy: ReminderPolicy
) -> PlannedReminder | None:
    day: date = at.date() - timedelta(days=rule.days_before)
    due = policy.quiet_hours.after(wall_clock(day, rule.time, at.tzinfo))
    if at - due < policy.least_notice or due >= at:
        return None
    not_after = min(at, policy.quiet_hours.next_start(due))
    due_utc = due.astimezone(UTC)
    return PlannedReminder(
        key=f"{subject}:{rule.kind}:{due_utc:%Y%m%dT%H%MZ}",
        kind=rule.kind,
        subject_key=subject,
        due_at=due_utc,
        not_after=not_after.astimezone(UTC),
        template=rule.template,
        params=MappingProxyType({"at": at}),
    )
