"""A month of reminders, simulated: what the outbox would hand out, every quarter of an hour.

Five patients in four time zones (two of them cross a clock change), replanned every day at
02:00 UTC as the daily `sms replan` would; one visit rescheduled, one cancelled, and one patient
texts STOP halfway. At each step the messages due are taken straight from the outbox and marked
sent, as a dispatcher would (the dispatcher itself is not used: this is about what is planned).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.access.models import StaffUser
from companion.access.service import create_staff
from companion.audit.append_only import allow_statements, forbid_statements
from companion.db import db
from companion.enrolment import service
from companion.enrolment.calendar_sync import calendar_for, visits_of
from companion.enrolment.models import Patient, Visit
from companion.messaging import outbox
from companion.messaging.models import PENDING, SENT, SKIPPED, OutboundMessage
from companion.messaging.reminders import replan_all

START = datetime(2026, 10, 3, 0, 0, tzinfo=UTC)  # to 3 November: three clock changes
END = START + timedelta(days=31)
STEP = timedelta(minutes=15)
DAILY_REPLAN = time(2, 0)  # UTC
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)


@dataclass(frozen=True)
class Sent:
    patient_id: int
    visit_id: int | None
    kind: str
    business_key: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class Month:
    """What the simulation did and what went out."""

    patients: dict[str, Patient]
    sent: list[Sent]
    skipped: int
    stop_at: datetime
    moved: Visit
    moved_from: date
    cancelled: Visit
    cancelled_at: datetime
    # By the end of the month, for each patient: the days of home shots and the clinic visits
    # still booked, between the first full day and the end.
    shot_days: dict[str, set[date]]
    clinic_visits: dict[str, set[int]]

    def to(self, name: str) -> list[Sent]:
        return [s for s in self.sent if s.patient_id == self.patients[name].id]


# name: (time zone, language, phone, first treatment in days from START, consent)
PATIENTS = {
    "shanghai": ("Asia/Shanghai", "en", "+8613800138001", 5, True),
    "new_york": ("America/New_York", "zh", "+12015550123", 2, True),  # winter time from 1 Nov
    "paris": ("Europe/Paris", "zh", "+33612345678", -10, True),  # winter time from 25 Oct
    "sydney": ("Australia/Sydney", "en", "+61412345678", 12, True),  # summer time from 4 Oct
    "no_consent": ("Asia/Shanghai", "zh", "+8613800138002", 3, False),
}


def enrol_everyone(session: Session, staff_user: StaffUser) -> dict[str, Patient]:
    patients = {}
    for name, (zone, language, phone, first_in, consent) in PATIENTS.items():
        new = service.NewPatient(
            trial_id="NCT07586904",
            anchor_date=START.astimezone(ZoneInfo(zone)).date() + timedelta(days=first_in),
            timezone=zone,
            sms_consent=consent,
            phone=phone,
            language=language,
        )
        patients[name] = service.enrol(session, staff_user, new, default_region="CN", now=START)
        patients[name] = patients[name].patient
    session.commit()
    return patients


def visit(session: Session, patient: Patient, key: str) -> Visit:
    return next(v for v in visits_of(session, patient) if v.key == key)


def dispatch_due(session: Session, now: datetime) -> tuple[list[Sent], int]:
    """Hand out what is due, as a dispatcher would: too late is skipped, the rest is sent."""
    due = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.status == PENDING, OutboundMessage.due_at <= now)
        .order_by(OutboundMessage.due_at, OutboundMessage.id)
    ).all()
    sent, skipped = [], 0
    for message in due:
        if message.not_after is not None and now > message.not_after:
            message.status, skipped = SKIPPED, skipped + 1
            continue
        message.status, message.sent_at = SENT, now
        sent.append(
            Sent(
                message.patient_id,
                message.visit_id,
                message.kind,
                message.business_key,
                message.due_at,
                now,
            )
        )
    session.commit()
    return sent, skipped


def booked_in_the_month(session: Session, patient: Patient) -> tuple[set[date], set[int]]:
    """The patient's home-shot days and booked clinic visits from START + 1 day to END."""
    first = START + timedelta(days=1)
    doses = calendar_for(session, patient).home_doses
    visits = visits_of(session, patient)
    return (
        {d.day for d in doses if first <= d.due_at < END},
        {
            v.id
            for v in visits
            if v.status == "scheduled"
            and not v.key.startswith("checkin")
            and first < v.starts_at < END
        },
    )


def empty_the_database() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        dialect = connection.dialect.name
        for statement in allow_statements(dialect):
            connection.exec_driver_sql(statement)
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for statement in forbid_statements(dialect):
            connection.exec_driver_sql(statement)


@pytest.fixture(scope="module")
def month(app: Flask) -> Iterator[Month]:
    """The month, simulated once for every test of this module."""
    with app.app_context():
        session = db.session
        staff_user = create_staff(
            session,
            email="coordinator@month.example.org",
            password="correct horse battery staple",
            role="coordinator",
            site_code="SITE01",
        )
        session.commit()
        patients = enrol_everyone(session, staff_user)
        paris = ZoneInfo("Europe/Paris")
        stop_at = datetime(2026, 10, 13, 14, 0, tzinfo=paris).astimezone(UTC)
        reschedule_at = START + timedelta(days=8, hours=3)
        cancel_at = START + timedelta(days=3, hours=5)
        moved = visit(session, patients["shanghai"], "c2d1")
        moved_from = moved.booked_date
        cancelled = visit(session, patients["new_york"], "checkin_d15")
        sent: list[Sent] = []
        skipped = 0
        now = START
        while now < END:
            if now.time() == DAILY_REPLAN:
                replan_all(session, now)
            if now == cancel_at:
                service.change_visit_status(
                    session, staff_user, cancelled, "cancelled", None, "Patient is away", now
                )
                session.commit()
            if now == reschedule_at:
                service.reschedule_visit(
                    session, staff_user, moved, moved_from + timedelta(days=2), "Asked", now
                )
                session.commit()
            if now == stop_at:  # what the inbound handler does with STOP
                patients["paris"].sms_opted_out_at = now
                outbox.cancel_pending(session, patient_id=patients["paris"].id, now=now)
                session.commit()
            out, late = dispatch_due(session, now)
            sent += out
            skipped += late
            now += STEP
        booked = {name: booked_in_the_month(session, p) for name, p in patients.items()}
        session.expunge_all()
        yield Month(
            patients,
            sent,
            skipped,
            stop_at,
            moved,
            moved_from,
            cancelled,
            cancel_at,
            shot_days={name: days for name, (days, _) in booked.items()},
            clinic_visits={name: visits for name, (_, visits) in booked.items()},
        )
        empty_the_database()


def test_the_month_sends_reminders_to_every_consenting_patient(month: Month) -> None:
    for name in ("shanghai", "new_york", "paris", "sydney"):
        assert len(month.to(name)) > 5, name


def test_no_message_is_due_for_a_patient_after_they_texted_stop(month: Month) -> None:
    to_paris = month.to("paris")
    assert [s for s in to_paris if s.at < month.stop_at]  # they had some before
    assert [s for s in to_paris if s.at >= month.stop_at] == []


def test_no_message_goes_out_between_21_and_8_where_the_patient_lives(month: Month) -> None:
    zones = {patient.id: ZoneInfo(patient.timezone) for patient in month.patients.values()}
    at_night = [
        (s.business_key, s.at.astimezone(zones[s.patient_id]).isoformat())
        for s in month.sent
        if not QUIET_UNTIL <= s.at.astimezone(zones[s.patient_id]).time() < QUIET_FROM
    ]
    assert at_night == []


def test_a_patient_without_consent_gets_nothing_all_month(month: Month) -> None:
    assert month.to("no_consent") == []


def test_no_reminder_goes_out_twice(month: Month) -> None:
    keys = [s.business_key for s in month.sent]
    assert len(keys) == len(set(keys))
    moments = [(s.patient_id, s.kind, s.visit_id, s.due_at) for s in month.sent]
    assert len(moments) == len(set(moments))


def test_every_reminder_goes_out_on_time(month: Month) -> None:
    assert month.skipped == 0
    assert all(s.at == s.due_at for s in month.sent)


def test_a_rescheduled_visit_is_reminded_for_its_new_day_only(month: Month) -> None:
    about_it = [s for s in month.sent if s.visit_id == month.moved.id]
    zone = ZoneInfo(month.patients["shanghai"].timezone)
    new_day = month.moved_from + timedelta(days=2)
    assert {s.kind for s in about_it} == {"visit_eve", "visit_morning"}
    assert {s.due_at.astimezone(zone).date() for s in about_it} == {
        new_day - timedelta(days=1),
        new_day,
    }


def test_a_cancelled_visit_gets_no_reminder_after_it_is_cancelled(month: Month) -> None:
    about_it = [s for s in month.sent if s.visit_id == month.cancelled.id]
    assert [s for s in about_it if s.at >= month.cancelled_at] == []


def test_every_home_shot_of_the_month_is_reminded_at_18_local(month: Month) -> None:
    for name in ("shanghai", "new_york", "sydney"):
        zone = ZoneInfo(month.patients[name].timezone)
        reminded = [s.at.astimezone(zone) for s in month.to(name) if s.kind == "home_shot"]
        assert month.shot_days[name], name
        assert {at.date() for at in reminded} >= month.shot_days[name], name
        assert {at.time() for at in reminded} == {time(18, 0)}, name


def test_every_clinic_visit_of_the_month_is_reminded_the_evening_before(month: Month) -> None:
    for name in ("shanghai", "new_york", "sydney"):
        reminded = {s.visit_id for s in month.to(name) if s.kind == "visit_eve"}
        assert month.clinic_visits[name], name
        assert month.clinic_visits[name] <= reminded, name
