"""A patient's visits and home shot diary as their own pages show them.

Visit names and what to bring come from the protocol file in the page's language; dates and times
are the patient's own (their time zone), written the way the page's locale writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from companion.enrolment.calendar_feed import visit_times
from companion.enrolment.calendar_sync import protocol_for
from companion.enrolment.injections import DiaryDay
from companion.enrolment.models import Patient, Visit
from companion.i18n import babel_locale
from schedules.attention import CANCELLED, DONE, MISSED


@dataclass(frozen=True, slots=True)
class VisitLine:
    """One visit in the patient's words: what, when, where, what to bring, and its status."""

    id: int
    name: str
    day: str
    time: str
    by_phone: bool
    bring: tuple[str, ...]
    status: str

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED


@dataclass(frozen=True, slots=True)
class PatientVisits:
    upcoming: tuple[VisitLine, ...]  # soonest first
    past: tuple[VisitLine, ...]  # latest first


@dataclass(frozen=True, slots=True)
class ShotDiary:
    to_answer: tuple[date, ...]  # planned days that have come with nothing recorded, latest first
    answered: tuple[DiaryDay, ...]  # latest first
    next_day: date | None  # the next planned day still to come


def patient_visits(
    patient: Patient, visits: list[Visit], today: date, language: str
) -> PatientVisits:
    """The visits still to come (booked or cancelled, today or later) and those behind them."""
    zone = ZoneInfo(patient.timezone)
    upcoming, past = [], []
    for visit in sorted(visits, key=lambda v: (v.starts_at, v.position)):
        starts_at, _ends_at = visit_times(visit, zone)
        line = _visit_line(patient, visit, starts_at, language)
        still_to_come = visit.status not in (DONE, MISSED) and starts_at.date() >= today
        (upcoming if still_to_come else past).append(line)
    return PatientVisits(upcoming=tuple(upcoming), past=tuple(reversed(past)))


def shot_diary(days: list[DiaryDay], today: date) -> ShotDiary:
    latest_first = sorted(days, key=lambda d: d.day, reverse=True)
    return ShotDiary(
        to_answer=tuple(
            d.day for d in latest_first if d.planned and d.outcome is None and d.day <= today
        ),
        answered=tuple(d for d in latest_first if d.outcome is not None),
        next_day=min((d.day for d in days if d.planned and d.day > today), default=None),
    )


def long_date(day: date, language: str) -> str:
    """A day as people write it in the language, with the weekday ("Monday, June 1, 2026")."""
    return format_date(day, "full", locale=babel_locale(language))


def _visit_line(patient: Patient, visit: Visit, starts_at: datetime, language: str) -> VisitLine:
    protocol = protocol_for(patient.trial_id, patient.cycles)
    plan = protocol.visit(visit.key)
    return VisitLine(
        id=visit.id,
        name=_in(plan.name, language),
        day=long_date(starts_at.date(), language),
        time=format_time(starts_at, "short", locale=babel_locale(language)),
        by_phone=plan.place == "phone",
        bring=tuple(_in(protocol.preparation[key], language) for key in plan.preparation),
        status=visit.status,
    )


def _in(text: Mapping[str, str], language: str) -> str:
    return text.get(language) or text["en"]
