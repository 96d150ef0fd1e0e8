"""Text messages out (the outbox), in (what patients send), and Twilio's delivery reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base
from companion.privacy.encryption import EncryptedText, indexed_phone
from companion.timestamps import UtcDateTime, utcnow

# Outbox statuses. `pending`: waiting until `due_at` (and `next_attempt_at` after a retry).
# `sending`: claimed by a dispatcher until `lease_until`. `unknown`: a send whose outcome was
# not seen (timeout, 5xx, crash) and must be reconciled with Twilio before any resend.
# `sent`: Twilio accepted it (`provider_sid`). `failed`: refused for good (bad number, opted out).
# `cancelled`: no longer wanted (visit moved, patient opted out). `skipped`: too late to be useful.
PENDING, SENDING, UNKNOWN, SENT, FAILED, CANCELLED, SKIPPED = (
    "pending",
    "sending",
    "unknown",
    "sent",
    "failed",
    "cancelled",
    "skipped",
)
OUTBOX_STATUSES = (PENDING, SENDING, UNKNOWN, SENT, FAILED, CANCELLED, SKIPPED)


class OutboundMessage(Base):
    """One text message to send, written in the same transaction as the change that causes it.

    `business_key` says what the message is for (e.g. "visit:<uid>:eve:<due date>") and is
    unique, so planning the same reminder twice stores it once. Phone number and body are
    encrypted at rest; `to_hash` finds a person's messages.
    """

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    business_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_e164: Mapped[str] = mapped_column(EncryptedText)
    to_hash: Mapped[str] = mapped_column(String(64), index=True)  # set with to_e164
    body: Mapped[str] = mapped_column(EncryptedText)
    language: Mapped[str] = mapped_column(String(8))
    segments: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    not_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    delivery_status: Mapped[str | None] = mapped_column(String(24))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    _index_phone = indexed_phone("to_e164", "to_hash")


class InboundMessage(Base):
    """A text a person sent us, kept once however often Twilio delivers the webhook."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    from_e164: Mapped[str] = mapped_column(EncryptedText)
    from_hash: Mapped[str] = mapped_column(String(64), index=True)  # set with from_e164
    body: Mapped[str] = mapped_column(EncryptedText)
    handled_as: Mapped[str] = mapped_column(String(16))  # stop, start, help, confirm, other
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    _index_phone = indexed_phone("from_e164", "from_hash")


class DeliveryReport(Base):
    """One status callback from Twilio about a message we sent (they repeat and arrive late)."""

    __tablename__ = "delivery_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_sid: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(24))
    error_code: Mapped[int | None] = mapped_column(Integer)
    idempotency_token: Mapped[str | None] = mapped_column(String(128), unique=True)
    # Indexed: every dispatcher pass looks for the reports of the last few minutes.
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
