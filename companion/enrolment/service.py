"""Enrolling patients and keeping their visits right: reschedule, mark, close days, links.

No Flask request objects: callers pass the session, the staff member and the time. Every change
is audited on flush (the audit registry lists these tables); a change that needs a reason hands
it to the trail first. Schedule arithmetic lives in the pure `schedules` package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.access.links import issue_link, open_link
from companion.access.models import PatientLink, StaffUser
from companion.audit.recorder import audit_reason
from companion.enrolment.calendar_sync import (
    closed_days_of,
    mark_changed,
    protocol_for,
    sync_visits,
)
from companion.enrolment.models import ClosedDay, Patient, Visit
from companion.errors import Conflict, InvalidInput, NotFound
from companion.leads import service as leads
from companion.leads.workflow import ENROLLED
from companion.messaging.reminders import replan_patient
from companion.phones import PhoneNumberError, can_receive_sms, to_e164
from companion.prescreen.models import Lead
from companion.privacy.encryption import phone_hash
from schedules import Protocol, ScheduleDefinitionError
from schedules.attention import (
    DONE,
    RESCHEDULABLE,
    SCHEDULED,
    StatusChangeRefused,
    VisitStatusError,
    check_status_change,
)

FEED = "calendar_feed"
PAGE = "patient_visits"
LINK_LIFETIMES = {FEED: timedelta(days=3 * 365), PAGE: timedelta(days=365)}
EARLIEST_ANCHOR = timedelta(days=90)  # how far back a first dose may be entered late
LATEST_ANCHOR = timedelta(days=365)
LATEST_RESCHEDULE = timedelta(days=365)
PATIENT_NOT_HERE = "No patient with this id at your site."
VISIT_NOT_HERE = "No visit with this id at your site."


@dataclass(frozen=True)
class NewPatient:
    """What staff give to enrol someone; a lead's details fill what is left out."""

    trial_id: str
    anchor_date: date
    timezone: str
    sms_consent: bool
    phone: str | None = None
    language: str | None = None
    name: str | None = None
    cycles: int | None = None
    lead_id: int | None = None


@dataclass(frozen=True)
class Enrolment:
    patient: Patient
    visits: list[Visit]
    feed_token: str
    page_token: str


def enrol(
    db: Session, staff_user: StaffUser, new: NewPatient, *, default_region: str, now: datetime
) -> Enrolment:
    """Enrol a patient at the staff member's site and build their calendar from the protocol."""
    lead = _lead_to_enrol(db, staff_user, new.lead_id, now)
    phone = _mobile_number(new.phone or (lead.phone_e164 if lead else None), default_region)
    language = new.language or (lead.language if lead else None)
    if language is None:
        raise _invalid("language", "Give the language for messages: en or zh.")
    today = now.astimezone(ZoneInfo(new.timezone)).date()
    if not today - EARLIEST_ANCHOR <= new.anchor_date <= today + LATEST_ANCHOR:
        raise _invalid(
            "anchor_date",
            f"The first treatment day must be between {today - EARLIEST_ANCHOR} "
            f"and {today + LATEST_ANCHOR}.",
        )
    protocol = _protocol(new.trial_id, new.cycles)
    if db.scalar(
        select(Patient.id).where(
            Patient.site_id == staff_user.site_id,
            Patient.trial_id == new.trial_id,
            Patient.phone_hash == phone_hash(phone),
        )
    ):
        raise Conflict(
            "phone: a patient with this phone number is already enrolled in this trial here.",
            {"json": {"phone": ["Already enrolled in this trial at your site."]}},
        )
    patient = Patient(
        site_id=staff_user.site_id,
        trial_id=new.trial_id,
        protocol_version=protocol.version,
        lead_id=lead.id if lead else None,
        name=(new.name or (lead.name if lead else "") or "").strip() or None,
        phone_e164=phone,
        language=language,
        timezone=new.timezone,
        sms_consent=new.sms_consent,
        sms_consent_at=now if new.sms_consent else None,
        anchor_date=new.anchor_date,
        cycles=protocol.cycles,
        enrolled_by=staff_user.id,
        enrolled_at=now,
    )
    db.add(patient)
    db.flush()
    visits = sync_visits(db, patient, now)
    replan_patient(db, patient, now)
    return Enrolment(
        patient=patient,
        visits=visits,
        feed_token=issue_patient_link(db, patient, FEED, now),
        page_token=issue_patient_link(db, patient, PAGE, now),
    )


def patients_for_site(db: Session, site_id: int) -> list[Patient]:
    return list(
        db.scalars(select(Patient).where(Patient.site_id == site_id).order_by(Patient.enrolled_at))
    )


def patient_at_site(db: Session, site_id: int, patient_id: int) -> Patient:
    """The patient if enrolled at the site; missing and elsewhere look the same (404)."""
    patient = db.get(Patient, patient_id)
    if patient is None or patient.site_id != site_id:
        raise NotFound(PATIENT_NOT_HERE)
    return patient


def visit_at_site(db: Session, site_id: int, visit_id: int) -> Visit:
    visit = db.get(Visit, visit_id)
    if visit is None or visit.patient.site_id != site_id:
        raise NotFound(VISIT_NOT_HERE)
    return visit


def site_visits_between(db: Session, site_id: int, first: date, last: date) -> list[Visit]:
    """Every visit of the site's patients booked from `first` to `last`, in time order."""
    return list(
        db.scalars(
            select(Visit)
            .join(Patient)
            .where(Patient.site_id == site_id, Visit.booked_date.between(first, last))
            .order_by(Visit.starts_at, Visit.id)
        )
    )


def reschedule_visit(
    db: Session, staff_user: StaffUser, visit: Visit, new_date: date, reason: str, now: datetime
) -> list[Visit]:
    """Book the visit for `new_date`; the visits anchored on it follow. Returns every visit that
    changed, this one first (a day outside its window is allowed, and flagged)."""
    patient = _locked_patient(db, staff_user, visit)
    if visit.status not in RESCHEDULABLE:
        raise Conflict(
            f"status: a {visit.status} visit cannot be rescheduled; "
            f"only {' or '.join(sorted(RESCHEDULABLE))} visits can.",
            {"json": {"status": [f"The visit is {visit.status}."]}},
        )
    today = patient.local_today(now)
    if new_date < today:
        raise _invalid("date", f"Choose today ({today}) or a later day.")
    if new_date > visit.booked_date + LATEST_RESCHEDULE:
        raise _invalid("date", "Choose a day less than a year after the booked day.")
    closed = db.scalar(
        select(ClosedDay).where(ClosedDay.site_id == patient.site_id, ClosedDay.day == new_date)
    )
    if closed is not None:
        raise Conflict(
            f"date: the site is closed on {new_date} ({closed.label}).",
            {"json": {"date": [f"The site is closed that day: {closed.label}."]}},
        )
    if new_date == visit.booked_date and visit.status == SCHEDULED:
        return [visit]  # already so: nothing changes, nothing is recorded
    audit_reason(reason, db)
    visit.rescheduled_to = new_date
    if visit.status != SCHEDULED:
        visit.status = SCHEDULED
        mark_changed(visit, now)
    changed = _with_first(visit, sync_visits(db, patient, now))
    replan_patient(db, patient, now)
    return changed


def change_visit_status(
    db: Session,
    staff_user: StaffUser,
    visit: Visit,
    status: str,
    on: date | None,
    reason: str | None,
    now: datetime,
) -> list[Visit]:
    """Mark the visit done (on a day), missed or cancelled, or undo that; returns what changed,
    this visit first (a done visit's actual day moves the visits anchored on it)."""
    patient = _locked_patient(db, staff_user, visit)
    reason = (reason or "").strip() or None
    today = patient.local_today(now)
    try:
        check_status_change(visit.status, status, on=on, reason=reason, today=today)
    except VisitStatusError as error:
        kind = Conflict if isinstance(error, StatusChangeRefused) else InvalidInput
        problems = {"json": {error.field: [error.message]}}
        raise kind(f"{error.field}: {error.message}", problems) from error
    audit_reason(reason, db)
    visit.status = status
    visit.done_on = on if status == DONE else None
    mark_changed(visit, now)
    changed = _with_first(visit, sync_visits(db, patient, now))
    replan_patient(db, patient, now)
    return changed


def closed_days_for_site(db: Session, site_id: int) -> list[ClosedDay]:
    return list(
        db.scalars(select(ClosedDay).where(ClosedDay.site_id == site_id).order_by(ClosedDay.day))
    )


def add_closed_day(
    db: Session, staff_user: StaffUser, day: date, label: str, now: datetime
) -> tuple[ClosedDay, list[Visit]]:
    """Close the site on `day`; scheduled visits on it move inside their windows if they can.
    Returns the closed day and every visit that moved."""
    if day in closed_days_of(db, staff_user.site_id):
        raise Conflict(
            f"day: {day} is already a closed day.", {"json": {"day": ["Already closed."]}}
        )
    closed = ClosedDay(site_id=staff_user.site_id, day=day, label=label.strip())
    db.add(closed)
    db.flush()
    return closed, resync_site(db, staff_user.site_id, now)


def remove_closed_day(
    db: Session, staff_user: StaffUser, closed_day_id: int, now: datetime
) -> list[Visit]:
    closed = db.get(ClosedDay, closed_day_id)
    if closed is None or closed.site_id != staff_user.site_id:
        raise NotFound("No closed day with this id at your site.")
    db.delete(closed)
    db.flush()
    return resync_site(db, staff_user.site_id, now)


def issue_patient_link(db: Session, patient: Patient, purpose: str, now: datetime) -> str:
    """A new link for `purpose` (the calendar feed or the patient's page); earlier ones stop."""
    db.execute(
        update(PatientLink)
        .where(
            PatientLink.subject_type == "patient",
            PatientLink.subject_id == patient.id,
            PatientLink.purpose == purpose,
            PatientLink.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return issue_link(
        db,
        purpose=purpose,
        site_id=patient.site_id,
        subject_type="patient",
        subject_id=patient.id,
        lifetime=LINK_LIFETIMES[purpose],
        single_use=False,
        now=now,
    )


def patient_for_link(db: Session, token: str, purpose: str, now: datetime) -> Patient:
    """The patient a live link of `purpose` belongs to (404 unknown, 410 expired or revoked)."""
    link = open_link(db, token, purpose, now)
    patient = db.get(Patient, link.subject_id) if link.subject_type == "patient" else None
    if patient is None:
        raise NotFound("This link does not exist.")
    return patient


def resync_site(db: Session, site_id: int, now: datetime) -> list[Visit]:
    """Re-derive every patient's calendar at the site (after its closures or settings changed),
    and their reminders."""
    moved: list[Visit] = []
    for patient in patients_for_site(db, site_id):
        moved += sync_visits(db, patient, now)
        replan_patient(db, patient, now)
    return moved


def _lead_to_enrol(
    db: Session, staff_user: StaffUser, lead_id: int | None, now: datetime
) -> Lead | None:
    if lead_id is None:
        return None
    try:
        lead = leads.lead_at_site(db, staff_user.site_id, lead_id)
    except NotFound as error:
        raise NotFound(error.message, {"json": {"lead_id": [error.message]}}) from error
    if db.scalar(select(Patient.id).where(Patient.lead_id == lead.id)):
        raise Conflict(
            "lead_id: this lead is already enrolled.", {"json": {"lead_id": ["Already enrolled."]}}
        )
    leads.change_status(db, lead, staff_user, ENROLLED, None, now)
    return lead


def _mobile_number(raw: str | None, default_region: str) -> str:
    if not raw:
        raise _invalid("phone", "Give the patient's mobile number, e.g. +8613800138000.")
    try:
        e164 = to_e164(raw, default_region)
    except PhoneNumberError as error:
        raise _invalid("phone", f"{error}: give a mobile number such as +8613800138000.") from error
    if not can_receive_sms(e164):
        raise _invalid("phone", "This is not a mobile number; text messages need one.")
    return e164


def _protocol(trial_id: str, cycles: int | None) -> Protocol:
    try:
        return protocol_for(trial_id, cycles)
    except ScheduleDefinitionError as error:
        default = protocol_for(trial_id)
        low, high = default.cycle_range
        raise _invalid("cycles", f"Choose from {low} to {high} cycles.") from error


def _locked_patient(db: Session, staff_user: StaffUser, visit: Visit) -> Patient:
    """The visit's patient under a row lock (PostgreSQL), so two changes cannot interleave."""
    patient = visit.patient
    if patient.site_id != staff_user.site_id:
        raise NotFound(VISIT_NOT_HERE)
    db.refresh(patient, with_for_update=True)
    db.refresh(visit)
    return patient


def _with_first(visit: Visit, changed: list[Visit]) -> list[Visit]:
    return [visit] + [other for other in changed if other is not visit]


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", {"json": {field: [message]}})
