"""Text messages as the staff pages show them: what, when, how it went, what went wrong.

Labels are lazy strings, so they read in the language of the page that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString
from sqlalchemy.orm import Session

from companion.enrolment.models import Patient
from companion.messaging import review
from companion.messaging.delivery import DELIVERY_FAILED
from companion.messaging.inbound import FOR_THE_TEAM
from companion.messaging.models import FAILED, UNKNOWN, InboundMessage, OutboundMessage
from companion.staff import message_wording as wording


@dataclass(frozen=True)
class TextRow:
    """One text in a list: `incoming` when the patient sent it."""

    anchor: str
    at: datetime
    incoming: bool
    what: str | LazyString
    state: list[str | LazyString]
    problem: str | LazyString | None
    body: str


def patient_text_rows(db: Session, patient: Patient) -> list[TextRow]:
    """The patient's texts, both ways, newest first."""
    return [
        sent_row(text.message)
        if isinstance(text.message, OutboundMessage)
        else received_row(text.message)
        for text in review.patient_texts(db, patient)
    ]


def sent_row(message: OutboundMessage) -> TextRow:
    state = [_label(wording.OUTBOX_STATUS_LABELS, message.status)]
    if message.delivery_status:
        state.append(_label(wording.DELIVERY_STATUS_LABELS, message.delivery_status))
    return TextRow(
        anchor=f"text-out-{message.id}",
        at=message.sent_at or message.due_at,
        incoming=False,
        what=_label(wording.KIND_LABELS, message.kind),
        state=state,
        problem=problem_in_words(message),
        body=message.body,
    )


def received_row(message: InboundMessage) -> TextRow:
    state: list[str | LazyString] = []
    if message.handled_as in FOR_THE_TEAM:
        state.append(wording.ANSWERED if message.handled_at else wording.WAITING_FOR_ANSWER)
    return TextRow(
        anchor=f"text-in-{message.id}",
        at=message.received_at,
        incoming=True,
        what=_label(wording.HANDLED_AS_LABELS, message.handled_as),
        state=state,
        problem=None,
        body=message.body,
    )


def problem_in_words(message: OutboundMessage) -> str | LazyString | None:
    """What went wrong with a text we sent, and what to do, in plain words; None if nothing."""
    if message.error_code is not None:
        return wording.ERROR_EXPLANATIONS.get(message.error_code) or (
            wording.UNKNOWN_ERROR % {"code": message.error_code}
        )
    if message.status == UNKNOWN:
        return wording.OUTCOME_UNKNOWN
    if message.status == FAILED or message.delivery_status in DELIVERY_FAILED:
        return wording.NOT_SENT
    return None


def _label(labels: dict[str, LazyString], key: str) -> str | LazyString:
    return labels.get(key, key)
