"""Leads not enrolled are purged after the retention period; enrolled ones stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.access.models import StaffUser
from companion.audit.models import AuditEvent
from companion.db import db
from companion.prescreen.models import Lead, LeadContactAttempt, PrescreenSession
from companion.timestamps import utcnow
from tests.api.test_encryption import leave_lead


def lead_aged(
    app: Flask, client: FlaskClient, days: int, status: str = "new", changed_days: int | None = None
) -> int:
    """A lead created `days` ago (status changed `changed_days` ago, if given); returns its id."""
    leave_lead(client)
    with app.app_context():
        lead = db.session.scalars(select(Lead).order_by(Lead.id.desc()).limit(1)).one()
        lead.created_at = utcnow() - timedelta(days=days)
        lead.status = status
        if changed_days is not None:
            lead.status_changed_at = utcnow() - timedelta(days=changed_days)
        db.session.commit()
        return lead.id


def remaining(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def purge(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["leads", "purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_lead_not_enrolled_is_purged_after_180_days_with_its_attempts_and_answers(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    email = make_staff()
    lead_id = lead_aged(app, client, days=181, status="contacted")
    with app.app_context():
        staff_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))
        db.session.add(LeadContactAttempt(lead_id=lead_id, staff_id=staff_id, outcome="no_answer"))
        db.session.commit()

    assert "purged 1 lead(s)" in purge(app)
    assert remaining(app, Lead) == 0
    assert remaining(app, LeadContactAttempt) == 0
    assert remaining(app, PrescreenSession) == 0


@pytest.mark.parametrize("status", ["new", "contacted", "declined", "not_eligible"])
def test_every_status_but_enrolled_is_purged(app: Flask, client: FlaskClient, status: str) -> None:
    lead_aged(app, client, days=400, status=status)
    assert "purged 1 lead(s)" in purge(app)


def test_an_enrolled_lead_is_kept_however_old(app: Flask, client: FlaskClient) -> None:
    lead_aged(app, client, days=2000, status="enrolled")
    assert "purged 0 lead(s)" in purge(app)
    assert remaining(app, Lead) == 1


def test_a_lead_younger_than_the_retention_period_is_kept(app: Flask, client: FlaskClient) -> None:
    lead_aged(app, client, days=179)
    assert "purged 0 lead(s)" in purge(app)
    assert remaining(app, Lead) == 1


def test_the_period_runs_from_the_last_change_of_status(app: Flask, client: FlaskClient) -> None:
    lead_aged(app, client, days=300, status="screening_booked", changed_days=10)
    assert "purged 0 lead(s)" in purge(app)


def test_the_retention_period_is_configurable(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_aged(app, client, days=31)
    lead_aged(app, client, days=29)
    monkeypatch.setitem(app.config, "LEAD_RETENTION_DAYS", 30)
    assert "purged 1 lead(s) not enrolled and unchanged for 30 days" in purge(app)
    assert remaining(app, Lead) == 1


def test_the_audit_trail_keeps_its_events_and_records_the_purge_with_its_reason(
    app: Flask, client: FlaskClient
) -> None:
    lead_id = lead_aged(app, client, days=181)
    before = remaining(app, AuditEvent)
    purge(app)
    assert remaining(app, AuditEvent) > before
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "lead", AuditEvent.entity_id == lead_id
            )
        ).all()
        deletion = [event for event in events if event.action == "delete"]
        assert len(deletion) == 1
        assert "retention" in deletion[0].reason
        assert "Canary" not in str(deletion[0].changes)
