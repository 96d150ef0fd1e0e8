"""Small factories for dispatcher tests: a site, patients, visits and outbox rows, straight in
the database (not through enrolment, which plans reminders of its own)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from companion.access.models import StaffUser
from companion.enrolment.models import Patient, Visit
from companion.messaging.models import OutboundMessage
from companion.messaging.outbox import enqueue
from companion.sites.service import site_by_code

ZONE = "Asia/Shanghai"
_numbers = itertools.count(1)


def new_phone() -> str:
    """A different mobile number each call (a made-up +86 138 range)."""
    return f"+86138{next(_numbers):08d}"


def make_patient(
    session: Session,
    *,
    phone: str | None = None,
    timezone: str = ZONE,
    sms_consent: bool = True,
    opted_out_at: datetime | None = None,
    site_code: str = "SITE01",
) -> Patient:
    site = site_by_code(session, site_code, create_with_name=site_code)
    staff = StaffUser(
        site_id=site.id,
        email=f"coordinator-{uuid.uuid4().hex[:10]}@site.example.org",
        password_hash="not-a-real-hash",
        role="coordinator",
    )
    session.add(staff)
    session.flush()
    patient = Patient(
        site_id=site.id,
        trial_id="NCT07586904",
        protocol_version="test",
        phone_e164=phone or new_phone(),
        language="en",
        timezone=timezone,
        sms_consent=sms_consent,
        sms_opted_out_at=opted_out_at,
        anchor_date=date(2026, 12, 1),
        cycles=2,  # as the protocol allows (2 to 4)
        enrolled_by=staff.id,
    )
    session.add(patient)
    session.flush()
    return patient


def make_visit(session: Session, patient: Patient, *, status: str = "scheduled") -> Visit:
    day = date(2026, 12, 8)
    starts = datetime.combine(day, time(1, 0), tzinfo=UTC)
    visit = Visit(
        patient_id=patient.id,
        key=f"visit-{uuid.uuid4().hex[:8]}",
        position=1,
        uid=uuid.uuid4().hex,
        status=status,
        booked_date=day,
        window_start=day,
        window_end=day,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    session.add(visit)
    session.flush()
    return visit


def queue_message(
    session: Session,
    patient: Patient,
    *,
    due_at: datetime,
    body: str | None = None,
    kind: str = "visit_eve",
    visit: Visit | None = None,
    not_after: datetime | None = None,
) -> OutboundMessage:
    """A pending message to `patient`; the body is unique unless given."""
    key = uuid.uuid4().hex
    return enqueue(
        session,
        site_id=patient.site_id,
        business_key=f"test:{key}",
        kind=kind,
        to_e164=patient.phone_e164,
        body=body or f"See you tomorrow at 09:00. Reply C to confirm. Ref {key[:6]}",
        language="en",
        due_at=due_at,
        not_after=not_after,
        patient_id=patient.id,
        visit_id=visit.id if visit else None,
        now=due_at - timedelta(days=1),
    )
