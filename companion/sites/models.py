"""Study sites: every lead, patient and staff account belongs to one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
