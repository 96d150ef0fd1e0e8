"""Symptom reports in a real browser: the dangerous report is seen first, a coordinator works a
report to the end with JavaScript on and off, and a patient sends the check-in in English and in
Chinese and is told at once to call the emergency number for chest pain.

Every page is judged by axe-core (WCAG 2.1 A and AA): the queue, the report page (also with a
form error), the patient timeline with its charts, the check-in form (also with an error) and the
answer page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.api.test_symptom_pages import AMBER, EMERGENCY, RED, report, set_site
from tests.browser.conftest import Say, no_violations
from tests.browser.test_calendar_pages import HTML_LANG, PHONE, fits_the_screen, sign_in, submit
from tests.browser.test_content_security_policy import violations_while
from tests.enrolments import enrol, path_of

URGENT_PHONE = "+86 21 5555 0199"


@pytest.fixture
def coordinator(make_staff: Any) -> str:
    return make_staff("coordinator")


@pytest.fixture
def enrolled(
    client: FlaskClient, bearer: Callable[[str], dict[str, str]], coordinator: str
) -> Callable[..., dict[str, Any]]:
    """`enrolled(language)`: a patient (Chen Jing) treated for ten days, enrolled as staff do."""

    def make(language: str = "en") -> dict[str, Any]:
        return enrol(
            client,
            bearer(coordinator),
            -10,
            phone="+8613912340041",
            name="Chen Jing",
            language=language,
        )

    return make


def signed_in_page(
    open_page: Callable[..., Page],
    say: Say,
    email: str,
    language: str = "en",
    *,
    javascript: bool = True,
) -> Page:
    page = open_page(language, javascript=javascript)
    page.goto(f"/staff/login?lang={language}")
    sign_in(page, say, language, email)
    return page


# ---------- The queue ----------


def test_the_queue_shows_an_emergency_above_an_older_red_and_amber(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
) -> None:
    patient_id = enrolled()["patient_id"]
    report(app, patient_id, AMBER, minutes_ago=180)
    report(app, patient_id, RED, minutes_ago=90)
    report(app, patient_id, EMERGENCY, minutes_ago=1)
    page = signed_in_page(open_page, say, coordinator)

    page.get_by_role("link", name="Symptoms (2 urgent)").click()

    queue = page.get_by_role("table", name=re.compile("^Open reports: 3"))
    urgencies = queue.locator("tbody tr td.urgency strong")
    expect(urgencies).to_have_text(["Emergency", "Red", "Amber"])
    expect(queue.locator("tbody tr").nth(1)).to_contain_text("Overdue")
    expect(queue.locator("tbody tr").first).to_contain_text("Chest pain, pressure or tightness")


# ---------- A coordinator works a report ----------


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_coordinator_acknowledges_notes_acts_on_and_resolves_a_report(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
    javascript: bool,
) -> None:
    patient_id = enrolled()["patient_id"]
    report(app, patient_id, RED, minutes_ago=10)
    page = signed_in_page(open_page, say, coordinator, javascript=javascript)
    page.goto("/staff/symptoms")

    page.get_by_role("row").filter(has_text="Chen Jing").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Symptom report: Chen Jing")
    expect(page.get_by_role("link", name="+8613912340041")).to_be_visible()

    submit(page, "Acknowledge")
    expect(page.get_by_role("status")).to_contain_text("Acknowledged.")

    page.get_by_label("Note", exact=True).fill("Called, no answer. Trying again at 3 pm.")
    submit(page, "Add the note")
    expect(page.get_by_role("status")).to_have_text("Note added.")

    page.get_by_label("What was done").select_option("called_patient")
    submit(page, "Record the action")
    expect(page.get_by_role("status")).to_have_text("Action recorded.")

    page.locator("#resolve-note").fill("Feels better; seen at the next visit.")
    submit(page, "Resolve the report")
    expect(page.get_by_role("status")).to_have_text("Resolved. The report has left the open list.")

    history = page.locator(".report-history")
    expect(history).to_contain_text(f"Acknowledged by {coordinator}")
    expect(history).to_contain_text("Called, no answer. Trying again at 3 pm.")
    expect(history).to_contain_text(f"Action by {coordinator}: Called the patient")
    expect(history).to_contain_text(f"Resolved by {coordinator}")
    page.get_by_role("link", name="All open symptom reports").click()
    expect(page.get_by_text("No report is waiting.")).to_be_visible()


def test_a_note_left_empty_is_named_next_to_its_field(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
) -> None:
    report_id = report(app, enrolled()["patient_id"], AMBER)
    page = signed_in_page(open_page, say, coordinator)  # axe-core needs JavaScript
    page.goto(f"/staff/symptoms/{report_id}")
    submit(page, "Add the note")
    expect(page.get_by_role("alert")).to_contain_text("Write the note.")
    expect(page.get_by_label("Note", exact=True)).to_have_attribute("aria-invalid", "true")
    no_violations(axe, page, "report page with an error")


# ---------- The patient sends the check-in ----------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_patient_reports_chest_pain_and_is_told_to_call_the_emergency_number(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    say: Say,
    language: str,
) -> None:
    set_site(app, urgent_phone=URGENT_PHONE)
    visits = path_of(enrolled(language)["patient_page_url"])
    page = open_page(language, javascript=False)
    page.set_viewport_size(PHONE)
    page.goto(visits)

    page.get_by_role("link", name=say(language, "Tell us how you feel")).click()
    chest = (
        "您有没有新出现的胸口痛、胸口发紧或胸口被压着的感觉？"
        if language == "zh"
        else ("Have you had new pain, pressure or tightness in your chest?")
    )
    page.get_by_role("group", name=chest).get_by_label("是" if language == "zh" else "Yes").check()
    page.locator("#temperature_c").fill("37.4")
    assert fits_the_screen(page)
    submit(page, say(language, "Send my answers"))

    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text(
        say(language, "Call %(number)s now") % {"number": "120"}
    )
    expect(alert.get_by_role("link", name=URGENT_PHONE)).to_have_attribute(
        "href", f"tel:{URGENT_PHONE}"
    )
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    page.reload()  # the answer page came after a redirect: reloading sends nothing again
    expect(page.get_by_role("alert")).to_be_visible()


# ---------- Accessibility ----------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_staff_symptom_pages_have_no_wcag_21_aa_violations(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    patient_id = enrolled()["patient_id"]
    report(app, patient_id, {"temperature_c": "37.1", "rash": "none"}, minutes_ago=60 * 72)
    report(app, patient_id, {"temperature_c": "38.3", "rash": "mild"}, minutes_ago=60 * 30)
    report_id = report(
        app,
        patient_id,
        {"temperature_c": "39.4", "rash": "moderate", "extra_stools_per_day": "5", **EMERGENCY},
    )
    page = signed_in_page(open_page, say, coordinator, language)

    page.goto("/staff/symptoms")
    expect(page.locator("tbody tr")).to_have_count(3)
    no_violations(axe, page, f"queue ({language})")

    page.goto(f"/staff/symptoms/{report_id}")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    no_violations(axe, page, f"report page ({language})")

    page.goto(f"/staff/patients/{patient_id}#symptoms")
    # temperature, stools, chest pain (yes once), rash
    expect(page.locator(".symptom-chart svg")).to_have_count(4)
    temperature = page.locator("#chart-temperature_c").get_by_role("img")
    expect(temperature).to_have_attribute("aria-label", re.compile(r"(^|\D)3(\D|$)"))  # answers
    no_violations(axe, page, f"patient timeline with charts ({language})")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_check_in_form_and_answer_pages_have_no_wcag_21_aa_violations(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    set_site(app, urgent_phone=URGENT_PHONE, phone="+86 21 5555 0100")
    form = f"{path_of(enrolled(language)['patient_page_url'])}/symptoms"
    page = open_page(language)
    page.goto(form)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    no_violations(axe, page, f"check-in form ({language})")

    page.locator("#temperature_c").fill("52")
    page.locator("#other").fill("Tired.")
    submit(page, say(language, "Send my answers"))
    expect(page.locator("#temperature_c")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#temperature_c")).to_have_value("52")
    expect(page.locator("#other")).to_have_value("Tired.")
    no_violations(axe, page, f"check-in form with an error ({language})")

    page.locator("#temperature_c").fill("38.2")
    submit(page, say(language, "Send my answers"))
    expect(page.get_by_role("status")).to_be_visible()
    no_violations(axe, page, f"amber answer page ({language})")

    page.goto(form)
    page.locator("#chest_pain-yes").check()
    submit(page, say(language, "Send my answers"))
    expect(page.get_by_role("alert")).to_be_visible()
    no_violations(axe, page, f"emergency answer page ({language})")


def test_the_symptom_pages_run_without_a_policy_violation(
    app: Flask,
    open_page: Callable[..., Page],
    enrolled: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
) -> None:
    made = enrolled()
    report_id = report(app, made["patient_id"], {"temperature_c": "38.6", **RED})
    report(app, made["patient_id"], {"temperature_c": "37.0"}, minutes_ago=60 * 24)
    page = signed_in_page(open_page, say, coordinator)
    for path in (
        "/staff/symptoms",
        f"/staff/symptoms/{report_id}",
        f"/staff/patients/{made['patient_id']}",
        f"{path_of(made['patient_page_url'])}/symptoms",
        f"{path_of(made['patient_page_url'])}/symptoms/{report_id}",
    ):
        assert violations_while(page, path) == [], path
