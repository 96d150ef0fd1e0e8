"""A text a person sent us: kept once, tied to the patient of that number, acted on, answered.

No Flask request objects: the webhook hands over the message's fields and the time. Twilio may
deliver the same message more than once (a retry after a slow answer); the message's SID is
unique, so the first delivery stores and acts, and every later one gets the same answer and
changes nothing.

- STOP (and its kin, see `keywords`) stops texts to every patient of that number, since Twilio
  blocks the number itself, and cancels their messages not yet sent. We send no reply: Twilio
  confirms it.
- START lifts that, for every patient of the number, plans their reminders again, and says so.
- HELP answers what these texts are and the site's phone number.
- A confirm word ("C", "YES", 确认) marks the patient's next visit, when it is within the next
  two days where they live, as confirmed, and answers with its name, day and time.
- A symptom report (`companion.symptoms.sms_reports`: words that describe an emergency or a red
  flag, or the short format `FEVER 38.6`) becomes a report in the triage queue, and the answer
  is the report's fixed one (call the emergency number now; the team will call within the hour;
  thanks). It is answered even when the patient has opted out: it may be an emergency.
- Anything else goes to the chat (`companion.chat`): next visit, changing a visit, a short
  symptom check, a home shot taken, a call from the team. While the chat waits for an answer
  (or staff have taken the conversation over), every text but STOP, START and HELP goes to it,
  symptom words included (it has the same emergency detector and makes the same reports), and
  a bare "yes" or "是" answers its question instead of confirming a visit ("C" and 确认 still
  confirm). What the chat cannot help with is left for the study team to read.

Replies are `companion.messaging.wording`'s, rendered in the patient's language with the site's
phone number, as every text we send.

A number enrolled for more than one patient (a family phone, or the same person at two sites) is
tied to the patient we last texted there, else the one enrolled last. A patient who has opted
out gets no reply but to HELP and START. A number we do not know is stored without a patient and
gets one reply in English and Chinese that says nothing about anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.audit.recorder import audit_reason
from companion.chat import service as chat
from companion.enrolment.models import Patient, Visit
from companion.messaging import replies, wording
from companion.messaging.keywords import bare_word, read_keyword, resubscribes_at_twilio
from companion.messaging.models import InboundMessage, OutboundMessage
from companion.messaging.outbox import cancel_pending
from companion.messaging.reminders import replan_patient
from companion.messaging.visit_words import visit_words
from companion.privacy.encryption import phone_hash
from companion.symptoms import service as symptom_service
from companion.symptoms import sms_reports
from schedules.attention import SCHEDULED
from symptoms import Urgency

STOP, START, HELP, CONFIRM, OTHER = "stop", "start", "help", "confirm", "other"
SYMPTOM = "symptom"  # a symptom report (see companion.symptoms.sms_reports)
CHAT = "chat"  # answered by the chat (see companion.chat)
HANDLED_AS = (STOP, START, HELP, CONFIRM, SYMPTOM, CHAT, OTHER)
FOR_THE_TEAM = (OTHER, CHAT)  # texts that wait for the team when nothing answered them
CONFIRM_ONLY = frozenset({"C", "CONFIRM", "确认"})  # confirm a visit even while the chat asks
# Twilio's Advanced Opt-Out names the keyword it acted on; it is the word that counts then.
OPT_OUT_TYPES = {"STOP": STOP, "START": START, "HELP": HELP}
CONFIRM_DAYS = 2  # a reply confirms a visit from today to this many days ahead, patient's time
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class InboundText:
    """The fields of Twilio's inbound-message webhook that we use."""

    message_sid: str
    from_e164: str
    body: str
    opt_out_type: str | None = None


@dataclass(frozen=True)
class Reception:
    """What became of a text: the stored message and the reply (None: no reply)."""

    message: InboundMessage
    reply: str | None
    repeated: bool


def receive_text(db: Session, text: InboundText, now: datetime) -> Reception:
    """Store `text` once, act on it the first time, and give the reply every time."""
    stored = db.scalar(select(InboundMessage).where(InboundMessage.message_sid == text.message_sid))
    if stored is not None:
        return Reception(stored, reply_to(db, stored), repeated=True)
    patients = patients_of_number(db, text.from_e164)
    patient = _tied_patient(db, patients, text.from_e164)
    handled_as = _handled_as(text, patients)
    if patient is not None and handled_as in (OTHER, CONFIRM):
        handled_as = _chat_or_not(db, text, handled_as, patient, now)
    message = InboundMessage(
        message_sid=text.message_sid,
        site_id=patient.site_id if patient else None,
        patient_id=patient.id if patient else None,
        from_e164=text.from_e164,
        body=text.body,
        handled_as=handled_as,
        received_at=now,
        handled_at=None if handled_as in (OTHER, CHAT) else now,
    )
    db.add(message)
    db.flush()  # the unique SID: a twin delivered at the same moment fails here, not later
    _act(db, message, patient, patients, now)
    return Reception(message, reply_to(db, message), repeated=False)


def _chat_or_not(
    db: Session, text: InboundText, handled_as: str, patient: Patient, now: datetime
) -> str:
    """Whether a text that is no STOP, START or HELP goes to the chat (see the docstring)."""
    if chat.waits_for_answer(chat.open_conversation_of(db, patient, now)):
        return CONFIRM if bare_word(text.body) in CONFIRM_ONLY else CHAT
    if handled_as == CONFIRM:
        return CONFIRM
    return SYMPTOM if sms_reports.reads_as_report(text.body) else CHAT


def patients_of_number(db: Session, e164: str) -> list[Patient]:
    """Every patient enrolled with this phone number, at any site, held until the commit.

    Held (PostgreSQL row locks, read afresh) so that a STOP and a replan of the same patient's
    reminders, which holds the patient the same way, happen one after the other.
    """
    return list(
        db.scalars(
            select(Patient)
            .where(Patient.phone_hash == phone_hash(e164))
            .order_by(Patient.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def visit_to_confirm(db: Session, patient: Patient, at: datetime) -> Visit | None:
    """The patient's next booked visit after `at`, if it falls within the confirmable days."""
    visit = db.scalar(
        select(Visit)
        .where(Visit.patient_id == patient.id, Visit.status == SCHEDULED, Visit.starts_at > at)
        .order_by(Visit.starts_at, Visit.position)
        .limit(1)
    )
    if visit is None:
        return None
    zone = ZoneInfo(patient.timezone)
    last_day = at.astimezone(zone).date() + timedelta(days=CONFIRM_DAYS)
    return visit if visit.starts_at.astimezone(zone).date() <= last_day else None


def reply_to(db: Session, message: InboundMessage) -> str | None:
    """The reply to a stored message, worked out the same way for a first and a repeated one."""
    patient = db.get(Patient, message.patient_id) if message.patient_id else None
    if patient is None:
        return (
            None
            if message.handled_as in (STOP, START)
            else replies.unknown_sender_reply(message.body)
        )
    if message.handled_as == STOP:
        return None
    if message.handled_as == START:
        return _render(wording.START_REPLY, patient)
    if message.handled_as == HELP:
        return _render(wording.HELP_REPLY, patient)
    if message.handled_as == SYMPTOM:
        return sms_reports.reply_to_report(db, message, patient) or _render(
            wording.OTHER_RECEIVED, patient
        )
    if message.handled_as == CHAT:
        return _chat_reply(db, message, patient)
    if patient.sms_opted_out_at is not None:
        return None
    if message.handled_as == CONFIRM:
        visit = visit_to_confirm(db, patient, message.received_at)
        if visit is None:
            return _render(wording.CONFIRM_NOTHING_TO_CONFIRM, patient)
        return _render(wording.CONFIRM_THANKS, patient, **visit_words(visit, patient))
    return _render(wording.OTHER_RECEIVED, patient)


def _chat_reply(db: Session, message: InboundMessage, patient: Patient) -> str | None:
    """The chat's answer to the message, as a whole text. An urgent report's answer says whom
    to call and goes even to a patient who opted out (Twilio may still block it)."""
    report = symptom_service.report_of_message(db, message)
    urgent = report is not None and Urgency.from_name(report.urgency) >= Urgency.RED
    if patient.sms_opted_out_at is not None and not urgent:
        return None
    lines = chat.bot_lines_for(db, message)
    if not lines:
        return None
    site = patient.site
    return wording.sms_from_team(
        "\n".join(lines),
        patient.language,
        site=site.sms_sender_label,
        phone=None if urgent else site.phone,
    ).text


def _render(template: LazyString, patient: Patient, **params: str) -> str:
    """A reply in the patient's language, from their study team, with the site's phone."""
    site = patient.site
    return wording.render_sms(
        template, patient.language, site=site.sms_sender_label, phone=site.phone, **params
    ).text


def _handled_as(text: InboundText, patients: list[Patient]) -> str:
    if text.opt_out_type and text.opt_out_type.upper() in OPT_OUT_TYPES:
        return OPT_OUT_TYPES[text.opt_out_type.upper()]
    keyword = read_keyword(text.body)
    opted_out = any(patient.sms_opted_out_at is not None for patient in patients)
    if keyword == CONFIRM and opted_out and resubscribes_at_twilio(text.body):
        return START  # Twilio has just let texts through again ("YES"); so do we
    return keyword or OTHER


def _act(
    db: Session,
    message: InboundMessage,
    patient: Patient | None,
    patients: list[Patient],
    now: datetime,
) -> None:
    if message.handled_as == STOP:
        audit_reason("The patient texted STOP.", db)
        for each in patients:
            if each.sms_opted_out_at is None:
                each.sms_opted_out_at = now
            cancel_pending(db, patient_id=each.id, now=now)
    elif message.handled_as == START:
        audit_reason("The patient texted START.", db)
        for each in patients:
            each.sms_opted_out_at = None
            replan_patient(db, each, now)  # their reminders, cancelled by STOP, come back
    elif message.handled_as == SYMPTOM and patient is not None:
        sms_reports.report_text(db, message, patient, now)
    elif message.handled_as == CHAT and patient is not None:
        outcome = chat.chat_by_text(db, message, patient, now)
        message.handled_at = None if outcome.pass_to_team else now
    elif message.handled_as == CONFIRM and patient is not None:
        visit = visit_to_confirm(db, patient, message.received_at)
        if visit is not None and visit.confirmed_at is None:
            audit_reason("The patient confirmed the visit by text.", db)
            visit.confirmed_at = now


def _tied_patient(db: Session, patients: list[Patient], e164: str) -> Patient | None:
    """The patient a text from this number is about (see the module's docstring)."""
    if len(patients) <= 1:
        return patients[0] if patients else None
    last_texted = dict(
        db.execute(
            select(OutboundMessage.patient_id, func.max(OutboundMessage.sent_at))
            .where(
                OutboundMessage.to_hash == phone_hash(e164),
                OutboundMessage.patient_id.in_([patient.id for patient in patients]),
                OutboundMessage.sent_at.is_not(None),
            )
            .group_by(OutboundMessage.patient_id)
        ).all()
    )
    return max(
        patients,
        key=lambda patient: (last_texted.get(patient.id) or NEVER, patient.enrolled_at),
    )
