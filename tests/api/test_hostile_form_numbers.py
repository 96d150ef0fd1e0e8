"""Numbers typed into pages are read by one reader: decimal digits only, at most as many as any
number needs. "²" passes `str.isdigit()` but not int(), and 5,000 digits pass both checks but
not int()'s limit; each answered 500 before (found by a security review)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import Patient
from tests.conftest import csrf_token_from
from tests.enrolments import in_days
from tests.staff_session import sign_in

HOSTILE_NUMBERS = [
    pytest.param("²", id="superscript-two"),
    pytest.param("5²", id="five-squared"),
    pytest.param("1" * 5000, id="5000-digits"),
    pytest.param("٣" * 5000, id="5000-arabic-indic-digits"),
]
BEFORE_AGE = (
    ("melanoma_origin", "skin"),
    ("stage", "III"),
    ("regional_spread", "yes"),
    ("recent_cancer_treatment", "no"),
)


def question_page(client: FlaskClient) -> tuple[str, str]:
    """(URL, CSRF token) of a web pre-screen that now asks for the person's age."""
    token = csrf_token_from(client.get("/").data)
    url = client.post("/prescreen", data={"csrf_token": token}).headers["Location"]
    for fact, value in BEFORE_AGE:
        client.post(url, data={"csrf_token": token, "fact": fact, "value": value})
    assert "How old are you?" in client.get(url).get_data(as_text=True)
    return url, token


def patient_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Patient))


@pytest.fixture
def signed_in(client: FlaskClient, make_staff) -> FlaskClient:
    sign_in(client, make_staff("coordinator"))
    return client


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_an_age_not_written_in_decimal_digits_is_asked_again_with_the_range(
    client: FlaskClient, value: str
) -> None:
    url, token = question_page(client)

    response = client.post(url, data={"csrf_token": token, "fact": "age_years", "value": value})

    assert response.status_code == 400
    assert "Type a whole number from 0 to 120." in response.get_data(as_text=True)
    assert "How old are you?" in client.get(url).get_data(as_text=True)


def test_an_age_in_full_width_digits_is_read(client: FlaskClient) -> None:
    url, token = question_page(client)

    response = client.post(url, data={"csrf_token": token, "fact": "age_years", "value": "５４"})

    assert response.status_code == 303


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_an_audit_record_number_not_in_decimal_digits_is_a_400_naming_the_field(
    signed_in: FlaskClient, value: str
) -> None:
    response = signed_in.get("/staff/audit", query_string={"entity_id": value})

    assert response.status_code == 400
    assert "A record number is a whole number, like 12." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_an_audit_page_link_not_in_decimal_digits_is_a_400(
    signed_in: FlaskClient, value: str
) -> None:
    assert signed_in.get("/staff/audit", query_string={"before": value}).status_code == 400


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_an_enrol_address_naming_a_lead_not_in_decimal_digits_is_not_found(
    signed_in: FlaskClient, value: str
) -> None:
    assert signed_in.get("/staff/patients/new", query_string={"lead": value}).status_code == 404


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_an_enrol_form_naming_a_lead_not_in_decimal_digits_is_refused_and_enrols_no_one(
    app: Flask, signed_in: FlaskClient, value: str
) -> None:
    token = csrf_token_from(signed_in.get("/staff/patients/new").data)
    response = signed_in.post(
        "/staff/patients/new",
        data={
            "csrf_token": token,
            "anchor_date": in_days(14).isoformat(),
            "phone": "+8613900139001",
            "language": "en",
            "timezone": "Asia/Shanghai",
            "sms_consent": "yes",
            "lead_id": value,
        },
    )

    assert response.status_code == 400
    assert patient_count(app) == 0
