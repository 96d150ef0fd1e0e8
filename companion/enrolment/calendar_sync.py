"""Keep a patient's stored visits equal to what the pure builder derives from the protocol.

Only visits still `scheduled` follow the builder: a visit that was done, missed or cancelled is a
record of the past and keeps its booked day, and the builder is told so (its day is fixed, and a
done visit's actual day is what the visits after it hang on). A visit staff rescheduled keeps the
day they chose. A stored visit that changes gets the next SEQUENCE, so calendars replace it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.enrolment.models import ClosedDay, Patient, Visit
from schedules import Calendar, Protocol, build_calendar, load_protocol
from schedules.attention import DONE, SCHEDULED


@lru_cache(maxsize=32)
def protocol_for(trial_id: str, cycles: int | None = None) -> Protocol:
    """The trial's schedule file with `cycles` neoadjuvant cycles, read once per process."""
    return load_protocol(trial_id, cycles)


def visits_of(db: Session, patient: Patient) -> list[Visit]:
    """The patient's visits in the protocol's order."""
    return list(
        db.scalars(select(Visit).where(Visit.patient_id == patient.id).order_by(Visit.position))
    )


def closed_days_of(db: Session, site_id: int) -> frozenset[date]:
    return frozenset(db.scalars(select(ClosedDay.day).where(ClosedDay.site_id == site_id)))


def calendar_for(db: Session, patient: Patient, rows: dict[str, Visit] | None = None) -> Calendar:
    """The patient's calendar as the builder derives it today from what is stored."""
    if rows is None:
        rows = {visit.key: visit for visit in visits_of(db, patient)}
    fixed = {key: row.rescheduled_to for key, row in rows.items() if row.rescheduled_to}
    fixed |= {key: row.booked_date for key, row in rows.items() if row.status != SCHEDULED}
    return build_calendar(
        protocol_for(patient.trial_id, patient.cycles),
        patient.anchor_date,
        patient.timezone,
        closed_days_of(db, patient.site_id),
        actual_dates={k: r.done_on for k, r in rows.items() if r.status == DONE and r.done_on},
        rescheduled_dates=fixed,
        closed_weekdays=frozenset(patient.site.closed_weekdays or ()),
    )


def sync_visits(db: Session, patient: Patient, now: datetime) -> list[Visit]:
    """Create or update the patient's visits from the protocol; returns those that changed."""
    rows = {visit.key: visit for visit in visits_of(db, patient)}
    calendar = calendar_for(db, patient, rows)
    changed: list[Visit] = []
    for position, built in enumerate(calendar.visits):
        derived = {
            "booked_date": built.target,
            "window_start": built.window_start,
            "window_end": built.window_end,
            "starts_at": built.starts_at.astimezone(UTC),
            "ends_at": built.ends_at.astimezone(UTC),
            "moved_from_closed_day": built.moved_from,
            "cannot_avoid_closed_day": built.cannot_avoid_closed_day,
            "position": position,
        }
        row = rows.get(built.key)
        if row is None:
            row = Visit(
                patient_id=patient.id,
                key=built.key,
                uid=uuid.uuid4().hex,
                status=SCHEDULED,
                sequence=0,
                changed_at=now,
                **derived,
            )
            db.add(row)
            changed.append(row)
            continue
        if row.status != SCHEDULED:
            continue  # a record of what happened: it keeps its day and window
        updates = {name: value for name, value in derived.items() if getattr(row, name) != value}
        if updates:
            for name, value in updates.items():
                setattr(row, name, value)
            mark_changed(row, now)
            changed.append(row)
    db.flush()
    return changed


def mark_changed(visit: Visit, now: datetime) -> None:
    """A change calendars must pick up: the next SEQUENCE, so the new version replaces the old."""
    visit.sequence += 1
    visit.changed_at = now
