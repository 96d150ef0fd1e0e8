"""Conversations with the bot, what was said in them, and the tasks they leave for the team.

A web conversation is found by the digest of its random id (the id itself, the only key to
it, is given to the person and never stored); a text conversation by the patient. What people
write may say anything about their health, so every line is encrypted at rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base
from companion.privacy.encryption import EncryptedJSON, EncryptedText
from companion.timestamps import UtcDateTime, utcnow

WEB, SMS = "web", "sms"
CHANNELS = (WEB, SMS)
PERSON, BOT, STAFF = "person", "bot", "staff"
SPEAKERS = (PERSON, BOT, STAFF)
CALLBACK, RESCHEDULE = "callback", "reschedule"
TASK_KINDS = (CALLBACK, RESCHEDULE)
OPEN, DONE = "open", "done"


class Conversation(Base):
    """One conversation: its dialogue state (`companion.chat.dialogue.State` as JSON, encrypted:
    it holds answers, and a name and phone number while they are being taken), when it lapses,
    and who on the team has taken it over (the bot is silent while someone has)."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_patient_id_expires_at", "patient_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    prescreen_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("prescreen_sessions.id", ondelete="SET NULL")
    )
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_over_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    taken_over_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    emergency_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    turns: Mapped[list[ConversationTurn]] = relationship(
        back_populates="conversation",
        order_by="ConversationTurn.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ConversationTurn(Base):
    """One line of the transcript: who said what, when (encrypted)."""

    __tablename__ = "conversation_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    speaker: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(EncryptedText)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), index=True
    )
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)

    conversation: Mapped[Conversation] = relationship(back_populates="turns")


class ChatTask(Base):
    """Something the bot promised the team would do: call someone back, arrange a new time."""

    __tablename__ = "chat_tasks"
    __table_args__ = (Index("ix_chat_tasks_site_id_status", "site_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    phone_e164: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(8), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
