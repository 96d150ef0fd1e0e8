"""The web chat as a page: a plain form that posts and redirects (no JavaScript needed);
`static/chat.js` sends the same messages through the API and adds the replies in place."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from companion.access.policy import public
from companion.chat import service
from companion.chat.schemas import MAX_MESSAGE
from companion.db import db
from companion.i18n import current_language
from companion.timestamps import utcnow

bp = Blueprint("chat_pages", __name__, url_prefix="/chat")


@bp.get("")
@public
def chat_start_page() -> str:
    g.page_url = url_for(".chat_start_page")
    return render_template("chat/chat.html", token=None, turns=[], error=False, max=MAX_MESSAGE)


@bp.post("")
@public
def start() -> Response | tuple[str, int]:
    return _send(None)


@bp.get("/<token>")
@public
def conversation(token: str) -> str:
    found = service.find_web_conversation(db.session, token)
    g.page_url = url_for(".conversation", token=token)
    return render_template(
        "chat/chat.html", token=token, turns=found.turns, error=False, max=MAX_MESSAGE
    )


@bp.post("/<token>")
@public
def send(token: str) -> Response | tuple[str, int]:
    return _send(token)


def _send(token: str | None) -> Response | tuple[str, int]:
    text = (request.form.get("text") or "").strip()
    if not text or len(text) > MAX_MESSAGE:
        turns = service.find_web_conversation(db.session, token).turns if token else []
        page = render_template(
            "chat/chat.html", token=token, turns=turns, error=True, max=MAX_MESSAGE
        )
        return page, 400
    outcome = service.chat_on_web(db.session, token, text, current_language(), utcnow())
    db.session.commit()
    return redirect(url_for(".conversation", token=outcome.token, _anchor="latest"), code=303)
