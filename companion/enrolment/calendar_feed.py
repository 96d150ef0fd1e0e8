"""A patient's visits as calendar events in their language: the feed and single-visit invites.

Turns stored visits into `schedules.ics.CalendarEvent`s (words from the protocol file and the
catalogs, in the patient's language) and hands them to the pure renderer.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask_babel import force_locale

from companion.enrolment import wording
from companion.enrolment.calendar_sync import protocol_for
from companion.enrolment.models import Patient, Visit
from companion.i18n import babel_locale
from companion.sites.models import Site
from schedules.attention import CANCELLED
from schedules.ics import CalendarEvent, render_feed, render_invite

UID_DOMAIN = "visits.trial-companion"


def patient_feed(patient: Patient, visits: list[Visit], now: datetime) -> bytes:
    """Every visit of the patient, cancelled ones included, for a calendar subscription.

    The feed is stamped with the time its visits last changed, not the time of the request: the
    same calendar gives the same bytes, so apps polling it are answered "not modified".
    """
    with force_locale(patient.language):
        events = [visit_event(patient, visit) for visit in visits]
        name = str(wording.CALENDAR_NAME)
    stamp = max((visit.changed_at for visit in visits), default=now)
    return render_feed(events, name=name, now=stamp, language=patient.language)


def visit_invite(patient: Patient, visit: Visit, now: datetime) -> tuple[bytes, str]:
    """One visit as an invitation (METHOD:REQUEST), or its withdrawal once cancelled."""
    method = "CANCEL" if visit.status == CANCELLED else "REQUEST"
    site: Site = patient.site
    with force_locale(patient.language):
        event = visit_event(patient, visit)
        organizer_name = str(wording.STUDY_TEAM)
    body = render_invite(
        event,
        method=method,
        organizer_email=site.email or f"study-team@{UID_DOMAIN}",
        organizer_name=organizer_name,
        attendee=uuid.UUID(hex=visit.uid).urn,  # the patient, without a name or address
        now=now,
        language=patient.language,
    )
    return body, method


def visit_event(patient: Patient, visit: Visit) -> CalendarEvent:
    """The calendar event of one visit, in the current locale (the patient's)."""
    protocol = protocol_for(patient.trial_id, patient.cycles)
    plan = protocol.visit(visit.key)
    zone = ZoneInfo(patient.timezone)
    starts_at, ends_at = visit_times(visit, zone)
    name = plan.name.get(patient.language) or plan.name["en"]
    cancelled = visit.status == CANCELLED
    lines: list[str] = []
    if cancelled:
        lines.append(str(wording.CANCELLED_NOTE))
    elif plan.place == "phone":
        lines.append(str(wording.BY_PHONE))
    if plan.preparation and not cancelled:
        lines.append(str(wording.BRING_HEADING))
        for key in plan.preparation:
            text = protocol.preparation[key]
            lines.append("- " + (text.get(patient.language) or text["en"]))
    phone = patient.site.phone
    lines.append(
        wording.QUESTIONS_WITH_PHONE % {"phone": phone} if phone else str(wording.QUESTIONS)
    )
    local_time = format_time(starts_at, "short", locale=babel_locale(patient.language))
    return CalendarEvent(
        uid=f"{visit.uid}@{UID_DOMAIN}",
        sequence=visit.sequence,
        changed_at=visit.changed_at,
        starts_at=starts_at,
        ends_at=ends_at,
        summary=str(wording.CANCELLED_SUMMARY % {"name": name}) if cancelled else name,
        description="\n".join(lines),
        location=None if plan.place == "phone" else patient.site.address,
        cancelled=cancelled,
        reminder=None if cancelled else str(wording.REMINDER % {"name": name, "time": local_time}),
    )


def visit_times(visit: Visit, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end in the patient's zone; a visit done on another day shows on that day."""
    starts_at = visit.starts_at.astimezone(zone)
    ends_at = visit.ends_at.astimezone(zone)
    if visit.done_on is not None and visit.done_on != visit.booked_date:
        shift = timedelta(days=(visit.done_on - visit.booked_date).days)
        starts_at = _same_wall_clock(starts_at, shift, zone)
        ends_at = _same_wall_clock(ends_at, shift, zone)
    return starts_at, ends_at


def _same_wall_clock(moment: datetime, days: timedelta, zone: ZoneInfo) -> datetime:
    return (moment.replace(tzinfo=None) + days).replace(tzinfo=zone)
