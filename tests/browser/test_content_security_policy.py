"""The pages and the interactive API docs work under their Content-Security-Policy."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page


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
