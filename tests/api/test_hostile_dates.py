"""Every date the API or a page reads must fall in one window, 2000-01-01 to 2099-12-31: a day
near the ends of the calendar (9999-12-31, 0001-01-01) made the date arithmetic behind it
overflow, a 500 (found by a security review). Refused days change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import ClosedDay, InjectionLogEntry, Patient, Visit
from companion.form_values import EARLIEST_DATE, LATEST_DATE, date_in_window, iso_date
from tests.conftest import csrf_token_from
from tests.enrolments import enrol, enrollment_body, path_of
from tests.staff_session import sign_in

OUT_OF_WINDOW = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"]
NOT_DATES = ["10000-01-01", "²⁰²⁶-01-01", "2026-13-01"]
ALLOWED = "a date from 2000-01-01 to 2099-12-31"


def rows(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def booked_days(app: Flask, patient_id: int) -> dict[int, date]:
    with app.app_context():
        visits = db.session.scalars(select(Visit).where(Visit.patient_id == patient_id))
        return {visit.id: visit.booked_date for visit in visits}


def post_form(client: FlaskClient, path: str, page: str, **fields: str):
    token = csrf_token_from(client.get(page).data)
    return client.post(path, data={"csrf_token": token, **fields})


@pytest.fixture
def coordinator(make_staff) -> str:
    return make_staff("coordinator")


@pytest.fixture
def headers(coordinator: str, bearer) -> dict[str, str]:
    return bearer(coordinator)


@pytest.fixture
def enrolled(client: FlaskClient, headers: dict[str, str]) -> dict:
    return enrol(client, headers, -10)


@pytest.fixture
def signed_in(client: FlaskClient, coordinator: str, enrolled: dict) -> FlaskClient:
    sign_in(client, coordinator)
    return client


# ---------- The window itself ----------


def test_the_window_runs_from_2000_to_2099() -> None:
    assert EARLIEST_DATE.isoformat() == "2000-01-01"
    assert LATEST_DATE.isoformat() == "2099-12-31"
    assert date_in_window(EARLIEST_DATE)
    assert date_in_window(LATEST_DATE)


@pytest.mark.parametrize("typed", OUT_OF_WINDOW + NOT_DATES + ["", "2026-06-01\x00"])
def test_a_typed_day_outside_the_window_or_no_day_at_all_is_not_read(typed: str) -> None:
    assert iso_date(typed) is None


def test_a_typed_day_inside_the_window_is_read() -> None:
    assert iso_date(" 2099-12-31 ") == date(2099, 12, 31)


# ---------- The API ----------


@pytest.mark.parametrize("first", OUT_OF_WINDOW)
def test_visits_from_a_day_outside_the_window_is_a_400_naming_from_and_the_days_allowed(
    client: FlaskClient, headers: dict[str, str], first: str
) -> None:
    response = client.get(
        "/api/v1/visits", query_string={"from": first, "days": 31}, headers=headers
    )

    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "from: " in message
    assert ALLOWED in message


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
def test_enrolling_with_a_first_treatment_outside_the_window_is_a_400_and_enrols_no_one(
    app: Flask, client: FlaskClient, headers: dict[str, str], day: str
) -> None:
    response = client.post(
        "/api/v1/enrollments", json=enrollment_body(anchor_date=day), headers=headers
    )

    assert response.status_code == 400
    assert "anchor_date" in response.get_json()["message"]
    assert ALLOWED in response.get_json()["message"]
    assert rows(app, Patient) == 0


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
@pytest.mark.parametrize(
    ("action", "body"),
    [("reschedule", {"reason": "the patient asked"}), ("status", {"status": "done"})],
)
def test_moving_a_visit_to_a_day_outside_the_window_is_a_400_and_moves_nothing(
    app: Flask,
    client: FlaskClient,
    headers: dict[str, str],
    enrolled: dict,
    day: str,
    action: str,
    body: dict,
) -> None:
    before = booked_days(app, enrolled["patient_id"])
    visit_id = enrolled["visits"][1]["id"]

    response = client.post(
        f"/api/v1/visits/{visit_id}/{action}", json={**body, "date": day}, headers=headers
    )

    assert response.status_code == 400
    assert "date: " in response.get_json()["message"]
    assert booked_days(app, enrolled["patient_id"]) == before


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
def test_a_closed_day_outside_the_window_is_a_400_and_closes_nothing(
    app: Flask, client: FlaskClient, headers: dict[str, str], day: str
) -> None:
    response = client.post(
        "/api/v1/closed-days", json={"day": day, "label": "Far away"}, headers=headers
    )

    assert response.status_code == 400
    assert "day: " in response.get_json()["message"]
    assert rows(app, ClosedDay) == 0


# ---------- Pages ----------


@pytest.mark.parametrize("first", OUT_OF_WINDOW + NOT_DATES)
def test_the_staff_calendar_from_a_day_outside_the_window_is_a_400_asking_for_a_date(
    signed_in: FlaskClient, first: str
) -> None:
    response = signed_in.get("/staff/calendar", query_string={"from": first})

    assert response.status_code == 400
    assert "Give the first day as a date, like 2026-06-01." in response.get_data(as_text=True)


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("first", ["2000-01-01", "2099-12-31"])
def test_the_staff_calendar_opens_at_either_end_of_the_window(
    signed_in: FlaskClient, first: str, view: str
) -> None:
    response = signed_in.get("/staff/calendar", query_string={"from": first, "view": view})

    assert response.status_code == 200


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
def test_a_reschedule_form_to_a_day_outside_the_window_is_a_400_and_moves_nothing(
    app: Flask, signed_in: FlaskClient, enrolled: dict, day: str
) -> None:
    before = booked_days(app, enrolled["patient_id"])
    visit_id = enrolled["visits"][1]["id"]
    page = f"/staff/patients/{enrolled['patient_id']}"

    response = post_form(
        signed_in, f"/staff/visits/{visit_id}/reschedule", page, date=day, reason="asked"
    )

    assert response.status_code == 400
    assert "Give the new day as a date." in response.get_data(as_text=True)
    assert booked_days(app, enrolled["patient_id"]) == before


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
def test_a_status_form_dated_outside_the_window_is_a_400_and_changes_nothing(
    app: Flask, signed_in: FlaskClient, enrolled: dict, day: str
) -> None:
    visit_id = enrolled["visits"][1]["id"]
    page = f"/staff/patients/{enrolled['patient_id']}"

    response = post_form(
        signed_in, f"/staff/visits/{visit_id}/status", page, status="done", date=day, reason=""
    )

    assert response.status_code == 400
    assert "Give the day as a date, like 2026-06-01." in response.get_data(as_text=True)


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
def test_a_closed_day_form_outside_the_window_is_a_400_and_closes_nothing(
    app: Flask, signed_in: FlaskClient, day: str
) -> None:
    response = post_form(
        signed_in, "/staff/closed-days", "/staff/closed-days", day=day, label="Far away"
    )

    assert response.status_code == 400
    assert "Give the day as a date, like 2026-10-01." in response.get_data(as_text=True)
    assert rows(app, ClosedDay) == 0


@pytest.mark.parametrize("day", OUT_OF_WINDOW)
def test_a_shot_diary_form_dated_outside_the_window_is_a_400_and_records_nothing(
    app: Flask, client: FlaskClient, enrolled: dict, day: str
) -> None:
    page = path_of(enrolled["patient_page_url"]) + "/shots"

    response = post_form(client, page, page, day=day, outcome="taken")

    assert response.status_code == 400
    assert rows(app, InjectionLogEntry) == 0
