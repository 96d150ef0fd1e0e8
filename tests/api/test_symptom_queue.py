"""The triage queue: the dangerous report first, deadlines and overdue flags, working a report
(acknowledge, note, action, resolve) with every step audited, and one site never sees another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.db import db
from companion.symptoms import service
from tests.api.test_audit import raw_audit_rows, stored_events
from tests.enrolments import enrol
from tests.symptom_reports import (
    ANSWERS_OF,
    REPORTS,
    configure_site,
    report_url,
    stored_report,
    submit,
    submitted_at,
)

# 10:00 in Shanghai (the site's and the patients' time zone).
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def patient_id(client: FlaskClient, coordinator: dict[str, str]) -> int:
    return enrol(client, coordinator)["patient_id"]


def queue_at(app: Flask, now: datetime, site: str = "SITE01") -> list[service.QueueRow]:
    with app.app_context():
        from companion.sites.service import site_by_code

        return service.open_queue(db.session, site_by_code(db.session, site).id, now)


def test_the_queue_puts_the_most_urgent_first_then_the_oldest(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    now = datetime.now(UTC)
    made = {
        name: submitted_at(app, patient_id, ANSWERS_OF[urgency], now - timedelta(minutes=ago))
        for name, urgency, ago in [
            ("old green", "green", 300),
            ("old amber", "amber", 200),
            ("newer red", "red", 20),
            ("older red", "red", 40),
            ("new emergency", "emergency", 1),
            ("new amber", "amber", 2),
        ]
    }
    queue = client.get(REPORTS, headers=coordinator).get_json()
    order = {report_id: name for name, report_id in made.items()}
    assert [order[report["id"]] for report in queue] == [
        "new emergency",
        "older red",
        "newer red",
        "old amber",
        "new amber",
        "old green",
    ]


@pytest.mark.parametrize(("minutes", "overdue"), [(29, False), (30, False), (31, True)])
def test_a_red_report_is_overdue_once_its_30_minutes_have_passed(
    app: Flask, patient_id: int, minutes: int, overdue: bool
) -> None:
    report_id = submitted_at(app, patient_id, ANSWERS_OF["red"], MORNING)
    (row,) = queue_at(app, MORNING + timedelta(minutes=minutes))
    assert row.report.id == report_id
    assert row.report.respond_by == MORNING + timedelta(minutes=30)
    assert (row.overdue, row.minutes_waiting) == (overdue, minutes)


def test_the_site_sets_how_soon_urgent_reports_are_due(app: Flask, patient_id: int) -> None:
    configure_site(app, respond_within_minutes_urgent=15)
    submitted_at(app, patient_id, ANSWERS_OF["emergency"], MORNING)
    assert [row.overdue for row in queue_at(app, MORNING + timedelta(minutes=15))] == [False]
    assert [row.overdue for row in queue_at(app, MORNING + timedelta(minutes=16))] == [True]


def shanghai(hour: int, minute: int, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour - 8, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (shanghai(9, 0), shanghai(18, 0)),  # morning: by the end of the day
        (shanghai(17, 59), shanghai(18, 0)),  # a minute before: still today
        (shanghai(18, 0), shanghai(18, 0, day=2)),  # at the time: tomorrow
        (shanghai(23, 30), shanghai(18, 0, day=2)),  # at night: tomorrow
    ],
)
def test_an_amber_report_is_due_by_the_site_s_end_of_day(
    app: Flask, patient_id: int, sent: datetime, due: datetime
) -> None:
    report_id = submitted_at(app, patient_id, ANSWERS_OF["amber"], sent)
    assert stored_report(app, report_id).respond_by == due


def test_an_amber_report_is_overdue_just_after_the_site_s_respond_by_time(
    app: Flask, patient_id: int
) -> None:
    configure_site(app, amber_respond_by="17:00")
    submitted_at(app, patient_id, ANSWERS_OF["amber"], shanghai(16, 0))
    assert [row.overdue for row in queue_at(app, shanghai(17, 0))] == [False]
    assert [row.overdue for row in queue_at(app, shanghai(17, 1))] == [True]


def test_a_green_report_has_no_deadline_and_is_never_overdue(app: Flask, patient_id: int) -> None:
    submitted_at(app, patient_id, ANSWERS_OF["green"], MORNING)
    (row,) = queue_at(app, MORNING + timedelta(days=30))
    assert (row.report.respond_by, row.overdue) == (None, False)


def test_an_acknowledged_report_is_not_overdue(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    report_id = submitted_at(
        app, patient_id, ANSWERS_OF["red"], datetime.now(UTC) - timedelta(hours=2)
    )
    assert client.get(REPORTS, headers=coordinator).get_json()[0]["overdue"] is True
    client.post(report_url(report_id, "/acknowledge"), headers=coordinator)
    (row,) = client.get(REPORTS, headers=coordinator).get_json()
    assert (row["status"], row["overdue"]) == ("acknowledged", False)
    assert 119 <= row["minutes_waiting"] <= 121


def test_a_report_is_acknowledged_noted_actioned_and_resolved_each_step_audited(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    report_id = submit(client, coordinator, patient_id, ANSWERS_OF["red"])["id"]

    acknowledged = client.post(report_url(report_id, "/acknowledge"), headers=coordinator)
    noted = client.post(
        report_url(report_id, "/notes"),
        json={"text": "canary-note: rang, no answer"},
        headers=coordinator,
    )
    actioned = client.post(
        report_url(report_id, "/action"),
        json={"action": "advised_clinic_visit", "note": "Coming in at 2pm"},
        headers=coordinator,
    )
    resolved = client.post(
        report_url(report_id, "/resolve"), json={"note": "Seen in clinic"}, headers=coordinator
    )

    assert [r.status_code for r in (acknowledged, noted, actioned, resolved)] == [
        200,
        201,
        200,
        200,
    ]
    body = resolved.get_json()
    assert (body["status"], body["action"]) == ("resolved", "advised_clinic_visit")
    assert body["acknowledged_by"] == body["action_by"] == body["resolved_by"]
    assert [note["text"] for note in body["notes"]] == [
        "canary-note: rang, no answer",
        "Coming in at 2pm",
        "Seen in clinic",
    ]
    report_events = stored_events(app, entity_type="symptom_report")
    assert [event.action for event in report_events] == ["create", "update", "update", "update"]
    assert all(event.actor_type == "staff" for event in report_events)
    assert report_events[1].changes["status"] == ["open", "acknowledged"]
    assert report_events[-1].changes["status"] == ["acknowledged", "resolved"]
    assert report_events[0].changes["answers"] == [None, {"blood_in_stool": "•••"}]
    notes = stored_events(app, entity_type="symptom_report_note")
    assert len(notes) == 3
    assert all(event.site_id == report_events[0].site_id for event in notes)
    assert "canary-note" not in raw_audit_rows(app)


def test_an_action_on_an_open_report_acknowledges_it(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    report_id = submit(client, coordinator, patient_id, ANSWERS_OF["emergency"])["id"]
    body = client.post(
        report_url(report_id, "/action"), json={"action": "sent_to_emergency"}, headers=coordinator
    ).get_json()
    assert (body["status"], body["action"]) == ("acknowledged", "sent_to_emergency")
    assert body["acknowledged_at"] == body["action_at"]


@pytest.mark.parametrize(
    ("steps", "refused", "status", "word"),
    [
        (["acknowledge"], "acknowledge", 409, "already acknowledged"),
        ([], "resolve", 409, "action"),  # nothing done yet
        (["acknowledge"], "resolve", 409, "action"),
        (["action", "resolve"], "acknowledge", 409, "resolved"),
        (["action", "resolve"], "resolve", 409, "already resolved"),
        (["action", "resolve"], "action", 409, "resolved"),
    ],
)
def test_a_step_out_of_turn_is_refused_with_409_and_changes_nothing(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
    steps: list[str],
    refused: str,
    status: int,
    word: str,
) -> None:
    report_id = submit(client, coordinator, patient_id, ANSWERS_OF["red"])["id"]
    bodies = {"action": {"action": "called_patient"}, "resolve": {}, "acknowledge": None}
    for step in steps:
        response = client.post(
            report_url(report_id, f"/{step}"), json=bodies[step], headers=coordinator
        )
        assert response.status_code == 200, response.get_json()
    before = client.get(report_url(report_id), headers=coordinator).get_json()
    response = client.post(
        report_url(report_id, f"/{refused}"), json=bodies[refused], headers=coordinator
    )
    assert response.status_code == status
    assert word in response.get_json()["message"]
    assert client.get(report_url(report_id), headers=coordinator).get_json() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/action", {"action": "phoned"}, "action"),
        ("/action", {"action": "other"}, "note"),
        ("/action", {"action": "other", "note": "   "}, "note"),
        ("/notes", {"text": ""}, "text"),
        ("/notes", {"text": "   "}, "text"),
        ("/notes", {"text": "x" * 2001}, "text"),
        ("/notes", {}, "text"),
        ("/resolve", {"note": "x" * 2001}, "note"),
    ],
)
def test_bad_input_to_a_step_is_refused_naming_the_field(
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
    path: str,
    body: dict,
    field: str,
) -> None:
    report_id = submit(client, coordinator, patient_id, ANSWERS_OF["red"])["id"]
    response = client.post(report_url(report_id, path), json=body, headers=coordinator)
    assert response.status_code == 400
    assert field in response.get_json()["message"]


def test_a_resolved_report_still_takes_a_note(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    report_id = submit(client, coordinator, patient_id, ANSWERS_OF["amber"])["id"]
    client.post(
        report_url(report_id, "/action"), json={"action": "no_action_needed"}, headers=coordinator
    )
    client.post(report_url(report_id, "/resolve"), headers=coordinator)
    response = client.post(
        report_url(report_id, "/notes"),
        json={"text": "Patient called back: fine"},
        headers=coordinator,
    )
    assert response.status_code == 201
    assert response.get_json()["status"] == "resolved"


def test_the_queue_filters_by_status(
    client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    ids = [submit(client, coordinator, patient_id, ANSWERS_OF["amber"])["id"] for _ in range(3)]
    client.post(report_url(ids[1], "/acknowledge"), headers=coordinator)
    client.post(
        report_url(ids[2], "/action"), json={"action": "called_patient"}, headers=coordinator
    )
    client.post(report_url(ids[2], "/resolve"), headers=coordinator)

    def listed(query: str = "") -> list[int]:
        return [r["id"] for r in client.get(REPORTS + query, headers=coordinator).get_json()]

    assert listed() == ids[:2]
    assert listed("?status=open") == ids[:1]
    assert listed("?status=acknowledged") == ids[1:2]
    assert listed("?status=resolved") == ids[2:]
    assert listed("?status=all") == ids
    response = client.get(REPORTS + "?status=closed", headers=coordinator)
    assert response.status_code == 400
    assert "status" in response.get_json()["message"]


def test_staff_of_another_site_never_see_or_touch_this_site_s_reports(
    client: FlaskClient, coordinator: dict[str, str], make_staff, bearer, patient_id: int
) -> None:
    report_id = submit(client, coordinator, patient_id, ANSWERS_OF["emergency"])["id"]
    elsewhere = bearer(make_staff("investigator", "SITE02"))
    assert client.get(REPORTS + "?status=all", headers=elsewhere).get_json() == []
    assert client.get(report_url(report_id), headers=elsewhere).status_code == 404
    for step, body in [
        ("/acknowledge", None),
        ("/notes", {"text": "x"}),
        ("/action", {"action": "called_patient"}),
        ("/resolve", {}),
    ]:
        response = client.post(report_url(report_id, step), json=body, headers=elsewhere)
        assert response.status_code == 404, step
    assert client.get(report_url(report_id), headers=coordinator).get_json()["status"] == "open"
    assert client.get(report_url(999999), headers=coordinator).status_code == 404


def test_trend_lists_each_symptom_s_answers_oldest_first_with_levels(
    app: Flask, patient_id: int
) -> None:
    from companion.enrolment.models import Patient

    first, second = MORNING, MORNING + timedelta(days=7)
    submitted_at(app, patient_id, {"temperature_c": 37.0, "fatigue": "mild"}, first)
    submitted_at(app, patient_id, {"temperature_c": 38.5, "other": "tired"}, second)
    with app.app_context():
        series = service.trend(db.session, db.session.get(Patient, patient_id))
    assert series == {
        "temperature_c": [(first, 37.0, 0), (second, 38.5, 1)],
        "fatigue": [(first, "mild", 1)],
    }
