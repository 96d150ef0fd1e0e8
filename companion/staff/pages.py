"""Staff pages: sign in and out, the site's leads and their workflow, the site's audit trail.

Thin routes over the access, leads and audit services; every query is scoped to the signed-in
staff member's site. Forms post back and redirect (post/redirect/get); a form with a problem is
shown again with status 400 (409 when the lead changed meanwhile) and an error summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from babel.lists import format_list
from flask import (
    Blueprint,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from companion.access.policy import current_staff, public, signed_in_staff, staff
from companion.access.policy import web_session_cookie_name as session_cookie
from companion.access.service import (
    THROTTLES,
    SignInThrottled,
    authenticate,
    issue_token,
    revoke_token,
    staff_emails,
)
from companion.audit.registry import AUDITED
from companion.audit.service import events_for_site
from companion.db import db
from companion.enrolment.api import CLINICAL
from companion.errors import DomainError, InvalidInput, NotFound, Unauthorized
from companion.i18n import LANGUAGE_NAMES, current_language
from companion.leads import service as lead_service
from companion.leads import workflow
from companion.pages import language_switch_url
from companion.prescreen.models import Lead, LeadContactAttempt
from companion.prescreen.service import trial_named
from companion.prescreen.wording import BEST_TIME_LABELS
from companion.record_ids import LARGEST_ID
from companion.staff import (
    account_pages,
    chat_pages,
    enrolment_pages,
    message_pages,
    symptom_pages,
    visit_pages,
    wording,
)
from companion.staff.presenter import answered_questions, change_lines, checks_to_make
from companion.staff.session_cookie import (
    clear_session_cookie,
    safe_next_path,
    set_session_cookie,
)
from companion.timestamps import utcnow
from matching.bounded_numbers import written_whole_number

bp = Blueprint("staff_pages", __name__, url_prefix="/staff")
bp.register_blueprint(visit_pages.bp)  # the calendar and patients pages share all of this
bp.register_blueprint(enrolment_pages.bp)  # so do the enrol form and the closed days
bp.register_blueprint(message_pages.bp)  # and the site's text messages
bp.register_blueprint(chat_pages.bp)  # and the chat's conversations and tasks
bp.register_blueprint(account_pages.bp)  # and one's own password
bp.register_blueprint(symptom_pages.bp)  # and the symptom reports, whose nav count and
bp.context_processor(symptom_pages.staff_page_symptoms)  # timeline section every page gets

AUDIT_PAGE_SIZE = 100
NOTE_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 500
CSRF_SESSION_KEY = "csrf_token"  # Flask-WTF's; dropped on sign-in and sign-out


# ---------- Sign in and out ----------


@bp.get("/login")
@public
def login() -> Response | str:
    next_path = _next_path(request.args.get("next"))
    if signed_in_staff() is not None:
        return redirect(next_path or url_for(".leads"), code=303)
    return _login_page(next_path=next_path)


@bp.post("/login")
@public
def sign_in() -> Response | tuple[str, int]:
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    next_path = _next_path(request.form.get("next"))
    missing = [name for name, value in (("email", email), ("password", password)) if not value]
    if missing:
        return _login_page(errors=missing, email=email, next_path=next_path), 400
    now = utcnow()
    try:
        user = authenticate(db.session, email, password, now, address=get_remote_address())
    except SignInThrottled as refusal:
        db.session.commit()
        wait = refusal.retry_after_seconds
        page = _login_page(errors=["throttled"], email=email, next_path=next_path, wait=wait)
        return page, 429, {"Retry-After": str(wait)}
    except Unauthorized:
        db.session.commit()  # failed attempts count towards the wait
        return _login_page(errors=["credentials"], email=email, next_path=next_path), 401
    earlier = request.cookies.get(session_cookie())
    if earlier:
        revoke_token(db.session, earlier, now)
    issued = issue_token(db.session, user, "web", now)
    db.session.commit()
    session.pop(CSRF_SESSION_KEY, None)
    response = redirect(next_path or url_for(".leads"), code=303)
    set_session_cookie(response, issued)
    return response


@bp.post("/logout")
@staff()
def sign_out() -> Response:
    token = request.cookies.get(session_cookie())
    if token:
        revoke_token(db.session, token, utcnow())
        db.session.commit()
    session.pop(CSRF_SESSION_KEY, None)
    flash("signed_out")
    response = redirect(url_for(".login"), code=303)
    clear_session_cookie(response)
    return response


def _next_path(candidate: str | None) -> str | None:
    return safe_next_path(candidate, refused=(url_for(".login"), url_for(".sign_out")))


def _login_page(
    *,
    errors: Iterable[str] = (),
    email: str = "",
    next_path: str | None = None,
    wait: int = 0,
) -> str:
    g.page_url = url_for(".login", next=next_path) if next_path else url_for(".login")
    policy = THROTTLES["account"]
    return render_template(
        "staff/login.html",
        errors=list(errors),
        email=email,
        next_path=next_path,
        signed_out="signed_out" in get_flashed_messages(),
        throttled=wording.sign_in_wait(wait) if wait else "",
        free_tries=policy.free_failures,
        first_wait_seconds=int(policy.first_wait.total_seconds()),
        longest_wait_minutes=int(policy.longest_wait.total_seconds() // 60),
    )


# ---------- Leads ----------


@bp.get("/leads")
@staff()
def leads() -> str:
    status = request.args.get("status") or None  # an unknown one is refused by the service (400)
    return render_template(
        "staff/leads.html",
        leads=lead_service.leads_for_site(db.session, current_staff().site_id, status),
        status=status,
        statuses=lead_service.LEAD_STATUSES,
    )


@bp.get("/leads/<int:lead_id>")
@staff()
def lead(lead_id: int) -> str:
    return _lead_page(_lead(lead_id))


@bp.post("/leads/<int:lead_id>/attempts")
@staff()
def log_attempt(lead_id: int) -> Response | tuple[str, int]:
    record = _lead(lead_id)
    form = {"outcome": request.form.get("outcome", ""), "note": request.form.get("note", "")}
    errors = {}
    if form["outcome"] not in _outcomes_on_offer(
        record, lead_service.attempts_of(db.session, record)
    ):
        errors["outcome"] = wording.ATTEMPT_ERRORS["outcome"]
    if len(form["note"]) > NOTE_MAX_LENGTH:
        errors["note"] = wording.ATTEMPT_ERRORS["note"]
    if not errors:
        try:
            lead_service.record_contact_attempt(
                db.session, record, current_staff(), form["outcome"], form["note"], utcnow()
            )
        except DomainError as error:
            return _refused(lead_id, error, "attempt", wording.ATTEMPT_ERRORS, form)
        db.session.commit()
        flash("attempt")
        return redirect(url_for(".lead", lead_id=lead_id), code=303)
    return _lead_page(record, attempt_errors=errors, form=form), 400


@bp.post("/leads/<int:lead_id>/status")
@staff()
def change_status(lead_id: int) -> Response | tuple[str, int]:
    record = _lead(lead_id)
    form = {"status": request.form.get("status", ""), "reason": request.form.get("reason", "")}
    errors = {}
    if form["status"] not in lead_service.allowed_next_statuses(record):
        errors["status"] = wording.STATUS_ERRORS["status"]
    elif form["status"] in workflow.REASON_REQUIRED and not form["reason"].strip():
        errors["reason"] = wording.STATUS_ERRORS["reason"]
    if len(form["reason"]) > REASON_MAX_LENGTH:
        errors["reason"] = wording.STATUS_ERRORS["reason_length"]
    if not errors:
        try:
            lead_service.change_status(
                db.session, record, current_staff(), form["status"], form["reason"], utcnow()
            )
        except DomainError as error:
            return _refused(lead_id, error, "status", wording.STATUS_ERRORS, form)
        db.session.commit()
        flash("status")
        return redirect(url_for(".lead", lead_id=lead_id), code=303)
    return _lead_page(record, status_errors=errors, form=form), 400


def _lead(lead_id: int) -> Lead:
    return lead_service.lead_at_site(db.session, current_staff().site_id, lead_id)


def _refused(
    lead_id: int,
    error: DomainError,
    which: str,
    messages: Mapping[str, Any],
    form: dict[str, str],
) -> tuple[str, int]:
    """The lead page again after the service refused a step the page had offered (a race)."""
    db.session.rollback()
    if isinstance(error, NotFound):
        raise error
    fields = list(((error.problems or {}).get("json") or {}).keys())
    field = fields[0] if fields and fields[0] in messages and error.http_status == 400 else None
    errors = {field or "conflict": messages[field or "conflict"]}
    record = _lead(lead_id)
    page = _lead_page(record, form=form, **{f"{which}_errors": errors})
    return page, error.http_status


def _outcomes_on_offer(record: Lead, attempts: Iterable[LeadContactAttempt]) -> tuple[str, ...]:
    """The outcomes the workflow would accept for the lead now (none once it is past calling)."""
    outcomes = [attempt.outcome for attempt in attempts]
    on_offer = []
    for outcome in workflow.OUTCOMES:
        try:
            workflow.status_after_attempt(record.status, outcomes, outcome)
        except workflow.WorkflowError:
            continue
        on_offer.append(outcome)
    return tuple(on_offer)


def _lead_page(
    record: Lead,
    *,
    attempt_errors: Mapping[str, Any] | None = None,
    status_errors: Mapping[str, Any] | None = None,
    form: Mapping[str, str] | None = None,
) -> str:
    g.page_url = url_for(".lead", lead_id=record.id)
    language = current_language()
    attempts = lead_service.attempts_of(db.session, record)
    try:
        trial = trial_named(record.trial_id)
    except NotFound:
        answers, checks = [], []
    else:
        answers = answered_questions(trial, record.facts, language)
        checks = checks_to_make(trial, record.facts, language)
    return render_template(
        "staff/lead.html",
        lead=record,
        attempts=attempts,
        attempt_authors=_emails_of(attempt.staff_id for attempt in attempts),
        answers=answers,
        checks=checks,
        outcomes=_outcomes_on_offer(record, attempts),
        next_statuses=lead_service.allowed_next_statuses(record),
        reason_required=format_list(
            [
                wording.label(wording.STATUS_LABELS, status)
                for status in lead_service.LEAD_STATUSES
                if status in workflow.REASON_REQUIRED
            ],
            locale=get_locale(),
        ),
        is_closed=record.status in workflow.TERMINAL_STATUSES,
        can_enrol=record.status == workflow.SCREENING_BOOKED and current_staff().role in CLINICAL,
        attempt_errors=attempt_errors or {},
        status_errors=status_errors or {},
        form=form or {},
        done=[
            key  # only the lead page's own notices: other pages' wait for them, and may be dicts
            for key in get_flashed_messages(category_filter=["message"])
            if key in wording.DONE_MESSAGES
        ],
    )


def _emails_of(staff_ids: Iterable[int | None]) -> dict[int, str]:
    return staff_emails(db.session, current_staff().site_id, staff_ids)


# ---------- Audit trail ----------


@bp.get("/audit")
@staff()
def audit() -> tuple[str, int] | str:
    entity_type = request.args.get("entity_type") or None
    if entity_type is not None and entity_type not in _entity_types():
        raise InvalidInput(f"entity_type: use one of {', '.join(_entity_types())}.")
    before_id = _whole_number(request.args.get("before"))
    if request.args.get("before") and before_id is None:
        raise InvalidInput("before: use the link to older events.")
    raw_entity_id = request.args.get("entity_id", "").strip()
    entity_id = _whole_number(raw_entity_id)
    if raw_entity_id and entity_id is None:
        return _audit_page([], entity_type, raw_entity_id, errors=wording.AUDIT_ERRORS), 400
    events = events_for_site(
        db.session,
        current_staff().site_id,
        entity_type=entity_type,
        entity_id=entity_id,
        limit=AUDIT_PAGE_SIZE,
        before_id=before_id,
    )
    older = None
    if len(events) == AUDIT_PAGE_SIZE:
        filters = {"entity_type": entity_type, "entity_id": entity_id}
        older = url_for(".audit", before=events[-1].id, **{k: v for k, v in filters.items() if v})
    return _audit_page(events, entity_type, raw_entity_id, older=older, continued=bool(before_id))


def _audit_page(
    events: list[Any],
    entity_type: str | None,
    entity_id: str,
    *,
    errors: Mapping[str, Any] | None = None,
    older: str | None = None,
    continued: bool = False,
) -> str:
    return render_template(
        "staff/audit.html",
        events=events,
        changes={event.id: change_lines(event.changes or {}) for event in events},
        entity_types=_entity_types(),
        entity_type=entity_type,
        entity_id=entity_id,
        errors=errors or {},
        older=older,
        continued=continued,
    )


def _entity_types() -> list[str]:
    return sorted(audited.entity_type for audited in AUDITED.values())


def _whole_number(raw: str | None) -> int | None:
    """A record id typed or linked: decimal digits naming an id a record can have, or None."""
    number = written_whole_number(raw)
    return number if number is not None and 0 < number <= LARGEST_ID else None


# ---------- What every staff page shares ----------


@bp.errorhandler(DomainError)
def domain_error_page(error: DomainError) -> tuple[str, int]:
    return _error_page(error.http_status), error.http_status


@bp.errorhandler(HTTPException)
def http_error_page(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return _error_page(code), code


def _error_page(code: int) -> str:
    title, text = wording.STAFF_PAGE_ERRORS.get(code, wording.STAFF_PAGE_ERRORS[400])
    return render_template("staff/error.html", code=code, title=title, text=text)


@bp.context_processor
def staff_page_helpers() -> dict[str, Any]:
    return {
        "staff_user": g.get("staff"),
        "staff_language_url": _language_url,
        "when": _when,
        "status_label": lambda key: wording.label(wording.STATUS_LABELS, key),
        "outcome_label": lambda key: wording.label(wording.OUTCOME_LABELS, key),
        "verdict_label": lambda key: wording.label(wording.VERDICT_LABELS, key),
        "entity_label": lambda key: wording.label(wording.ENTITY_LABELS, key),
        "action_label": lambda key: wording.label(wording.ACTION_LABELS, key),
        "actor_label": lambda event: (
            event.actor_label
            if event.actor_type == "staff"
            else wording.label(wording.ACTOR_LABELS, event.actor_type)
        ),
        "best_time_label": lambda key: wording.label(BEST_TIME_LABELS, key),
        "language_label": lambda key: LANGUAGE_NAMES.get(key, key),
        "sign_in_errors": wording.SIGN_IN_ERRORS,
        "done_messages": wording.DONE_MESSAGES,
    }


def _language_url(code: str) -> str:
    """This page in another language; a page shown after a form post links to its GET page."""
    if g.get("page_url") is None and request.method != "GET":
        g.page_url = url_for("staff_pages.leads" if g.get("staff") else "staff_pages.login")
    return language_switch_url(code)


def _when(moment: datetime | None) -> str:
    """A time as staff read it: the same digits in both languages, in UTC."""
    if moment is None:
        return ""
    return format_datetime(moment, "yyyy-MM-dd HH:mm") + " UTC"
