"""A coordinator enrols a patient and closes the site for a day, in a real browser.

The enrol form and the closed days page are also judged by axe-core (WCAG 2.1 A and AA) in
English and Chinese, empty and shown again with their errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.api.conftest import new_lead
from tests.browser.conftest import Say, describe_violations
from tests.conftest import STAFF_PASSWORD
from tests.enrolments import enrol, in_days, path_of, visit_named

HTML_LANG = {"en": "en", "zh": "zh-Hans"}


@pytest.fixture
def coordinator(make_staff: Any) -> str:
    return make_staff("coordinator")


@pytest.fixture
def headers(bearer: Callable[[str], dict[str, str]], coordinator: str) -> dict[str, str]:
    return bearer(coordinator)


def sign_in(page: Page, say: Say, language: str, email: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=say(language, "Sign in"), exact=True).click()


def submit(page: Page, button_name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button_name, exact=True).first.click()


def fill_in_the_enrol_form(page: Page, say: Say, language: str) -> None:
    page.get_by_label(say(language, "First treatment day")).fill(in_days(14).isoformat())
    page.get_by_label(say(language, "Treatment cycles before the operation")).select_option("3")
    page.get_by_label(say(language, "Mobile phone")).fill("138 0013 8000")
    page.get_by_label("English", exact=True).check()
    page.get_by_label(say(language, "Name (you can leave this empty)")).fill("Wang Fang")
    page.get_by_label(say(language, "Yes, the patient agreed")).check()


def booked_lead(app: Flask, client: FlaskClient, headers: dict[str, str]) -> int:
    """A lead the site reached and booked for screening: ready to enrol."""
    lead_id = new_lead(app, client, "Grace Hopper", language="zh")
    client.post(
        f"/api/v1/leads/{lead_id}/contact-attempts", json={"outcome": "reached"}, headers=headers
    )
    client.post(
        f"/api/v1/leads/{lead_id}/status", json={"status": "screening_booked"}, headers=headers
    )
    return lead_id


# ---------- Walks ----------


def test_a_coordinator_enrols_a_patient_and_gets_their_links(
    open_page: Callable[..., Page], coordinator: str, say: Say
) -> None:
    page = open_page("en")
    page.goto("/staff/patients")
    sign_in(page, say, "en", coordinator)
    with page.expect_navigation():
        page.get_by_role("link", name="Enrol a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a patient")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Shanghai")

    submit(page, "Enrol the patient")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give the first treatment day as a date")
    summary.get_by_role("link", name=re.compile("Answer yes or no")).click()
    expect(page.locator("#sms_consent-yes")).to_be_focused()

    fill_in_the_enrol_form(page, say, "en")
    submit(page, "Enrol the patient")
    expect(page).to_have_url(re.compile(r"/staff/patients/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wang Fang")
    notice = page.locator("#enrolled")
    expect(notice).to_contain_text("They are shown only once.")
    calendar_link, page_link = notice.locator(".new-link code").all_inner_texts()
    assert "/calendar/" in calendar_link
    assert "/my/" in page_link
    expect(page.locator(".timeline-visit h3").first).to_have_text("First check-up visit")

    page.goto(path_of(page_link))
    expect(page.get_by_role("heading", level=1)).to_have_text("My visits")


def test_a_coordinator_enrols_a_lead_from_its_page(
    app: Flask,
    client: FlaskClient,
    open_page: Callable[..., Page],
    coordinator: str,
    headers: dict[str, str],
    say: Say,
) -> None:
    lead_id = booked_lead(app, client, headers)
    page = open_page("en")
    page.goto(f"/staff/leads/{lead_id}")
    sign_in(page, say, "en", coordinator)
    with page.expect_navigation():
        page.get_by_role("link", name="Enrol this person").click()
    expect(page.locator("#lead")).to_contain_text("You are enrolling Grace Hopper")
    expect(page.get_by_label("Mobile phone")).to_have_value("+8613800138000")
    page.get_by_label("First treatment day").fill(in_days(14).isoformat())
    page.get_by_label("Yes, the patient agreed").check()
    submit(page, "Enrol the patient")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    expect(page.locator("#enrolled .new-link")).to_have_count(2)


def test_the_enrol_form_works_without_javascript(
    open_page: Callable[..., Page], coordinator: str, say: Say
) -> None:
    page = open_page("zh", javascript=False)
    page.goto("/staff/patients/new?lang=zh")
    sign_in(page, say, "zh", coordinator)
    fill_in_the_enrol_form(page, say, "zh")
    submit(page, say("zh", "Enrol the patient"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wang Fang")
    expect(page.locator("#enrolled .new-link")).to_have_count(2)


def test_a_coordinator_closes_the_site_for_a_day_without_javascript(
    client: FlaskClient,
    open_page: Callable[..., Page],
    coordinator: str,
    headers: dict[str, str],
    say: Say,
) -> None:
    enrolled = enrol(client, headers, name="Wang Fang")
    second_treatment = visit_named(enrolled["visits"], "c2d1")["date"]
    page = open_page("en", javascript=False)
    page.goto("/staff/closed-days")
    sign_in(page, say, "en", coordinator)
    expect(page.get_by_role("link", name="Closed days")).to_have_attribute("aria-current", "page")
    page.get_by_label("Day", exact=True).fill(second_treatment)
    page.get_by_label("Name of the day").fill("National Day")
    submit(page, "Close the site on this day")
    notice = page.locator("#notice")
    expect(notice).to_contain_text(f"The site is now closed on {second_treatment} (National Day).")
    expect(notice.locator("li").first).to_contain_text("Wang Fang")
    expect(page.locator("table.data-table")).to_contain_text("National Day")

    submit(page, "Remove")
    expect(page.locator("#notice")).to_contain_text("The closed day is removed.")
    expect(page.get_by_text("No closed days are coming.")).to_be_visible()


# ---------- Accessibility of these pages, in both languages ----------


def enrol_form(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto("/staff/patients/new")
    expect(page.locator("form.workflow-form")).to_be_visible()


def enrol_form_with_errors(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    enrol_form(page, say, language, world)
    page.get_by_label(say(language, "Mobile phone")).fill("010 6552 9988")
    submit(page, say(language, "Enrol the patient"))
    expect(page.locator(".error-summary li")).to_have_count(3)  # day, language, consent


def enrol_form_refused(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    enrol_form(page, say, language, world)
    fill_in_the_enrol_form(page, say, language)
    page.get_by_label(say(language, "Mobile phone")).fill("+8613800138000")  # already enrolled
    submit(page, say(language, "Enrol the patient"))
    expect(page.locator("#phone-error")).to_be_visible()


def enrol_form_for_a_lead(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto(f"/staff/patients/new?lead={world['lead_id']}")
    expect(page.locator("#lead")).to_be_visible()


def closed_days(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    page.goto("/staff/closed-days")
    expect(page.locator("table.data-table")).to_have_count(2)


def closed_days_after_a_change(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    closed_days(page, say, language, world)
    page.get_by_label(say(language, "Day"), exact=True).fill(world["second_treatment"])
    page.get_by_label(say(language, "Name of the day")).fill("National Day")
    submit(page, say(language, "Close the site on this day"))
    expect(page.locator("#notice li").first).to_be_visible()


def closed_days_with_errors(page: Page, say: Say, language: str, world: dict[str, Any]) -> None:
    closed_days(page, say, language, world)
    submit(page, say(language, "Close the site on this day"))
    expect(page.locator(".error-summary li")).to_have_count(2)


PAGES = {
    opener.__name__: opener
    for opener in (
        enrol_form,
        enrol_form_with_errors,
        enrol_form_refused,
        enrol_form_for_a_lead,
        closed_days,
        closed_days_after_a_change,
        closed_days_with_errors,
    )
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_enrolment_page_has_no_wcag_21_aa_violations(
    name: str,
    language: str,
    app: Flask,
    client: FlaskClient,
    open_page: Callable[..., Page],
    coordinator: str,
    headers: dict[str, str],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
) -> None:
    enrolled = enrol(client, headers, name="Chen Jing", phone="+8613800138000")
    for offset, label in ((-20, "Spring Festival"), (40, "Mid-Autumn")):
        client.post(
            "/api/v1/closed-days",
            json={"day": in_days(offset).isoformat(), "label": label},
            headers=headers,
        )
    world = {
        "lead_id": booked_lead(app, client, headers),
        "second_treatment": visit_named(enrolled["visits"], "c2d1")["date"],
    }
    page = open_page(language)
    page.goto(f"/staff/login?lang={language}")
    sign_in(page, say, language, coordinator)
    PAGES[name](page, say, language, world)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])

    violations = axe(page)

    assert not violations, f"{name} ({language}):\n{describe_violations(violations)}"
