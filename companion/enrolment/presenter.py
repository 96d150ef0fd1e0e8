"""Patients and visits as the staff API shows them, with today's warnings worked out."""

from __future__ import annotations

from datetime import date
from typing import Any

from companion.enrolment.calendar_sync import protocol_for
from companion.enrolment.models import Patient, Visit
from schedules.attention import warnings_for


def visit_warnings(visit: Visit, today: date) -> tuple[str, ...]:
    return warnings_for(
        status=visit.status,
        booked=visit.booked_date,
        window_start=visit.window_start,
        window_end=visit.window_end,
        done_on=visit.done_on,
        cannot_avoid_closed_day=visit.cannot_avoid_closed_day,
        today=today,
    )


def visit_body(patient: Patient, visit: Visit, today: date) -> dict[str, Any]:
    """One visit; `date` is the day it is booked for, `warnings` what a coordinator should check."""
    plan = protocol_for(patient.trial_id, patient.cycles).visit(visit.key)
    return {
        "id": visit.id,
        "patient_id": patient.id,
        "key": visit.key,
        "name": plan.name["en"],
        "date": visit.booked_date.isoformat(),
        "window_start": visit.window_start.isoformat(),
        "window_end": visit.window_end.isoformat(),
        "status": visit.status,
        "starts_at": visit.starts_at.isoformat(),
        "ends_at": visit.ends_at.isoformat(),
        "place": plan.place,
        "cycle": plan.cycle,
        "activities": list(plan.activities),
        "preparation": list(plan.preparation),
        "done_on": visit.done_on.isoformat() if visit.done_on else None,
        "rescheduled": visit.rescheduled_to is not None,
        "moved_from_closed_day": (
            visit.moved_from_closed_day.isoformat() if visit.moved_from_closed_day else None
        ),
        "sequence": visit.sequence,
        "warnings": list(visit_warnings(visit, today)),
    }


def patient_body(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "trial_id": patient.trial_id,
        "protocol_version": patient.protocol_version,
        "name": patient.name,
        "phone": patient.phone_e164,
        "language": patient.language,
        "timezone": patient.timezone,
        "sms_consent": patient.sms_consent,
        "sms_consent_at": patient.sms_consent_at.isoformat() if patient.sms_consent_at else None,
        "anchor_date": patient.anchor_date.isoformat(),
        "cycles": patient.cycles,
        "lead_id": patient.lead_id,
        "enrolled_at": patient.enrolled_at.isoformat(),
    }
