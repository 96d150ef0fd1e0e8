"""Pages that belong to no single feature: the landing page and the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from companion.access.policy import public
from companion.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from companion.prescreen.service import trial_named
from companion.prescreen.wording import BEST_TIME_LABELS, CONTACT_CONSENT_TEXT, CONTACT_ERRORS

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def index() -> str:
    return render_template(
        "index.html", trial=trial_named(current_app.config["PRESCREEN_TRIAL_ID"])
    )


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """`?lang=` is the language switch: remember the choice for later pages."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


PAGE_ERRORS = {
    400: (
        _l("Something was not right"),
        _l("We could not use what was sent. Please go back and try again."),
    ),
    404: (
        _l("We cannot find this page"),
        _l("If you used a saved link, it may have expired. You can start the questions again."),
    ),
    429: (
        _l("Please wait a moment"),
        _l("There were too many tries. Please wait a minute and try again."),
    ),
    503: (
        _l("We are busy for a moment"),
        _l(
            "What you sent was not saved. Please wait a few seconds and send it again. "
            "If you feel very unwell, do not wait: call the emergency number 120 now."
        ),
    ),
}
UNEXPECTED_ERROR = (
    _l("Sorry, something went wrong"),
    _l("This is our fault. Please try again in a few minutes."),
)


@bp.app_context_processor
def page_helpers() -> dict[str, Any]:
    language = str(get_locale() or DEFAULT_LANGUAGE)

    return {
        "current_language": language,
        "html_lang": "zh-Hans" if language == "zh" else language,
        "language_names": LANGUAGE_NAMES,
        "language_switch_url": language_switch_url,
        "page_error_title": lambda code: PAGE_ERRORS.get(code, UNEXPECTED_ERROR)[0],
        "page_error_text": lambda code: PAGE_ERRORS.get(code, UNEXPECTED_ERROR)[1],
        "contact_error_text": CONTACT_ERRORS.get,
        "best_time_label": BEST_TIME_LABELS.get,
        "contact_consent_text": CONTACT_CONSENT_TEXT,
    }


def language_switch_url(code: str) -> str:
    """This page in another language. A page shown after a form post names its GET page in
    `g.page_url`, so that the switch never links to a URL that only takes POST."""
    page_url = g.get("page_url")
    if page_url is None:
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        page_url = request.path + ("?" + urlencode(query) if query else "")
    return page_url + ("&" if "?" in page_url else "?") + urlencode({"lang": code})
