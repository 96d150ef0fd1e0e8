"""Keeping a calendar right: rescheduling cascades, marking visits, closed days, the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.db import db
from companion.enrolment.models import Visit
from tests.enrolments import enrol, in_days, visit_named

# With the default two cycles, everything after the first treatment hangs on the second one.
HANGS_ON_C2D1 = ("restaging", "surgery", "post_op", "safety_30", "safety_90", "surveillance_1")


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def visits(client: FlaskClient, coordinator: dict[str, str]) -> list[dict[str, Any]]:
    return enrol(client, coordinator)["visits"]


def day(visit: dict[str, Any], shift: int = 0) -> str:
    return (date.fromisoformat(visit["date"]) + timedelta(days=shift)).isoformat()


def reschedule(client, headers, visit, new_date: str, reason: str = "Patient asked"):
    return client.post(
        f"/api/v1/visits/{visit['id']}/reschedule",
        json={"date": new_date, "reason": reason},
        headers=headers,
    )


def set_status(client, headers, visit, **body: Any):
    return client.post(f"/api/v1/visits/{visit['id']}/status", json=body, headers=headers)


def test_a_later_dose_moves_every_visit_anchored_on_it_by_the_same_days(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    response = reschedule(client, coordinator, c2d1, day(c2d1, 2))
    assert response.status_code == 200, response.get_json()
    moved = {v["key"]: v for v in response.get_json()["visits"]}
    for key in HANGS_ON_C2D1:
        assert moved[key]["date"] == day(visit_named(visits, key), 2), key


def test_the_answer_is_the_visit_itself_and_lists_it_first(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    body = reschedule(client, coordinator, c2d1, day(c2d1, 1)).get_json()
    assert (body["id"], body["date"]) == (c2d1["id"], day(c2d1, 1))
    assert body["visits"][0]["id"] == c2d1["id"]


def test_rescheduling_leaves_earlier_visits_alone(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    moved = reschedule(client, coordinator, c2d1, day(c2d1, 2)).get_json()["visits"]
    assert {v["key"] for v in moved}.isdisjoint({"screening", "c1d1", "checkin_d8"})


def test_each_moved_visit_gets_a_higher_sequence(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    moved = reschedule(client, coordinator, c2d1, day(c2d1, 2)).get_json()["visits"]
    for visit in moved:
        assert visit["sequence"] > visit_named(visits, visit["key"])["sequence"]


def test_a_day_outside_the_window_is_accepted_and_flagged(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    late = (date.fromisoformat(c2d1["window_end"]) + timedelta(days=2)).isoformat()
    body = reschedule(client, coordinator, c2d1, late).get_json()
    assert body["date"] == late
    assert "out_of_window" in body["warnings"]


def test_a_day_inside_the_window_raises_no_warning(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    assert reschedule(client, coordinator, c2d1, c2d1["window_end"]).get_json()["warnings"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-13-01", "reason": "x" * 5}, "date"),
        ({"reason": "no date given"}, "date"),
        ({"date": "2030-01-01"}, "reason"),
        ({"date": "2030-01-01", "reason": ""}, "reason"),
        ({"date": "2030-01-01", "reason": "ok", "status": "done"}, "status"),
    ],
)
def test_a_bad_reschedule_is_refused_naming_the_field_and_changes_nothing(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    visits: list[dict[str, Any]],
    body: dict[str, Any],
    field: str,
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    response = client.post(
        f"/api/v1/visits/{c2d1['id']}/reschedule", json=body, headers=coordinator
    )
    assert response.status_code == 400
    assert field in response.get_json()["message"]
    assert booked_dates(app) == {v["key"]: v["date"] for v in visits}


def test_a_visit_cannot_be_moved_into_the_past(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    response = reschedule(client, coordinator, visit_named(visits, "c2d1"), in_days(-1).isoformat())
    assert response.status_code == 400
    assert "date" in response.get_json()["message"]


def test_a_visit_cannot_be_moved_onto_a_day_the_site_is_closed(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    client.post(
        "/api/v1/closed-days", json={"day": day(c2d1, 1), "label": "Holiday"}, headers=coordinator
    )
    response = reschedule(client, coordinator, c2d1, day(c2d1, 1))
    assert response.status_code == 409
    assert "Holiday" in response.get_json()["message"]


def test_rescheduling_needs_a_clinical_role(
    client: FlaskClient, visits: list[dict[str, Any]], make_staff, bearer
) -> None:
    admin = bearer(make_staff("admin", "SITE01"))
    c2d1 = visit_named(visits, "c2d1")
    assert reschedule(client, admin, c2d1, day(c2d1, 1)).status_code == 403


def test_a_visit_of_another_site_cannot_be_rescheduled(
    client: FlaskClient, visits: list[dict[str, Any]], make_staff, bearer
) -> None:
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    c2d1 = visit_named(visits, "c2d1")
    assert reschedule(client, elsewhere, c2d1, day(c2d1, 1)).status_code == 404


def test_a_reschedule_is_audited_with_who_and_why_for_every_visit_that_moved(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    moved = reschedule(client, coordinator, c2d1, day(c2d1, 2), "Low platelets").get_json()
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "visit", AuditEvent.action == "update"
            )
        ).all()
    assert {e.entity_id for e in events} == {v["id"] for v in moved["visits"]}
    assert {e.reason for e in events} == {"Low platelets"}
    assert {e.actor_type for e in events} == {"staff"}
    booked = next(e for e in events if e.entity_id == c2d1["id"]).changes["booked_date"]
    assert booked == [c2d1["date"], day(c2d1, 2)]


# --- marking visits --------------------------------------------------------------------------


def past_visits(app: Flask, client, coordinator) -> list[dict[str, Any]]:
    """A patient who started treatment 10 days ago: screening and cycle 1 day 1 are past."""
    return enrol(client, coordinator, anchor_date=in_days(-10).isoformat())["visits"]


def test_a_visit_done_late_moves_the_visits_anchored_on_it(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    visits = past_visits(app, client, coordinator)
    c1d1 = visit_named(visits, "c1d1")
    response = set_status(client, coordinator, c1d1, status="done", date=day(c1d1, 1))
    assert response.status_code == 200, response.get_json()
    moved = {v["key"]: v for v in response.get_json()["visits"]}
    assert moved["c2d1"]["date"] == day(visit_named(visits, "c2d1"), 1)
    assert "out_of_window" in moved["c1d1"]["warnings"]  # the first dose has no slack


def test_a_past_visit_still_scheduled_is_overdue(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    visits = past_visits(app, client, coordinator)
    assert "overdue" in visit_named(visits, "c1d1")["warnings"]
    assert "overdue" not in visit_named(visits, "c2d1")["warnings"]


def test_marking_a_visit_missed_needs_a_reason(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    c1d1 = visit_named(past_visits(app, client, coordinator), "c1d1")
    response = set_status(client, coordinator, c1d1, status="missed")
    assert response.status_code == 400
    assert "reason" in response.get_json()["message"]


def test_a_visit_cannot_be_done_on_a_day_still_to_come(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    response = set_status(client, coordinator, c2d1, status="done", date=c2d1["date"])
    assert response.status_code == 400
    assert "date" in response.get_json()["message"]


def test_a_cancelled_visit_cannot_be_marked_done_without_being_restored_first(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    set_status(client, coordinator, c2d1, status="cancelled", reason="Withdrew")
    response = set_status(client, coordinator, c2d1, status="done", date=in_days(0).isoformat())
    assert response.status_code == 409
    assert "status" in response.get_json()["message"]


def test_a_cancelled_visit_is_kept_and_can_be_restored(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    cancelled = set_status(client, coordinator, c2d1, status="cancelled", reason="Flu").get_json()
    assert cancelled["status"] == "cancelled"
    restored = set_status(client, coordinator, c2d1, status="scheduled", reason="Recovered")
    assert restored.get_json()["status"] == "scheduled"
    assert restored.get_json()["sequence"] > cancelled["sequence"]


def test_a_cancelled_visit_cannot_be_rescheduled(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    set_status(client, coordinator, c2d1, status="cancelled", reason="Withdrew")
    assert reschedule(client, coordinator, c2d1, day(c2d1, 1)).status_code == 409


def test_a_missed_visit_can_be_booked_again(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    c1d1 = visit_named(past_visits(app, client, coordinator), "c1d1")
    set_status(client, coordinator, c1d1, status="missed", reason="Did not come")
    response = reschedule(client, coordinator, c1d1, in_days(1).isoformat())
    assert response.status_code == 200
    assert response.get_json()["status"] == "scheduled"


# --- closed days ---------------------------------------------------------------------------


def test_closing_the_site_on_a_visit_s_day_moves_it_inside_its_window(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    response = client.post(
        "/api/v1/closed-days", json={"day": c2d1["date"], "label": "Holiday"}, headers=coordinator
    )
    assert response.status_code == 201
    moved = booked_dates(app)["c2d1"]
    assert moved != c2d1["date"]
    assert c2d1["window_start"] <= moved <= c2d1["window_end"]


def test_reopening_a_closed_day_puts_the_visit_back(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c2d1 = visit_named(visits, "c2d1")
    closed = client.post(
        "/api/v1/closed-days", json={"day": c2d1["date"], "label": "Holiday"}, headers=coordinator
    ).get_json()
    assert (
        client.delete(f"/api/v1/closed-days/{closed['id']}", headers=coordinator).status_code == 204
    )
    assert booked_dates(app)["c2d1"] == c2d1["date"]


def test_a_day_cannot_be_closed_twice(client: FlaskClient, coordinator: dict[str, str]) -> None:
    body = {"day": in_days(30).isoformat(), "label": "Holiday"}
    assert client.post("/api/v1/closed-days", json=body, headers=coordinator).status_code == 201
    assert client.post("/api/v1/closed-days", json=body, headers=coordinator).status_code == 409


def test_closed_days_of_another_site_are_not_listed(
    client: FlaskClient, coordinator: dict[str, str], make_staff, bearer
) -> None:
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    client.post(
        "/api/v1/closed-days",
        json={"day": in_days(30).isoformat(), "label": "X"},
        headers=coordinator,
    )
    assert client.get("/api/v1/closed-days", headers=elsewhere).get_json() == []


# --- the site calendar -----------------------------------------------------------------------


def test_the_site_calendar_lists_the_visits_of_the_days_asked_for(
    client: FlaskClient, coordinator: dict[str, str], visits: list[dict[str, Any]]
) -> None:
    c1d1 = visit_named(visits, "c1d1")
    response = client.get(f"/api/v1/visits?from={c1d1['date']}&days=1", headers=coordinator)
    assert response.status_code == 200
    assert [v["key"] for v in response.get_json()] == ["c1d1"]


def test_the_site_calendar_refuses_more_than_a_month(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    response = client.get("/api/v1/visits?from=2026-01-01&days=90", headers=coordinator)
    assert response.status_code == 400
    assert "days" in response.get_json()["message"]


def booked_dates(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {v.key: v.booked_date.isoformat() for v in db.session.scalars(select(Visit))}
