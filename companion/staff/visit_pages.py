"""Staff pages for enrolled patients: the site calendar, the patients, one patient's timeline.

Thin routes over the enrolment service, scoped to the signed-in staff member's site; a blueprint
nested in the staff pages, so it shares their layout, error pages and helpers. A change posts
back and redirects (post/redirect/get) with a notice naming every visit that moved; a change the
service refuses shows the timeline again with what to fix, at 400 or 409, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
from flask_babel import format_date
from werkzeug.wrappers import Response

from companion.access.policy import current_staff, staff
from companion.db import db
from companion.enrolment import injections, service
from companion.enrolment.api import CLINICAL, feed_url, page_url
from companion.enrolment.calendar_sync import visits_of
from companion.enrolment.models import Patient, Visit
from companion.errors import DomainError, NotFound
from companion.form_values import iso_date
from companion.i18n import current_language
from companion.staff import visit_wording as wording
from companion.staff.message_rows import patient_text_rows
from companion.staff.visit_rows import calendar_days, patient_label, patient_summary, visit_row
from companion.timestamps import utcnow
from schedules.attention import DONE, STATUSES, TRANSITIONS

bp = Blueprint("visits", __name__)

VIEW_DAYS = {"day": 1, "week": 7}
REASON_MAX_LENGTH = 500
CHANGED, NEW_LINK, ENROLLED = "visits_changed", "new_link", "enrolled"
LINK_PURPOSES = {"calendar": service.FEED, "page": service.PAGE}


# ---------- The site calendar ----------


@bp.get("/calendar")
@staff()
def calendar() -> str | tuple[str, int]:
    """The site's visits of a day or a week, grouped by day; from today, a week, by default."""
    now = utcnow()
    today = now.astimezone(_site_zone()).date()
    view = request.args.get("view") or "week"
    raw_first = request.args.get("from") or ""
    first = iso_date(raw_first) if raw_first else today
    errors = {}
    if view not in VIEW_DAYS:
        errors["view"] = wording.CALENDAR_ERRORS["view"]
    if first is None:
        errors["from"] = wording.CALENDAR_ERRORS["from"]
    if errors or first is None:
        return _calendar_page(today, "week", today, errors=errors, typed=raw_first), 400
    return _calendar_page(first, view, today)


def _calendar_page(
    first: date,
    view: str,
    today: date,
    *,
    errors: Mapping[str, Any] | None = None,
    typed: str | None = None,
) -> str:
    """The calendar from `first`; a query with a problem shows the form with it, and no days."""
    step = timedelta(days=VIEW_DAYS[view])
    last = first + step - timedelta(days=1)
    days = []
    if not errors:
        visits = service.site_visits_between(db.session, current_staff().site_id, first, last)
        days = calendar_days(visits, first, last, utcnow(), current_language())
    return render_template(
        "staff/calendar.html",
        days=days,
        first=first,
        last=last,
        view=view,
        today=today,
        typed=first.isoformat() if typed is None else typed,
        previous_url=url_for(".calendar", view=view, **{"from": (first - step).isoformat()}),
        next_url=url_for(".calendar", view=view, **{"from": (first + step).isoformat()}),
        today_url=url_for(".calendar", view=view),
        errors=errors or {},
    )


# ---------- Patients ----------


@bp.get("/patients")
@staff()
def patients() -> str:
    """The site's patients, each with their next visit and how many warnings need a look."""
    now, language = utcnow(), current_language()
    summaries = [
        patient_summary(patient, visits_of(db.session, patient), now, language)
        for patient in service.patients_for_site(db.session, current_staff().site_id)
    ]
    return render_template(
        "staff/patients.html", summaries=summaries, can_enrol=current_staff().role in CLINICAL
    )


@bp.get("/patients/<int:patient_id>")
@staff()
def patient(patient_id: int) -> str:
    record = _patient(patient_id)
    flashed = get_flashed_messages(
        with_categories=True, category_filter=[CHANGED, NEW_LINK, ENROLLED]
    )
    changed = next((ids for kind, ids in flashed if kind == CHANGED), [])
    new_link = next((link for kind, link in flashed if kind == NEW_LINK), None)
    enrolled = next((links for kind, links in flashed if kind == ENROLLED), None)
    return _timeline(record, changed=changed, new_link=new_link, enrolled_links=enrolled)


@bp.post("/visits/<int:visit_id>/reschedule")
@staff(*CLINICAL)
def reschedule(visit_id: int) -> Response | tuple[str, int]:
    visit = _visit(visit_id)
    form = {"date": request.form.get("date", ""), "reason": request.form.get("reason", "")}
    new_date = iso_date(form["date"])
    errors = {}
    if new_date is None:
        errors["date"] = wording.RESCHEDULE_ERRORS["date"]
    if not form["reason"].strip():
        errors["reason"] = wording.RESCHEDULE_ERRORS["reason"]
    elif len(form["reason"]) > REASON_MAX_LENGTH:
        errors["reason"] = wording.RESCHEDULE_ERRORS["reason_length"]
    if errors or new_date is None:
        return _refused_form(visit, "reschedule", errors, form, 400)
    try:
        changed = service.reschedule_visit(
            db.session, current_staff(), visit, new_date, form["reason"].strip(), utcnow()
        )
    except DomainError as error:
        return _service_refused(visit_id, error, "reschedule", wording.RESCHEDULE_ERRORS, form)
    return _changed(changed)


@bp.post("/visits/<int:visit_id>/status")
@staff(*CLINICAL)
def change_status(visit_id: int) -> Response | tuple[str, int]:
    visit = _visit(visit_id)
    form = {name: request.form.get(name, "") for name in ("status", "date", "reason")}
    on = iso_date(form["date"]) if form["date"].strip() else None
    errors = {}
    if form["status"] not in STATUSES:
        errors["status"] = wording.STATUS_ERRORS["status"]
    if form["date"].strip() and on is None:
        errors["date"] = wording.STATUS_ERRORS["date"]
    if len(form["reason"]) > REASON_MAX_LENGTH:
        errors["reason"] = wording.STATUS_ERRORS["reason_length"]
    if errors:
        return _refused_form(visit, "status", errors, form, 400)
    try:
        changed = service.change_visit_status(
            db.session, current_staff(), visit, form["status"], on, form["reason"], utcnow()
        )
    except DomainError as error:
        return _service_refused(visit_id, error, "status", wording.STATUS_ERRORS, form)
    return _changed(changed)


@bp.post("/patients/<int:patient_id>/links/<purpose>")
@staff(*CLINICAL)
def new_link(patient_id: int, purpose: str) -> Response:
    """A new calendar or page link; the old one stops. Shown once, on the page that follows."""
    if purpose not in LINK_PURPOSES:
        raise NotFound("No such kind of link.")
    record = _patient(patient_id)
    token = service.issue_patient_link(db.session, record, LINK_PURPOSES[purpose], utcnow())
    db.session.commit()
    url = feed_url(token) if purpose == "calendar" else page_url(token)
    flash({"purpose": purpose, "url": url}, NEW_LINK)
    return redirect(url_for(".patient", patient_id=patient_id, _anchor="links"), code=303)


def _changed(changed: list[Visit]) -> Response:
    patient_id = changed[0].patient_id
    ids = [visit.id for visit in changed]
    db.session.commit()
    flash(ids, CHANGED)
    return redirect(url_for(".patient", patient_id=patient_id, _anchor="notice"), code=303)


def _refused_form(
    visit: Visit, which: str, errors: Mapping[str, Any], form: Mapping[str, str], code: int
) -> tuple[str, int]:
    db.session.rollback()
    record = _patient(visit.patient_id)
    return _timeline(record, form_errors={(visit.id, which): errors}, form=form), code


def _service_refused(
    visit_id: int,
    error: DomainError,
    which: str,
    messages: Mapping[Any, Any],
    form: Mapping[str, str],
) -> tuple[str, int]:
    """The timeline again after the service refused the change, with what to fix."""
    db.session.rollback()
    if isinstance(error, NotFound):
        raise error
    problems = (error.problems or {}).get("json") or {}
    field = next(iter(problems), error.message.split(":", 1)[0])
    message = messages.get((field, error.http_status))
    errors = {field: message} if message else {"conflict": messages["conflict"]}
    return _refused_form(_visit(visit_id), which, errors, form, error.http_status)


def _timeline(
    record: Patient,
    *,
    changed: list[int] | None = None,
    new_link: Mapping[str, str] | None = None,
    enrolled_links: Mapping[str, str] | None = None,
    form_errors: Mapping[tuple[int, str], Mapping[str, Any]] | None = None,
    form: Mapping[str, str] | None = None,
) -> str:
    g.page_url = url_for(".patient", patient_id=record.id)
    now, language = utcnow(), current_language()
    visits = visits_of(db.session, record)
    rows = [visit_row(visit, now, language) for visit in visits]
    by_id = {row.visit.id: row for row in rows}
    today = record.local_today(now)
    diary = [
        day
        for day in injections.diary(db.session, record)
        if day.outcome is not None or day.day <= today
    ]
    return render_template(
        "staff/patient.html",
        patient=record,
        label=patient_label(record),
        rows=rows,
        changed=[by_id[visit_id] for visit_id in changed or [] if visit_id in by_id],
        new_link=new_link,
        enrolled_links=enrolled_links,
        diary=list(reversed(diary)),
        today=today,
        can_change=current_staff().role in CLINICAL,
        next_statuses=TRANSITIONS,
        done_status=DONE,
        form_errors=form_errors or {},
        form=form or {},
        texts=patient_text_rows(db.session, record),
    )


# ---------- What these pages share ----------


@bp.context_processor
def visit_page_helpers() -> dict[str, Any]:
    return {
        "patient_label": patient_label,
        "long_day": lambda day: format_date(day, "full"),
        "visit_status_label": lambda key: str(wording.VISIT_STATUS_LABELS.get(key, key)),
        "warning_label": lambda key: str(wording.WARNING_LABELS.get(key, key)),
        "shot_outcome_label": lambda key: str(wording.SHOT_OUTCOME_LABELS.get(key, key)),
        "recorded_by_label": lambda key: str(wording.RECORDED_BY_LABELS.get(key, key)),
        "link_notice": lambda purpose: wording.LINK_NOTICES[purpose],
    }


def _patient(patient_id: int) -> Patient:
    return service.patient_at_site(db.session, current_staff().site_id, patient_id)


def _visit(visit_id: int) -> Visit:
    return service.visit_at_site(db.session, current_staff().site_id, visit_id)


def _site_zone() -> ZoneInfo:
    return ZoneInfo(current_staff().site.timezone)
