"""Demo text messages: what a patient enrolled two weeks ago would have sent and received.

Their reminders go through the real dispatcher, each at the moment it fell due, with the outbox
backend (nothing leaves the machine: the staff pages show them as recorded, not sent). Their
texts back go through the same inbound handling as Twilio's webhook.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.enrolment.models import Patient
from companion.messaging.inbound import InboundText, receive_text, visit_to_confirm
from companion.messaging.models import PENDING, OutboundMessage

DispatchAsOf = Callable[[datetime], object]


def replay_reminders(
    db: Session, patient: Patient, until: datetime, dispatch_as_of: DispatchAsOf
) -> None:
    """Dispatch, in order and each at its own moment, the patient's reminders due before `until`.

    Commits first: the dispatcher works in sessions of its own.
    """
    db.commit()
    moments = db.scalars(
        select(OutboundMessage.due_at)
        .where(
            OutboundMessage.patient_id == patient.id,
            OutboundMessage.status == PENDING,
            OutboundMessage.due_at < until,
        )
        .distinct()
        .order_by(OutboundMessage.due_at)
    ).all()
    db.commit()
    for moment in moments:
        dispatch_as_of(moment)


def confirm_next_visit(db: Session, patient: Patient, at: datetime) -> None:
    """The patient replies C to confirm their next visit (it must be within the days a reply
    confirms)."""
    if visit_to_confirm(db, patient, at) is None:
        raise ValueError("the demo patient has no visit to confirm at that moment")
    texts(db, patient, "C", at)


def texts(db: Session, patient: Patient, body: str, at: datetime) -> None:
    """`patient` texts `body` to the study number at `at`, handled as the webhook handles it."""
    sid = f"SM{uuid.uuid4().hex}"
    receive_text(db, InboundText(message_sid=sid, from_e164=patient.phone_e164, body=body), at)
