"""Hostile JSON bodies are refused at the door with a 400 naming the field and the limit, and
change nothing: nesting thousands deep, integers of thousands of digits, numbers JSON cannot
hold (found by a security review: each answered 500)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.json_document import MAX_DEPTH, MAX_NUMBER_LENGTH
from companion.symptoms.models import SymptomReport
from tests.api.conftest import EVALUATE, SESSIONS, session_url
from tests.enrolments import enrol

DEEP = "[" * 5000 + "]" * 5000
HUGE = "1" * 5000  # past int()'s 4,300 digits
ABSURD = "9" * 400  # an int no float can hold


def post_json(client: FlaskClient, path: str, text: str, **headers: str):
    """POST `text` as it is: the standard encoder cannot write some of these bodies."""
    return client.post(path, data=text, content_type="application/json", headers=headers)


def report_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SymptomReport))


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator"))


@pytest.fixture
def patient_id(client: FlaskClient, coordinator: dict[str, str]) -> int:
    return enrol(client, coordinator)["patient_id"]


def test_json_nested_too_deep_is_a_400_naming_the_limit(client: FlaskClient) -> None:
    response = post_json(client, EVALUATE, '{"facts": ' + DEEP + "}")

    assert response.status_code == 400
    error = response.get_json()
    assert error["message"].startswith("facts.0.0.0")
    assert f"at most {MAX_DEPTH} levels" in error["message"]
    assert error["code"] == 400


def test_a_json_body_nested_too_deep_at_its_top_is_a_400_too(client: FlaskClient) -> None:
    response = post_json(client, SESSIONS, DEEP)

    assert response.status_code == 400
    assert f"at most {MAX_DEPTH} levels" in response.get_json()["message"]


def test_a_json_integer_of_5000_digits_is_a_400_naming_the_field(client: FlaskClient) -> None:
    response = post_json(client, EVALUATE, '{"facts": {"age_years": ' + HUGE + "}}")

    assert response.status_code == 400
    error = response.get_json()
    assert error["message"].startswith("facts.age_years:")
    assert f"at most {MAX_NUMBER_LENGTH} characters" in error["message"]
    assert "facts.age_years" in error["errors"]["json"]


def test_a_json_number_too_large_for_a_float_is_a_400_naming_the_field(
    client: FlaskClient,
) -> None:
    response = post_json(client, EVALUATE, '{"facts": {"age_years": 1e400}}')

    assert response.status_code == 400
    assert response.get_json()["message"].startswith("facts.age_years:")


def test_an_age_of_400_digits_is_out_of_range_naming_the_fact_and_the_range(
    client: FlaskClient,
) -> None:
    response = post_json(client, EVALUATE, '{"facts": {"age_years": ' + ABSURD + "}}")

    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "age_years" in message
    assert "a whole number from 0 to 120" in message


def test_an_answered_age_of_400_digits_is_out_of_range_and_not_recorded(
    client: FlaskClient, started: str
) -> None:
    response = post_json(
        client, session_url(started, "/answers"), '{"fact": "age_years", "value": ' + ABSURD + "}"
    )

    assert response.status_code == 400
    assert "a whole number from 0 to 120" in response.get_json()["message"]
    assert "age_years" not in client.get(session_url(started)).get_json()["facts"]


@pytest.mark.parametrize(
    ("answer", "allowed"),
    [
        ("temperature_c", "a number from 30 to 45"),
        ("extra_stools_per_day", "a whole number from 0 to 30"),
    ],
)
def test_a_symptom_number_of_400_digits_is_out_of_range_and_no_report_is_stored(
    app: Flask,
    client: FlaskClient,
    coordinator: dict[str, str],
    patient_id: int,
    answer: str,
    allowed: str,
) -> None:
    response = post_json(
        client,
        f"/api/v1/patients/{patient_id}/symptom-reports",
        '{"answers": {"' + answer + '": ' + ABSURD + "}}",
        **coordinator,
    )

    assert response.status_code == 400
    message = response.get_json()["message"]
    assert answer in message
    assert allowed in message
    assert report_count(app) == 0


def test_a_symptom_number_of_5000_digits_is_refused_and_no_report_is_stored(
    app: Flask, client: FlaskClient, coordinator: dict[str, str], patient_id: int
) -> None:
    response = post_json(
        client,
        f"/api/v1/patients/{patient_id}/symptom-reports",
        '{"answers": {"temperature_c": ' + HUGE + "}}",
        **coordinator,
    )

    assert response.status_code == 400
    assert response.get_json()["message"].startswith("answers.temperature_c:")
    assert report_count(app) == 0


def test_a_stranger_sending_a_hostile_body_to_a_staff_route_learns_only_401(
    client: FlaskClient,
) -> None:
    response = post_json(client, "/api/v1/closed-days", DEEP)

    assert response.status_code == 401


def test_malformed_json_is_still_answered_by_the_route_s_own_parser(client: FlaskClient) -> None:
    response = post_json(client, EVALUATE, '{"facts": ')

    assert response.status_code == 400
    assert response.get_json()["code"] == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"fact": "age_years", "value": "²"}', "value"),
        ('{"fact": "age_years", "value": ' + ABSURD + "}", "value"),
        ('{"fact": "9999-12-31", "value": 54}', "fact"),
    ],
)
def test_a_refused_answer_names_the_body_field_and_the_fact(
    client: FlaskClient, started: str, body: str, field: str
) -> None:
    response = post_json(client, session_url(started, "/answers"), body)

    assert response.status_code == 400
    error = response.get_json()
    assert f"{field}: " in error["message"]
    assert field in error["errors"]["json"]


def test_a_body_over_64_kib_is_a_413_in_the_error_shape(client: FlaskClient) -> None:
    response = post_json(client, EVALUATE, '{"facts": {}, "language": "' + "x" * 70_000 + '"}')

    assert response.status_code == 413
    assert response.get_json()["code"] == 413
