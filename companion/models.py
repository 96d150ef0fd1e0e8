"""Every table of the service, imported in one place so that migrations and the app see them all."""

from companion.access.models import PatientLink, StaffToken, StaffUser
from companion.audit.models import AuditEvent
from companion.chat.models import ChatTask, Conversation, ConversationTurn
from companion.enrolment.models import ClosedDay, InjectionLogEntry, Patient, Visit
from companion.messaging.models import DeliveryReport, InboundMessage, OutboundMessage
from companion.prescreen.models import Lead, LeadContactAttempt, PrescreenSession
from companion.sites.models import Site
from companion.symptoms.models import SymptomReport, SymptomReportNote

__all__ = [
    "AuditEvent",
    "ChatTask",
    "ClosedDay",
    "Conversation",
    "ConversationTurn",
    "DeliveryReport",
    "InboundMessage",
    "InjectionLogEntry",
    "Lead",
    "LeadContactAttempt",
    "OutboundMessage",
    "Patient",
    "PatientLink",
    "PrescreenSession",
    "Site",
    "StaffToken",
    "StaffUser",
    "SymptomReport",
    "SymptomReportNote",
    "Visit",
]
