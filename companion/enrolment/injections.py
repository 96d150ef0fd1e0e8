"""The home-injection diary: each planned home dose, and what the patient said happened.

The planned days come from the protocol (every other day from the first treatment until shortly
before the operation), so they move when the calendar moves. A day can be recorded once it has
come, and recorded again to correct it; a day recorded before the plan moved stays in the diary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.enrolment.calendar_sync import calendar_for
from companion.enrolment.models import InjectionLogEntry, Patient
from companion.errors import InvalidInput

OUTCOMES: tuple[str, ...] = ("taken", "missed", "reaction")
RECORDERS: tuple[str, ...] = ("patient", "staff")


@dataclass(frozen=True, slots=True)
class DiaryDay:
    day: date
    planned: bool
    outcome: str | None = None
    note: str | None = None
    recorded_by: str | None = None


def planned_days(db: Session, patient: Patient) -> list[date]:
    return [dose.day for dose in calendar_for(db, patient).home_doses]


def diary(db: Session, patient: Patient) -> list[DiaryDay]:
    """Every planned dose day and every recorded day, in date order."""
    planned = set(planned_days(db, patient))
    entries = {
        entry.day: entry
        for entry in db.scalars(
            select(InjectionLogEntry).where(InjectionLogEntry.patient_id == patient.id)
        )
    }
    return [
        DiaryDay(day, day in planned)
        if (entry := entries.get(day)) is None
        else DiaryDay(day, day in planned, entry.outcome, entry.note, entry.recorded_by)
        for day in sorted(planned | entries.keys())
    ]


def record_dose(
    db: Session,
    patient: Patient,
    day: date,
    outcome: str,
    note: str | None,
    recorded_by: str,
    now: datetime,
) -> InjectionLogEntry:
    """Record (or correct) what happened on a planned dose day that has come."""
    if outcome not in OUTCOMES:
        raise _invalid("outcome", f"Choose one of: {', '.join(OUTCOMES)}.")
    if day > patient.local_today(now):
        raise _invalid("day", "This day has not come yet.")
    entry = db.scalar(
        select(InjectionLogEntry).where(
            InjectionLogEntry.patient_id == patient.id, InjectionLogEntry.day == day
        )
    )
    if entry is None:
        if day not in planned_days(db, patient):
            raise _invalid("day", "No home shot was planned for this day.")
        entry = InjectionLogEntry(patient_id=patient.id, day=day)
        db.add(entry)
    entry.outcome = outcome
    entry.note = (note or "").strip() or None
    entry.recorded_by = recorded_by
    entry.recorded_at = now
    db.flush()
    return entry


def diary_body(day: DiaryDay) -> dict[str, Any]:
    return {
        "day": day.day.isoformat(),
        "planned": day.planned,
        "outcome": day.outcome,
        "note": day.note,
        "recorded_by": day.recorded_by,
    }


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", {"json": {field: [message]}})
