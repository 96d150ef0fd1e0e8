"""Visit calendars in a real browser: a patient on a phone, a coordinator at the site calendar.

Every one of these pages is also judged by axe-core (WCAG 2.1 A and AA) in English and Chinese,
including forms shown again with their errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.browser.conftest import Say, describe_violations
from tests.conftest import STAFF_PASSWORD
from tests.enrolments import enrol, local_today, path_of

HTML_LANG = {"en": "en", "zh": "zh-Hans"}
PHONE = {"width": 390, "height": 844}
REACTION_LINE = "If you feel very unwell, call the study team now. In an emergency call 120."


@pytest.fixture
def coordinator(make_staff: Any) -> str:
    return make_staff("coordinator")


@pytest.fixture
def enrol_patient(
    client: FlaskClient, bearer: Callable[[str], dict[str, str]], coordinator: str
) -> Callable[..., dict[str, Any]]:
    """`enrol_patient(first_treatment_in_days, **body)`: enrolled through the API, as staff do."""
    headers = bearer(coordinator)

    def make(first_treatment_in_days: int = 14, **body: Any) -> dict[str, Any]:
        return enrol(client, headers, first_treatment_in_days, **body)

    return make


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def submit(page: Page, button_name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button_name, exact=True).first.click()


def sign_in(page: Page, say: Say, language: str, email: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=say(language, "Sign in"), exact=True).click()


# ---------- A patient on a phone ----------


def test_a_patient_opens_their_visits_on_a_phone_and_adds_one_to_their_calendar(
    open_page: Callable[..., Page], enrol_patient: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    enrolled = enrol_patient()
    page = open_page("en")
    page.set_viewport_size(PHONE)

    page.goto(path_of(enrolled["patient_page_url"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("My visits")
    first = page.locator(".visit-list .visit").first
    expect(first.get_by_role("heading", level=3)).to_have_text("First check-up visit")
    expect(first).to_contain_text("Bring your ID card and your study card.")
    assert fits_the_screen(page)

    with (
        page.expect_response(re.compile(r"/visits/\d+\.ics$")) as answered,
        page.expect_download() as downloading,
    ):
        first.get_by_role("link", name="Add to calendar").click()
    response = answered.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    download = downloading.value
    assert download.suggested_filename.endswith(".ics")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in text
    assert "First check-up visit" in text


def test_a_patient_fills_their_shot_diary_on_a_phone(
    open_page: Callable[..., Page], enrol_patient: Callable[..., dict[str, Any]]
) -> None:
    enrolled = enrol_patient(-10)
    page = open_page("en")
    page.set_viewport_size(PHONE)
    page.goto(path_of(enrolled["patient_page_url"]))

    with page.expect_navigation():
        page.get_by_role("link", name="Open my shot diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My shots at home")
    forms = page.locator("form.shot-form")
    expect(forms).to_have_count(6)
    assert fits_the_screen(page)

    submit(page, "Save my answer")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    today = local_today().isoformat()
    expect(page.locator(f"#outcome-{today}-taken")).to_be_focused()

    today_form = page.locator("form.shot-form").first
    today_form.get_by_label("I took it and had a reaction").check()
    today_form.get_by_label("Anything else to tell us?").fill("Red skin where the shot went in")
    with page.expect_navigation():
        today_form.get_by_role("button", name="Save my answer").click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("Thank you. Your answer is saved.")
    expect(notice).to_contain_text(REACTION_LINE)
    expect(page.locator("form.shot-form")).to_have_count(5)
    expect(page.locator("table.data-table")).to_contain_text("Red skin where the shot went in")


def test_the_patient_pages_work_without_javascript(
    open_page: Callable[..., Page], enrol_patient: Callable[..., dict[str, Any]], say: Say
) -> None:
    enrolled = enrol_patient(-10, language="zh")
    page = open_page("en", javascript=False)
    page.goto(path_of(enrolled["patient_page_url"]))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    with page.expect_navigation():
        page.get_by_role("link", name=say("zh", "Open my shot diary")).click()
    today_form = page.locator("form.shot-form").first
    today_form.get_by_label(say("zh", "I took my shot"), exact=True).check()
    with page.expect_navigation():
        today_form.get_by_role("button", name=say("zh", "Save my answer")).click()
    thanks = say("zh", "Thank you. Your answer is saved.")
    expect(page.get_by_role("status")).to_contain_text(thanks)


# ---------- A coordinator at the site calendar ----------


def test_a_coordinator_reschedules_a_visit_from_the_week_calendar(
    open_page: Callable[..., Page],
    enrol_patient: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
) -> None:
    enrolled = enrol_patient(name="Wang Fang")
    page = open_page("en")

    page.goto("/staff/calendar")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))
    sign_in(page, say, "en", coordinator)
    expect(page).to_have_url(re.compile(r"/staff/calendar$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    expect(page.locator(".calendar-day")).to_have_count(7)

    for _ in range(2):
        with page.expect_navigation():
            page.get_by_role("link", name="Next week").click()
    first_treatment = page.locator("tr", has_text="Treatment visit 1")
    expect(first_treatment).to_contain_text("08:30")
    with page.expect_navigation():
        first_treatment.get_by_role("link", name="Wang Fang").click()
    timeline = f"/staff/patients/{enrolled['patient_id']}"
    expect(page).to_have_url(re.compile(rf"{timeline}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wang Fang")

    heading = page.get_by_role("heading", name="Treatment visit 1")
    visit = page.locator(".timeline-visit", has=heading)
    visit.locator("summary").click()
    new_day = local_today() + timedelta(days=17)
    visit.get_by_label("New day").fill(new_day.isoformat())
    with page.expect_navigation():
        visit.get_by_role("button", name="Move the visit").click()
    summary = visit.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Give a reason. It is kept in the audit trail.")

    move = visit.locator("form", has=page.get_by_role("button", name="Move the visit"))
    expect(move.get_by_label("New day")).to_have_value(new_day.isoformat())
    move.get_by_label("Reason", exact=True).fill("Patient is travelling")
    with page.expect_navigation():
        move.get_by_role("button", name="Move the visit").click()
    expect(page).to_have_url(re.compile(rf"{timeline}#notice$"))
    notice = page.locator("#notice")
    expect(notice).to_contain_text(f"Treatment visit 1: Booked, {new_day.isoformat()}.")
    expect(notice).to_contain_text("These visits moved with it:")
    expect(notice.locator("li")).to_contain_text(["Check-in by phone (week 2)"])


# ---------- Accessibility of every page here, in both languages ----------


def patient_visits(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto(f"{world['patient_page']}?lang={language}")
    expect(page.locator(".visit-list").first).to_be_visible()


def patient_diary(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto(f"{world['patient_page']}/shots?lang={language}")
    expect(page.locator("form.shot-form").first).to_be_visible()


def patient_diary_with_error(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    patient_diary(page, say, language, world)
    submit(page, say(language, "Save my answer"))
    expect(page.locator(".error-summary")).to_be_visible()


def patient_diary_after_a_reaction(
    page: Page, say: Say, language: str, world: dict[str, Any]
) -> None:
    patient_diary(page, say, language, world)
    form = page.locator("form.shot-form").first
    form.get_by_label(say(language, "I took it and had a reaction")).check()
    with page.expect_navigation():
        form.get_by_role("button", name=say(language, "Save my answer")).click()
    expect(page.locator(".reaction-line")).to_be_visible()


def patient_link_gone(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    response = page.goto(f"{world['replaced_page']}?lang={language}")
    assert response is not None
    assert response.status == 410


def staff_week_calendar(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    first = local_today() + timedelta(days=10)
    page.goto(f"/staff/calendar?from={first.isoformat()}&view=week")
    expect(page.locator("table.data-table").first).to_be_visible()


def staff_day_calendar_with_error(
    page: Page, say: Say, language: str, world: dict[str, Any]
) -> None:
    page.goto("/staff/calendar?from=soon&view=day")
    expect(page.locator(".error-summary")).to_be_visible()


def staff_patients(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto("/staff/patients")
    expect(page.locator("table.data-table")).to_be_visible()


def staff_timeline(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto(f"/staff/patients/{world['patient_id']}")
    visit = page.locator(".timeline-visit").nth(1)
    visit.locator("summary").click()
    expect(visit.locator("form").first).to_be_visible()


def staff_timeline_with_errors(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto(f"/staff/patients/{world['patient_id']}")
    visit = page.locator(".timeline-visit").nth(1)
    visit.locator("summary").click()
    submit(page, say(language, "Move the visit"))
    expect(page.locator(".error-summary")).to_be_visible()


def staff_timeline_with_notices(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto(f"/staff/patients/{world['patient_id']}")
    submit(page, say(language, "New page link"))
    expect(page.locator(".new-link")).to_be_visible()


PAGES = {
    opener.__name__: opener
    for opener in (
        patient_visits,
        patient_diary,
        patient_diary_with_error,
        patient_diary_after_a_reaction,
        patient_link_gone,
        staff_week_calendar,
        staff_day_calendar_with_error,
        staff_patients,
        staff_timeline,
        staff_timeline_with_errors,
        staff_timeline_with_notices,
    )
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_calendar_page_has_no_wcag_21_aa_violations(
    name: str,
    language: str,
    open_page: Callable[..., Page],
    client: FlaskClient,
    bearer: Callable[[str], dict[str, str]],
    enrol_patient: Callable[..., dict[str, Any]],
    coordinator: str,
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
) -> None:
    enrolled = enrol_patient(-10, name="Chen Jing", language=language)
    replaced = enrol_patient(phone="+8613800138001", language=language)
    client.post(f"/api/v1/patients/{replaced['patient_id']}/page-link", headers=bearer(coordinator))
    world = {
        "patient_id": enrolled["patient_id"],
        "patient_page": path_of(enrolled["patient_page_url"]),
        "replaced_page": path_of(replaced["patient_page_url"]),
    }
    page = open_page(language)
    if name.startswith("staff_"):
        page.goto(f"/staff/login?lang={language}")
        sign_in(page, say, language, coordinator)
    PAGES[name](page, say, language, world)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])

    violations = axe(page)

    assert not violations, f"{name} ({language}):\n{describe_violations(violations)}"
