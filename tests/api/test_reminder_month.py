"""A month of text messages, simulated every quarter of an hour, through the real dispatcher.

Five patients in four time zones (two of them cross a clock change), replanned every day at
02:00 UTC as the daily `sms replan` would; one visit rescheduled, one cancelled. At each step
`dispatch_once` sends what is due with the real twilio client to the Twilio stand-in, whose
clock reads the simulated time. Patients text through the signed `/twilio/sms` webhook: one
STOP halfway through the month, one HELP late at night (answered in the webhook's own TwiML
response, not through the outbox). The dispatcher is down one evening in Shanghai until
after 21:00 there. What counts is what reached the stand-in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.access.models import StaffUser
from companion.access.service import create_staff
from companion.app import create_app
from companion.db import db
from companion.enrolment import service
from companion.enrolment.calendar_sync import calendar_for, visits_of
from companion.enrolment.models import Patient, Visit
from companion.messaging.backends import backend_from_config
from companion.messaging.dispatcher import dispatch_once
from companion.messaging.models import SKIPPED, OutboundMessage
from companion.messaging.reminders import replan_all
from tests.conftest import empty_every_table
from tests.signed_webhooks import new_sid, post_signed
from tests.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, StandinControl

START = datetime(2026, 10, 3, 0, 0, tzinfo=UTC)  # to 3 November: three clock changes
END = START + timedelta(days=31)
STEP = timedelta(minutes=15)
DAILY_REPLAN = time(2, 0)  # UTC
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
OUR_NUMBER = "+8613100000000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The dispatcher is down over the evening before the Shanghai patient's first treatment.
OUTAGE = (
    datetime(2026, 10, 7, 17, 30, tzinfo=SHANGHAI),
    datetime(2026, 10, 7, 23, 30, tzinfo=SHANGHAI),
)


@dataclass(frozen=True)
class Sent:
    """A message the stand-in accepted, with the outbox row it came from."""

    patient_id: int
    visit_id: int | None
    kind: str
    business_key: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class Month:
    """What the simulation did and what reached the stand-in."""

    patients: dict[str, Patient]
    sent: list[Sent]
    accepted: int  # messages the stand-in accepted, traced to the outbox or not
    skipped: list[tuple[int, int | None, str, datetime]]  # (patient, visit, kind, due)
    stop_at: datetime
    help_at: datetime
    help_answer: str
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


def what_the_standin_received(session: Session, standin: StandinControl) -> list[Sent]:
    """Each accepted message, traced to its outbox row by the SID Twilio gave it."""
    with standin.lock:
        accepted = {message.sid: message.date_created for message in standin.accepted}
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.provider_sid.in_(list(accepted)))
    ).all()
    return sorted(
        (
            Sent(
                row.patient_id,
                row.visit_id,
                row.kind,
                row.business_key,
                row.due_at,
                accepted[row.provider_sid],
            )
            for row in rows
        ),
        key=lambda sent: (sent.at, sent.business_key),
    )


def texts(client: FlaskClient, phone: str, body: str) -> str:
    """`phone` texts `body` to the study number through the webhook Twilio would call, signed;
    returns the TwiML answer."""
    params = {"MessageSid": new_sid(), "AccountSid": ACCOUNT_SID, "From": phone, "To": OUR_NUMBER}
    response = post_signed(client, "/twilio/sms", {**params, "Body": body}, token=AUTH_TOKEN)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


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


@pytest.fixture(scope="module")
def sms_app(app: Flask, _standin_server: tuple[str, StandinControl]) -> Iterator[Flask]:
    """The suite's database, sending with the real twilio client to the stand-in."""
    url, _control = _standin_server
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": OUR_NUMBER,
            "TWILIO_MESSAGING_SERVICE_SID": None,
            "TWILIO_API_BASE": url,
            "PUBLIC_BASE_URL": None,
            "SMS_RATE_STORAGE_URI": "memory://",
            "SMS_MESSAGES_PER_SECOND": 1000,
        }
    )
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def month(sms_app: Flask, _standin_server: tuple[str, StandinControl]) -> Iterator[Month]:
    """The month, simulated once for every test of this module."""
    _url, standin = _standin_server
    standin.reset()
    backend = backend_from_config(sms_app.config)
    client = sms_app.test_client()
    rng = random.Random(2026)
    with sms_app.app_context():
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
        paris, shanghai = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Shanghai")
        stop_at = datetime(2026, 10, 13, 14, 0, tzinfo=paris).astimezone(UTC)
        help_at = datetime(2026, 10, 9, 23, 0, tzinfo=shanghai).astimezone(UTC)
        reschedule_at = START + timedelta(days=8, hours=3)
        cancel_at = START + timedelta(days=3, hours=5)
        moved = visit(session, patients["shanghai"], "c2d1")
        moved_from = moved.booked_date
        cancelled = visit(session, patients["new_york"], "checkin_d15")
        help_answer = ""
        session.commit()
        now = START
        while now < END:
            standin.clock = lambda moment=now: moment
            if now.time() == DAILY_REPLAN:
                replan_all(session, now)
                session.commit()
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
            session.commit()  # no transaction left open: the webhook and dispatcher write
            if now == stop_at:
                texts(client, PATIENTS["paris"][2], "STOP")
            if now == help_at:
                help_answer = texts(client, PATIENTS["shanghai"][2], "HELP")
            if not OUTAGE[0] <= now < OUTAGE[1]:
                dispatch_once(sms_app, backend, now, "month-dispatcher", rng=rng)
            now += STEP
        sent = what_the_standin_received(session, standin)
        skipped = [
            (row.patient_id, row.visit_id, row.kind, row.due_at)
            for row in session.scalars(
                select(OutboundMessage).where(OutboundMessage.status == SKIPPED)
            )
        ]
        booked = {name: booked_in_the_month(session, p) for name, p in patients.items()}
        session.expunge_all()
        yield Month(
            patients,
            sent,
            len(standin.accepted),
            skipped,
            stop_at,
            help_at,
            help_answer,
            moved,
            moved_from,
            cancelled,
            cancel_at,
            shot_days={name: days for name, (days, _) in booked.items()},
            clinic_visits={name: visits for name, (_, visits) in booked.items()},
        )
        standin.reset()
        empty_every_table()


def test_the_month_sends_reminders_to_every_consenting_patient(month: Month) -> None:
    for name in ("shanghai", "new_york", "paris", "sydney"):
        assert len(month.to(name)) > 5, name


def test_everything_the_standin_accepted_came_from_the_outbox(month: Month) -> None:
    assert month.accepted == len(month.sent) > 0


def test_no_message_reaches_a_patient_after_they_texted_stop(month: Month) -> None:
    to_paris = month.to("paris")
    assert [s for s in to_paris if s.at < month.stop_at]  # they had some before
    assert [s for s in to_paris if s.at >= month.stop_at] == []


def test_no_text_goes_out_between_21_and_8_where_the_patient_lives(month: Month) -> None:
    zones = {patient.id: ZoneInfo(patient.timezone) for patient in month.patients.values()}
    at_night = [
        (s.business_key, s.at.astimezone(zones[s.patient_id]).isoformat())
        for s in month.sent
        if not QUIET_UNTIL <= s.at.astimezone(zones[s.patient_id]).time() < QUIET_FROM
    ]
    assert at_night == []


def test_help_at_night_is_answered_at_once_in_the_webhooks_reply(month: Month) -> None:
    local = month.help_at.astimezone(ZoneInfo(month.patients["shanghai"].timezone))
    assert local.time() == time(23, 0)
    assert "<Message>" in month.help_answer
    assert [s for s in month.sent if s.at == month.help_at] == []


def test_a_patient_without_consent_gets_nothing_all_month(month: Month) -> None:
    assert month.to("no_consent") == []


def test_no_reminder_goes_out_twice(month: Month) -> None:
    keys = [s.business_key for s in month.sent]
    assert len(keys) == len(set(keys))
    moments = [(s.patient_id, s.kind, s.visit_id, s.due_at) for s in month.sent]
    assert len(moments) == len(set(moments))


def test_every_reminder_goes_out_on_time_while_the_dispatcher_runs(month: Month) -> None:
    assert all(s.at == s.due_at for s in month.sent)


def test_a_reminder_held_up_into_the_night_by_an_outage_is_dropped_not_sent_late(
    month: Month,
) -> None:
    shanghai = month.patients["shanghai"].id
    assert [(patient, kind, due) for patient, _visit, kind, due in month.skipped] == [
        (shanghai, "visit_eve", datetime(2026, 10, 7, 11, 0, tzinfo=UTC))
    ]
    assert [s for s in month.to("shanghai") if OUTAGE[0] <= s.at <= OUTAGE[1]] == []


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
    dropped_in_the_outage = {visit_id for _patient, visit_id, _kind, _due in month.skipped}
    for name in ("shanghai", "new_york", "sydney"):
        reminded = {s.visit_id for s in month.to(name) if s.kind == "visit_eve"}
        reminded |= dropped_in_the_outage
        assert month.clinic_visits[name], name
        assert month.clinic_visits[name] <= reminded, name
