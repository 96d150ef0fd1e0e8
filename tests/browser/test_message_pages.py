"""Text messages in a real browser: a coordinator answers a patient's text, and the messages page
and the timeline's texts are judged by axe-core (WCAG 2.1 A and AA) in English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.browser.conftest import Say, describe_violations
from tests.browser.test_calendar_pages import HTML_LANG, sign_in, submit
from tests.enrolments import enrol
from tests.signed_webhooks import AUTH_TOKEN, text_from
from tests.text_messages import dispatched_text, queued_text

PHONE = "+8613912340021"
QUESTION = "Can my daughter come with me on Tuesday?"


@pytest.fixture
def coordinator(make_staff: Any) -> str:
    return make_staff("coordinator")


@pytest.fixture
def patient_with_texts(
    app: Flask,
    another_app: Callable[..., Flask],
    client: FlaskClient,
    bearer: Callable[[str], dict[str, str]],
    coordinator: str,
) -> Callable[[str], int]:
    """`patient_with_texts(language)`: a patient with texts of every kind; returns their id."""

    def make(language: str) -> int:
        patient_id = enrol(
            client, bearer(coordinator), 15, phone=PHONE, name="Chen Jing", language=language
        )["patient_id"]
        dispatched_text(app, patient_id, "t1", provider_sid="SM1", delivery_status="delivered")
        dispatched_text(
            app,
            patient_id,
            "t2",
            provider_sid="SM2",
            delivery_status="undelivered",
            error_code=30005,
        )
        dispatched_text(app, patient_id, "t3", status="unknown")
        queued_text(app, patient_id, "t4")
        twilio = another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN).test_client()
        text_from(twilio, PHONE, QUESTION)
        text_from(twilio, PHONE, "C")
        return patient_id

    return make


def test_a_coordinator_answers_a_patient_s_text_and_marks_it_answered(
    open_page: Callable[..., Page],
    patient_with_texts: Callable[[str], int],
    coordinator: str,
    say: Say,
) -> None:
    patient_id = patient_with_texts("en")
    page = open_page("en")
    page.goto("/staff/login")
    sign_in(page, say, "en", coordinator)

    page.get_by_role("link", name="Messages", exact=True).click()
    waiting = page.get_by_role("table", name="Texts waiting for an answer: 1, oldest first")
    expect(waiting).to_contain_text(QUESTION)
    waiting.get_by_role("link", name="Chen Jing").click()
    expect(page).to_have_url(re.compile(rf"/staff/patients/{patient_id}#texts$"))
    texts = page.get_by_role("table", name="Texts to and from the patient, newest first")
    expect(texts).to_contain_text(QUESTION)
    expect(texts).to_contain_text("Confirmed a visit")

    page.go_back()
    submit(page, "Mark as answered")
    expect(page.get_by_role("status")).to_have_text("Marked as answered. It has left the list.")
    expect(page.get_by_text("No text from a patient is waiting for an answer.")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("where", ["messages", "timeline"])
def test_text_message_pages_have_no_wcag_21_aa_violations(
    where: str,
    language: str,
    open_page: Callable[..., Page],
    patient_with_texts: Callable[[str], int],
    coordinator: str,
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
) -> None:
    patient_id = patient_with_texts(language)
    page = open_page(language)
    page.goto(f"/staff/login?lang={language}")
    sign_in(page, say, language, coordinator)
    if where == "messages":
        page.goto("/staff/messages")
        expect(page.get_by_role("heading", level=1)).to_have_text(say(language, "Text messages"))
    else:
        page.goto(f"/staff/patients/{patient_id}#texts")
        expect(page.locator("#texts")).to_have_text(say(language, "Text messages"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])

    violations = axe(page)

    assert not violations, f"{where} ({language}):\n{describe_violations(violations)}"
