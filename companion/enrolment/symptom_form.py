"""The patient's symptom check-in on their own page: the weekly questions, and what to do next.

Routes of the patient pages (`companion.enrolment.pages`), behind the same page link as the visits
and the shot diary. The questions come from the symptom survey in the page's language; the answers
go through the same check and triage as a text or a report staff enter. The answer page comes
after a redirect (post/redirect/get), so reloading it never sends the report twice. An emergency
answer comes first and big: call the emergency number now.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from companion.access.policy import patient_link
from companion.db import db
from companion.enrolment import service
from companion.enrolment.models import Patient
from companion.enrolment.pages import bp, page_language
from companion.errors import InvalidInput, NotFound
from companion.symptoms import service as symptom_service
from companion.symptoms import wording as symptom_wording
from companion.symptoms.models import SymptomReport
from companion.symptoms.settings import symptom_settings
from companion.timestamps import utcnow
from symptoms import AnswerError, Item, Survey, Urgency, check_answers, load_survey

SURVEY = "weekly_check_in"

# What to fix, in the patient's words, by the kind of question.
ANSWER_ERRORS = {
    "number": _l("Write a number from %(low)s to %(high)s, like 37.5."),
    "count": _l("Write a whole number from %(low)s to %(high)s."),
    "yes_no": _l("Choose one answer."),
    "severity": _l("Choose one answer."),
    "text": _l("Make this shorter. It can have up to %(high)s letters."),
}
NO_ANSWER = _l("Answer at least one question before you send.")


@cache
def weekly_survey() -> Survey:
    return load_survey(SURVEY)


@bp.get("/my/<token>/symptoms")
@patient_link(service.PAGE)
def symptoms(token: str) -> str:
    """The check-in questions, none answered yet."""
    patient = service.patient_for_link(db.session, token, service.PAGE, utcnow())
    return _form_page(patient, token)


@bp.post("/my/<token>/symptoms")
@patient_link(service.PAGE)
def send_symptoms(token: str) -> Response | tuple[str, int]:
    """Check, triage and store the answers; a problem shows the form again (400) with every
    answer kept and what to fix next to the question."""
    now = utcnow()
    patient = service.patient_for_link(db.session, token, service.PAGE, now)
    survey = weekly_survey()
    form = {key: request.form.get(key, "") for key in survey.keys}
    raw = {key: value for key, value in form.items() if value.strip()}
    errors = _answer_errors(survey, raw)
    if not errors:
        try:
            submitted = symptom_service.submit_report(db.session, patient, raw, "web", now)
        except InvalidInput as error:
            db.session.rollback()
            errors = _service_errors(survey, error)
        else:
            db.session.commit()
            return redirect(
                url_for(".symptoms_sent", token=token, report_id=submitted.report.id), code=303
            )
    g.page_url = url_for(".symptoms", token=token)
    return _form_page(patient, token, errors=errors, form=form), 400


@bp.get("/my/<token>/symptoms/<int:report_id>")
@patient_link(service.PAGE)
def symptoms_sent(token: str, report_id: int) -> str:
    """What to do now, by how urgent the report is; the patient's own reports only."""
    patient = service.patient_for_link(db.session, token, service.PAGE, utcnow())
    report = db.session.get(SymptomReport, report_id)
    if report is None or report.patient_id != patient.id:
        raise NotFound("This report is not one of yours.")
    urgency = Urgency.from_name(report.urgency)
    settings = symptom_settings(patient.site)
    return _render(
        patient,
        "patient/symptom_sent.html",
        token=token,
        urgency=urgency.name_lower,
        reply=symptom_wording.patient_answer(urgency, settings, page_language(patient)),
        settings=settings,
    )


def _answer_errors(survey: Survey, raw: Mapping[str, str]) -> dict[str, str]:
    try:
        check_answers(survey.as_bank(), raw)
    except AnswerError as error:
        return {key: _error_for(survey, key) for key in error.problems}
    return {}


def _service_errors(survey: Survey, error: InvalidInput) -> dict[str, str]:
    """What the service refused, by question (the page checks first, so this is a backstop)."""
    problems = ((error.problems or {}).get("json") or {}).get("answers")
    keys = list(problems) if isinstance(problems, Mapping) else ["answers"]
    return {key: _error_for(survey, key) for key in keys}


def _error_for(survey: Survey, key: str) -> str:
    if key not in survey.keys:
        return str(NO_ANSWER)
    item = survey.as_bank().item(key)
    high = item.max_length if item.kind == "text" else item.maximum
    return str(ANSWER_ERRORS[item.kind] % {"low": _number(item.minimum), "high": _number(high)})


def _number(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _form_page(
    patient: Patient,
    token: str,
    *,
    errors: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
) -> str:
    survey = weekly_survey()
    return _render(
        patient,
        "patient/symptoms.html",
        token=token,
        survey=survey,
        settings=symptom_settings(patient.site),
        errors=errors or {},
        form=form or {},
        step=_step,
    )


def _step(item: Item) -> str:
    """The step of a number input: tenths for a measure (37.5 °C), whole numbers for a count."""
    return "0.1" if item.kind == "number" else "1"


def _render(patient: Patient, template: str, **context: Any) -> str:
    language = page_language(patient)
    with force_locale(language):
        return render_template(
            template,
            patient=patient,
            language=language,
            local=lambda text: text.get(language) or text["en"],
            **context,
        )
