"""A visit as a patient reads it in a text: its name, day and time on their own clock."""

from __future__ import annotations

from companion.enrolment.calendar_sync import protocol_for
from companion.enrolment.models import Patient, Visit
from companion.messaging import wording


def visit_words(visit: Visit, patient: Patient) -> dict[str, str]:
    """The visit's name, day and time as the patient reads them, on their clock."""
    plan = protocol_for(patient.trial_id, patient.cycles).visit(visit.key)
    name = plan.name.get(patient.language) or plan.name["en"]
    return wording.visit_params(name, visit.starts_at, patient.language, patient.timezone)
