"""Symptom reports as the API shows them (JSON-ready dicts in the documented shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from companion.symptoms.models import SymptomReport, SymptomReportNote
from companion.symptoms.service import QueueRow, queue_row


def report_body(
    report: SymptomReport,
    now: datetime,
    notes: list[SymptomReportNote] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One report: what was answered, how urgent and why, where it stands in the queue."""
    return {**row_body(queue_row(report, now), notes), **extra}


def row_body(row: QueueRow, notes: list[SymptomReportNote] | None = None) -> dict[str, Any]:
    report = row.report
    body: dict[str, Any] = {
        "id": report.id,
        "patient_id": report.patient_id,
        "source": report.source,
        "urgency": report.urgency,
        "reasons": list(report.reasons or []),
        "answers": dict(report.answers or {}),
        "status": report.status,
        "submitted_at": _iso(report.submitted_at),
        "respond_by": _iso(report.respond_by),
        "overdue": row.overdue,
        "minutes_waiting": row.minutes_waiting,
        "on_call_alert": report.alert,
        "entered_by_staff_id": report.entered_by_staff_id,
        "acknowledged_at": _iso(report.acknowledged_at),
        "acknowledged_by": report.acknowledged_by,
        "action": report.action,
        "action_at": _iso(report.action_at),
        "action_by": report.action_by,
        "resolved_at": _iso(report.resolved_at),
        "resolved_by": report.resolved_by,
    }
    if notes is not None:
        body["notes"] = [note_body(note) for note in notes]
    return body


def note_body(note: SymptomReportNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "staff_id": note.staff_id,
        "text": note.text,
        "created_at": _iso(note.created_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
