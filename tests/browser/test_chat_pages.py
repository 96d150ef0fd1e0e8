"""The chat in a real browser: a person on a phone chats through the pre-screen with JavaScript
(no page reloads) and without it (a plain form that posts), gets the emergency answer in the
middle of it, and a coordinator takes the conversation over and writes in it.

Every page is judged by axe-core (WCAG 2.1 A and AA): the chat in both languages (empty, mid-way,
after an emergency, with a form error), the staff list of conversations and one transcript.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from companion.chat.models import Conversation
from companion.db import db
from tests.browser.conftest import Say, no_violations
from tests.browser.test_calendar_pages import HTML_LANG, PHONE, fits_the_screen, sign_in, submit
from tests.browser.test_content_security_policy import violations_while

FIRST_QUESTION = {"en": "Where did your melanoma first start?", "zh": "您的黑色素瘤最早长在哪里？"}
STAGE_QUESTION = {"en": "What stage is your melanoma now?", "zh": "您的黑色素瘤现在是第几期？"}
HELLO = {"en": "hi", "zh": "你好"}
CANNOT_BREATHE = {"en": "I can't breathe and my chest hurts", "zh": "胸口痛，喘不上气"}


def send_live(page: Page, say: Say, language: str, text: str) -> None:
    """Types a message and sends it with JavaScript on: the answer arrives without a new page."""
    lines = page.locator("#chat-transcript li")
    before = lines.count()
    page.locator("#text").fill(text)
    page.get_by_role("button", name=say(language, "Send"), exact=True).click()
    expect(lines.nth(before + 1)).to_be_visible()


def send_plain(page: Page, say: Say, language: str, text: str) -> None:
    """Types a message and sends the form as a page (JavaScript off)."""
    page.locator("#text").fill(text)
    submit(page, say(language, "Send"))


def web_conversations(app: Flask) -> list[Conversation]:
    with app.app_context():
        found = list(db.session.scalars(select(Conversation)))
        db.session.remove()
        return found


# ---------- A person thinking about the study ----------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_person_on_a_phone_chats_through_the_first_questions_without_reloading(
    open_page: Callable[..., Page],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    page = open_page(language)
    page.set_viewport_size(PHONE)
    page.goto(f"/chat?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    no_violations(axe, page, f"empty chat ({language})")

    page.evaluate("window.notReloaded = true")
    send_live(page, say, language, HELLO[language])
    transcript = page.locator("#chat-transcript")
    expect(transcript).to_contain_text(FIRST_QUESTION[language])
    send_live(page, say, language, "1")
    expect(transcript).to_contain_text(STAGE_QUESTION[language])

    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    assert re.search(r"/chat/[\w-]{16,}$", page.url), "the address keeps the conversation"
    expect(page.locator("#text")).to_be_focused()
    assert fits_the_screen(page)
    no_violations(axe, page, f"chat mid-way ({language})")


def test_a_reload_after_chatting_with_javascript_shows_the_same_conversation(
    page: Page, say: Say
) -> None:
    page.goto("/chat")
    send_live(page, say, "en", "hi")
    send_live(page, say, "en", "1")
    page.reload()
    transcript = page.locator("#chat-transcript")
    expect(transcript).to_contain_text(FIRST_QUESTION["en"])
    expect(transcript).to_contain_text(STAGE_QUESTION["en"])
    send_plain(page, say, "en", "3")  # the page's form carries on the same conversation
    expect(transcript.locator("li.chat-person")).to_have_count(3)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_without_javascript_the_chat_is_a_form_that_posts_and_keeps_the_conversation(
    open_page: Callable[..., Page],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    page = open_page(language, javascript=False)
    page.goto(f"/chat?lang={language}")
    send_plain(page, say, language, HELLO[language])
    assert re.search(r"/chat/[\w-]{16,}#latest$", page.url)
    expect(page.locator("#latest")).to_contain_text(FIRST_QUESTION[language])
    send_plain(page, say, language, "1")
    expect(page.locator("#latest")).to_contain_text(STAGE_QUESTION[language])
    expect(page.locator("#chat-transcript li.chat-person")).to_have_count(2)

    judged = open_page(language)  # axe-core needs JavaScript: the same page, with it on
    judged.goto(page.url)
    expect(judged.locator("#chat-transcript li.chat-person")).to_have_count(2)
    no_violations(axe, judged, f"chat as the plain page ({language})")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_empty_message_is_explained_and_the_conversation_stays(
    open_page: Callable[..., Page],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    page = open_page(language)  # chat.js leaves an empty message to the page's own check
    page.goto(f"/chat?lang={language}")
    send_live(page, say, language, HELLO[language])
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=say(language, "Send"), exact=True).click()
    assert navigation.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text(say(language, "Please type a message"))
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#chat-transcript")).to_contain_text(FIRST_QUESTION[language])
    no_violations(axe, page, f"chat with an error ({language})")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_emergency_words_mid_questionnaire_show_the_emergency_answer_at_once(
    app: Flask,
    open_page: Callable[..., Page],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    page = open_page(language)
    page.goto(f"/chat?lang={language}")
    send_live(page, say, language, HELLO[language])
    send_live(page, say, language, "1")
    send_live(page, say, language, CANNOT_BREATHE[language])

    answer = page.locator("#chat-transcript li.chat-emergency")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("120")
    [conversation] = web_conversations(app)
    assert conversation.emergency_at is not None  # staff see it first
    no_violations(axe, page, f"chat after an emergency ({language})")

    page.reload()  # the plain page marks the same answer
    expect(page.locator("#chat-transcript li.chat-emergency")).to_contain_text("120")
    send_live(page, say, language, "3")  # and the questionnaire carries on where it was
    expect(page.locator("#chat-transcript li").last).not_to_contain_text("120")


def test_the_chat_runs_without_a_content_security_policy_violation(page: Page, say: Say) -> None:
    assert violations_while(page, "/chat") == []
    send_live(page, say, "en", "hi")
    expect(page.locator("#chat-transcript")).to_contain_text(FIRST_QUESTION["en"])


# ---------- The study team ----------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_coordinator_takes_a_chat_over_writes_in_it_and_the_person_reads_it(
    open_page: Callable[..., Page],
    make_staff: Callable[..., str],
    say: Say,
    axe: Callable[[Page], list[dict[str, Any]]],
    language: str,
) -> None:
    person = open_page("en")
    person.goto("/chat")
    send_live(person, say, "en", "hi")
    send_live(person, say, "en", "I can't breathe")

    coordinator = open_page(language)
    coordinator.goto(f"/staff/login?lang={language}")
    sign_in(coordinator, say, language, make_staff("coordinator"))
    coordinator.goto("/staff/chats")
    no_violations(axe, coordinator, f"staff conversations ({language})")
    with coordinator.expect_navigation():
        coordinator.locator("main a[href*='/staff/chats/']").first.click()
    expect(coordinator.locator(".chat-transcript")).to_contain_text("I can't breathe")
    no_violations(axe, coordinator, f"staff transcript ({language})")

    submit(coordinator, say(language, "Take over from the bot"))
    expect(coordinator.get_by_role("status")).to_be_visible()
    coordinator.locator("#text").fill("This is Anna from the study team. Are you safe now?")
    submit(coordinator, say(language, "Send"))
    expect(coordinator.locator(".chat-transcript")).to_contain_text("Anna from the study team")
    no_violations(axe, coordinator, f"staff transcript after writing ({language})")

    send_live(person, say, "en", "yes I am ok now")
    expect(person.locator("#chat-transcript")).to_contain_text("Anna from the study team")
