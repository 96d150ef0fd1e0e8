"""Enrolled patients, their visits, their home-injection diary, and the days a site is closed."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base
from companion.privacy.encryption import EncryptedText, indexed_phone
from companion.sites.models import Site
from companion.timestamps import UtcDateTime, utcnow


class Patient(Base):
    """A person enrolled in the trial at one site, with the schedule their visits come from.

    The phone number (and name, when given) are encrypted at rest; `phone_hash` finds a patient
    by the number an SMS comes from. `anchor_date` is the planned cycle 1 day 1.
    """

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    trial_id: Mapped[str] = mapped_column(String(32))
    protocol_version: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str | None] = mapped_column(EncryptedText)
    phone_e164: Mapped[str] = mapped_column(EncryptedText)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)  # set with phone_e164
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    sms_consent: Mapped[bool] = mapped_column(Boolean)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # STOP, until START
    anchor_date: Mapped[date] = mapped_column(Date)
    cycles: Mapped[int] = mapped_column(Integer)
    enrolled_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    site: Mapped[Site] = relationship()

    _index_phone = indexed_phone("phone_e164", "phone_hash")

    def local_today(self, now: datetime) -> date:
        """Today's date where the patient lives."""
        return now.astimezone(ZoneInfo(self.timezone)).date()


class Visit(Base):
    """One visit of a patient's calendar, as the builder placed it and staff kept it.

    `key` names the protocol's visit (its name and preparation come from the protocol file).
    `booked_date` is the day it is booked for; `rescheduled_to` is set when staff chose that day,
    `done_on` when it took place. `uid` is the calendar UID: it never changes, while `sequence`
    grows by one each time the visit changes in a way a calendar must show.
    """

    __tablename__ = "visits"
    __table_args__ = (UniqueConstraint("patient_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    booked_date: Mapped[date] = mapped_column(Date, index=True)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    rescheduled_to: Mapped[date | None] = mapped_column(Date)
    moved_from_closed_day: Mapped[date | None] = mapped_column(Date)
    cannot_avoid_closed_day: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the patient replied C
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()


class InjectionLogEntry(Base):
    """What happened to one home dose, as the patient (or staff for them) recorded it."""

    __tablename__ = "injection_log"
    __table_args__ = (UniqueConstraint("patient_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by: Mapped[str] = mapped_column(String(16))  # "patient" or "staff"
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ClosedDay(Base):
    """A day the site sees no patients (a holiday, a closure); visits move off it if they can."""

    __tablename__ = "site_closed_days"
    __table_args__ = (UniqueConstraint("site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
