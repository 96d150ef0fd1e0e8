"""Pre-screen sessions (anonymous) and leads (people who agreed to be contacted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base
from companion.privacy.encryption import EncryptedText, indexed_phone
from companion.sites.models import Site
from companion.timestamps import UtcDateTime, utcnow


class PrescreenSession(Base):
    """One person's answers, reachable only through an unguessable link.

    Holds no name, contact detail, address or device data: only the answers, so that a person can
    come back later. The token itself is never stored, only its SHA-256 digest.
    """

    __tablename__ = "prescreen_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    trial_id: Mapped[str] = mapped_column(String(32))
    trial_version: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    language: Mapped[str] = mapped_column(String(8))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answer_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    verdict: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    site: Mapped[Site] = relationship()


class Lead(Base):
    """A person who finished the pre-screen, may fit, and consented to be contacted.

    Name, phone and email are encrypted at rest; `phone_hash` finds a lead by phone number.
    """

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    trial_id: Mapped[str] = mapped_column(String(32))
    prescreen_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("prescreen_sessions.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(EncryptedText)
    phone_e164: Mapped[str] = mapped_column(EncryptedText)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)  # set with phone_e164
    email: Mapped[str | None] = mapped_column(EncryptedText)
    language: Mapped[str] = mapped_column(String(8))
    best_time_to_call: Mapped[str] = mapped_column(String(16))
    consent_to_contact: Mapped[bool] = mapped_column(Boolean)
    consent_text_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime)
    verdict: Mapped[str] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32), default="new", index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    contact_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    site: Mapped[Site] = relationship()

    _index_phone = indexed_phone("phone_e164", "phone_hash")


class LeadContactAttempt(Base):
    """One try by the site to reach a lead (at most three before "could not reach")."""

    __tablename__ = "lead_contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText)  # staff's words about a person
