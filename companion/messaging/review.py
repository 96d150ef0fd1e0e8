"""What the study team reviews of the texts: one patient's, the site's failed ones, and the texts
from patients still waiting for an answer. Every query is scoped to one site.

A text "failed" when Twilio refused it (`failed`), when its outcome was never seen and must be
checked (`unknown`), or when Twilio reported it `failed` or `undelivered`. A text from a patient
waits for an answer when it was no keyword (`other`) and no one has marked it answered yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from companion.enrolment.models import Patient
from companion.errors import NotFound
from companion.messaging.delivery import DELIVERY_FAILED
from companion.messaging.inbound import FOR_THE_TEAM
from companion.messaging.models import FAILED, UNKNOWN, InboundMessage, OutboundMessage

LIST_LIMIT = 200
NOT_HERE = "No text message with this id at your site."


@dataclass(frozen=True)
class PatientText:
    """One text to (outbound) or from (inbound) a patient, for their timeline."""

    at: datetime
    message: OutboundMessage | InboundMessage


def patient_texts(db: Session, patient: Patient) -> list[PatientText]:
    """Every text to and from the patient, newest first (a text to come by when it is due)."""
    sent = db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.patient_id == patient.id, OutboundMessage.site_id == patient.site_id)
        .order_by(OutboundMessage.id.desc())
        .limit(LIST_LIMIT)
    )
    received = db.scalars(
        select(InboundMessage)
        .where(InboundMessage.patient_id == patient.id)
        .order_by(InboundMessage.id.desc())
        .limit(LIST_LIMIT)
    )
    texts = [PatientText(message.sent_at or message.due_at, message) for message in sent]
    texts += [PatientText(message.received_at, message) for message in received]
    return sorted(texts, key=lambda text: text.at, reverse=True)


def failed_texts(db: Session, site_id: int) -> list[OutboundMessage]:
    """The site's texts that did not reach the patient (or may not have), newest first."""
    return list(
        db.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.site_id == site_id,
                or_(
                    OutboundMessage.status.in_((FAILED, UNKNOWN)),
                    OutboundMessage.delivery_status.in_(sorted(DELIVERY_FAILED)),
                ),
            )
            .order_by(OutboundMessage.updated_at.desc(), OutboundMessage.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def texts_awaiting_answer(db: Session, site_id: int) -> list[InboundMessage]:
    """The site's texts from patients that no one has answered yet, oldest first."""
    return list(
        db.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.site_id == site_id,
                InboundMessage.handled_as.in_(FOR_THE_TEAM),
                InboundMessage.handled_at.is_(None),
            )
            .order_by(InboundMessage.received_at, InboundMessage.id)
            .limit(LIST_LIMIT)
        )
    )


def mark_answered(db: Session, site_id: int, message_id: int, now: datetime) -> InboundMessage:
    """Record that the team has answered a patient's text (by phone, in person, by text)."""
    message = db.get(InboundMessage, message_id)
    if message is None or message.site_id != site_id or message.handled_as not in FOR_THE_TEAM:
        raise NotFound(NOT_HERE)
    if message.handled_at is None:
        message.handled_at = now
    return message


def patients_by_id(db: Session, site_id: int, ids: set[int | None]) -> dict[int, Patient]:
    """The site's patients among `ids`, by id (for naming them in a list)."""
    wanted = {patient_id for patient_id in ids if patient_id is not None}
    if not wanted:
        return {}
    patients = db.scalars(select(Patient).where(Patient.id.in_(wanted), Patient.site_id == site_id))
    return {patient.id: patient for patient in patients}
