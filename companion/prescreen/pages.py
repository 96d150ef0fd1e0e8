"""The questionnaire as web pages: one question per screen, usable without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from companion.access.policy import public
from companion.db import db
from companion.errors import InvalidInput
from companion.i18n import current_language
from companion.prescreen import service
from companion.prescreen.api import contact_details
from companion.prescreen.schemas import ContactRequest
from companion.sites.service import receiving_site
from companion.timestamps import utcnow
from companion.urls import public_url
from matching import Status, next_question, open_questions
from matching.bounded_numbers import written_whole_number

bp = Blueprint("prescreen_pages", __name__, url_prefix="/prescreen")

CONTACT_FIELDS = ("name", "phone", "email", "language", "best_time_to_call", "consent")


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["PRESCREEN_SESSION_DAYS"])


@bp.post("")
@public
def start() -> Response:
    trial = service.trial_named(current_app.config["PRESCREEN_TRIAL_ID"])
    site = receiving_site(
        db.session, request.form.get("site"), current_app.config["DEFAULT_SITE_CODE"]
    )
    _state, token = service.start_session(
        db.session, trial, current_language(), site, utcnow(), _lifetime()
    )
    db.session.commit()
    return redirect(url_for(".question", token=token), code=303)


@bp.get("/<token>")
@public
def question(token: str) -> Response | str:
    state = service.find_session(db.session, token, utcnow())
    if state.is_finished:
        return redirect(url_for(".result", token=token), code=303)
    return _question_page(state, token)


@bp.post("/<token>")
@public
def answer(token: str) -> Response | tuple[str, int]:
    now = utcnow()
    state = service.find_session(db.session, token, now)
    fact = request.form.get("fact", "")
    value = _form_value(state, fact, request.form.get("value"))
    if value is None:
        return _question_page(state, token, error=True), 400
    try:
        service.record_answer(state, fact, value, now, _lifetime())
    except InvalidInput:
        return _question_page(state, token, error=True), 400
    db.session.commit()
    return redirect(url_for(".question", token=token), code=303)


@bp.post("/<token>/back")
@public
def back(token: str) -> Response:
    now = utcnow()
    service.go_back(service.find_session(db.session, token, now), now, _lifetime())
    db.session.commit()
    return redirect(url_for(".question", token=token), code=303)


@bp.get("/<token>/result")
@public
def result(token: str) -> Response | str:
    state = service.find_session(db.session, token, utcnow())
    if not state.is_finished:
        return redirect(url_for(".question", token=token), code=303)
    return _result_page(state, token)


@bp.post("/<token>/contact")
@public
def contact(token: str) -> Response | tuple[str, int]:
    now = utcnow()
    state = service.find_session(db.session, token, now)
    if service.lead_exists(db.session, state.record):
        return redirect(url_for(".thanks", token=token), code=303)
    if not state.can_leave_contact:
        return redirect(url_for(".result", token=token), code=303)
    form: dict[str, Any] = {f: request.form[f] for f in CONTACT_FIELDS if f in request.form}
    form["consent"] = form.get("consent") == "yes"
    form["email"] = form.get("email") or None
    try:
        service.capture_lead(db.session, state, contact_details(ContactRequest().load(form)), now)
    except ValidationError as error:
        return _result_page(state, token, errors=error.messages, form=form), 400
    db.session.commit()
    return redirect(url_for(".thanks", token=token), code=303)


@bp.get("/<token>/thanks")
@public
def thanks(token: str) -> Response | str:
    state = service.find_session(db.session, token, utcnow())
    if not service.lead_exists(db.session, state.record):
        return redirect(url_for(".result", token=token), code=303)
    return render_template("prescreen/thanks.html")


def _form_value(state: service.SessionState, fact: str, raw: str | None) -> Any:
    """The submitted text as the fact's type; None when nothing usable was sent."""
    definition = state.trial.facts.get(fact)
    if definition is None or not raw:
        return None
    if definition.type == "integer":
        return written_whole_number(raw)
    return raw


def _question_page(state: service.SessionState, token: str, *, error: bool = False) -> str:
    g.page_url = url_for(".question", token=token)
    question = next_question(state.trial, state.record.facts, state.assessment)
    answered = len(state.record.answer_order)
    remaining = len(open_questions(state.trial, state.record.facts, state.assessment))
    return render_template(
        "prescreen/question.html",
        question=question,
        language=current_language(),
        token=token,
        answered=answered,
        total=answered + remaining,
        error=error,
        previous=state.record.facts.get(question.fact.key) if question else None,
        resume_url=public_url(".question", token=token),
    )


def _result_page(
    state: service.SessionState,
    token: str,
    *,
    errors: Any = None,
    form: dict[str, Any] | None = None,
) -> str:
    assessment = state.assessment
    g.page_url = url_for(".result", token=token)
    return render_template(
        "prescreen/result.html",
        verdict=assessment.verdict.value,
        language=current_language(),
        token=token,
        blocking=assessment.with_status(Status.FAIL),
        open_items=assessment.with_status(Status.UNKNOWN),
        site_checks=assessment.with_status(Status.SITE_CHECK),
        can_leave_contact=state.can_leave_contact,
        errors=errors or {},
        form=form or {},
        best_times=service.BEST_TIMES,
    )
