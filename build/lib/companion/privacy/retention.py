"""Leads that did not become patients are deleted after a retention period.

A lead is a person's name, contact details and answers, kept only to reach them about the study.
One that was not enrolled is deleted `LEAD_RETENTION_DAYS` after its last change of status (or its
creation), with its contact attempts and its pre-screen answers. Enrolled leads stay: they are
part of the trial's records. The audit trail keeps its events, which hold masked values only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from companion.prescreen.models import Lead, LeadContactAttempt, PrescreenSession

KEPT_STATUSES = frozenset({"enrolled"})


def purge_old_leads(db: Session, now: datetime, retention: timedelta) -> int:
    """Delete leads not enrolled whose last change is older than `retention`; returns how many."""
    last_change = func.coalesce(Lead.status_changed_at, Lead.created_at)
    expired = select(Lead.id, Lead.prescreen_session_id).where(
        Lead.status.not_in(KEPT_STATUSES), last_change < now - retention
    )
    rows = db.execute(expired).all()
    if not rows:
        return 0
    lead_ids = [row.id for row in rows]
    session_ids = [row.prescreen_session_id for row in rows if row.prescreen_session_id]
    db.execute(delete(LeadContactAttempt).where(LeadContactAttempt.lead_id.in_(lead_ids)))
    db.execute(delete(Lead).where(Lead.id.in_(lead_ids)))
    if session_ids:
        db.execute(delete(PrescreenSession).where(PrescreenSession.id.in_(session_ids)))
    return len(lead_ids)
