"""Leads API: a site's coordinators work their leads from "new" to a final status.

Leads are made the way patients make them (a finished pre-screen and contact details); staff
come from the fixtures, at SITE01 unless a test needs a second site.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.audit.models import AuditEvent
from companion.db import db
from companion.prescreen.models import Lead, LeadContactAttempt
from tests.api.conftest import new_lead
from tests.profiles import eligible_patient

LEADS = "/api/v1/leads"


def lead_url(lead_id: int, suffix: str = "") -> str:
    return f"{LEADS}/{lead_id}{suffix}"


def stored(app: Flask, lead_id: int) -> tuple[str, int, int]:
    """(status, contact_attempts, attempt rows) of a lead as the database holds it."""
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        rows = db.session.scalar(select(func.count()).where(LeadContactAttempt.lead_id == lead_id))
        return lead.status, lead.contact_attempts, rows


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def lead(app: Flask, client: FlaskClient) -> int:
    return new_lead(app, client)


def attempt(client: FlaskClient, headers, lead_id: int, outcome: str, **extra: Any):
    return client.post(
        lead_url(lead_id, "/contact-attempts"), json={"outcome": outcome, **extra}, headers=headers
    )


def change(client: FlaskClient, headers, lead_id: int, status: str, **extra: Any):
    return client.post(
        lead_url(lead_id, "/status"), json={"status": status, **extra}, headers=headers
    )


def test_leads_are_listed_oldest_first(app: Flask, client: FlaskClient, coordinator) -> None:
    first, second, third = (new_lead(app, client, name) for name in ("Ann", "Bob", "Cai"))
    with app.app_context():
        db.session.get(Lead, third).created_at -= timedelta(days=2)
        db.session.commit()
    body = client.get(LEADS, headers=coordinator).get_json()
    assert [row["id"] for row in body] == [third, first, second]
    assert [row["name"] for row in body] == ["Cai", "Ann", "Bob"]


def test_a_listed_lead_shows_what_a_coordinator_needs_to_call(
    client: FlaskClient, coordinator, lead: int
) -> None:
    (row,) = client.get(LEADS, headers=coordinator).get_json()
    assert row["id"] == lead
    assert row["status"] == "new"
    assert row["verdict"] == "likely_eligible"
    assert row["phone"] == "+8613800138000"
    assert (row["language"], row["best_time_to_call"], row["contact_attempts"]) == (
        "en",
        "morning",
        0,
    )
    assert row["created_at"]


def test_the_list_filters_by_status(app: Flask, client: FlaskClient, coordinator) -> None:
    untouched, called = new_lead(app, client, "Ann"), new_lead(app, client, "Bob")
    attempt(client, coordinator, called, "no_answer")
    contacted = client.get(LEADS, query_string={"status": "contacted"}, headers=coordinator)
    new = client.get(LEADS, query_string={"status": "new"}, headers=coordinator)
    assert [row["id"] for row in contacted.get_json()] == [called]
    assert [row["id"] for row in new.get_json()] == [untouched]


def test_an_unknown_status_filter_is_refused_naming_it(client: FlaskClient, coordinator) -> None:
    response = client.get(LEADS, query_string={"status": "archived"}, headers=coordinator)
    assert response.status_code == 400
    assert "status" in response.get_json()["message"]


def test_the_list_holds_only_the_staff_member_s_own_site(
    app: Flask, client: FlaskClient, make_staff, bearer
) -> None:
    ours = new_lead(app, client, "Ann", site="SITE01")
    new_lead(app, client, "Bob", site="SITE02")
    body = client.get(LEADS, headers=bearer(make_staff("coordinator", "SITE01"))).get_json()
    assert [row["id"] for row in body] == [ours]


def test_a_lead_shows_answers_verdict_attempts_and_next_steps(
    client: FlaskClient, coordinator, lead: int
) -> None:
    attempt(client, coordinator, lead, "left_message", note="Voicemail, asked to call back")
    body = client.get(lead_url(lead), headers=coordinator).get_json()
    assert body["verdict"] == "likely_eligible"
    assert body["facts"]["stage"] == eligible_patient()["stage"]
    assert [(row["outcome"], row["note"]) for row in body["attempts"]] == [
        ("left_message", "Voicemail, asked to call back")
    ]
    assert body["allowed_next_statuses"] == ["not_eligible", "declined"]


LEAD_ROUTES = [
    ("get", "", None),
    ("post", "/contact-attempts", {"outcome": "no_answer"}),
    ("post", "/status", {"status": "declined", "reason": "Said no on the phone"}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), LEAD_ROUTES)
def test_another_site_s_lead_answers_404_and_is_left_alone(
    app: Flask, client: FlaskClient, make_staff, bearer, lead: int, method: str, suffix: str, body
) -> None:
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    response = client.open(lead_url(lead, suffix), method=method, json=body, headers=elsewhere)
    assert response.status_code == 404
    assert "Ada" not in response.get_data(as_text=True)
    assert stored(app, lead) == ("new", 0, 0)


@pytest.mark.parametrize(("method", "suffix", "body"), LEAD_ROUTES)
def test_a_lead_that_does_not_exist_answers_404(
    client: FlaskClient, coordinator, method: str, suffix: str, body
) -> None:
    response = client.open(lead_url(999_999, suffix), method=method, json=body, headers=coordinator)
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "suffix", "body"), [("get", None, None), *LEAD_ROUTES])
def test_anonymous_callers_get_401_on_every_lead_route(
    app: Flask, client: FlaskClient, lead: int, method: str, suffix: str | None, body
) -> None:
    url = LEADS if suffix is None else lead_url(lead, suffix)
    response = client.open(url, method=method, json=body)
    assert response.status_code == 401
    assert "Ada" not in response.get_data(as_text=True)
    assert stored(app, lead) == ("new", 0, 0)


@pytest.mark.parametrize("role", ["coordinator", "investigator", "admin"])
def test_every_staff_role_works_leads(
    client: FlaskClient, make_staff, bearer, lead: int, role: str
) -> None:
    response = attempt(client, bearer(make_staff(role, "SITE01")), lead, "reached")
    assert response.status_code == 201


def test_the_first_attempt_makes_a_new_lead_contacted(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    response = attempt(client, coordinator, lead, "no_answer")
    body = response.get_json()
    assert response.status_code == 201
    assert (body["status"], body["contact_attempts"]) == ("contacted", 1)
    assert body["status_changed_at"]
    assert stored(app, lead) == ("contacted", 1, 1)


def test_an_attempt_records_who_made_it(client: FlaskClient, coordinator, lead: int) -> None:
    me = client.get("/api/v1/auth/me", headers=coordinator).get_json()
    body = attempt(client, coordinator, lead, "reached").get_json()
    assert body["attempts"][0]["staff_id"] == me["id"]


def test_attempts_are_counted_and_a_fourth_unsuccessful_one_is_refused(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    for outcome in ("no_answer", "left_message", "no_answer"):
        assert attempt(client, coordinator, lead, outcome).status_code == 201
    fourth = attempt(client, coordinator, lead, "no_answer")
    assert fourth.status_code == 409
    assert "outcome" in fourth.get_json()["message"]
    assert stored(app, lead) == ("contacted", 3, 3)


def test_a_call_that_reaches_the_person_is_logged_even_after_three_misses(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    for _ in range(3):
        attempt(client, coordinator, lead, "no_answer")
    assert attempt(client, coordinator, lead, "reached").status_code == 201
    assert stored(app, lead) == ("contacted", 4, 4)


def test_an_unknown_outcome_is_refused_naming_it(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    response = attempt(client, coordinator, lead, "emailed")
    assert response.status_code == 400
    assert "outcome" in response.get_json()["message"]
    assert stored(app, lead) == ("new", 0, 0)


def test_could_not_reach_before_three_attempts_is_refused(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    attempt(client, coordinator, lead, "no_answer")
    attempt(client, coordinator, lead, "no_answer")
    response = change(client, coordinator, lead, "could_not_reach", reason="Never answers")
    assert response.status_code == 409
    assert "could_not_reach" in response.get_json()["message"]
    assert stored(app, lead)[0] == "contacted"


def test_could_not_reach_after_three_attempts_is_accepted(
    client: FlaskClient, coordinator, lead: int
) -> None:
    for _ in range(3):
        attempt(client, coordinator, lead, "no_answer")
    response = change(client, coordinator, lead, "could_not_reach", reason="Three calls, no answer")
    assert response.status_code == 200
    assert response.get_json()["status"] == "could_not_reach"
    assert response.get_json()["allowed_next_statuses"] == []


def test_a_wrong_number_allows_could_not_reach_at_once(
    client: FlaskClient, coordinator, lead: int
) -> None:
    attempt(client, coordinator, lead, "wrong_number")
    response = change(client, coordinator, lead, "could_not_reach", reason="Not her number")
    assert response.status_code == 200


@pytest.mark.parametrize("reason", [None, "", "   "])
@pytest.mark.parametrize("status", ["declined", "not_eligible"])
def test_ending_a_lead_needs_a_reason_and_says_so(
    app: Flask, client: FlaskClient, coordinator, lead: int, status: str, reason: str | None
) -> None:
    response = change(client, coordinator, lead, status, reason=reason)
    assert response.status_code == 400
    assert "reason" in response.get_json()["message"]
    assert "reason" in response.get_json()["errors"]["json"]
    assert stored(app, lead)[0] == "new"


def test_a_lead_is_worked_through_to_enrolment(client: FlaskClient, coordinator, lead: int) -> None:
    assert change(client, coordinator, lead, "screening_booked").status_code == 409
    attempt(client, coordinator, lead, "reached")
    booked = change(client, coordinator, lead, "screening_booked")
    assert booked.get_json()["allowed_next_statuses"] == ["enrolled", "not_eligible", "declined"]
    enrolled = change(client, coordinator, lead, "enrolled")
    assert (enrolled.status_code, enrolled.get_json()["status"]) == (200, "enrolled")


def test_contacted_is_set_only_by_logging_an_attempt(
    client: FlaskClient, coordinator, lead: int
) -> None:
    response = change(client, coordinator, lead, "contacted")
    assert response.status_code == 409
    assert "contact attempt" in response.get_json()["message"]


def test_a_final_status_refuses_any_further_change(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    change(client, coordinator, lead, "declined", reason="Not interested")
    again = change(client, coordinator, lead, "not_eligible", reason="Changed my mind")
    call = attempt(client, coordinator, lead, "reached")
    assert (again.status_code, call.status_code) == (409, 409)
    assert "final" in again.get_json()["message"]
    assert stored(app, lead) == ("declined", 0, 0)


@pytest.mark.parametrize(
    ("suffix", "body", "unknown"),
    [
        ("/contact-attempts", {"outcome": "reached", "status": "enrolled"}, "status"),
        ("/contact-attempts", {"outcome": "reached", "site_id": 2}, "site_id"),
        ("/contact-attempts", {"outcome": "reached", "staff_id": 1}, "staff_id"),
        ("/status", {"status": "declined", "reason": "No", "site_id": 2}, "site_id"),
        (
            "/status",
            {"status": "declined", "reason": "No", "contact_attempts": 3},
            "contact_attempts",
        ),
        ("/status", {"status": "declined", "reason": "No", "name": "Someone Else"}, "name"),
    ],
)
def test_unknown_keys_are_refused_and_nothing_changes(
    app: Flask, client: FlaskClient, coordinator, lead: int, suffix: str, body: dict, unknown: str
) -> None:
    response = client.post(lead_url(lead, suffix), json=body, headers=coordinator)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]["json"]) == [unknown]
    assert unknown in response.get_json()["message"]
    assert stored(app, lead) == ("new", 0, 0)
    with app.app_context():
        assert db.session.get(Lead, lead).name == "Ada Lovelace"


def test_the_demo_coordinator_signs_in_and_finds_a_contacted_lead(
    app: Flask, client: FlaskClient, bearer
) -> None:
    output = app.test_cli_runner().invoke(args=["demo", "load"]).output
    assert "coordinator@site01.example.org" in output
    assert "demo-coordinator-password" in output
    headers = bearer("coordinator@site01.example.org", "demo-coordinator-password")
    contacted = client.get(LEADS, query_string={"status": "contacted"}, headers=headers).get_json()
    assert [row["contact_attempts"] for row in contacted] == [1]
    detail = client.get(lead_url(contacted[0]["id"]), headers=headers).get_json()
    assert len(detail["attempts"]) == 1


def test_the_reason_for_a_status_change_goes_into_the_audit_trail(
    app: Flask, client: FlaskClient, coordinator, lead: int
) -> None:
    change(client, coordinator, lead, "not_eligible", reason="Stage II on the pathology report")
    with app.app_context():
        reasons = db.session.scalars(
            select(AuditEvent.reason).where(
                AuditEvent.entity_type == "lead", AuditEvent.entity_id == lead
            )
        ).all()
    assert "Stage II on the pathology report" in reasons
