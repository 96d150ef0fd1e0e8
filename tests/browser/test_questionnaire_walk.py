"""A person walks the questionnaire in a real browser, by clicking and typing as they would."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from companion.db import db
from companion.demo import LIKELY_FIT
from companion.prescreen.models import Lead
from matching import Status, Trial, evaluate

PROGRESS = re.compile(r"\b(\d+)\b")
MAX_QUESTIONS = 60


def progress_text(page: Page) -> str:
    return page.locator("#progress-text").inner_text()


def question_number(page: Page) -> int:
    match = PROGRESS.search(progress_text(page))
    assert match, f"no question number in {progress_text(page)!r}"
    return int(match.group(1))


def asked_fact(page: Page) -> str:
    return page.locator("input[type=hidden][name=fact]").input_value()


def submit(page: Page, button_name: str) -> None:
    """Clicks a submit button and waits for the page the server answers with."""
    with page.expect_navigation():
        page.get_by_role("button", name=button_name, exact=True).click()


def choose(page: Page, trial: Trial, language: str, fact: str, value: Any) -> None:
    """Answers the question on screen: clicks the option's label, or types the number."""
    question = trial.question_for(fact)
    assert question is not None, f"the page asks {fact!r}, which the trial does not have"
    if question.fact.type == "integer":
        field = page.get_by_label(question.text[language], exact=True)
        field.fill(str(value))
        expect(field).to_have_value(str(value))
        return
    label_text = next(
        option.label[language] for option in question.options if option.value == value
    )
    page.locator("label").filter(has_text=re.compile(rf"^{re.escape(label_text)}$")).click()
    expect(page.get_by_label(label_text, exact=True)).to_be_checked()


def answer(
    page: Page, trial: Trial, language: str, answers: Mapping[str, Any], next_button: str
) -> str:
    """Answers whatever question is on screen from `answers` and moves on; returns its fact."""
    fact = asked_fact(page)
    assert fact in answers, f"the questionnaire asked {fact!r}, which the test has no answer for"
    choose(page, trial, language, fact, answers[fact])
    submit(page, next_button)
    return fact


def answer_until_result(
    page: Page, trial: Trial, language: str, answers: Mapping[str, Any], next_button: str
) -> list[str]:
    asked = []
    while "/result" not in page.url:
        asked.append(answer(page, trial, language, answers, next_button))
        assert len(asked) <= MAX_QUESTIONS, f"no result after {MAX_QUESTIONS} answers: {asked}"
    return asked


def start_questions(page: Page, say: Callable[[str, str], str], language: str) -> None:
    submit(page, say(language, "Start the questions"))
    expect(page).to_have_url(re.compile(r"/prescreen/[^/]+$"))


def leave_contact_details(
    page: Page, say: Callable[[str, str], str], language: str, name: str, phone: str
) -> None:
    page.get_by_label(say(language, "Your name"), exact=True).fill(name)
    page.get_by_label(say(language, "Phone number"), exact=True).fill(phone)
    page.locator("label[for=consent]").click()
    expect(page.locator("#consent")).to_be_checked()
    submit(page, say(language, "Send my details to the study team"))


def stored_leads(app: Flask) -> list[Lead]:
    with app.app_context():
        leads = list(db.session.scalars(select(Lead)))
        db.session.remove()
    return leads


def test_an_english_speaker_who_fits_reaches_the_thank_you_page(
    page: Page, app: Flask, trial: Trial, say: Callable[[str, str], str]
) -> None:
    page.goto("/")
    start_questions(page, say, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#progress-text")).to_have_text(re.compile(r"^Question 1 of about \d+$"))
    first_progress = progress_text(page)

    answered = [answer(page, trial, "en", LIKELY_FIT, "Next") for _ in range(3)]

    assert progress_text(page) != first_progress
    assert question_number(page) == 4

    submit(page, "Back")
    assert asked_fact(page) == answered[-1]
    assert question_number(page) == 3
    expect(page.locator("input[name=value]:checked")).to_have_count(0)

    answered += answer_until_result(page, trial, "en", LIKELY_FIT, "Next")

    assert len(answered) > 20
    expect(page.get_by_role("heading", level=1)).to_have_text("This study may be a fit for you")

    submit(page, "Send my details to the study team")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    for field in ("name", "phone", "consent"):
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        expect(summary.locator(f"a[href='#{field}']")).to_be_visible()
    expect(page.locator("#email")).not_to_have_attribute("aria-invalid", "true")
    summary.locator("a[href='#phone']").click()
    expect(page.locator("#phone")).to_be_focused()
    assert stored_leads(app) == []

    leave_contact_details(page, say, "en", "Ann Lee", "+86 138 0013 8001")

    expect(page).to_have_url(re.compile(r"/thanks$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    [lead] = stored_leads(app)
    assert (lead.name, lead.phone_e164, lead.language) == ("Ann Lee", "+8613800138001", "en")


def test_a_chinese_speaker_walks_the_questionnaire_in_chinese(
    page: Page, app: Flask, trial: Trial, say: Callable[[str, str], str]
) -> None:
    page.goto("/")
    page.get_by_role("link", name="中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    start_questions(page, say, "zh")

    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    first_question = trial.question_for(asked_fact(page))
    assert first_question is not None
    expect(page.get_by_role("heading", level=1)).to_have_text(first_question.text["zh"])
    answer_until_result(page, trial, "zh", LIKELY_FIT, say("zh", "Next"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say("zh", "This study may be a fit for you")
    )

    leave_contact_details(page, say, "zh", "李明", "138 0013 8002")

    expect(page.get_by_role("heading", level=1)).to_have_text(say("zh", "Thank you"))
    [lead] = stored_leads(app)
    assert (lead.phone_e164, lead.language) == ("+8613800138002", "zh")


def test_a_melanoma_that_started_inside_the_body_ends_the_questions_kindly(
    page: Page, trial: Trial, say: Callable[[str, str], str]
) -> None:
    page.goto("/")
    start_questions(page, say, "en")

    asked = answer_until_result(page, trial, "en", {"melanoma_origin": "mucosal"}, "Next")

    assert asked == ["melanoma_origin"]
    expect(page.get_by_role("heading", level=1)).to_have_text("This study may not be right for you")
    blocking = [
        result.criterion.lay_text["en"]
        for result in evaluate(trial, {"melanoma_origin": "mucosal"}).with_status(Status.FAIL)
    ]
    assert blocking
    expect(page.locator(".criteria-list li")).to_have_text(blocking)
    expect(page.get_by_role("button", name="Change my last answer")).to_be_visible()
    expect(page.locator(".contact-form")).to_have_count(0)


def test_the_questions_work_without_javascript(
    open_page: Callable[..., Page], trial: Trial, say: Callable[[str, str], str]
) -> None:
    page = open_page("en", javascript=False)
    page.goto("/")
    start_questions(page, say, "en")

    submit(page, "Next")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert question_number(page) == 1

    for number in (1, 2, 3):
        assert question_number(page) == number
        answer(page, trial, "en", LIKELY_FIT, "Next")

    assert question_number(page) == 4
    submit(page, "Back")
    assert question_number(page) == 3
    answer(page, trial, "en", LIKELY_FIT, "Next")
    assert question_number(page) == 4
    page.locator("details.save-link summary").click()
    expect(page.locator("details.save-link a")).to_be_visible()
