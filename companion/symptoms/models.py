"""Symptom reports a patient (or staff for them) submitted, and the notes staff add to them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base
from companion.enrolment.models import Patient
from companion.privacy.encryption import EncryptedText
from companion.timestamps import UtcDateTime, utcnow

SOURCES = ("web", "sms", "staff")
OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
STATUSES = (OPEN, ACKNOWLEDGED, RESOLVED)
ACTIONS = (
    "called_patient",
    "advised_clinic_visit",
    "sent_to_emergency",
    "no_action_needed",
    "other",
)
# Whether the on-call phone was texted about the report: only emergency and red ones need it.
ALERT_QUEUED, NO_ON_CALL_PHONE = "queued", "no_on_call_phone"


class EncryptedJson(EncryptedText):
    """A JSON value (a dict of answers) stored as encrypted text; reads back as the value.

    A kind of `EncryptedText`, so key rotation re-encrypts it with every other encrypted column.
    """

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return super().process_bind_param(json.dumps(value, ensure_ascii=False), dialect)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        text = super().process_result_value(value, dialect)
        return None if text is None else json.loads(text)


class SymptomReport(Base):
    """One report: the checked answers (encrypted), how urgent the triage found it and why,
    and what the study team did about it.

    `respond_by` is the deadline set at submission from the site's settings (none for green).
    `alert` says whether the on-call phone was texted (emergency and red reports only).
    """

    __tablename__ = "symptom_reports"
    __table_args__ = (Index("ix_symptom_reports_site_id_status", "site_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))  # web, sms, staff
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJson)
    urgency: Mapped[str] = mapped_column(String(16))  # emergency, red, amber, green
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    action: Mapped[str | None] = mapped_column(String(32))
    action_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    action_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    respond_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alert: Mapped[str | None] = mapped_column(String(24))
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()


class SymptomReportNote(Base):
    """What a staff member wrote about a report (encrypted: it may say anything)."""

    __tablename__ = "symptom_report_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("symptom_reports.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
