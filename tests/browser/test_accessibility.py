"""Every kind of patient-facing page passes axe-core's WCAG 2.1 A and AA rules, in both
languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from companion.demo import LIKELY_FIT
from tests.browser.conftest import describe_violations

NEEDS_REVIEW = {**LIKELY_FIT, "hepatitis_b_active": "unsure"}
NOT_ELIGIBLE = {"melanoma_origin": "mucosal"}
HTML_LANG = {"en": "en", "zh": "zh-Hans"}

Opener = Callable[[Page, Callable[..., str], str], None]


def _visit(page: Page, path: str, language: str) -> None:
    page.goto(f"{path}?lang={language}")


def landing_page(page: Page, prescreen: Callable[..., str], language: str) -> None:
    _visit(page, "/", language)


def choice_question(page: Page, prescreen: Callable[..., str], language: str) -> None:
    _visit(page, f"/prescreen/{prescreen(language=language)}", language)
    expect(page.locator("input[type=radio]").first).to_be_visible()


def age_question(page: Page, prescreen: Callable[..., str], language: str) -> None:
    token = prescreen(LIKELY_FIT, language, until="age_years")
    _visit(page, f"/prescreen/{token}", language)
    expect(page.locator("input#value[inputmode=numeric]")).to_be_visible()


def choice_question_with_error(page: Page, prescreen: Callable[..., str], language: str) -> None:
    choice_question(page, prescreen, language)
    page.locator("form button.primary").click()
    expect(page.locator(".error-summary")).to_be_visible()


def age_question_with_error(page: Page, prescreen: Callable[..., str], language: str) -> None:
    age_question(page, prescreen, language)
    page.locator("#value").fill("about fifty")
    page.locator("form button.primary").click()
    expect(page.locator("#value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#value")).to_have_attribute("aria-describedby", "error value-hint")


def not_eligible_result(page: Page, prescreen: Callable[..., str], language: str) -> None:
    _visit(page, f"/prescreen/{prescreen(NOT_ELIGIBLE, language)}/result", language)
    expect(page.locator(".contact-form")).to_have_count(0)


def needs_review_result(page: Page, prescreen: Callable[..., str], language: str) -> None:
    _visit(page, f"/prescreen/{prescreen(NEEDS_REVIEW, language)}/result", language)
    expect(page.locator(".contact-form")).to_be_visible()


def likely_eligible_result(page: Page, prescreen: Callable[..., str], language: str) -> None:
    _visit(page, f"/prescreen/{prescreen(LIKELY_FIT, language)}/result", language)
    expect(page.locator(".contact-form")).to_be_visible()


def likely_eligible_result_with_errors(
    page: Page, prescreen: Callable[..., str], language: str
) -> None:
    likely_eligible_result(page, prescreen, language)
    page.locator(".contact-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def thank_you_page(page: Page, prescreen: Callable[..., str], language: str) -> None:
    _visit(page, f"/prescreen/{prescreen(LIKELY_FIT, language)}/thanks", language)


def page_not_found(page: Page, prescreen: Callable[..., str], language: str) -> None:
    response = page.goto(f"/no-such-page?lang={language}")
    assert response is not None
    assert response.status == 404


PAGES: dict[str, Opener] = {
    opener.__name__: opener
    for opener in (
        landing_page,
        choice_question,
        age_question,
        choice_question_with_error,
        age_question_with_error,
        not_eligible_result,
        needs_review_result,
        likely_eligible_result,
        likely_eligible_result_with_errors,
        thank_you_page,
        page_not_found,
    )
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_wcag_21_aa_violations(
    name: str,
    language: str,
    open_page: Callable[..., Page],
    prescreen: Callable[..., str],
    axe: Callable[[Page], list[dict[str, Any]]],
) -> None:
    page = open_page(language)
    PAGES[name](page, prescreen, language)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])

    violations = axe(page)

    assert not violations, f"{name} ({language}):\n{describe_violations(violations)}"
