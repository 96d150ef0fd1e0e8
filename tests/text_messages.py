"""Texts in the outbox as the planner and the dispatcher leave them, for API and browser tests."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from companion.db import db
from companion.enrolment.models import Patient
from companion.messaging.models import OutboundMessage
from companion.messaging.outbox import enqueue
from companion.timestamps import utcnow

REMINDER_BODY = "Your study team: Reminder for tomorrow at 8:30: First check-up visit."


def queued_text(
    app: Flask,
    patient_id: int,
    key: str,
    *,
    kind: str = "visit_eve",
    body: str = REMINDER_BODY,
    due_in: timedelta = timedelta(hours=1),
) -> int:
    """A text waiting in the outbox for the patient; returns its id."""
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        now = utcnow()
        message = enqueue(
            db.session,
            site_id=patient.site_id,
            business_key=key,
            kind=kind,
            to_e164=patient.phone_e164,
            body=body,
            language=patient.language,
            due_at=now + due_in,
            patient_id=patient_id,
            now=now,
        )
        db.session.commit()
        return message.id


def dispatched_text(
    app: Flask,
    patient_id: int,
    key: str,
    *,
    status: str = "sent",
    provider_sid: str | None = None,
    delivery_status: str | None = None,
    error_code: int | None = None,
    body: str = REMINDER_BODY,
    sent_ago: timedelta = timedelta(hours=1),
) -> int:
    """A text the dispatcher has dealt with: sent (with Twilio's SID), failed, or unknown."""
    message_id = queued_text(app, patient_id, key, body=body, due_in=-sent_ago)
    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        message.status = status
        message.provider_sid = provider_sid
        message.delivery_status = delivery_status
        message.error_code = error_code
        if status == "sent":
            message.sent_at = utcnow() - sent_ago
        db.session.commit()
    return message_id
