"""Reminders follow the calendar: enrolment plans them, every visit change replans them in the
same transaction, and a patient without consent, or who texted STOP, gets none.

Checked in the outbox (`outbound_messages`) as the dispatcher will find it.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.db import db
from companion.enrolment.models import Patient, Visit
from companion.messaging import outbox
from companion.messaging.models import CANCELLED, PENDING, OutboundMessage
from companion.messaging.reminders import replan_patient
from companion.timestamps import utcnow
from tests.enrolments import enrol, in_days, visit_named

# Cycle 1 day 1 in 30 days: screening in 16 days, the phone check-ins in 37 and 44, cycle 2 in
# 51, all inside the 60 days planned ahead; what comes after cycle 2 is not planned yet.
FIRST_TREATMENT_IN = 30
PLANNED_VISITS = {"screening", "c1d1", "checkin_d8", "checkin_d15", "c2d1"}
FORBIDDEN = re.compile(
    r"melanoma|\bcancer|cadonilimab|interferon|\bIFN|\bNCT|黑色素瘤|癌|肿瘤|干扰素|卡度尼利", re.I
)
US_MOBILE = "+12015550123"


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


def enrolled(client: FlaskClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    return enrol(client, headers, FIRST_TREATMENT_IN, **overrides)


def messages(app: Flask, patient_id: int, status: str | None = PENDING) -> list[OutboundMessage]:
    with app.app_context():
        query = select(OutboundMessage).where(OutboundMessage.patient_id == patient_id)
        if status is not None:
            query = query.where(OutboundMessage.status == status)
        return list(db.session.scalars(query.order_by(OutboundMessage.due_at)))


def visit_keys(app: Flask, patient_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.scalars(select(Visit).where(Visit.patient_id == patient_id))
        return {row.id: row.key for row in rows}


def reminded(app: Flask, patient_id: int, status: str = PENDING) -> set[tuple[str, str]]:
    """(visit key, kind) of the patient's visit reminders in `status`."""
    keys = visit_keys(app, patient_id)
    return {
        (keys[m.visit_id], m.kind)
        for m in messages(app, patient_id, status)
        if m.visit_id is not None
    }


def reschedule(client, headers, visit, shift: int):
    new_date = (in_days(0) + timedelta(days=shift)).isoformat()
    response = client.post(
        f"/api/v1/visits/{visit['id']}/reschedule",
        json={"date": new_date, "reason": "Patient asked"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_enrolling_plans_the_reminders_of_each_visit_in_the_next_60_days(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    clinic = {"screening", "c1d1", "c2d1"}
    assert reminded(app, patient_id) == {
        *((key, "visit_eve") for key in clinic),
        *((key, "visit_morning") for key in clinic),
        ("checkin_d8", "check_in"),
        ("checkin_d15", "check_in"),
    }


def test_enrolling_plans_a_reminder_for_each_home_shot_in_the_next_60_days(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    shots = [m for m in messages(app, patient_id) if m.kind == "home_shot"]
    # every other day from cycle 1 day 1 (day 30) to day 60 at the latest
    assert 15 <= len(shots) <= 16
    assert all(m.visit_id is None for m in shots)
    assert all(
        later.due_at - earlier.due_at == timedelta(days=2) for earlier, later in pairwise(shots)
    )


def test_reminders_go_to_the_patients_phone_and_wait_until_due(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator, phone="+8613912345678")["patient_id"]
    for message in messages(app, patient_id):
        assert message.to_e164 == "+8613912345678"
        assert message.due_at > utcnow()
        assert message.not_after is not None
        assert message.not_after > message.due_at
        assert message.segments <= 2


@pytest.mark.parametrize(("language", "name"), [("en", "Treatment visit 2"), ("zh", "第2次治疗")])
def test_reminders_are_written_in_the_patients_language(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], language: str, name: str
) -> None:
    body = enrolled(client, coordinator, language=language)
    c2d1 = visit_named(body["visits"], "c2d1")
    about_c2d1 = [m for m in messages(app, body["patient_id"]) if m.visit_id == c2d1["id"]]
    assert len(about_c2d1) == 2
    for message in about_c2d1:
        assert message.language == language
        assert name in message.body


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_reminder_names_the_disease_the_drugs_or_the_trial(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], language: str
) -> None:
    patient_id = enrolled(client, coordinator, language=language)["patient_id"]
    bodies = [m.body for m in messages(app, patient_id)]
    assert bodies
    assert [FORBIDDEN.findall(body) for body in bodies if FORBIDDEN.search(body)] == []


def test_a_patient_without_consent_to_texts_gets_no_reminder(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator, sms_consent=False)["patient_id"]
    assert messages(app, patient_id, status=None) == []


def test_a_reschedule_cancels_the_old_reminders_and_plans_new_ones(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    body = enrolled(client, coordinator)
    patient_id, c2d1 = body["patient_id"], visit_named(body["visits"], "c2d1")
    before = {
        m.business_key: m.due_at for m in messages(app, patient_id) if m.visit_id == c2d1["id"]
    }
    reschedule(client, coordinator, c2d1, FIRST_TREATMENT_IN + 23)
    cancelled = {m.business_key for m in messages(app, patient_id, CANCELLED)}
    after = {
        m.business_key: m.due_at for m in messages(app, patient_id) if m.visit_id == c2d1["id"]
    }
    assert set(before) <= cancelled
    assert len(after) == 2
    assert sorted(after.values()) == [due + timedelta(days=2) for due in sorted(before.values())]


def test_a_reschedule_moves_the_home_shots_that_hang_on_the_visit(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    body = enrol(client, coordinator, 3)
    patient_id = body["patient_id"]
    shots_before = {m.due_at for m in messages(app, patient_id) if m.kind == "home_shot"}
    reschedule(client, coordinator, visit_named(body["visits"], "c1d1"), 4)
    shots_after = {m.due_at for m in messages(app, patient_id) if m.kind == "home_shot"}
    assert shots_after == {due + timedelta(days=1) for due in shots_before}


def test_a_reschedule_and_its_reminders_are_one_transaction(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], monkeypatch
) -> None:
    body = enrolled(client, coordinator)
    patient_id, c2d1 = body["patient_id"], visit_named(body["visits"], "c2d1")
    planned = {m.business_key for m in messages(app, patient_id)}

    def outbox_down(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(outbox, "enqueue", outbox_down)
    response = client.post(
        f"/api/v1/visits/{c2d1['id']}/reschedule",
        json={"date": in_days(FIRST_TREATMENT_IN + 23).isoformat(), "reason": "Asked"},
        headers=coordinator,
    )
    assert response.status_code == 500
    assert {m.business_key for m in messages(app, patient_id)} == planned
    with app.app_context():
        assert db.session.get(Visit, c2d1["id"]).booked_date.isoformat() == c2d1["date"]


def test_a_cancelled_visit_has_its_reminders_cancelled(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    body = enrolled(client, coordinator)
    patient_id, screening = body["patient_id"], visit_named(body["visits"], "screening")
    response = client.post(
        f"/api/v1/visits/{screening['id']}/status",
        json={"status": "cancelled", "reason": "Done at another hospital"},
        headers=coordinator,
    )
    assert response.status_code == 200, response.get_json()
    assert {kind for key, kind in reminded(app, patient_id, CANCELLED) if key == "screening"} == {
        "visit_eve",
        "visit_morning",
    }
    assert "screening" not in {key for key, _ in reminded(app, patient_id)}


def test_a_visit_booked_again_after_a_cancellation_is_reminded_again(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    body = enrolled(client, coordinator)
    patient_id, screening = body["patient_id"], visit_named(body["visits"], "screening")
    url = f"/api/v1/visits/{screening['id']}/status"
    client.post(url, json={"status": "cancelled", "reason": "Unwell"}, headers=coordinator)
    client.post(url, json={"status": "scheduled", "reason": "Better"}, headers=coordinator)
    assert {kind for key, kind in reminded(app, patient_id) if key == "screening"} == {
        "visit_eve",
        "visit_morning",
    }


def test_a_new_site_phone_rewords_the_reminders_still_to_send(
    app: Flask, client: FlaskClient, make_staff, bearer, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    admin = bearer(make_staff("admin", "SITE01"))
    response = client.patch(
        "/api/v1/site", json={"phone": "+86 21 5555 0100", "reason": "New line"}, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    pending = messages(app, patient_id)
    assert pending
    assert all(m.body.endswith("Call +86 21 5555 0100.") for m in pending)
    assert len(messages(app, patient_id, CANCELLED)) == len(pending)


@pytest.mark.parametrize(
    ("timezone", "phone"), [("Asia/Shanghai", "+8613800138000"), ("America/New_York", US_MOBILE)]
)
def test_no_reminder_is_due_between_21_and_8_where_the_patient_lives(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], timezone: str, phone: str
) -> None:
    patient_id = enrolled(client, coordinator, timezone=timezone, phone=phone)["patient_id"]
    zone = ZoneInfo(timezone)
    pending = messages(app, patient_id)
    assert len(pending) > 20
    for message in pending:
        assert time(8) <= message.due_at.astimezone(zone).time() < time(21), message.business_key
        assert message.not_after.astimezone(zone).time() <= time(21), message.business_key


def test_a_patient_who_texted_stop_gets_no_reminder_when_replanned(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        patient.sms_opted_out_at = utcnow()
        replan = replan_patient(db.session, patient, utcnow())
        db.session.commit()
    assert replan.planned == ()
    assert replan.cancelled > 0
    assert messages(app, patient_id) == []


def test_a_patient_who_texts_start_again_is_planned_again(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    planned = {m.business_key for m in messages(app, patient_id)}
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        patient.sms_opted_out_at = utcnow()
        replan_patient(db.session, patient, utcnow())
        patient.sms_opted_out_at = None
        replan_patient(db.session, patient, utcnow())
        db.session.commit()
    assert {m.business_key for m in messages(app, patient_id)} == planned


def test_replanning_without_a_change_changes_nothing(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    planned = {m.business_key for m in messages(app, patient_id)}
    with app.app_context():
        replan = replan_patient(db.session, db.session.get(Patient, patient_id), utcnow())
        db.session.commit()
    assert (replan.added, replan.cancelled) == (0, 0)
    assert set(replan.planned) == planned
    assert {m.business_key for m in messages(app, patient_id, status=None)} == planned


def test_a_reminder_already_due_and_waiting_for_the_dispatcher_is_not_cancelled(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    patient_id = enrolled(client, coordinator)["patient_id"]
    first = messages(app, patient_id)[0]
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        replan_patient(db.session, patient, first.due_at + timedelta(minutes=5))
        db.session.commit()
    assert first.business_key in {m.business_key for m in messages(app, patient_id)}


def test_the_daily_replan_command_plans_what_came_into_reach(
    app: Flask, client: FlaskClient, coordinator: dict[str, str]
) -> None:
    from companion.messaging.planning_cli import replan

    patient_id = enrolled(client, coordinator)["patient_id"]
    later = (utcnow() + timedelta(days=30)).isoformat()
    result = app.test_cli_runner().invoke(replan, ["--now", later])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("replanned 1 patient(s)")
    assert ("restaging", "visit_eve") in reminded(app, patient_id)


def test_the_daily_replan_command_refuses_a_time_without_its_offset(app: Flask) -> None:
    from companion.messaging.planning_cli import replan

    result = app.test_cli_runner().invoke(replan, ["--now", "2026-12-01T02:00:00"])
    assert result.exit_code == 2
    assert "UTC offset" in result.output
