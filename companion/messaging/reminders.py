"""Keep a patient's reminders in the outbox equal to what the reminder planner derives today.

Called in the same transaction as every change that moves a visit (enrolment, reschedule, a
status, closed days, site settings) and daily for every patient (`flask sms replan`), so the
outbox never holds a reminder for a day that is no longer booked. A patient without consent to
texts, or who texted STOP, gets none, and their pending ones are cancelled.

A reminder's business key is the planner's key (subject, kind, due time) and a digest of what the
message says and to whom: a changed text (site phone, language, translation) is a new message,
and the old one is cancelled while still pending. A reminder planned again after it was
cancelled (a visit moved away and back) is pending again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.enrolment.calendar_sync import calendar_for, protocol_for, visits_of
from companion.enrolment.models import Patient, Visit
from companion.messaging import outbox
from companion.messaging.models import CANCELLED, PENDING, OutboundMessage
from companion.messaging.wording import (
    REMINDER_TEMPLATES,
    RenderedSms,
    render_sms,
    visit_params,
)
from companion.sites.models import Site
from schedules.protocol import LocalText
from schedules.reminder_policy import ReminderPolicy, load_reminder_policy
from schedules.reminders import BookedVisit, PlannedReminder, plan_reminders

POLICY_FILE = Path(__file__).resolve().parent / "reminder_policy.yaml"
# How long a reminder already due may still be waiting for a dispatcher: a replan keeps it (its
# `not_after`, at most the next quiet hours, decides whether it still goes), never cancels it.
STILL_DISPATCHING = timedelta(days=1)


@lru_cache(maxsize=1)
def reminder_policy() -> ReminderPolicy:
    """The site's reminder policy, read and checked once per process."""
    return load_reminder_policy(POLICY_FILE, templates=REMINDER_TEMPLATES)


@dataclass(frozen=True)
class Replan:
    """What a replan did: the business keys of the patient's reminders in the plan now (from a
    day ago on), how many of them it added to the outbox, and how many pending ones it
    cancelled."""

    planned: tuple[str, ...]
    added: int
    cancelled: int


def replan_patient(db: Session, patient: Patient, now: datetime) -> Replan:
    """Put the patient's planned reminders in the outbox and cancel those no longer planned.

    Two replans of one patient must not run at once (both would add the same new reminder): the
    caller holds the patient's row, as the enrolment service's visit changes and `replan_all` do.
    """
    policy = reminder_policy()
    if not patient.sms_consent or patient.sms_opted_out_at is not None:
        stopped = outbox.cancel_pending(db, patient_id=patient.id, now=now, kinds=policy.kinds)
        return Replan((), 0, stopped)
    rows = {visit.key: visit for visit in visits_of(db, patient)}
    wanted = _wanted(db, patient, rows, policy, now)
    stored = dict(
        db.execute(
            select(OutboundMessage.business_key, OutboundMessage.status).where(
                OutboundMessage.patient_id == patient.id,
                OutboundMessage.business_key.in_(list(wanted)),
            )
        ).all()
    )
    new = {k: item for k, item in wanted.items() if k not in stored and item[0].due_at >= now}
    for key, (reminder, rendered) in new.items():
        visit = rows.get(reminder.subject_key)
        outbox.enqueue(
            db,
            site_id=patient.site_id,
            business_key=key,
            kind=reminder.kind,
            to_e164=patient.phone_e164,
            body=rendered.text,
            language=patient.language,
            due_at=reminder.due_at,
            segments=rendered.segments,
            not_after=reminder.not_after,
            patient_id=patient.id,
            visit_id=visit.id if visit is not None else None,
            now=now,
        )
    # Planned again after it was cancelled (a visit moved away and back): wanted again.
    again = [key for key, status in stored.items() if status == CANCELLED]
    _revive(db, [key for key in again if wanted[key][0].due_at >= now], now)
    cancelled = outbox.cancel_pending(
        db, patient_id=patient.id, now=now, keep=list(wanted), kinds=policy.kinds
    )
    return Replan(tuple(wanted), len(new), cancelled)


def replan_all(db: Session, now: datetime) -> list[Replan]:
    """Replan every enrolled patient, committing after each (for the daily run)."""
    done = []
    for patient_id in db.scalars(select(Patient.id).order_by(Patient.id)).all():
        patient = db.get(Patient, patient_id, with_for_update=True)
        if patient is not None:
            done.append(replan_patient(db, patient, now))
            db.commit()
    return done


def _wanted(
    db: Session, patient: Patient, rows: dict[str, Visit], policy: ReminderPolicy, now: datetime
) -> dict[str, tuple[PlannedReminder, RenderedSms]]:
    """Business key -> (reminder, text) of every reminder still wanted: those to come, and
    those due already but still waiting for a dispatcher (they are kept, not added again)."""
    protocol = protocol_for(patient.trial_id, patient.cycles)
    known = {plan.key: plan for plan in protocol.visits}
    plan = plan_reminders(
        [
            BookedVisit(row.key, row.starts_at, known[key].place, known[key].activities)
            for key, row in rows.items()
            if key in known
        ],
        calendar_for(db, patient, rows).home_doses,
        policy,
        patient.timezone,
        now - STILL_DISPATCHING,
        statuses={key: row.status for key, row in rows.items()},
    )
    names: dict[str, LocalText] = {visit.key: visit.name for visit in protocol.visits}
    names |= {dose.key: dose.name for dose in protocol.home_doses}
    wanted = {}
    for reminder in plan:
        if reminder.not_after > now:
            rendered = _message(patient, reminder, names)
            wanted[_business_key(patient, reminder, rendered.text)] = (reminder, rendered)
    return wanted


def _message(
    patient: Patient, reminder: PlannedReminder, names: dict[str, LocalText]
) -> RenderedSms:
    language = patient.language
    name = names.get(reminder.subject_key.split(":")[0], {})
    return render_sms(
        REMINDER_TEMPLATES[reminder.template],
        language,
        site=_sender(patient.site),
        phone=patient.site.phone,
        **visit_params(
            name.get(language) or name.get("en", ""),
            reminder.params["at"],
            language,
            patient.timezone,
        ),
    )


def _sender(site: Site) -> str | None:
    """The site's short name for texts; without one, texts are from "Your study team"."""
    return site.sms_sender_label


def _revive(db: Session, keys: list[str], now: datetime) -> None:
    if keys:
        db.execute(
            update(OutboundMessage)
            .where(OutboundMessage.business_key.in_(keys), OutboundMessage.status == CANCELLED)
            .values(status=PENDING, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def _business_key(patient: Patient, reminder: PlannedReminder, text: str) -> str:
    """The planner's key and a digest of the message. The keys are stored in clear, so the
    digest takes the number's keyed hash: a plain digest would let the number be guessed back."""
    said = f"{patient.phone_hash}\n{reminder.not_after.isoformat()}\n{text}"
    digest = hashlib.sha256(said.encode()).hexdigest()[:12]
    return f"reminder:{patient.id}:{reminder.key}:{digest}"
