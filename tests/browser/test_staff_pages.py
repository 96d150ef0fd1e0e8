"""A coordinator works leads in a real browser: sign in, filter, call, change status, audit.

Every staff page is also judged by axe-core (WCAG 2.1 A and AA) in English and Chinese,
including a form shown again with its errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from companion.db import db
from companion.demo import LIKELY_FIT
from companion.prescreen import service
from companion.timestamps import utcnow
from tests.browser.conftest import Say, describe_violations
from tests.conftest import STAFF_PASSWORD

HTML_LANG = {"en": "en", "zh": "zh-Hans"}


@pytest.fixture
def make_lead(app: Flask, prescreen: Callable[..., str]) -> Callable[[str], int]:
    """`make_lead(name)`: a finished, hopeful pre-screen whose person left contact details."""

    def make(name: str) -> int:
        token = prescreen(LIKELY_FIT)
        now = utcnow()
        with app.app_context():
            state = service.find_session(db.session, token, now)
            details = service.ContactDetails(
                name=name,
                phone_e164="+8613800138000",
                email=None,
                language="zh",
                best_time_to_call="morning",
                consent=True,
            )
            lead_id = service.capture_lead(db.session, state, details, now).id
            db.session.commit()
            db.session.remove()
        return lead_id

    return make


def sign_in(page: Page, say: Say, language: str, email: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=say(language, "Sign in"), exact=True).click()


def submit(page: Page, button_name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button_name, exact=True).click()


def choose(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def test_a_coordinator_works_a_lead_from_sign_in_to_sign_out(
    open_page: Callable[..., Page], make_staff: Any, make_lead: Callable[[str], int], say: Say
) -> None:
    email = make_staff("coordinator")
    first = make_lead("Wang Fang")
    make_lead("Li Lei")
    page = open_page("en")

    page.goto("/staff/leads?status=new")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))
    sign_in(page, say, "en", email)
    expect(page).to_have_url(re.compile(r"/staff/leads\?status=new$"))
    expect(page.locator(".signed-in")).to_contain_text(email)
    expect(page.locator("table.data-table tbody tr")).to_have_count(2)

    page.get_by_label("Status", exact=True).select_option("contacted")
    submit(page, "Show")
    expect(page).to_have_url(re.compile(r"status=contacted"))
    expect(page.locator("table.data-table")).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option("")
    submit(page, "Show")

    with page.expect_navigation():
        page.get_by_role("link", name="Wang Fang", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/staff/leads/{first}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wang Fang")
    expect(page.locator("body")).to_contain_text("+8613800138000")

    submit(page, "Log the attempt")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.locator("#outcome-reached")).to_be_focused()

    choose(page, "Reached the person")
    page.get_by_label("Note (you can leave this empty)").fill("Wants to talk to family first")
    submit(page, "Log the attempt")
    expect(page.get_by_role("status")).to_have_text("The contact attempt is logged.")
    expect(page.locator(".facts").first).to_contain_text("Contacted")
    expect(page.locator("#attempts + .table-scroll")).to_contain_text("Reached the person")

    choose(page, "Declined")
    submit(page, "Change the status")
    expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_contain_text("Give a reason for this status.")
    expect(page.get_by_label("Declined", exact=True)).to_be_checked()
    page.get_by_label("Reason", exact=True).fill("Does not want surgery")
    submit(page, "Change the status")
    expect(page.get_by_role("status")).to_have_text("The status is changed.")
    expect(page.locator(".facts").first).to_contain_text("Declined")
    expect(page.get_by_role("button", name="Change the status")).to_have_count(0)

    with page.expect_navigation():
        page.get_by_role("link", name="See the history of this lead in the audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    newest = page.locator("table.data-table tbody tr").first
    expect(newest).to_contain_text(email)
    expect(newest).to_contain_text("declined")
    expect(newest).to_contain_text("Does not want surgery")

    submit(page, "Sign out")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto("/staff/leads")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))


def test_the_staff_pages_work_without_javascript(
    open_page: Callable[..., Page], make_staff: Any, make_lead: Callable[[str], int], say: Say
) -> None:
    email = make_staff("coordinator")
    lead_id = make_lead("Zhang Wei")
    page = open_page("zh", javascript=False)

    page.goto(f"/staff/leads/{lead_id}")
    sign_in(page, say, "zh", email)
    expect(page).to_have_url(re.compile(rf"/staff/leads/{lead_id}$"))
    choose(page, say("zh", "No answer"))
    submit(page, say("zh", "Log the attempt"))
    expect(page.get_by_role("status")).to_have_text(say("zh", "The contact attempt is logged."))
    submit(page, say("zh", "Sign out"))
    expect(page.get_by_role("status")).to_have_text(say("zh", "You are signed out."))


NEW_PASSWORD = "lantern orchard seventy quietly"


def change_password(page: Page, say: Say, language: str, current: str, new: str) -> None:
    page.get_by_label(say(language, "Current password"), exact=True).fill(current)
    page.get_by_label(say(language, "New password"), exact=True).fill(new)
    page.get_by_label(say(language, "New password again"), exact=True).fill(new)
    submit(page, say(language, "Change the password"))


def test_a_coordinator_changes_their_password_without_javascript_in_chinese(
    open_page: Callable[..., Page], make_staff: Any, say: Say
) -> None:
    email = make_staff("coordinator")
    page = open_page("zh", javascript=False)
    elsewhere = open_page("zh", javascript=False)
    for browser_page in (page, elsewhere):
        browser_page.goto("/staff/leads")
        sign_in(browser_page, say, "zh", email)

    with page.expect_navigation():
        page.get_by_role("link", name=say("zh", "Change your password"), exact=True).click()
    change_password(page, say, "zh", "not my password", NEW_PASSWORD)
    expect(page.locator(".error-summary")).to_contain_text(
        say("zh", "This is not your current password.")
    )
    change_password(page, say, "zh", STAFF_PASSWORD, NEW_PASSWORD)

    expect(page.get_by_role("status")).to_have_text(
        say(
            "zh",
            "Your password is changed. You are signed out everywhere else; here you stay "
            "signed in.",
        )
    )
    page.goto("/staff/leads")
    expect(page).to_have_url(re.compile(r"/staff/leads$"))
    elsewhere.goto("/staff/leads")
    expect(elsewhere).to_have_url(re.compile(r"/staff/login\?next="))


# ---------- Accessibility of every staff page, in both languages ----------


def signed_in_page(
    open_page: Callable[..., Page], make_staff: Any, say: Say, language: str
) -> Page:
    page = open_page(language)
    page.goto(f"/staff/login?lang={language}")
    sign_in(page, say, language, make_staff("coordinator"))
    return page


def login_page(page: Page, say: Say, language: str, lead_id: int) -> None:
    submit(page, say(language, "Sign out"))


def login_page_with_error(page: Page, say: Say, language: str, lead_id: int) -> None:
    submit(page, say(language, "Sign out"))
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").fill("wrong password")
    submit(page, say(language, "Sign in"))
    expect(page.locator(".error-summary")).to_be_visible()


def leads_list(page: Page, say: Say, language: str, lead_id: int) -> None:
    expect(page.locator("table.data-table")).to_be_visible()


def lead_detail(page: Page, say: Say, language: str, lead_id: int) -> None:
    page.goto(f"/staff/leads/{lead_id}")
    page.locator("details summary").click()


def lead_detail_with_errors(page: Page, say: Say, language: str, lead_id: int) -> None:
    page.goto(f"/staff/leads/{lead_id}")
    choose(page, say(language, "Not eligible"))
    submit(page, say(language, "Change the status"))
    expect(page.locator(".error-summary")).to_be_visible()


def audit_view(page: Page, say: Say, language: str, lead_id: int) -> None:
    page.goto(f"/staff/leads/{lead_id}")
    choose(page, say(language, "No answer"))
    submit(page, say(language, "Log the attempt"))
    page.goto("/staff/audit")
    expect(page.locator("table.data-table")).to_be_visible()


def audit_view_with_error(page: Page, say: Say, language: str, lead_id: int) -> None:
    page.goto("/staff/audit?entity_id=twelve")
    expect(page.locator(".error-summary")).to_be_visible()


def login_page_while_waiting(page: Page, say: Say, language: str, lead_id: int) -> None:
    submit(page, say(language, "Sign out"))
    for _ in range(7):  # five free tries, a sixth that earns a wait, a seventh that must wait
        page.locator("#email").fill("nobody@example.org")
        page.locator("#password").fill("wrong password")
        submit(page, say(language, "Sign in"))
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).not_to_contain_text(
        say(language, "Wrong email or password, or the account is disabled.")
    )


def password_page(page: Page, say: Say, language: str, lead_id: int) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=say(language, "Change your password"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(say(language, "Change your password"))


def password_page_with_errors(page: Page, say: Say, language: str, lead_id: int) -> None:
    password_page(page, say, language, lead_id)
    page.get_by_label(say(language, "Current password"), exact=True).fill("not my password")
    page.get_by_label(say(language, "New password"), exact=True).fill(" " * 12)
    page.get_by_label(say(language, "New password again"), exact=True).fill(" " * 12)
    submit(page, say(language, "Change the password"))
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#new_password")).to_have_attribute("aria-invalid", "true")


def password_page_after_a_change(page: Page, say: Say, language: str, lead_id: int) -> None:
    password_page(page, say, language, lead_id)
    change_password(page, say, language, STAFF_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_role("status")).to_be_visible()


def lead_not_found(page: Page, say: Say, language: str, lead_id: int) -> None:
    response = page.goto(f"/staff/leads/{lead_id + 1000}")
    assert response is not None
    assert response.status == 404


STAFF_PAGES = {
    opener.__name__: opener
    for opener in (
        login_page,
        login_page_with_error,
        leads_list,
        lead_detail,
        lead_detail_with_errors,
        audit_view,
        audit_view_with_error,
        login_page_while_waiting,
        password_page,
        password_page_with_errors,
        password_page_after_a_change,
        lead_not_found,
    )
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_staff_page_has_no_wcag_21_aa_violations(
    name: str,
    language: str,
    open_page: Callable[..., Page],
    make_staff: Any,
    make_lead: Callable[[str], int],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
) -> None:
    lead_id = make_lead("Chen Jing")
    page = signed_in_page(open_page, make_staff, say, language)
    STAFF_PAGES[name](page, say, language, lead_id)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])

    violations = axe(page)

    assert not violations, f"{name} ({language}):\n{describe_violations(violations)}"
