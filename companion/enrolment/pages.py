"""What a patient opens without an account: their calendar feed, their visits, their shot diary.

Each is reached through its own unguessable, revocable link (see `companion.access.links`): the
feed address is handed to calendar services, so it shows visits and nothing else. The pages
speak the patient's language unless the person chose the other one (`?lang=`, remembered).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from companion.access.policy import patient_link
from companion.db import db
from companion.enrolment import calendar_feed, injections, service, wording
from companion.enrolment.calendar_sync import visits_of
from companion.enrolment.models import Patient, Visit
from companion.enrolment.patient_view import long_date, patient_visits, shot_diary
from companion.errors import DomainError, InvalidInput, NotFound
from companion.form_values import iso_date
from companion.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, SUPPORTED_LANGUAGES
from companion.pages import PAGE_ERRORS, UNEXPECTED_ERROR
from companion.timestamps import utcnow

bp = Blueprint("patient_pages", __name__)

NOTE_MAX_LENGTH = 500
SAVED, REACTION = "shot_saved", "shot_reaction"


@bp.get("/calendar/<token>.ics")
@patient_link(service.FEED)
def calendar_feed_ics(token: str) -> Response:
    """The patient's subscribable feed: every visit, updated as the calendar changes."""
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.FEED, now)
    body = calendar_feed.patient_feed(patient, visits_of(db.session, patient), now)
    response = calendar_response(body)
    response.add_etag()
    return response.make_conditional(request)


# ---------- My visits ----------


@bp.get("/my/<token>")
@patient_link(service.PAGE)
def my_visits(token: str) -> str:
    """The patient's visits: what is coming first, then what is behind them."""
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.PAGE, now)
    language = page_language(patient)
    visits = patient_visits(
        patient, visits_of(db.session, patient), patient.local_today(now), language
    )
    return _render(patient, "patient/visits.html", token=token, visits=visits)


@bp.get("/my/<token>/visits.ics")
@patient_link(service.PAGE)
def all_visits_ics(token: str) -> Response:
    """Every visit in one calendar file, to add them all at once."""
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.PAGE, now)
    body = calendar_feed.patient_feed(patient, visits_of(db.session, patient), now)
    return _download(calendar_response(body), "my-visits.ics")


@bp.get("/my/<token>/visits/<int:visit_id>.ics")
@patient_link(service.PAGE)
def visit_ics(token: str, visit_id: int) -> Response:
    """One of the patient's visits as an invitation (its withdrawal once cancelled)."""
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.PAGE, now)
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.patient_id != patient.id:
        raise NotFound("This visit is not one of yours.")
    body, method = calendar_feed.visit_invite(patient, visit, now)
    return _download(calendar_response(body, method), f"visit-{visit.id}.ics")


# ---------- My shots at home ----------


@bp.get("/my/<token>/shots")
@patient_link(service.PAGE)
def shots(token: str) -> str:
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.PAGE, now)
    notices = [key for key in get_flashed_messages() if key in (SAVED, REACTION)]
    return _shots_page(patient, token, now, notices=notices)


@bp.post("/my/<token>/shots")
@patient_link(service.PAGE)
def record_shot(token: str) -> Response | tuple[str, int]:
    """Record what happened on a shot day; a form with a problem comes back with status 400."""
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.PAGE, now)
    form = {name: request.form.get(name, "") for name in ("day", "outcome", "note")}
    day = iso_date(form["day"])
    errors = {}
    if day is None:
        errors["day"] = wording.DIARY_ERRORS["day"]
    if form["outcome"] not in injections.OUTCOMES:
        errors["outcome"] = wording.DIARY_ERRORS["outcome"]
    if len(form["note"]) > NOTE_MAX_LENGTH:
        errors["note"] = wording.DIARY_ERRORS["note"]
    if not errors and day is not None:
        try:
            injections.record_dose(
                db.session, patient, day, form["outcome"], form["note"], "patient", now
            )
        except InvalidInput as error:
            db.session.rollback()
            field = next(iter((error.problems or {}).get("json") or {}), "day")
            errors[field] = wording.DIARY_ERRORS.get(field, wording.DIARY_ERRORS["day"])
        else:
            db.session.commit()
            flash(SAVED)
            if form["outcome"] == "reaction":
                flash(REACTION)
            return redirect(url_for(".shots", token=token), code=303)
    g.page_url = url_for(".shots", token=token)
    return _shots_page(patient, token, now, errors=errors, form=form), 400


def _shots_page(
    patient: Patient,
    token: str,
    now: datetime,
    *,
    notices: list[str] | None = None,
    errors: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
) -> str:
    diary = shot_diary(injections.diary(db.session, patient), patient.local_today(now))
    return _render(
        patient,
        "patient/shots.html",
        token=token,
        diary=diary,
        notices=notices or [],
        errors=errors or {},
        form=form or {},
        outcomes=injections.OUTCOMES,
        note_max_length=NOTE_MAX_LENGTH,
    )


# ---------- What every patient page shares ----------


def page_language(patient: Patient) -> str:
    """The language the person chose here (`?lang=`, then its cookie), else the patient's."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    return patient.language if patient.language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def calendar_response(body: bytes, method: str | None = None) -> Response:
    """An iCalendar body; an invite names its METHOD in the media type too (Outlook needs it)."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8" + (
        f"; method={method}" if method else ""
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _render(patient: Patient, template: str, **context: Any) -> str:
    language = page_language(patient)
    with force_locale(language):
        return render_template(
            template,
            patient=patient,
            long_date=lambda day: long_date(day, language),
            status_labels=wording.STATUS_LABELS,
            outcome_labels=wording.INJECTION_OUTCOMES,
            reaction_line=wording.REACTION_LINE,
            **context,
        )


@bp.after_request
def keep_out_of_search_engines(response: Response) -> Response:
    """The pages are reached only through a patient's own link; none belongs in an index."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.errorhandler(DomainError)
def domain_error_page(error: DomainError) -> tuple[str, int]:
    return _error_page(error.http_status), error.http_status


@bp.errorhandler(HTTPException)
def http_error_page(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return _error_page(code), code


def _error_page(code: int) -> str:
    """A link that is unknown (404) or no longer works (410) says what to do next."""
    title, text = wording.PATIENT_PAGE_ERRORS.get(code) or PAGE_ERRORS.get(code, UNEXPECTED_ERROR)
    return render_template("patient/error.html", code=code, title=title, text=text)


# The symptom check-in's routes join this blueprint; they use the helpers above, so they come last.
from companion.enrolment import symptom_form  # noqa: E402, F401
