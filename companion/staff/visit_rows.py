"""Visits as the staff pages list them: the protocol's name, the local time, today's warnings.

Times are the patient's own (their time zone, where the visit's time was set); warnings are
worked out for the patient's today, as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from companion.enrolment.calendar_feed import visit_times
from companion.enrolment.calendar_sync import protocol_for
from companion.enrolment.models import Patient, Visit
from companion.enrolment.presenter import visit_warnings
from companion.staff.visit_wording import PATIENT_WITHOUT_NAME
from schedules.attention import SCHEDULED


@dataclass(frozen=True, slots=True)
class VisitRow:
    visit: Visit
    name: str
    time: str  # HH:mm where the patient lives
    warnings: tuple[str, ...]

    @property
    def patient(self) -> Patient:
        return self.visit.patient


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    rows: tuple[VisitRow, ...]


@dataclass(frozen=True, slots=True)
class PatientSummary:
    patient: Patient
    next_visit: VisitRow | None  # the first booked visit from today on
    warning_count: int


def visit_row(visit: Visit, now: datetime, language: str) -> VisitRow:
    patient = visit.patient
    plan = protocol_for(patient.trial_id, patient.cycles).visit(visit.key)
    starts_at, _ends_at = visit_times(visit, ZoneInfo(patient.timezone))
    return VisitRow(
        visit=visit,
        name=plan.name.get(language) or plan.name["en"],
        time=starts_at.strftime("%H:%M"),
        warnings=visit_warnings(visit, patient.local_today(now)),
    )


def calendar_days(
    visits: list[Visit], first: date, last: date, now: datetime, language: str
) -> list[CalendarDay]:
    """Every day from `first` to `last`, each with the visits booked for it, in time order."""
    rows: dict[date, list[VisitRow]] = {}
    for visit in visits:
        rows.setdefault(visit.booked_date, []).append(visit_row(visit, now, language))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [
        CalendarDay(day, tuple(sorted(rows.get(day, []), key=lambda row: row.time))) for day in days
    ]


def patient_summary(
    patient: Patient, visits: list[Visit], now: datetime, language: str
) -> PatientSummary:
    today = patient.local_today(now)
    coming = [v for v in visits if v.status == SCHEDULED and v.booked_date >= today]
    first = min(coming, key=lambda v: v.starts_at, default=None)
    return PatientSummary(
        patient=patient,
        next_visit=visit_row(first, now, language) if first else None,
        warning_count=sum(len(visit_warnings(v, today)) for v in visits),
    )


def patient_label(patient: Patient) -> str:
    """The patient's name, or their number when no name was given."""
    return patient.name or str(PATIENT_WITHOUT_NAME % {"id": patient.id})
