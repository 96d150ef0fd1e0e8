"""A NUL in any form field, query argument or path segment is refused at the door with a 400
naming the field, before any route reads it: PostgreSQL cannot store a NUL in text, so each one
answered 500 there (found by a security review), and SQLite stored it. Pages answer the normal
400 page of their area (public, staff, patient); the API its JSON error shape. Nothing stored
changes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import SESSIONS
from tests.api.test_route_matrix import changed_tables, database_rows
from tests.conftest import STAFF_PASSWORD, csrf_token_from
from tests.enrolments import enrol
from tests.staff_session import sign_in

NUL = "\x00"
PAGE_400 = "<h1>Something was not right</h1>"  # the title of each area's 400 page


@pytest.fixture
def coordinator(make_staff) -> str:
    return make_staff("coordinator")


@pytest.fixture
def headers(coordinator: str, bearer) -> dict[str, str]:
    return bearer(coordinator)


@pytest.fixture
def enrolled(client: FlaskClient, headers: dict[str, str]) -> dict[str, Any]:
    return enrol(client, headers)


def assert_the_page_400(response: Any) -> None:
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert PAGE_400 in response.get_data(as_text=True)


def assert_the_api_400_naming(response: Any, location: str, field: str) -> None:
    assert response.status_code == 400
    error = response.get_json()
    assert error["message"].startswith(f"{field}: ")
    assert field in error["errors"][location]
    assert NUL not in error["message"]


def test_a_nul_in_the_sign_in_email_is_the_400_page_and_changes_nothing(
    app: Flask, client: FlaskClient, coordinator: str
) -> None:
    token = csrf_token_from(client.get("/staff/login").data)
    before = database_rows(app)

    response = client.post(
        "/staff/login",
        data={"csrf_token": token, "email": coordinator + NUL, "password": STAFF_PASSWORD},
    )

    assert_the_page_400(response)
    assert changed_tables(before, database_rows(app)) == []


@pytest.mark.parametrize("field", ["day", "label"])
def test_a_nul_in_a_closed_day_form_is_the_400_page_and_closes_nothing(
    app: Flask, client: FlaskClient, coordinator: str, field: str
) -> None:
    sign_in(client, coordinator)
    token = csrf_token_from(client.get("/staff/closed-days").data)
    form = {"day": "2030-06-03", "label": "Dragon Boat Festival"}
    before = database_rows(app)

    response = client.post(
        "/staff/closed-days", data={"csrf_token": token, **form, field: form[field] + NUL}
    )

    assert_the_page_400(response)
    assert changed_tables(before, database_rows(app)) == []


def test_a_nul_in_a_reschedule_reason_is_the_400_page_and_moves_nothing(
    app: Flask, client: FlaskClient, coordinator: str, enrolled: dict[str, Any]
) -> None:
    sign_in(client, coordinator)
    token = csrf_token_from(client.get(f"/staff/patients/{enrolled['patient_id']}").data)
    visit = enrolled["visits"][1]
    before = database_rows(app)

    response = client.post(
        f"/staff/visits/{visit['id']}/reschedule",
        data={"csrf_token": token, "date": visit["date"], "reason": "asked" + NUL},
    )

    assert_the_page_400(response)
    assert changed_tables(before, database_rows(app)) == []


def test_a_nul_in_a_page_s_query_argument_is_the_400_page(
    client: FlaskClient, coordinator: str
) -> None:
    sign_in(client, coordinator)

    assert_the_page_400(client.get("/staff/calendar", query_string={"view": NUL}))


def test_a_nul_in_a_public_page_s_query_argument_is_the_400_page(client: FlaskClient) -> None:
    assert_the_page_400(client.get("/", query_string={"lang": "zh" + NUL}))


def test_a_nul_in_a_page_s_address_is_the_400_page(client: FlaskClient) -> None:
    assert_the_page_400(client.get("/prescreen/made-up" + NUL))


def test_a_stranger_with_a_nul_in_a_staff_page_s_address_is_sent_to_sign_in(
    client: FlaskClient,
) -> None:
    response = client.get("/staff/calendar", query_string={"view": NUL})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_a_nul_in_an_api_query_argument_is_a_400_naming_it(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/leads", query_string={"status": "new" + NUL}, headers=headers)

    assert_the_api_400_naming(response, "query", "status")


def test_a_nul_in_an_api_path_segment_is_a_400_naming_it(client: FlaskClient) -> None:
    response = client.get("/api/v1/prescreen/sessions/made-up" + NUL)

    assert_the_api_400_naming(response, "path", "token")


def test_a_nul_in_an_api_query_argument_changes_nothing(
    app: Flask, client: FlaskClient, headers: dict[str, str], enrolled: dict[str, Any]
) -> None:
    before = database_rows(app)

    response = client.post(f"{SESSIONS}?language=en{NUL}", json={"language": "en"}, headers=headers)

    assert_the_api_400_naming(response, "query", "language")
    assert changed_tables(before, database_rows(app)) == []


def test_a_query_argument_s_name_is_checked_too(client: FlaskClient) -> None:
    response = client.get("/api/v1/trials/NCT07586904/questionnaire?lang" + NUL + "=en")

    assert response.status_code == 400
    assert NUL not in response.get_json()["message"]
