"""The audit trail: one event per change, who/what/when/why, masked, append-only, site-scoped."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from companion.access.models import PatientLink, StaffUser
from companion.audit.models import AuditEvent
from companion.audit.recorder import AuditTrailIsAppendOnly, audit_reason
from companion.db import db
from companion.prescreen.models import Lead, LeadContactAttempt
from companion.sites.models import Site
from companion.sites.service import site_by_code
from companion.timestamps import utcnow
from tests.api.conftest import SESSIONS, answer_until_done, session_url
from tests.profiles import eligible_patient

AUDIT = "/api/v1/audit"
CONTACT = {
    "name": "Ada Lovelace",
    "phone": "+8613800138000",
    "email": "ada.lovelace@example.org",
    "language": "en",
    "best_time_to_call": "evening",
    "consent": True,
}


def site_id(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Site.id).where(Site.code == code))


def stored_events(app: Flask, **where: Any) -> list[AuditEvent]:
    """The trail's events, oldest first, without the creation of the sites the tests use."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        query = query.where((AuditEvent.entity_type != "site") | (AuditEvent.action != "create"))
        for column, value in where.items():
            query = query.where(getattr(AuditEvent, column) == value)
        return list(db.session.scalars(query))


def raw_audit_rows(app: Flask) -> str:
    """Every stored event exactly as the database holds it, as one string."""
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM audit_events")).mappings().all()
        return json.dumps([dict(row) for row in rows], default=str, ensure_ascii=False)


def new_lead_row(site_id: int, **values: Any) -> Lead:
    """A lead as a CLI or worker would build it (not yet added to a session)."""
    fields: dict[str, Any] = {
        "site_id": site_id,
        "trial_id": "NCT07586904",
        "name": "Grace Hopper",
        "phone_e164": "+8613900139000",
        "language": "en",
        "best_time_to_call": "any",
        "consent_to_contact": True,
        "consent_text_version": "test",
        "consented_at": utcnow(),
        "verdict": "likely_eligible",
        "facts": {"age": 54, "stage": "III"},
        "status": "new",
    }
    return Lead(**{**fields, **values})


def add_lead(app: Flask, site: str = "SITE01", **values: Any) -> int:
    """A lead stored directly (as a CLI or worker would); returns its id."""
    with app.app_context():
        site_id = site_by_code(db.session, site, create_with_name=site).id
        lead = new_lead_row(site_id, **values)
        db.session.add(lead)
        db.session.commit()
        return lead.id


def staff_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))


# Recording


def test_a_lead_from_the_public_pre_screen_is_one_create_event_by_the_public(
    client: FlaskClient, app: Flask
) -> None:
    token = client.post(SESSIONS, json={"language": "en"}).get_json()["token"]
    answer_until_done(client, token, eligible_patient())
    assert client.post(session_url(token, "/contact"), json=CONTACT).status_code == 201

    [event] = stored_events(app)
    assert (event.action, event.entity_type, event.actor_type) == ("create", "lead", "public")
    assert (event.actor_id, event.actor_label) == (None, "public")
    assert event.site_id is not None
    assert event.changes["name"] == [None, "A•••e"]
    assert event.changes["phone_e164"] == [None, "+•••0"]
    assert event.changes["status"] == [None, "new"]


def test_a_lead_s_name_phone_email_and_answers_are_never_stored_in_the_trail(
    client: FlaskClient, app: Flask
) -> None:
    token = client.post(SESSIONS, json={"language": "en"}).get_json()["token"]
    answer_until_done(client, token, eligible_patient())
    client.post(session_url(token, "/contact"), json=CONTACT)

    stored = raw_audit_rows(app)
    for clear in ("Ada", "Lovelace", "8613800138000", "13800138000", "ada.lovelace"):
        assert clear not in stored
    [event] = stored_events(app)
    assert set(event.changes["facts"][1]) == set(eligible_patient())
    assert set(event.changes["facts"][1].values()) == {"•••"}


def test_a_change_to_a_lead_s_answers_records_only_which_answers_changed(
    app: Flask, clean_database: None
) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.facts = {"age": 55, "stage": "III", "ecog": 1}
        db.session.commit()

    [event] = stored_events(app, action="update")
    assert event.changes == {"facts": [{"age": "•••"}, {"age": "•••", "ecog": "•••"}]}


def test_a_role_change_by_an_admin_is_one_update_event_with_old_and_new_role_and_the_reason(
    client: FlaskClient, app: Flask, make_staff, bearer
) -> None:
    admin = make_staff("admin")
    colleague = make_staff("coordinator")
    colleague_id = staff_id(app, colleague)
    response = client.patch(
        f"/api/v1/staff/{colleague_id}",
        json={"role": "investigator", "reason": "Took over as sub-investigator"},
        headers=bearer(admin),
    )
    assert response.status_code == 200

    [event] = stored_events(app, action="update")
    assert (event.entity_type, event.entity_id) == ("staff_user", colleague_id)
    assert (event.actor_type, event.actor_id, event.actor_label) == (
        "staff",
        staff_id(app, admin),
        admin,
    )
    assert event.changes == {"role": ["coordinator", "investigator"]}
    assert event.reason == "Took over as sub-investigator"
    with app.app_context():
        assert event.site_id == db.session.get(StaffUser, colleague_id).site_id


def test_a_command_line_action_is_recorded_as_the_system(app: Flask, clean_database: None) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "--email",
            "first.admin@site01.example.org",
            "--password",
            "a long enough password",
            "--role",
            "admin",
            "--site",
            "SITE01",
        ]
    )
    assert result.exit_code == 0, result.output

    [event] = stored_events(app)
    assert (event.actor_type, event.actor_id, event.actor_label) == ("system", None, "cli")
    assert (event.action, event.entity_type) == ("create", "staff_user")
    assert event.changes["email"] == [None, "first.admin@site01.example.org"]
    assert event.changes["role"] == [None, "admin"]


def test_a_password_is_recorded_only_as_set_or_changed(app: Flask, make_staff) -> None:
    email = make_staff("coordinator")
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        old_hash = user.password_hash
        user.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$bmV3$bmV3aGFzaA"
        db.session.commit()

    created, changed = stored_events(app)
    assert created.changes["password"] == [None, "set"]
    assert changed.changes == {"password": ["set", "changed"]}
    stored = raw_audit_rows(app)
    assert "argon2" not in stored
    assert old_hash not in stored
    assert "password_hash" not in stored


def test_failed_sign_ins_leave_no_event_but_the_start_of_a_wait_leaves_one(
    client: FlaskClient, app: Flask, make_staff
) -> None:
    """Strangers cause failed sign-ins: one event per run that makes the account wait (see
    tests/api/test_sign_in_throttling.py), not one per try."""
    email = make_staff("coordinator")
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"email": email, "password": "wrong password"})
    assert [event.action for event in stored_events(app)] == ["create"]

    for _ in range(4):
        client.post("/api/v1/auth/token", json={"email": email, "password": "wrong password"})
    _created, began = stored_events(app)
    assert list(began.changes) == ["sign_in_throttled_at"]


def test_a_contact_attempt_belongs_to_its_lead_s_site_and_masks_the_note(
    app: Flask, make_staff
) -> None:
    coordinator = staff_id(app, make_staff("coordinator", "SITE02"))
    lead_id = add_lead(app, "SITE02")
    with app.app_context():
        db.session.add(
            LeadContactAttempt(
                lead_id=lead_id, staff_id=coordinator, outcome="no_answer", note="Rang Grace"
            )
        )
        db.session.commit()
        site_id = db.session.get(Lead, lead_id).site_id

    [event] = stored_events(app, entity_type="lead_contact_attempt")
    assert event.site_id == site_id
    assert event.changes["outcome"] == [None, "no_answer"]
    assert event.changes["note"] == [None, "R•••e"]


def test_a_patient_link_is_recorded_without_its_token_digest(
    app: Flask, clean_database: None
) -> None:
    with app.app_context():
        site_id = site_by_code(db.session, "SITE01", create_with_name="SITE01").id
        link = PatientLink(
            digest="d" * 64,
            purpose="symptom_form",
            site_id=site_id,
            subject_type="patient",
            subject_id=7,
            single_use=True,
            expires_at=utcnow() + timedelta(days=1),
        )
        db.session.add(link)
        db.session.commit()
        link.used_at = utcnow()
        db.session.commit()

    created, used = stored_events(app, entity_type="patient_link")
    assert (created.action, used.action) == ("create", "update")
    assert "digest" not in created.changes
    assert set(used.changes) == {"used_at"}
    assert "d" * 64 not in raw_audit_rows(app)


# Exactly one event per object and transaction


def test_several_flushes_of_one_object_in_a_transaction_leave_one_event(
    app: Flask, clean_database: None
) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        for status in ("contacted", "screening_booked", "enrolled"):
            lead.status = status
            db.session.flush()
        db.session.commit()

    [event] = stored_events(app, action="update")
    assert event.changes == {"status": ["new", "enrolled"]}


def test_an_object_created_and_changed_in_one_transaction_is_one_create_event(
    app: Flask, clean_database: None
) -> None:
    with app.app_context():
        site_id = site_by_code(db.session, "SITE01", create_with_name="SITE01").id
        db.session.commit()
    with app.app_context():
        lead = new_lead_row(site_id, facts={})
        db.session.add(lead)
        db.session.flush()
        lead.status = "contacted"
        db.session.commit()

    [event] = stored_events(app)
    assert event.action == "create"
    assert event.changes["status"] == [None, "contacted"]


def test_a_change_undone_in_the_same_transaction_leaves_no_event(
    app: Flask, clean_database: None
) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.status = "contacted"
        db.session.flush()
        lead.status = "new"
        db.session.commit()

    assert [event.action for event in stored_events(app)] == ["create"]


def test_a_rollback_leaves_no_event(app: Flask, clean_database: None) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.status = "contacted"
        db.session.flush()
        db.session.rollback()
        db.session.commit()

    assert [event.action for event in stored_events(app)] == ["create"]


def test_a_rolled_back_savepoint_takes_its_changes_out_of_the_event(
    app: Flask, clean_database: None
) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.best_time_to_call = "morning"
        savepoint = db.session.begin_nested()
        lead.status = "contacted"
        db.session.flush()
        savepoint.rollback()
        db.session.commit()

    [event] = stored_events(app, action="update")
    assert event.changes == {"best_time_to_call": ["any", "morning"]}


def test_a_released_savepoint_joins_its_transaction_s_one_event(
    app: Flask, clean_database: None
) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.status = "contacted"
        with db.session.begin_nested():
            lead.status = "screening_booked"
            lead.verdict = "needs_review"
        db.session.commit()

    [event] = stored_events(app, action="update")
    assert event.changes == {
        "status": ["new", "screening_booked"],
        "verdict": ["likely_eligible", "needs_review"],
    }


def test_a_reason_is_kept_on_every_event_of_its_transaction_only(
    app: Flask, clean_database: None
) -> None:
    first, second = add_lead(app), add_lead(app)
    with app.app_context():
        audit_reason("Site asked to close duplicates")
        db.session.get(Lead, first).status = "declined"
        db.session.get(Lead, second).status = "declined"
        db.session.commit()
        db.session.get(Lead, first).status = "new"
        db.session.commit()

    reasons = [event.reason for event in stored_events(app, action="update")]
    assert reasons == ["Site asked to close duplicates"] * 2 + [None]


def test_a_deleted_lead_is_one_delete_event_with_its_old_values_masked(
    app: Flask, clean_database: None
) -> None:
    lead_id = add_lead(app)
    with app.app_context():
        db.session.delete(db.session.get(Lead, lead_id))
        db.session.commit()

    [event] = stored_events(app, action="delete")
    assert event.entity_id == lead_id
    assert event.changes["name"] == ["G•••r", None]
    assert event.changes["status"] == ["new", None]


def test_bulk_updates_and_deletes_of_leads_are_recorded_lead_by_lead(
    app: Flask, clean_database: None
) -> None:
    first, second = add_lead(app), add_lead(app)
    with app.app_context():
        db.session.execute(update(Lead).where(Lead.id == first).values(status="declined"))
        db.session.commit()
        db.session.execute(delete(Lead))
        db.session.commit()

    [updated] = stored_events(app, action="update")
    assert (updated.entity_id, updated.changes) == (first, {"status": ["new", "declined"]})
    deleted = stored_events(app, action="delete")
    assert sorted(event.entity_id for event in deleted) == [first, second]


# Nothing can alter the trail


@pytest.fixture
def one_event(app: Flask, clean_database: None) -> int:
    add_lead(app)
    [event] = stored_events(app)
    return event.id


def test_an_audit_event_cannot_be_changed_through_the_orm(app: Flask, one_event: int) -> None:
    with app.app_context():
        db.session.get(AuditEvent, one_event).reason = "tampered"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()

    assert stored_events(app)[0].reason is None


def test_an_audit_event_cannot_be_deleted_through_the_orm(app: Flask, one_event: int) -> None:
    with app.app_context():
        db.session.delete(db.session.get(AuditEvent, one_event))
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()

    assert len(stored_events(app)) == 1


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(reason="tampered"), delete(AuditEvent)],
    ids=["update", "delete"],
)
def test_bulk_statements_on_audit_events_are_refused_by_the_orm(
    app: Flask, one_event: int, statement: Any
) -> None:
    with app.app_context():
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.execute(statement)
        db.session.rollback()

    assert [event.reason for event in stored_events(app)] == [None]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_events SET reason = 'tampered'",
        "DELETE FROM audit_events",
    ],
    ids=["update", "delete"],
)
def test_raw_sql_cannot_change_or_delete_an_audit_event(
    app: Flask, one_event: int, sql: str
) -> None:
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(sql))
        connection.rollback()

    assert [event.reason for event in stored_events(app)] == [None]


# Reading the trail


def test_staff_read_only_their_own_site_s_trail_newest_first(
    client: FlaskClient, app: Flask, make_staff, bearer
) -> None:
    here = make_staff("coordinator", "SITE01")
    make_staff("coordinator", "SITE02")
    lead_here = add_lead(app, "SITE01")
    add_lead(app, "SITE02")

    response = client.get(AUDIT, headers=bearer(here))

    assert response.status_code == 200
    assert [
        (event["entity_type"], event["entity_id"], event["action"])
        for event in response.get_json()["events"]
    ] == [
        ("lead", lead_here, "create"),
        ("staff_user", staff_id(app, here), "create"),
        ("site", site_id(app, "SITE01"), "create"),
    ]


def test_the_trail_filters_by_record_and_pages_back_with_before_id(
    client: FlaskClient, app: Flask, make_staff, bearer
) -> None:
    headers = bearer(make_staff("investigator"))
    lead_id = add_lead(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        for status in ("contacted", "screening_booked"):
            lead.status = status
            db.session.commit()
    query = {"entity_type": "lead", "entity_id": lead_id, "limit": 2}

    first = client.get(AUDIT, query_string=query, headers=headers).get_json()
    rest = client.get(
        AUDIT, query_string={**query, "before_id": first["next_before_id"]}, headers=headers
    ).get_json()

    assert [event["action"] for event in first["events"]] == ["update", "update"]
    assert first["events"][0]["changes"] == {"status": ["contacted", "screening_booked"]}
    assert [event["action"] for event in rest["events"]] == ["create"]
    assert rest["next_before_id"] is None


def test_a_page_larger_than_500_is_refused_naming_the_limit(
    client: FlaskClient, make_staff, bearer
) -> None:
    response = client.get(AUDIT, query_string={"limit": 501}, headers=bearer(make_staff()))
    assert response.status_code == 400
    assert "limit" in json.dumps(response.get_json())


def test_the_trail_is_closed_to_anonymous_callers(client: FlaskClient) -> None:
    assert client.get(AUDIT).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_api_has_no_way_to_write(
    client: FlaskClient, make_staff, bearer, method: str
) -> None:
    response = getattr(client, method)(AUDIT, json={}, headers=bearer(make_staff("admin")))
    assert response.status_code == 405


def test_no_route_anywhere_writes_to_audit_events(app: Flask) -> None:
    writes = {"POST", "PUT", "PATCH", "DELETE"}
    audit_routes = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert audit_routes
    assert [rule.rule for rule in audit_routes if rule.methods & writes] == []
