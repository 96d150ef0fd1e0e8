"""A real Chromium against the application served on 127.0.0.1, and axe-core to judge the pages.

The browser is Debian's `/usr/bin/chromium`; nothing here downloads one. axe-core comes from npm
(`npm ci` at the repository root puts it in node_modules). Every test empties the database after
it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from companion.db import db
from companion.prescreen import service
from companion.sites.service import receiving_site
from companion.timestamps import utcnow
from matching import Trial, next_question

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BROWSER_LOCALES = {"en": "en-US", "zh": "zh-CN"}
TIMEOUT_MS = 10_000
Say = Callable[[str, str], str]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's findings, one block per violation: rule, impact, help, offending elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {node['target']}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def no_violations(axe: Callable[[Page], list[dict[str, Any]]], page: Page, what: str) -> None:
    """axe-core finds no WCAG 2.1 AA violation on `page` (`what` names it in a failure)."""
    violations = axe(page)
    assert not violations, f"{what}:\n{describe_violations(violations)}"


@pytest.fixture
def say(app: Flask) -> Say:
    """The page wording of an English message in a language, as the catalogs translate it."""

    def translate(language: str, message: str) -> str:
        with app.test_request_context(), force_locale(language):
            return gettext(message)

    return translate


@pytest.fixture(autouse=True)
def _empty_database_after_each_test(clean_database: None) -> None:
    """Browser tests commit through the live server, so every one of them cleans up."""


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """Base URL of the session's application served by a real threaded HTTP server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context: `open_page(language="zh", javascript=False)`."""
    contexts: list[BrowserContext] = []

    def open_(language: str = "en", *, javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=live_server, locale=BROWSER_LOCALES[language], java_script_enabled=javascript
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, open_page: Callable[..., Page]) -> Page:
    """A browser tab with JavaScript on; English unless parametrized indirectly ("zh")."""
    return open_page(getattr(request, "param", "en"))


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_SCRIPT.relative_to(ROOT)} not found). "
            "Run `npm ci` at the repository root to install it, then run the tests again.",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Callable[[Page], list[dict[str, Any]]]:
    """Runs axe-core's WCAG 2.1 A and AA rules on a page; returns the violations."""

    def run(page: Page) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        return page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return results.violations;
            }""",
            WCAG_21_AA,
        )

    return run


@pytest.fixture
def trial(app: Flask) -> Trial:
    return service.trial_named(app.config["PRESCREEN_TRIAL_ID"])


@pytest.fixture
def prescreen(app: Flask, trial: Trial) -> Callable[..., str]:
    """Starts a pre-screen and records answers through the service; returns its token.

    `prescreen(answers, language)` records all the given answers, in order;
    `prescreen(answers, until="age_years")` answers the questions in the order the
    questionnaire asks them, taking each answer from `answers`, until the named one is next.
    """

    def start(
        answers: Mapping[str, Any] = MappingProxyType({}),
        language: str = "en",
        *,
        until: str | None = None,
    ) -> str:
        now = utcnow()
        lifetime = timedelta(days=app.config["PRESCREEN_SESSION_DAYS"])
        with app.app_context():
            state, token = service.start_session(
                db.session,
                trial,
                language,
                receiving_site(db.session, None, app.config["DEFAULT_SITE_CODE"]),
                now,
                lifetime,
            )
            if until is None:
                for fact, value in answers.items():
                    state = service.record_answer(state, fact, value, now, lifetime)
            else:
                while question := next_question(trial, state.record.facts, state.assessment):
                    if question.fact.key == until:
                        break
                    state = service.record_answer(
                        state, question.fact.key, answers[question.fact.key], now, lifetime
                    )
                else:
                    raise AssertionError(f"the questionnaire ended before asking {until!r}")
            db.session.commit()
            db.session.remove()
        return token

    return start
