"""Taking due messages from the outbox so that only one dispatcher sends each.

A claim is one short transaction: the due rows are selected and marked `sending` with a lease
for this dispatcher. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several dispatchers claim side
by side without waiting for each other or taking the same row; on SQLite the transaction is
`BEGIN IMMEDIATE` (see `companion.db`), so one writer claims at a time.

Due rows are: `pending` ones whose time has come; `sending` ones whose lease ran out (their
dispatcher died); `unknown` ones whose next look at Twilio is due. The last two are "in doubt":
they may already be at Twilio, so `claimed_at` keeps the start of the first attempt in doubt,
and the dispatcher looks in Twilio's message list from then on before sending again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from companion.messaging.models import PENDING, SENDING, UNKNOWN, OutboundMessage


@dataclass(frozen=True)
class Claim:
    """A message this dispatcher now holds; `in_doubt_since` is set when it may have gone."""

    message_id: int
    in_doubt_since: datetime | None


def claim_due(
    session: Session, *, now: datetime, worker_id: str, lease_until: datetime, limit: int
) -> list[Claim]:
    """Claim up to `limit` messages due at `now` for `worker_id` until `lease_until`; commits."""
    message = OutboundMessage
    ready = or_(message.next_attempt_at.is_(None), message.next_attempt_at <= now)
    due = or_(
        and_(message.status == PENDING, message.due_at <= now, ready),
        and_(
            message.status == SENDING,
            or_(message.lease_until.is_(None), message.lease_until <= now),
        ),
        and_(message.status == UNKNOWN, ready),
    )
    rows = session.execute(
        select(message.id, message.status, message.claimed_at, message.due_at)
        .where(due)
        .order_by(message.due_at, message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        session.execute(
            update(message)
            .where(message.id.in_([row.id for row in rows]))
            .values(
                status=SENDING,
                claimed_by=worker_id,
                claimed_at=case(
                    (message.status == PENDING, now),
                    else_=func.coalesce(message.claimed_at, message.due_at),
                ),
                lease_until=lease_until,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return [
        Claim(row.id, None if row.status == PENDING else (row.claimed_at or row.due_at))
        for row in rows
    ]


def release(session: Session, claims: Iterable[Claim], *, worker_id: str, now: datetime) -> int:
    """Hand back claims not worked on (the dispatcher is stopping); commits; returns how many.

    A message in doubt goes back to `unknown`, keeping when its doubt began.
    """
    released = 0
    for claim in claims:
        doubtful = claim.in_doubt_since is not None
        result = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == claim.message_id,
                OutboundMessage.status == SENDING,
                OutboundMessage.claimed_by == worker_id,
            )
            .values(
                status=UNKNOWN if doubtful else PENDING,
                claimed_by=None,
                claimed_at=claim.in_doubt_since,
                lease_until=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        released += result.rowcount
    session.commit()
    return released
