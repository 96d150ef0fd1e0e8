"""Putting messages in the outbox and taking back those no longer wanted.

Callers add messages in the same transaction as the change that causes them (an enrolment, a
rescheduled visit, an inbound HELP), so a message exists exactly when its cause does. The
dispatcher (`companion.messaging.dispatcher`) sends them when due.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.messaging.models import CANCELLED, PENDING, OutboundMessage


def enqueue(
    db: Session,
    *,
    site_id: int,
    business_key: str,
    kind: str,
    to_e164: str,
    body: str,
    language: str,
    due_at: datetime,
    segments: int = 1,
    not_after: datetime | None = None,
    patient_id: int | None = None,
    visit_id: int | None = None,
    now: datetime,
) -> OutboundMessage:
    """The message for `business_key`: added when new, else the one already there (unchanged)."""
    existing = db.scalar(
        select(OutboundMessage).where(OutboundMessage.business_key == business_key)
    )
    if existing is not None:
        return existing
    message = OutboundMessage(
        site_id=site_id,
        patient_id=patient_id,
        visit_id=visit_id,
        kind=kind,
        business_key=business_key,
        to_e164=to_e164,
        body=body,
        language=language,
        segments=segments,
        due_at=due_at,
        not_after=not_after,
        status=PENDING,
        created_at=now,
        updated_at=now,
    )
    db.add(message)
    db.flush()
    return message


def cancel_pending(
    db: Session,
    *,
    patient_id: int,
    now: datetime,
    keep: Iterable[str] = (),
    kinds: Iterable[str] | None = None,
) -> int:
    """Cancel the patient's messages not yet sent (but those in `keep`); returns how many.

    Only `pending` ones: a message a dispatcher has claimed is already on its way.
    """
    query = update(OutboundMessage).where(
        OutboundMessage.patient_id == patient_id,
        OutboundMessage.status == PENDING,
    )
    keep = list(keep)
    if keep:
        query = query.where(OutboundMessage.business_key.not_in(keep))
    if kinds is not None:
        query = query.where(OutboundMessage.kind.in_(list(kinds)))
    result = db.execute(
        query.values(status=CANCELLED, updated_at=now).execution_options(synchronize_session=False)
    )
    return result.rowcount
