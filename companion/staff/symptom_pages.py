"""Staff pages of symptom reports: the triage queue, one report, and a patient's reports.

The queue puts the dangerous report first: emergency, then red, amber, green, oldest first within
each. A blueprint nested in the staff pages, so it shares their layout, error pages and helpers;
every query is scoped to the signed-in staff member's site (a report of another site is 404).
The clinical roles read and act. Each form posts back and redirects (post/redirect/get) with a
notice shown once; a form with a problem comes back with status 400 (409 when the report changed
meanwhile), the field named next to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from companion.access.policy import current_staff, staff
from companion.access.service import staff_emails
from companion.db import db
from companion.enrolment.api import CLINICAL
from companion.enrolment.models import Patient
from companion.errors import DomainError, InvalidInput, NotFound
from companion.i18n import current_language
from companion.staff import symptom_wording as wording
from companion.staff.symptom_rows import (
    URGENCY_SHAPES,
    PatientTrend,
    QueueLine,
    answer_lines,
    history_lines,
    label_of,
    patient_trend,
    queue_line,
    reason_phrase,
    site_time,
    urgency_badge,
    zone_name,
)
from companion.staff.visit_rows import patient_label
from companion.symptoms import service
from companion.symptoms.models import (
    ACKNOWLEDGED,
    OPEN,
    RESOLVED,
    SymptomReport,
)
from companion.symptoms.settings import triage_rules_of
from companion.timestamps import utcnow
from symptoms import load_item_bank

bp = Blueprint("symptoms", __name__)

NOTICE = "symptoms"  # the flash category of these pages' notices
FILTERS = (OPEN, ACKNOWLEDGED, RESOLVED)
URGENT = ("emergency", "red")
NOTE_MAX_LENGTH = service.NOTE_MAX_LENGTH
OTHER = "other"  # the action that needs a note saying what was done
RESOLVED_LIMIT = 200  # the resolved list shows the latest ones


# ---------- The queue ----------


@bp.get("/symptoms")
@staff(*CLINICAL)
def queue() -> str:
    """Open reports, most urgent first; `?status=acknowledged|resolved` lists the others."""
    status = request.args.get("status") or OPEN
    if status not in FILTERS:
        raise InvalidInput(f"status: use one of {', '.join(FILTERS)}.")
    now = utcnow()
    site = current_staff().site
    zone, language = ZoneInfo(site.timezone), current_language()
    if status == RESOLVED:
        rows = [service.queue_row(report, now) for report in _resolved_reports(site.id)]
    else:
        rows = service.open_queue(db.session, site.id, now, statuses=(status,))
    lines = [
        queue_line(
            row.report,
            patient_label(row.patient),
            minutes_waiting=row.minutes_waiting,
            respond_by=row.report.respond_by,
            overdue=row.overdue,
            no_on_call_phone=row.no_on_call_phone,
            zone=zone,
            language=language,
        )
        for row in rows
    ]
    return render_template(
        "staff/symptoms.html",
        lines=lines,
        status=status,
        filters=wording.QUEUE_FILTERS,
        built_at=site_time(now, zone, language),
        zone=zone_name(zone, language),
        counts=_urgency_counts(lines) if status == OPEN else {},
        no_on_call_phone=wording.NO_ON_CALL_PHONE,
    )


def _resolved_reports(site_id: int) -> list[SymptomReport]:
    """The site's resolved reports, the latest resolved first."""
    return list(
        db.session.scalars(
            select(SymptomReport)
            .where(SymptomReport.site_id == site_id, SymptomReport.status == RESOLVED)
            .order_by(SymptomReport.resolved_at.desc(), SymptomReport.id.desc())
            .options(selectinload(SymptomReport.patient))
            .limit(RESOLVED_LIMIT)
        )
    )


def _urgency_counts(lines: Iterable[QueueLine]) -> dict[str, int]:
    counts = dict.fromkeys(URGENCY_SHAPES, 0)
    for line in lines:
        counts[line.urgency.key] = counts.get(line.urgency.key, 0) + 1
    return counts


# ---------- One report ----------


@bp.get("/symptoms/<int:report_id>")
@staff(*CLINICAL)
def report(report_id: int) -> str:
    record = _report(report_id)
    done = [
        key
        for key in get_flashed_messages(category_filter=[NOTICE])
        if key in wording.DONE_MESSAGES
    ]
    return _report_page(record, done=done)


@bp.post("/symptoms/<int:report_id>/acknowledge")
@staff(*CLINICAL)
def acknowledge(report_id: int) -> Response | tuple[str, int]:
    record = _report(report_id)
    try:
        service.acknowledge(db.session, record, current_staff(), utcnow())
    except DomainError as error:
        return _refused(report_id, error, "acknowledge", {})
    return _done(report_id, "acknowledged")


@bp.post("/symptoms/<int:report_id>/notes")
@staff(*CLINICAL)
def add_note(report_id: int) -> Response | tuple[str, int]:
    record = _report(report_id)
    form = {"text": request.form.get("text", "")}
    errors = {}
    if not form["text"].strip():
        errors["text"] = wording.FORM_ERRORS["text"]
    elif len(form["text"]) > NOTE_MAX_LENGTH:
        errors["text"] = _too_long("text")
    if errors:
        return _report_page(record, errors={"note": errors}, form=form), 400
    try:
        service.add_note(db.session, record, current_staff(), form["text"], utcnow())
    except DomainError as error:
        return _refused(report_id, error, "note", form)
    return _done(report_id, "noted")


@bp.post("/symptoms/<int:report_id>/action")
@staff(*CLINICAL)
def record_action(report_id: int) -> Response | tuple[str, int]:
    record = _report(report_id)
    form = {"action": request.form.get("action", ""), "note": request.form.get("note", "")}
    errors = {}
    if form["action"] not in wording.ACTIONS:
        errors["action"] = wording.FORM_ERRORS["action"]
    if len(form["note"]) > NOTE_MAX_LENGTH:
        errors["note"] = _too_long("note")
    elif form["action"] == OTHER and not form["note"].strip():
        errors["note"] = wording.FORM_ERRORS["note_for_other"]
    if errors:
        return _report_page(record, errors={"action": errors}, form=form), 400
    try:
        service.record_action(
            db.session, record, current_staff(), form["action"], form["note"] or None, utcnow()
        )
    except DomainError as error:
        return _refused(report_id, error, "action", form)
    return _done(report_id, "action")


@bp.post("/symptoms/<int:report_id>/resolve")
@staff(*CLINICAL)
def resolve(report_id: int) -> Response | tuple[str, int]:
    record = _report(report_id)
    form = {"note": request.form.get("note", "")}
    if len(form["note"]) > NOTE_MAX_LENGTH:
        return _report_page(record, errors={"resolve": {"note": _too_long("note")}}, form=form), 400
    try:
        service.resolve(db.session, record, current_staff(), form["note"] or None, utcnow())
    except DomainError as error:
        return _refused(report_id, error, "resolve", form)
    return _done(report_id, "resolved")


def _done(report_id: int, notice: str) -> Response:
    db.session.commit()
    flash(notice, NOTICE)
    return redirect(url_for(".report", report_id=report_id, _anchor="notice"), code=303)


def _too_long(field: str) -> str:
    return str(wording.FORM_ERRORS[f"{field}_length"] % {"count": NOTE_MAX_LENGTH})


def _refused(
    report_id: int, error: DomainError, which: str, form: Mapping[str, str]
) -> tuple[str, int]:
    """The report again after the service refused a step the page had offered (a colleague
    was quicker, or a rule only the service checks), with what to do; nothing is changed."""
    db.session.rollback()
    if isinstance(error, NotFound):
        raise error
    problems = (error.problems or {}).get("json") or {}
    field = next(iter(problems), None)
    if which == "resolve" and field == "action":
        errors = {"conflict": wording.FORM_ERRORS["action_first"]}
    elif error.http_status == 400 and field == "action":
        errors = {"action": wording.FORM_ERRORS["action"]}
    elif error.http_status == 400 and field in form:
        errors = {field: wording.FORM_ERRORS["note_for_other" if field == "note" else "text"]}
    else:
        errors = {"conflict": wording.FORM_ERRORS["conflict"]}
    page = _report_page(_report(report_id), errors={which: errors}, form=form)
    return page, error.http_status


def _report_page(
    record: SymptomReport,
    *,
    done: list[str] | None = None,
    errors: Mapping[str, Mapping[str, Any]] | None = None,
    form: Mapping[str, str] | None = None,
) -> str:
    g.page_url = url_for(".report", report_id=record.id)
    site = current_staff().site
    zone, language = ZoneInfo(site.timezone), current_language()
    notes = service.notes_of(db.session, record)
    authors = _emails_of(
        [record.acknowledged_by, record.action_by, record.resolved_by]
        + [note.staff_id for note in notes]
    )
    return render_template(
        "staff/symptom_report.html",
        report=record,
        patient=record.patient,
        label=patient_label(record.patient),
        urgency=urgency_badge(record.urgency),
        status=label_of(wording.STATUS_LABELS, record.status),
        source=label_of(wording.SOURCE_LABELS, record.source),
        submitted=site_time(record.submitted_at, zone, language),
        respond_by=site_time(record.respond_by, zone, language),
        overdue=record.status == OPEN
        and record.respond_by is not None
        and record.respond_by < utcnow(),
        zone=zone_name(zone, language),
        answers=answer_lines(record.answers or {}, load_item_bank(), language),
        reasons=[reason_phrase(code) for code in record.reasons or ()],
        history=history_lines(record, notes, authors, zone, language),
        actions=wording.ACTION_LABELS,
        current_action=label_of(wording.ACTION_LABELS, record.action) if record.action else None,
        can_acknowledge=record.status == OPEN,
        can_act=record.status != RESOLVED,
        can_resolve=record.status != RESOLVED and record.action is not None,
        errors=errors or {},
        form=form or {},
        done=[wording.DONE_MESSAGES[key] for key in done or ()],
        note_max_length=NOTE_MAX_LENGTH,
    )


def _report(report_id: int) -> SymptomReport:
    """The report if it is of the signed-in staff member's site; otherwise 404."""
    return service.report_at_site(db.session, current_staff().site_id, report_id)


def _emails_of(staff_ids: Iterable[int | None]) -> dict[int, str]:
    return staff_emails(db.session, current_staff().site_id, staff_ids)


# ---------- What every staff page gets: the nav count and a patient's reports ----------


def staff_page_symptoms() -> dict[str, Any]:
    """Context of every staff page (registered on the staff pages): the count on the nav link,
    and a patient's reports for the timeline; each is worked out only when a page asks."""
    user = g.get("staff")
    return {
        "can_see_symptoms": user is not None and user.role in CLINICAL,
        "urgent_symptom_count": _urgent_open_count,
        "patient_symptoms": _patient_symptoms,
        "urgency_badge": urgency_badge,
    }


def _urgent_open_count() -> int:
    """Open emergency and red reports at the signed-in staff member's site."""
    user = g.get("staff")
    if user is None or user.role not in CLINICAL:
        return 0
    return int(
        db.session.scalar(
            select(func.count(SymptomReport.id)).where(
                SymptomReport.site_id == user.site_id,
                SymptomReport.status == OPEN,
                SymptomReport.urgency.in_(URGENT),
            )
        )
        or 0
    )


def _patient_symptoms(patient: Patient) -> dict[str, Any]:
    """The patient's reports (newest first) and their trend, for the timeline."""
    site = patient.site
    zone, language = ZoneInfo(site.timezone), current_language()
    reports = sorted(
        service.reports_of_patient(db.session, patient),
        key=lambda report: (report.submitted_at, report.id),
        reverse=True,
    )
    trend: PatientTrend = patient_trend(
        service.trend(db.session, patient),
        load_item_bank(),
        triage_rules_of(site),
        zone,
        language,
    )
    return {
        "reports": [
            {
                "report": report,
                "urgency": urgency_badge(report.urgency),
                "status": label_of(wording.STATUS_LABELS, report.status),
                "source": label_of(wording.SOURCE_LABELS, report.source),
                "submitted": site_time(report.submitted_at, zone, language),
                "reasons": [reason_phrase(code) for code in report.reasons or ()],
            }
            for report in reports
        ],
        "trend": trend,
        "zone": zone_name(zone, language),
    }
