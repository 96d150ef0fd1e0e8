"""Pre-screen API: evaluate facts, the questionnaire as data, sessions, and contact details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask.views import MethodView

from companion.access.policy import public
from companion.db import db
from companion.openapi import Blueprint, json_response
from companion.prescreen import schemas, service
from companion.prescreen.presenter import describe_assessment, describe_questionnaire
from companion.sites.service import receiving_site
from companion.timestamps import utcnow
from companion.urls import public_url
from matching import evaluate

blp = Blueprint(
    "prescreen",
    __name__,
    url_prefix="/api/v1",
    description="Pre-screening: may this trial fit a person, in plain words.",
)


@blp.route("/trials/<trial_id>/prescreen/evaluate")
class Evaluate(MethodView):
    @public
    @blp.arguments(schemas.EvaluateRequest())
    @blp.response(200, schemas.Evaluation)
    def post(self, body: dict[str, Any], trial_id: str) -> dict[str, Any]:
        """Verdict and per-criterion standing for a set of facts (nothing is stored)."""
        trial = service.trial_named(trial_id)
        facts = service.checked_facts(trial, body["facts"])
        return json_response(
            describe_assessment(trial, facts, evaluate(trial, facts), body["language"])
        )


@blp.route("/trials/<trial_id>/questionnaire")
class QuestionnaireView(MethodView):
    @public
    @blp.arguments(schemas.LanguageQuery(), location="query")
    @blp.response(200, schemas.Questionnaire)
    def get(self, query: dict[str, Any], trial_id: str) -> dict[str, Any]:
        """Every question, its options and when it applies, in one language."""
        return describe_questionnaire(service.trial_named(trial_id), query["language"])


@blp.route("/trials/<trial_id>/prescreen/sessions")
class Sessions(MethodView):
    @public
    @blp.arguments(schemas.StartSessionRequest())
    @blp.response(201, schemas.SessionState)
    def post(self, body: dict[str, Any], trial_id: str) -> dict[str, Any]:
        """Start an anonymous pre-screen that can be resumed with its token."""
        trial = service.trial_named(trial_id)
        state, token = service.start_session(
            db.session,
            trial,
            body["language"],
            receiving_site(db.session, body.get("site"), current_app.config["DEFAULT_SITE_CODE"]),
            utcnow(),
            _lifetime(),
        )
        db.session.commit()
        return json_response(_session_body(state, token), 201)


@blp.route("/prescreen/sessions/<token>")
class SessionView(MethodView):
    @public
    @blp.arguments(schemas.LanguageQuery(), location="query")
    @blp.response(200, schemas.SessionState)
    def get(self, query: dict[str, Any], token: str) -> dict[str, Any]:
        """Where a pre-screen stands: answers, verdict so far, next question."""
        return json_response(
            _session_body(
                service.find_session(db.session, token, utcnow()), token, query.get("language")
            )
        )


@blp.route("/prescreen/sessions/<token>/answers")
class Answers(MethodView):
    @public
    @blp.arguments(schemas.AnswerRequest())
    @blp.response(200, schemas.SessionState)
    def post(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        """Record one answer (a later answer to the same question replaces it)."""
        now = utcnow()
        state = service.find_session(db.session, token, now)
        state = service.record_answer(state, body["fact"], body["value"], now, _lifetime())
        db.session.commit()
        return json_response(_session_body(state, token, body.get("language")))


@blp.route("/prescreen/sessions/<token>/back")
class Back(MethodView):
    @public
    @blp.arguments(schemas.LanguageQuery(), location="query")
    @blp.response(200, schemas.SessionState)
    def post(self, query: dict[str, Any], token: str) -> dict[str, Any]:
        """Undo the most recent answer."""
        now = utcnow()
        state = service.go_back(service.find_session(db.session, token, now), now, _lifetime())
        db.session.commit()
        return json_response(_session_body(state, token, query.get("language")))


@blp.route("/prescreen/sessions/<token>/contact")
class Contact(MethodView):
    @public
    @blp.arguments(schemas.ContactRequest())
    @blp.response(201, schemas.LeadReceived)
    def post(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        """Pass the person's contact details to the site, with their explicit consent."""
        now = utcnow()
        state = service.find_session(db.session, token, now)
        service.capture_lead(db.session, state, contact_details(body), now)
        db.session.commit()
        return {"status": "received", "message": "Thank you. The study team will contact you."}


def contact_details(body: dict[str, Any]) -> service.ContactDetails:
    return service.ContactDetails(
        name=body["name"],
        phone_e164=body["phone"],
        email=body.get("email"),
        language=body["language"],
        best_time_to_call=body["best_time_to_call"],
        consent=body["consent"],
    )


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["PRESCREEN_SESSION_DAYS"])


def _session_body(
    state: service.SessionState, token: str, language: str | None = None
) -> dict[str, Any]:
    language = language or state.record.language
    return {
        **describe_assessment(state.trial, state.record.facts, state.assessment, language),
        "token": token,
        "resume_url": public_url("prescreen_pages.question", token=token),
        "trial_id": state.trial.id,
        "language": language,
        "facts": state.record.facts,
        "can_leave_contact": state.can_leave_contact,
    }
