"""Symptom reports: submit (check, triage, store, answer, alert) and work the triage queue.

No Flask request objects: callers pass the session, the patient or staff member and the time.
Every change is audited on flush (the audit registry lists both tables). The triage itself is the
pure `symptoms` core; this module loads what it needs, stores what it decides and queues the texts
that follow, in the caller's transaction, so a report exists exactly when its texts do. Each text
has a business key made from the report's id, so a retried submission never queues one twice.

The queue's states: a report is `open` until someone acknowledges it, then `acknowledged`;
recording what was done (an action) acknowledges it too; it is `resolved` once an action is
recorded and someone closes it. A resolved report takes notes but no other change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from companion.access.models import StaffUser
from companion.audit.recorder import audit_reason
from companion.enrolment.models import Patient
from companion.errors import Conflict, InvalidInput, NotFound
from companion.messaging.models import InboundMessage
from companion.messaging.outbox import enqueue
from companion.symptoms import queue, wording
from companion.symptoms.models import (
    ACKNOWLEDGED,
    ACTIONS,
    ALERT_QUEUED,
    NO_ON_CALL_PHONE,
    OPEN,
    RESOLVED,
    SOURCES,
    SymptomReport,
    SymptomReportNote,
)
from companion.symptoms.settings import SymptomSettings, symptom_settings, triage_rules_of
from symptoms import AnswerError, Triage, Urgency, check_answers, load_item_bank, triage

logger = logging.getLogger(__name__)

REPORT_NOT_HERE = "No symptom report with this id at your site."
PATIENT_NOT_HERE = "No patient with this id at your site."
NOTE_MAX_LENGTH = 2000
LIST_LIMIT = 500
WAITING = (OPEN, ACKNOWLEDGED)
URGENT_ALERT = "urgent_alert"  # the outbox kind of a text to the on-call phone
SYMPTOM_REPLY = "symptom_reply"  # the outbox kind of the answer texted to the patient
_SUBMITTED_BY = {
    "web": "The patient reported symptoms on their page.",
    "sms": "The patient reported symptoms by text.",
    "staff": "Staff entered the patient's symptom report.",
}
_URGENCY_ORDER = case(
    {urgency.name_lower: -int(urgency) for urgency in Urgency},
    value=SymptomReport.urgency,
    else_=0,
)


@dataclass(frozen=True)
class SubmittedReport:
    """A stored report, its triage, and the answer for the patient (in their language)."""

    report: SymptomReport
    triage: Triage
    patient_reply: str | None


@dataclass(frozen=True)
class QueueRow:
    """One report as the queue shows it: how urgent, whether late, how long it has waited."""

    report: SymptomReport
    patient: Patient
    urgency: Urgency
    overdue: bool
    minutes_waiting: int
    no_on_call_phone: bool


def submit_report(
    db: Session,
    patient: Patient,
    raw_answers: Mapping[str, Any],
    source: str,
    now: datetime,
    *,
    staff: StaffUser | None = None,
    inbound_message: InboundMessage | None = None,
) -> SubmittedReport:
    """Check and triage `raw_answers`, store the report, and queue what follows from it.

    InvalidInput (400) names every bad answer, and nothing is stored. Emergency and red
    reports text the site's on-call phone at once; on the web or entered by staff, they also
    text the patient their answer (a text's answer goes back in the webhook's reply).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    if staff is not None and staff.site_id != patient.site_id:
        raise NotFound(PATIENT_NOT_HERE)
    answers = checked_answers(raw_answers)
    _lock_patient(db, patient)
    site = patient.site
    settings = symptom_settings(site)
    earlier = earlier_answers(db, patient, answers.keys(), now)
    result = triage(answers, triage_rules_of(site), earlier)
    urgency = result.urgency
    audit_reason(_SUBMITTED_BY[source], db)
    report = SymptomReport(
        patient_id=patient.id,
        site_id=patient.site_id,
        source=source,
        answers=answers,
        urgency=urgency.name_lower,
        reasons=list(result.reasons),
        submitted_at=now,
        entered_by_staff_id=staff.id if staff is not None else None,
        status=OPEN,
        respond_by=queue.respond_by(
            urgency,
            now,
            respond_within_minutes_urgent=settings.respond_within_minutes_urgent,
            amber_respond_by=settings.amber_respond_by,
            timezone=settings.timezone,
        ),
        inbound_message_id=inbound_message.id if inbound_message is not None else None,
        created_at=now,
        updated_at=now,
    )
    db.add(report)
    db.flush()
    if urgency >= Urgency.RED:
        report.alert = _alert_on_call(db, report, urgency, settings, now)
        if source != "sms":
            _text_patient_answer(db, report, patient, urgency, settings, now)
    return SubmittedReport(
        report, result, wording.patient_answer(urgency, settings, patient.language)
    )


def checked_answers(raw_answers: Any) -> dict[str, Any]:
    """The answers as the triage reads them; InvalidInput names every bad key and what it takes."""
    try:
        return check_answers(load_item_bank(), raw_answers)
    except AnswerError as error:
        if error.field == "answers":
            problems: dict[str, Any] = {"answers": [error.allowed]}
        else:
            problems = {"answers": {key: [text] for key, text in error.problems.items()}}
        message = "; ".join(
            f"answers: {text}" if key == "answers" else f"answers.{key}: {text}"
            for key, text in error.problems.items()
        )
        raise InvalidInput(message, {"json": problems}) from error


def earlier_answers(
    db: Session, patient: Patient, keys: Iterable[str], before: datetime
) -> dict[str, Any]:
    """For each of `keys`, the patient's answer in their latest report before `before` that had
    it (a key no earlier report had is left out)."""
    wanted = set(keys)
    earlier: dict[str, Any] = {}
    reports = db.scalars(
        select(SymptomReport)
        .where(SymptomReport.patient_id == patient.id, SymptomReport.submitted_at <= before)
        .order_by(SymptomReport.submitted_at.desc(), SymptomReport.id.desc())
        .execution_options(yield_per=50)
    )
    for report in reports:
        for key in wanted & report.answers.keys():
            earlier[key] = report.answers[key]
        wanted -= report.answers.keys()
        if not wanted:
            break
    reports.close()
    return earlier


def report_at_site(db: Session, site_id: int, report_id: int) -> SymptomReport:
    """The report if it belongs to the site; missing and elsewhere look the same (404)."""
    report = db.get(SymptomReport, report_id)
    if report is None or report.site_id != site_id:
        raise NotFound(REPORT_NOT_HERE)
    return report


def report_of_message(db: Session, message: InboundMessage) -> SymptomReport | None:
    """The report a text became, if it became one."""
    return db.scalar(select(SymptomReport).where(SymptomReport.inbound_message_id == message.id))


def open_queue(
    db: Session, site_id: int, now: datetime, statuses: Iterable[str] = WAITING
) -> list[QueueRow]:
    """The site's reports in `statuses` (by default those not yet resolved): most urgent
    first, then oldest first, each with whether it is overdue and how long it has waited."""
    reports = db.scalars(
        select(SymptomReport)
        .where(SymptomReport.site_id == site_id, SymptomReport.status.in_(list(statuses)))
        .order_by(_URGENCY_ORDER, SymptomReport.submitted_at, SymptomReport.id)
        .options(selectinload(SymptomReport.patient))
        .limit(LIST_LIMIT)
    )
    return [queue_row(report, now) for report in reports]


def queue_row(report: SymptomReport, now: datetime) -> QueueRow:
    urgency = Urgency.from_name(report.urgency)
    return QueueRow(
        report=report,
        patient=report.patient,
        urgency=urgency,
        overdue=queue.is_overdue(report.respond_by, report.status, now),
        minutes_waiting=queue.minutes_waiting(report.submitted_at, report.acknowledged_at, now),
        no_on_call_phone=report.alert == NO_ON_CALL_PHONE,
    )


def reports_of_patient(db: Session, patient: Patient) -> list[SymptomReport]:
    """The patient's reports, newest first."""
    return list(
        db.scalars(
            select(SymptomReport)
            .where(SymptomReport.patient_id == patient.id)
            .order_by(SymptomReport.submitted_at.desc(), SymptomReport.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def notes_of(db: Session, report: SymptomReport) -> list[SymptomReportNote]:
    """The report's notes, oldest first."""
    return list(
        db.scalars(
            select(SymptomReportNote)
            .where(SymptomReportNote.report_id == report.id)
            .order_by(SymptomReportNote.created_at, SymptomReportNote.id)
        )
    )


def acknowledge(
    db: Session, report: SymptomReport, staff: StaffUser, now: datetime
) -> SymptomReport:
    """Someone has the report in hand: it stops being overdue. Only an open report can be."""
    _locked(db, report, staff)
    if report.status == RESOLVED:
        raise _conflict("status", "This report is resolved; it cannot be acknowledged again.")
    if report.status == ACKNOWLEDGED:
        raise _conflict("status", "This report is already acknowledged.")
    _acknowledge(report, staff, now)
    db.flush()
    return report


def add_note(
    db: Session, report: SymptomReport, staff: StaffUser, text: str, now: datetime
) -> SymptomReportNote:
    """A note on the report (any status: a resolved report may still be added to)."""
    cleaned = _note_text(text, "text")
    _locked(db, report, staff)
    return _add_note(db, report, staff, cleaned, now)


def record_action(
    db: Session,
    report: SymptomReport,
    staff: StaffUser,
    action: str,
    note: str | None,
    now: datetime,
) -> SymptomReport:
    """What was done about the report (the last action recorded counts; the audit trail keeps
    each). Acknowledges an open report; refused once resolved. "other" needs a note."""
    if action not in ACTIONS:
        raise _invalid("action", "Choose one of " + ", ".join(ACTIONS) + ".")
    if action == "other" and not (note or "").strip():
        raise _invalid("note", 'Say what was done when the action is "other".')
    cleaned = _note_text(note, "note") if note and note.strip() else None
    _locked(db, report, staff)
    if report.status == RESOLVED:
        raise _conflict("status", "This report is resolved; its action cannot change.")
    if report.status == OPEN:
        _acknowledge(report, staff, now)
    report.action, report.action_at, report.action_by = action, now, staff.id
    report.updated_at = now
    if cleaned is not None:
        _add_note(db, report, staff, cleaned, now)
    db.flush()
    return report


def resolve(
    db: Session, report: SymptomReport, staff: StaffUser, note: str | None, now: datetime
) -> SymptomReport:
    """Close the report; what was done must be recorded first (`record_action`)."""
    cleaned = _note_text(note, "note") if note and note.strip() else None
    _locked(db, report, staff)
    if report.status == RESOLVED:
        raise _conflict("status", "This report is already resolved.")
    if report.action is None:
        raise _conflict("action", "Record what was done (an action) before resolving the report.")
    if cleaned is not None:
        _add_note(db, report, staff, cleaned, now)
    report.status, report.resolved_at, report.resolved_by = RESOLVED, now, staff.id
    report.updated_at = now
    db.flush()
    return report


def trend(db: Session, patient: Patient) -> dict[str, list[tuple[datetime, Any, int | None]]]:
    """Per symptom, the patient's answers oldest first as (submitted at, answer, level).

    Level: severity none 0 .. severe 3, yes/no 0 or 1; temperature and stools by the site's
    thresholds, 0 below amber, 1 amber, 2 red. Free text is left out.
    """
    bank = load_item_bank()
    rules = triage_rules_of(patient.site)
    banded = {measurement.item: measurement for measurement in rules.measurements}
    series: dict[str, list[tuple[datetime, Any, int | None]]] = {}
    for report in reversed(reports_of_patient(db, patient)):
        for key, value in report.answers.items():
            if key not in bank or bank.item(key).kind == "text":
                continue
            measured = banded.get(key)
            level = measured.band(value, rules) if measured else bank.item(key).level(value)
            series.setdefault(key, []).append((report.submitted_at, value, level))
    return {key: series[key] for key in bank.keys if key in series}


def _alert_on_call(
    db: Session, report: SymptomReport, urgency: Urgency, settings: SymptomSettings, now: datetime
) -> str:
    """Text the on-call phone at once (quiet hours never hold it); how it went."""
    if not settings.on_call_phone:
        logger.warning(
            "symptom report %s is %s but site %s has no on-call phone set: no one was texted",
            report.id,
            urgency.name_lower,
            report.site_id,
        )
        return NO_ON_CALL_PHONE
    alert = wording.on_call_alert(urgency, report.id)
    enqueue(
        db,
        site_id=report.site_id,
        business_key=f"symptom-report:{report.id}:on-call",
        kind=URGENT_ALERT,
        to_e164=settings.on_call_phone,
        body=alert.text,
        language="en",
        due_at=now,
        segments=alert.segments,
        now=now,
    )
    return ALERT_QUEUED


def _text_patient_answer(
    db: Session,
    report: SymptomReport,
    patient: Patient,
    urgency: Urgency,
    settings: SymptomSettings,
    now: datetime,
) -> None:
    """Text the patient the answer they saw (or staff read to them), if they take texts."""
    if not patient.sms_consent or patient.sms_opted_out_at is not None:
        return
    site = patient.site
    rendered = wording.patient_answer_sms(
        urgency,
        settings,
        patient.language,
        sender_label=site.sms_sender_label,
        site_phone=site.phone,
    )
    enqueue(
        db,
        site_id=patient.site_id,
        business_key=f"symptom-report:{report.id}:patient",
        kind=SYMPTOM_REPLY,
        to_e164=patient.phone_e164,
        body=rendered.text,
        language=patient.language,
        due_at=now,
        segments=rendered.segments,
        patient_id=patient.id,
        now=now,
    )


def _add_note(
    db: Session, report: SymptomReport, staff: StaffUser, text: str, now: datetime
) -> SymptomReportNote:
    note = SymptomReportNote(report_id=report.id, staff_id=staff.id, text=text, created_at=now)
    db.add(note)
    report.updated_at = now
    db.flush()
    return note


def _acknowledge(report: SymptomReport, staff: StaffUser, now: datetime) -> None:
    report.status, report.acknowledged_at, report.acknowledged_by = ACKNOWLEDGED, now, staff.id
    report.updated_at = now


def _locked(db: Session, report: SymptomReport, staff: StaffUser) -> None:
    """The report read afresh under a row lock (PostgreSQL): two changes never interleave."""
    if report.site_id != staff.site_id:
        raise NotFound(REPORT_NOT_HERE)
    db.flush()  # the caller's changes so far are kept, not read over
    db.refresh(report, with_for_update=True)


def _lock_patient(db: Session, patient: Patient) -> None:
    """Hold the patient's row (PostgreSQL) so that two reports of one patient are triaged one
    after the other, each seeing the other as earlier; the object itself is left as it is."""
    db.execute(select(Patient.id).where(Patient.id == patient.id).with_for_update())


def _note_text(text: str | None, field: str) -> str:
    cleaned = (text or "").replace("\x00", "").strip()
    if not cleaned:
        raise _invalid(field, f"Write the note (1 to {NOTE_MAX_LENGTH} characters).")
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise _invalid(field, f"At most {NOTE_MAX_LENGTH} characters.")
    return cleaned


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", {"json": {field: [message]}})


def _conflict(field: str, message: str) -> Conflict:
    return Conflict(f"{field}: {message}", {"json": {field: [message]}})
