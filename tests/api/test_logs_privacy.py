"""No names, phone numbers, answers or link tokens in logs, even at DEBUG."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.privacy.redaction import RedactingFilter, redact
from tests.api.conftest import SESSIONS, answer_until_done, session_url
from tests.api.test_prescreen_pages import answer_all, start
from tests.conftest import STAFF_PASSWORD, csrf_token_from
from tests.profiles import eligible_patient

API_NAME = "Canaryapi Wenjing Liu"
API_PHONE = "+8613912345670"
API_EMAIL = "canary.api@example.org"
PAGE_NAME = "Canarypage Hao Wang"
PAGE_PHONE = "+86 139 1234 5671"
FREE_TEXT = "canary-free-text-I-feel-dizzy"
WRONG_PASSWORD = "canary-wrong-password-1"
LOUD_LOGGERS = ("companion", "sqlalchemy.engine", "werkzeug", "flask-limiter", "alembic")


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record, DEBUG up, including loggers configured quieter (SQL statements and rows)."""
    caplog.set_level(logging.DEBUG)
    for name in LOUD_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    return "\n".join(parts)


def test_a_pre_screen_to_a_lead_and_staff_sign_in_leave_no_personal_data_in_logs(
    app: Flask, client: FlaskClient, make_staff, all_logs: pytest.LogCaptureFixture
) -> None:
    staff_email = make_staff()
    all_logs.clear()

    # The API: a free-text answer where a choice is expected, then a lead.
    token = client.post(SESSIONS, json={"language": "en"}).get_json()["token"]
    refused = client.post(
        session_url(token, "/answers"), json={"fact": "melanoma_origin", "value": FREE_TEXT}
    )
    assert refused.status_code == 400
    answer_until_done(client, token, eligible_patient())
    bad_contact = {"name": API_NAME, "phone": FREE_TEXT, "language": "en", "consent": True}
    assert client.post(session_url(token, "/contact"), json=bad_contact).status_code == 400
    contact = {
        **bad_contact,
        "phone": API_PHONE,
        "email": API_EMAIL,
        "best_time_to_call": "morning",
    }
    assert client.post(session_url(token, "/contact"), json=contact).status_code == 201

    # The pages: a free-text age, then the contact form, once wrong and once right.
    url, csrf = start(client)
    page_token = url.rstrip("/").split("/")[-1]
    client.post(url, data={"csrf_token": csrf, "fact": "age_years", "value": FREE_TEXT})
    answer_all(client, url, csrf, eligible_patient())
    form = {
        "csrf_token": csrf,
        "name": PAGE_NAME,
        "phone": FREE_TEXT,
        "language": "en",
        "best_time_to_call": "evening",
        "consent": "yes",
    }
    assert client.post(f"{url}/contact", data=form).status_code == 400
    assert client.post(f"{url}/contact", data={**form, "phone": PAGE_PHONE}).status_code == 303

    # Staff sign in, wrongly then rightly, by API and by page, and read the leads.
    auth = "/api/v1/auth/token"
    assert (
        client.post(auth, json={"email": staff_email, "password": WRONG_PASSWORD}).status_code
        == 401
    )
    bearer = client.post(auth, json={"email": staff_email, "password": STAFF_PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {bearer['access_token']}"}
    assert API_NAME in client.get("/api/v1/leads", headers=headers).get_data(as_text=True)
    login_csrf = csrf_token_from(client.get("/staff/login").data)
    for password in (WRONG_PASSWORD, STAFF_PASSWORD):
        client.post(
            "/staff/login",
            data={"csrf_token": login_csrf, "email": staff_email, "password": password},
        )
    assert PAGE_NAME in client.get("/staff/leads").get_data(as_text=True)

    logged = everything_logged(all_logs)
    assert all_logs.records, "nothing was logged at all: the capture is not working"
    for secret in (
        API_NAME,
        "Canaryapi",
        API_PHONE,
        API_PHONE[3:],
        API_EMAIL,
        PAGE_NAME,
        "Canarypage",
        PAGE_PHONE,
        "1234 5671",
        FREE_TEXT,
        token,
        page_token,
        WRONG_PASSWORD,
        STAFF_PASSWORD,
        bearer["access_token"],
    ):
        assert secret not in logged


def test_phone_numbers_emails_and_link_tokens_are_redacted() -> None:
    text = redact(
        "from +8613800138000 (+86 138 0013 8000, 13800138000) and mei.chen+x@example.org "
        "on /prescreen/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefg/result"
    )
    assert text == ("from [phone] ([phone], [phone]) and [email] on /prescreen/<token>/result")


def test_ordinary_log_text_is_left_alone() -> None:
    text = "lead 42 moved to contacted at 2026-11-24 10:15:00 in 12 ms by staff 7"
    assert redact(text) == text


def test_the_app_s_logger_redacts_what_it_is_given(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="companion")
    logging.getLogger("companion.anything").info("texting %s", "+8613800138000")
    app.logger.warning("texting %s at %s", "+8613800138000", "mei@example.org")
    assert "+8613800138000" not in caplog.text
    assert "mei@example.org" not in caplog.text
    assert "texting [phone] at [email]" in caplog.text


def test_a_traceback_in_a_log_record_is_redacted_too() -> None:
    try:
        raise ValueError("no lead for +8613800138000")
    except ValueError:
        record = logging.LogRecord("companion", logging.ERROR, __file__, 1, "failed", (), None)
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert "+8613800138000" not in record.exc_text
    assert "no lead for [phone]" in record.exc_text
