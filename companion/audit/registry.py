"""Which tables the audit trail watches, and how each one's values may appear in it.

The trail is append-only and kept as long as the trial's records, so it must not become a second,
unpurgeable copy of personal data: names, contact details and free text are masked, answers show
only which questions changed, secrets only that they changed. A new table of patient or lead
data (patients, visits, symptom reports) is audited by adding one line to `AUDITED`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from companion.access.models import PatientLink, StaffUser
from companion.chat.models import ChatTask, Conversation, ConversationTurn
from companion.enrolment.models import ClosedDay, InjectionLogEntry, Patient, Visit
from companion.messaging.models import InboundMessage
from companion.prescreen.models import Lead, LeadContactAttempt
from companion.sites.models import Site
from companion.symptoms.models import SymptomReport, SymptomReportNote

SiteOf = Callable[[Session, Mapping[str, Any]], int | None]


def site_of_conversation(session: Session, values: Mapping[str, Any]) -> int | None:
    conversation = session.get(Conversation, values.get("conversation_id"))
    return conversation.site_id if conversation is not None else None


def own_site(_session: Session, values: Mapping[str, Any]) -> int | None:
    return values.get("site_id")


def site_of_lead(session: Session, values: Mapping[str, Any]) -> int | None:
    lead = session.get(Lead, values["lead_id"]) if values.get("lead_id") else None
    return lead.site_id if lead is not None else None


def site_of_report(session: Session, values: Mapping[str, Any]) -> int | None:
    report = session.get(SymptomReport, values["report_id"]) if values.get("report_id") else None
    return report.site_id if report is not None else None


def site_of_patient(session: Session, values: Mapping[str, Any]) -> int | None:
    patient = session.get(Patient, values["patient_id"]) if values.get("patient_id") else None
    return patient.site_id if patient is not None else None


@dataclass(frozen=True)
class Audited:
    """How one model's changes are written to the trail.

    `masked`: personal details and free text, shown as "J•••e" (never the value).
    `answers`: dicts of a person's answers; the trail shows which keys changed, not the answers.
    `secrets`: column -> name under which only "set" / "changed" is recorded.
    `ignored`: bookkeeping columns whose changes are not events (and never appear).
    `site_of`: the site an event belongs to, from the object's values.
    """

    entity_type: str
    masked: frozenset[str] = frozenset()
    answers: frozenset[str] = frozenset()
    secrets: Mapping[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()
    site_of: SiteOf = own_site


AUDITED: dict[type, Audited] = {
    Lead: Audited(
        "lead",
        masked=frozenset({"name", "phone_e164", "email"}),
        answers=frozenset({"facts"}),
        ignored=frozenset({"phone_hash"}),  # a keyed hash of the phone number
    ),
    LeadContactAttempt: Audited(
        "lead_contact_attempt", masked=frozenset({"note"}), site_of=site_of_lead
    ),
    # A run of failed sign-ins is one event (when the account began to wait), not one per try:
    # strangers cause them, and the trail is kept as long as the trial.
    StaffUser: Audited("staff_user", secrets={"password_hash": "password"}),
    PatientLink: Audited("patient_link", ignored=frozenset({"digest"})),
    Patient: Audited(
        "patient", masked=frozenset({"name", "phone_e164"}), ignored=frozenset({"phone_hash"})
    ),
    Visit: Audited("visit", ignored=frozenset({"changed_at"}), site_of=site_of_patient),
    InjectionLogEntry: Audited(
        "injection_log_entry", masked=frozenset({"note"}), site_of=site_of_patient
    ),
    ClosedDay: Audited("closed_day"),
    InboundMessage: Audited(
        "inbound_message",
        masked=frozenset({"from_e164", "body"}),
        ignored=frozenset({"from_hash"}),  # a keyed hash of the phone number
    ),
    Site: Audited("site", site_of=lambda _session, values: values.get("id")),
    SymptomReport: Audited(
        "symptom_report", answers=frozenset({"answers"}), ignored=frozenset({"updated_at"})
    ),
    SymptomReportNote: Audited(
        "symptom_report_note", masked=frozenset({"text"}), site_of=site_of_report
    ),
    # A conversation's events are who took it over and when it had an emergency; its dialogue
    # state and clocks change with every message and are bookkeeping.
    Conversation: Audited(
        "conversation",
        ignored=frozenset(
            {"state", "last_message_at", "expires_at", "language", "token_digest", "started_at"}
        ),
    ),
    ConversationTurn: Audited(
        "conversation_turn", masked=frozenset({"text"}), site_of=site_of_conversation
    ),
    ChatTask: Audited("chat_task", masked=frozenset({"note", "phone_e164"})),
}
