"""What Twilio tells us about the texts we sent: every report kept, the message's state kept right.

Status callbacks arrive late, out of order and more than once. Each one is stored (once, when it
carries Twilio's idempotency token), and the message takes a reported status only when it is
further along than the one it has: queued < sending < sent < delivered, undelivered or failed
(< read). So "sent" arriving after "delivered" changes nothing, and a repeat changes nothing.

A report may come before the dispatcher has written the message's SID (Twilio can answer the
callback faster than we commit); `apply_stored_reports` folds such early reports in once the SID
is known. A report whose transaction commits just after that fold (both at once, on PostgreSQL)
is caught by `apply_recent_reports`, which every dispatcher pass runs.

A failure with 21610 means the number replied STOP at Twilio: the patient is marked opted out,
as if we had seen the STOP ourselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from companion.audit.recorder import audit_reason
from companion.enrolment.models import Patient
from companion.messaging.models import DeliveryReport, OutboundMessage
from companion.messaging.outbox import cancel_pending

# How far along a message is; a status of a higher rank replaces one of a lower rank.
STATUS_RANKS = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}
DELIVERY_FAILED = frozenset({"failed", "undelivered"})
UNSUBSCRIBED = 21610  # "the recipient replied STOP": Twilio refuses every text to the number
# How far back each dispatcher pass looks for reports not yet shown on their message.
RECENT_REPORTS = timedelta(minutes=10)


@dataclass(frozen=True)
class StatusReport:
    """The fields of Twilio's status callback that we use."""

    provider_sid: str
    status: str
    error_code: int | None = None
    idempotency_token: str | None = None


def outranks(status: str, current: str | None) -> bool:
    """Whether a message at `current` should take `status` (never backwards, never sideways)."""
    return STATUS_RANKS[status] > (STATUS_RANKS.get(current, -1) if current else -1)


def record_status_report(db: Session, report: StatusReport, now: datetime) -> bool:
    """Keep the report and apply it to its message; False when it is a repeat (nothing done)."""
    if report.idempotency_token is not None and db.scalar(
        select(DeliveryReport.id).where(
            DeliveryReport.idempotency_token == report.idempotency_token
        )
    ):
        return False
    stored = DeliveryReport(
        provider_sid=report.provider_sid,
        status=report.status,
        error_code=report.error_code,
        idempotency_token=report.idempotency_token,
        received_at=now,
    )
    db.add(stored)
    db.flush()  # the unique token: a twin delivered at the same moment fails here
    message = db.scalar(
        select(OutboundMessage)
        .where(OutboundMessage.provider_sid == report.provider_sid)
        .with_for_update()  # two reports of one message at once: the later waits, then compares
    )
    if message is not None:
        _apply(db, message, [stored], now)
    return True


def apply_stored_reports(db: Session, message: OutboundMessage, now: datetime) -> None:
    """Fold in the reports that came before `message.provider_sid` was written (call after)."""
    if message.provider_sid is None:
        return
    reports = db.scalars(
        select(DeliveryReport)
        .where(DeliveryReport.provider_sid == message.provider_sid)
        .order_by(DeliveryReport.id)
    ).all()
    _apply(db, message, reports, now)


def apply_recent_reports(db: Session, now: datetime) -> int:
    """Apply the reports of the last few minutes that their message does not show yet (a
    report that lost the race with `apply_stored_reports`); how many messages were looked at."""
    sids = db.scalars(
        select(DeliveryReport.provider_sid)
        .join(OutboundMessage, OutboundMessage.provider_sid == DeliveryReport.provider_sid)
        .where(
            DeliveryReport.received_at >= now - RECENT_REPORTS,
            or_(
                OutboundMessage.delivery_status.is_(None),
                OutboundMessage.delivery_status != DeliveryReport.status,
            ),
        )
        .distinct()
    ).all()
    for sid in sids:
        message = db.scalar(
            select(OutboundMessage).where(OutboundMessage.provider_sid == sid).with_for_update()
        )
        if message is not None:
            apply_stored_reports(db, message, now)
    return len(sids)


def _apply(
    db: Session, message: OutboundMessage, reports: Iterable[DeliveryReport], now: datetime
) -> None:
    for report in reports:
        if report.status not in STATUS_RANKS or not outranks(
            report.status, message.delivery_status
        ):
            continue
        message.delivery_status = report.status
        message.error_code = report.error_code if report.status in DELIVERY_FAILED else None
        message.updated_at = now
        if report.error_code == UNSUBSCRIBED and message.patient_id is not None:
            _opted_out_at_twilio(db, message.patient_id, now)


def _opted_out_at_twilio(db: Session, patient_id: int, now: datetime) -> None:
    patient = db.get(Patient, patient_id)
    if patient is None or patient.sms_opted_out_at is not None:
        return
    audit_reason("Twilio reports that the number replied STOP.", db)
    patient.sms_opted_out_at = now
    cancel_pending(db, patient_id=patient_id, now=now)
