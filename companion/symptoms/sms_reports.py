"""Symptom reports by text: what an enrolled patient's free text becomes, and its answer.

`companion.messaging.inbound` asks `reads_as_report` about every text of an enrolled patient
that is not a keyword. A text becomes a report (source "sms", tied to the text) when

- it describes an emergency or a red flag in the patient's own words (`symptoms.scan_text`):
  the text is kept as the report's `other` answer; or
- it is written in the short format (`companion.symptoms.sms_format`: `FEVER 38.6, BLOOD`).

Both at once make one report with both, so emergency words always win: the triage reads the
`other` answer with the same words. Anything else stays a message for the team. The reply,
sent back in the webhook's answer, is the report's fixed answer (the emergency answer, the
promise of a call within the hour, or thanks), the same for every delivery of the same text.
Neither the text nor the number is ever logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from companion.enrolment.models import Patient
from companion.messaging.models import InboundMessage
from companion.symptoms import service, wording
from companion.symptoms.settings import symptom_settings
from companion.symptoms.sms_format import read_symptom_format
from symptoms import AnswerError, Urgency, check_answers, load_item_bank, scan_text

FREE_TEXT = "other"


def answers_from_text(body: str) -> dict[str, Any] | None:
    """The checked answers a patient's text gives, or None when it stays a message."""
    bank = load_item_bank()
    formatted = read_symptom_format(body)
    if formatted is not None:
        try:
            formatted = check_answers(bank, formatted)
        except AnswerError:
            formatted = None  # a number out of range: not a report we can take as written
    answers: dict[str, Any] = dict(formatted or {})
    if any(finding.urgency >= Urgency.RED for finding in scan_text(body)):
        answers[FREE_TEXT] = most_urgent_part(body, bank.item(FREE_TEXT).max_length or 1000)
    if not answers:
        return None
    try:
        return check_answers(bank, answers)
    except AnswerError:
        return (
            check_answers(bank, {FREE_TEXT: answers[FREE_TEXT]}) if FREE_TEXT in answers else None
        )


def reads_as_report(body: str) -> bool:
    """Whether a patient's (non-keyword) text becomes a symptom report."""
    return answers_from_text(body) is not None


def most_urgent_part(body: str, max_length: int) -> str:
    """The text, or, when longer than a report's free text may be, its most urgent stretch
    (windows overlapping by half, so no phrase is lost at a cut)."""
    if len(body) <= max_length:
        return body
    step = max_length // 2
    windows = [body[start : start + max_length] for start in range(0, len(body), step)]
    return max(windows, key=lambda window: max((f.urgency for f in scan_text(window)), default=-1))


def report_text(
    db: Session, message: InboundMessage, patient: Patient, now: datetime
) -> service.SubmittedReport | None:
    """Make the stored text's report (None if the text, read again, is no report)."""
    answers = answers_from_text(message.body)
    if answers is None:
        return None
    return service.submit_report(db, patient, answers, "sms", now, inbound_message=message)


def reply_to_report(db: Session, message: InboundMessage, patient: Patient) -> str | None:
    """The answer to a text that became a report, as a whole text (from the study team)."""
    report = service.report_of_message(db, message)
    if report is None:
        return None
    site = patient.site
    return wording.patient_answer_sms(
        Urgency.from_name(report.urgency),
        symptom_settings(site),
        patient.language,
        sender_label=site.sms_sender_label,
        site_phone=site.phone,
    ).text
