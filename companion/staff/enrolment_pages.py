"""Staff pages to enrol a patient (a lead too) and to keep the site's closed days.

Thin routes over the enrolment service, scoped to the signed-in staff member's site; a blueprint
nested in the staff pages, so it shares their layout, error pages and helpers. The enrol form is
read by the API's own schema, so the page and the API accept the same things. A form with a
problem is shown again with what to fix (400, or the service's 404 or 409) and nothing is stored;
a form that works posts back and redirects (post/redirect/get) with a notice shown once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import get_day_names, get_timezone_location
from babel.lists import format_list
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from companion.access.policy import current_staff, staff
from companion.db import db
from companion.enrolment import schemas, service
from companion.enrolment.api import CLINICAL, feed_url, page_url
from companion.enrolment.calendar_sync import protocol_for
from companion.enrolment.models import Visit
from companion.errors import DomainError, NotFound
from companion.i18n import babel_locale, current_language
from companion.leads import service as lead_service
from companion.leads.workflow import SCREENING_BOOKED
from companion.prescreen.models import Lead
from companion.record_ids import LARGEST_ID
from companion.staff import enrolment_wording as wording
from companion.staff.visit_pages import ENROLLED
from companion.staff.visit_rows import VisitRow, patient_label, visit_row
from companion.timestamps import utcnow
from matching.bounded_numbers import written_whole_number

bp = Blueprint("enrolment", __name__)

# The enrol form's fields, in the order the page shows them (and lists their problems).
FIELDS = ("anchor_date", "cycles", "phone", "language", "timezone", "name", "sms_consent")
CONSENT_ANSWERS = {"yes": True, "no": False}
TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
)
CLOSED_DAY_ROLES = ("coordinator", "admin")  # as the API's closed days
CLOSED_DAYS_CHANGED = "closed_days_changed"
MOVED_LISTED = 20  # a notice names at most this many moved visits (the flash is a cookie)


# ---------- Enrolling a patient ----------


@bp.get("/patients/new")
@staff(*CLINICAL)
def new_patient() -> str | tuple[str, int]:
    """The enrol form; `?lead=<id>` fills it from a lead booked for screening."""
    lead = _lead_asked_for(request.args.get("lead", ""))
    if lead is not None and lead.status != SCREENING_BOOKED:
        return _enrol_page(_first_answers(None), errors={"conflict": wording.LEAD_NOT_READY}), 409
    return _enrol_page(_first_answers(lead), lead=lead)


@bp.post("/patients/new")
@staff(*CLINICAL)
def enrol() -> Response | tuple[str, int]:
    form = {name: request.form.get(name, "") for name in (*FIELDS, "lead_id")}
    lead = _lead_posted(form["lead_id"])
    body, problems = _read(form)
    if body is None:
        return _enrol_page(form, lead=lead, errors=_field_errors(problems)), 400
    try:
        enrolment = service.enrol(
            db.session,
            current_staff(),
            service.NewPatient(**body),
            default_region=current_app.config["DEFAULT_PHONE_REGION"],
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        return _enrol_page(form, lead=lead, errors=_refusal(error, form)), error.http_status
    db.session.commit()
    links = {"calendar": feed_url(enrolment.feed_token), "page": page_url(enrolment.page_token)}
    flash(links, ENROLLED)
    patient_id = enrolment.patient.id
    return redirect(url_for("staff_pages.visits.patient", patient_id=patient_id), code=303)


def _trial_id() -> str:
    """The trial the site enrols patients in (the one its pre-screen is for)."""
    return current_app.config["PRESCREEN_TRIAL_ID"]


def _lead_asked_for(raw: str) -> Lead | None:
    """The lead named in the address; one of another site, or no lead, is not found (404)."""
    if not raw:
        return None
    lead_id = written_whole_number(raw)
    if lead_id is None or not 0 < lead_id <= LARGEST_ID:
        raise NotFound(lead_service.NOT_AT_YOUR_SITE)
    return lead_service.lead_at_site(db.session, current_staff().site_id, lead_id)


def _lead_posted(raw: str) -> Lead | None:
    """The lead the form was for, to name it again; the service judges it when enrolling."""
    try:
        return _lead_asked_for(raw.strip())
    except NotFound:
        return None


def _first_answers(lead: Lead | None) -> dict[str, str]:
    """What the form shows before anyone typed: the protocol's cycles, the site's time zone,
    and the lead's name, phone and language."""
    answers = {
        "cycles": str(protocol_for(_trial_id()).cycles),
        "timezone": current_staff().site.timezone,
    }
    if lead is not None:
        answers |= {
            "name": lead.name,
            "phone": lead.phone_e164,
            "language": lead.language,
        }
    return answers


def _read(form: Mapping[str, str]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The form loaded by the API's schema, or its problems: all of them at once, so the page
    always asks for the phone and language it shows (the schema asks only without a lead, and
    only once the other fields are right)."""
    typed = _typed(form)
    problems: dict[str, Any] = {
        name: ["Missing data for required field."]
        for name in ("phone", "language")
        if name not in typed
    }
    try:
        body = schemas.NewEnrollment().load(typed)
    except ValidationError as error:
        return None, {**problems, **error.messages}
    return (None, problems) if problems else (body, {})


def _typed(form: Mapping[str, str]) -> dict[str, Any]:
    """The form as the API's schema reads it: an empty field is left out (a required one is then
    reported missing), and the consent answer becomes a boolean only when it is yes or no."""
    typed: dict[str, Any] = {"trial_id": _trial_id()}
    for name in (*FIELDS, "lead_id"):
        value = form.get(name, "").strip()
        if name == "sms_consent":
            if value in CONSENT_ANSWERS:
                typed[name] = CONSENT_ANSWERS[value]
        elif value:
            typed[name] = value
    return typed


def _field_errors(problems: Mapping[str, Any]) -> dict[str, Any]:
    """The schema's problems as the page words them, in the order of the form."""
    errors = {name: wording.ENROL_ERRORS[name] for name in FIELDS if name in problems}
    if set(problems) - set(FIELDS):  # the hidden lead, or anything the form does not send
        errors["conflict"] = wording.ENROL_ERRORS["conflict"]
    return errors


def _refusal(error: DomainError, form: Mapping[str, str]) -> dict[str, str]:
    """What the service refused, worded for the page, next to the field it is about."""
    problems = (error.problems or {}).get("json") or {}
    field = next(iter(problems), "")
    message = wording.ENROL_REFUSALS.get((field, error.http_status))
    message = message or wording.ENROL_REFUSALS["conflict"]
    limits = _limits(_zone_or_site(form.get("timezone", "")))
    return {field if field in FIELDS else "conflict": str(message % limits)}


def _enrol_page(
    form: Mapping[str, str],
    *,
    lead: Lead | None = None,
    errors: Mapping[str, Any] | None = None,
) -> str:
    ready = lead if lead is not None and lead.status == SCREENING_BOOKED else None
    g.page_url = url_for(".new_patient", lead=ready.id if ready else None)
    limits = _limits(_zone_or_site(form.get("timezone", "")))
    region = current_app.config["DEFAULT_PHONE_REGION"]
    return render_template(
        "staff/enrol.html",
        form=form,
        lead=ready,
        errors=errors or {},
        limits=limits,
        cycle_choices=range(limits["fewest"], limits["most"] + 1),
        time_zones=_time_zone_choices(current_staff().site.timezone, form.get("timezone", "")),
        phone_country=get_locale().territories.get(region, region),
        consent_answers=CONSENT_ANSWERS,
    )


def _limits(zone: str) -> dict[str, Any]:
    """The first treatment days and cycle counts the service accepts, to say so on the page."""
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    fewest, most = protocol_for(_trial_id()).cycle_range
    return {
        "earliest": (today - service.EARLIEST_ANCHOR).isoformat(),
        "latest": (today + service.LATEST_ANCHOR).isoformat(),
        "fewest": fewest,
        "most": most,
    }


def _zone_or_site(name: str) -> str:
    return name if name in _known_zones() else current_staff().site.timezone


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _time_zone_choices(site_zone: str, chosen: str) -> list[tuple[str, str]]:
    """The usual time zones, with the site's own and the one chosen before when they are not."""
    zones = list(TIME_ZONES)
    for extra in (site_zone, chosen):
        if extra in _known_zones() and extra not in zones:
            zones.insert(0, extra)
    locale = babel_locale(current_language())
    return [(zone, f"{get_timezone_location(zone, locale=locale)} ({zone})") for zone in zones]


# ---------- The site's closed days ----------


@bp.get("/closed-days")
@staff()
def closed_days() -> str:
    flashed = get_flashed_messages(with_categories=True, category_filter=[CLOSED_DAYS_CHANGED])
    return _closed_days_page(notice=next((notice for _kind, notice in flashed), None))


@bp.post("/closed-days")
@staff(*CLOSED_DAY_ROLES)
def add_closed_day() -> Response | tuple[str, int]:
    form = {"day": request.form.get("day", ""), "label": request.form.get("label", "")}
    typed = {name: value.strip() for name, value in form.items() if value.strip()}
    try:
        body = schemas.ClosedDay().load(typed)
    except ValidationError as error:
        return _closed_days_page(form=form, errors=_closed_day_errors(error.messages, typed)), 400
    try:
        closed, moved = service.add_closed_day(
            db.session, current_staff(), body["day"], body["label"], utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        message = wording.CLOSED_DAY_ERRORS.get(("day", error.http_status))
        field = "day" if message else "conflict"
        errors = {field: message or wording.CLOSED_DAY_ERRORS["conflict"]}
        return _closed_days_page(form=form, errors=errors), error.http_status
    notice = {"added": closed.day.isoformat(), "label": closed.label}
    return _closed_days_changed(notice, moved)


@bp.post("/closed-days/<int:closed_day_id>/delete")
@staff(*CLOSED_DAY_ROLES)
def remove_closed_day(closed_day_id: int) -> Response:
    moved = service.remove_closed_day(db.session, current_staff(), closed_day_id, utcnow())
    return _closed_days_changed({"removed": True}, moved)


def _closed_days_changed(notice: dict[str, Any], changed: list[Visit]) -> Response:
    """Commit, and show once how many booked visits moved (naming the first few), and which
    could not move because every day of their window is closed."""
    moved = [visit.id for visit in changed if not visit.cannot_avoid_closed_day]
    stuck = [visit.id for visit in changed if visit.cannot_avoid_closed_day]
    db.session.commit()
    notice |= {"moved": len(moved), "ids": moved[:MOVED_LISTED], "stuck": stuck[:MOVED_LISTED]}
    flash(notice, CLOSED_DAYS_CHANGED)
    return redirect(url_for(".closed_days", _anchor="notice"), code=303)


def _closed_day_errors(problems: Mapping[str, Any], typed: Mapping[str, str]) -> dict[str, Any]:
    """The schema's problems as the page words them: a missing name, or one too long."""
    errors: dict[str, Any] = {}
    if "day" in problems:
        errors["day"] = wording.CLOSED_DAY_ERRORS["day"]
    if "label" in problems:
        errors["label"] = wording.CLOSED_DAY_ERRORS["label_length" if "label" in typed else "label"]
    return errors


def _closed_days_page(
    *,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, Any] | None = None,
    notice: Mapping[str, Any] | None = None,
) -> str:
    g.page_url = url_for(".closed_days")
    user = current_staff()
    site = user.site
    today = utcnow().astimezone(ZoneInfo(site.timezone)).date()
    days = service.closed_days_for_site(db.session, site.id)
    return render_template(
        "staff/closed_days.html",
        coming=[closed for closed in days if closed.day >= today],
        past=[closed for closed in reversed(days) if closed.day < today],
        weekdays=_weekday_names(site.closed_weekdays or []),
        can_change=user.role in CLOSED_DAY_ROLES,
        form=form or {},
        errors=errors or {},
        notice=notice,
        moved_rows=_visit_rows(notice["ids"]) if notice else [],
        stuck_rows=_visit_rows(notice["stuck"]) if notice else [],
    )


def _weekday_names(weekdays: list[int]) -> str:
    """The weekdays (0 Monday .. 6 Sunday) as the page's language says them, in a list."""
    locale = babel_locale(current_language())
    names = get_day_names("wide", locale=locale)
    return format_list([names[day] for day in sorted(weekdays)], locale=locale)


def _visit_rows(ids: list[int]) -> list[VisitRow]:
    now, language, site_id = utcnow(), current_language(), current_staff().site_id
    rows = []
    for visit_id in ids:
        try:
            visit = service.visit_at_site(db.session, site_id, visit_id)
        except NotFound:
            continue  # gone since (its patient's data was removed)
        rows.append(visit_row(visit, now, language))
    return rows


# ---------- What these pages share ----------


@bp.context_processor
def enrolment_page_helpers() -> dict[str, Any]:
    return {
        "patient_label": patient_label,
        "long_day": lambda day: format_date(day, "full"),
    }
