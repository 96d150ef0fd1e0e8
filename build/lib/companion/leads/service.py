"""Leads of a site: list, find, log contact attempts, change status.

Loads the lead, asks the workflow core (`companion.leads.workflow`) whether the step is allowed,
and persists it. No Flask request objects here: callers pass the session, the staff member and
the time. Every change is audited by the audit trail on flush; a status change that needs a
reason hands it over first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from companion.access.models import StaffUser
from companion.audit.recorder import audit_reason
from companion.errors import Conflict, InvalidInput, NotFound
from companion.leads import workflow
from companion.prescreen.models import Lead, LeadContactAttempt

LEAD_STATUSES: tuple[str, ...] = workflow.STATUSES
NOT_AT_YOUR_SITE = "No lead with this id at your site."


def leads_for_site(db: Session, site_id: int, status: str | None = None) -> list[Lead]:
    """The site's leads, oldest first (then by id), optionally only those with `status`."""
    query = select(Lead).where(Lead.site_id == site_id).order_by(Lead.created_at, Lead.id)
    if status is not None:
        if status not in LEAD_STATUSES:
            raise InvalidInput(
                f"status: use one of {', '.join(LEAD_STATUSES)}.",
                {"query": {"status": [f"Must be one of: {', '.join(LEAD_STATUSES)}."]}},
            )
        query = query.where(Lead.status == status)
    return list(db.scalars(query))


def lead_at_site(db: Session, site_id: int, lead_id: int) -> Lead:
    """The lead `lead_id` if it belongs to the site; missing and elsewhere look the same (404)."""
    lead = db.get(Lead, lead_id)
    if lead is None or lead.site_id != site_id:
        raise NotFound(NOT_AT_YOUR_SITE)
    return lead


def attempts_of(db: Session, lead: Lead) -> list[LeadContactAttempt]:
    """The lead's contact attempts, in the order they were made."""
    return list(
        db.scalars(
            select(LeadContactAttempt)
            .where(LeadContactAttempt.lead_id == lead.id)
            .order_by(LeadContactAttempt.at, LeadContactAttempt.id)
        )
    )


def allowed_next_statuses(lead: Lead) -> tuple[str, ...]:
    """The statuses the lead may move to now (for offering only the choices that will work)."""
    db = object_session(lead)
    if db is None:
        raise ValueError("the lead must belong to a database session")
    return workflow.next_statuses(lead.status, _outcomes(db, lead))


def record_contact_attempt(
    db: Session,
    lead: Lead,
    staff_user: StaffUser,
    outcome: str,
    note: str | None,
    now: datetime,
) -> LeadContactAttempt:
    """Log one try to reach the lead; the first moves a new lead to contacted."""
    _check_same_site(lead, staff_user)
    _lock(db, lead)
    outcomes = _outcomes(db, lead)
    with _refusals_as_domain_errors():
        status = workflow.status_after_attempt(lead.status, outcomes, outcome)
    attempt = LeadContactAttempt(
        lead_id=lead.id,
        staff_id=staff_user.id,
        at=now,
        outcome=outcome,
        note=(note or "").strip() or None,
    )
    db.add(attempt)
    lead.contact_attempts = len(outcomes) + 1
    if status != lead.status:
        lead.status = status
        lead.status_changed_at = now
    db.flush()
    return attempt


def change_status(
    db: Session,
    lead: Lead,
    staff_user: StaffUser,
    status: str,
    reason: str | None,
    now: datetime,
) -> Lead:
    """Move the lead to `status` if the workflow allows it now; some statuses need a reason."""
    _check_same_site(lead, staff_user)
    _lock(db, lead)
    reason = (reason or "").strip() or None
    with _refusals_as_domain_errors():
        workflow.check_transition(lead.status, status, _outcomes(db, lead), reason)
    if reason:
        audit_reason(reason, db)
    lead.status = status
    lead.status_changed_at = now
    db.flush()
    return lead


def _outcomes(db: Session, lead: Lead) -> list[str]:
    return list(
        db.scalars(
            select(LeadContactAttempt.outcome)
            .where(LeadContactAttempt.lead_id == lead.id)
            .order_by(LeadContactAttempt.at, LeadContactAttempt.id)
        )
    )


def _lock(db: Session, lead: Lead) -> None:
    """Re-read the lead under a row lock (PostgreSQL), so concurrent steps see each other.

    SQLite needs no row lock: every writing request already holds the database's write lock.
    """
    db.refresh(lead, with_for_update=True)


def _check_same_site(lead: Lead, staff_user: StaffUser) -> None:
    if lead.site_id != staff_user.site_id:
        raise NotFound(NOT_AT_YOUR_SITE)


@contextmanager
def _refusals_as_domain_errors() -> Iterator[None]:
    """A refused step is a conflict with the lead's state (409); an invalid one is a 400."""
    try:
        yield
    except workflow.WorkflowError as error:
        kind = Conflict if isinstance(error, workflow.StepRefused) else InvalidInput
        raise kind(error.message, {"json": {error.field: [error.message]}}) from error
