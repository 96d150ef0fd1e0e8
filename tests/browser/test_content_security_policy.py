"""The pages and the interactive API docs work under their Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from playwright.sync_api import ConsoleMessage, Page

from tests.conftest import STAFF_PASSWORD
from tests.enrolments import enrol, path_of


def violations_while(page: Page, path: str) -> list[str]:
    messages: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            messages.append(message.text)

    page.on("console", note)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return messages


def test_the_api_docs_render_and_open_an_operation_without_a_policy_violation(
    page: Page,
) -> None:
    violations = violations_while(page, "/api/docs")
    page.get_by_text("/api/v1/trials/{trial_id}/prescreen/evaluate").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_text("Example Value").first.wait_for()
    assert violations == []


def test_the_questionnaire_runs_without_a_policy_violation(page: Page) -> None:
    assert violations_while(page, "/") == []
    page.get_by_role("button").first.click()
    page.wait_for_load_state("networkidle")
    assert "/prescreen/" in page.url


def test_the_patient_pages_run_without_a_policy_violation(
    page: Page, client: FlaskClient, make_staff: Any, bearer: Any
) -> None:
    visits = path_of(enrol(client, bearer(make_staff("coordinator")), -10)["patient_page_url"])
    assert violations_while(page, visits) == []
    assert violations_while(page, f"{visits}/shots") == []


def test_the_staff_calendar_pages_run_without_a_policy_violation(
    page: Page, client: FlaskClient, make_staff: Any, bearer: Any
) -> None:
    email = make_staff("coordinator")
    patient_id = enrol(client, bearer(email))["patient_id"]
    page.goto("/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator("form.sign-in-form button").click()
    for path in ("/staff/calendar", "/staff/patients", f"/staff/patients/{patient_id}"):
        assert violations_while(page, path) == [], path
