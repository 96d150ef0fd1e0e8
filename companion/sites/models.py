"""Study sites: every lead, patient and staff account belongs to one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base
from companion.timestamps import UtcDateTime, utcnow


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # What patients see in invites and reminders: where to come and whom to call or write to.
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    # How texts say who they are from ("Study team at <label>:"); short, and never the name of a
    # hospital that would tell a reader what the patient is treated for.
    sms_sender_label: Mapped[str | None] = mapped_column(String(24))
    # Days of the week the site sees no patients (0 Monday .. 6 Sunday), beside its closed days.
    closed_weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Symptom reports (unset: the defaults of `companion.symptoms.settings`). What patients are
    # told to call in an emergency, the study's 24-hour phone, the on-call staff mobile that is
    # texted about emergency and red reports, how soon those must be answered, the local time
    # amber reports are due by, and the site's triage thresholds (TriageRules.OVERRIDABLE keys).
    emergency_number: Mapped[str | None] = mapped_column(String(16))
    urgent_phone: Mapped[str | None] = mapped_column(String(32))
    on_call_phone: Mapped[str | None] = mapped_column(String(32))
    respond_within_minutes_urgent: Mapped[int | None] = mapped_column(Integer)
    amber_respond_by: Mapped[str | None] = mapped_column(String(5))  # "HH:MM", local time
    triage_overrides: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
