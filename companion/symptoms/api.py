"""Symptom reports for site staff: enter one for a patient, work the triage queue."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from companion.access.policy import current_staff, staff
from companion.db import db
from companion.enrolment import service as enrolment
from companion.enrolment.models import Patient
from companion.openapi import Blueprint, json_response
from companion.symptoms import schemas, service
from companion.symptoms.models import STATUSES, SymptomReport
from companion.symptoms.presenter import report_body, row_body
from companion.timestamps import utcnow

CLINICAL = ("coordinator", "investigator")

blp = Blueprint(
    "symptoms",
    __name__,
    url_prefix="/api/v1",
    description="Symptom reports and the triage queue, for the staff's site.",
)


@blp.route("/patients/<int:patient_id>/symptom-reports")
class PatientReports(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.NewSymptomReport())
    @blp.response(201, schemas.SubmittedSymptomReport)
    def post(self, body: dict[str, Any], patient_id: int) -> Response:
        """Enter a patient's report (e.g. taken by phone); it is triaged as the patient's own."""
        now = utcnow()
        submitted = service.submit_report(
            db.session, _patient(patient_id), body["answers"], "staff", now, staff=current_staff()
        )
        db.session.commit()
        return json_response(
            report_body(submitted.report, now, patient_reply=submitted.patient_reply), 201
        )

    @staff(*CLINICAL)
    @blp.response(200, schemas.SymptomReport(many=True))
    def get(self, patient_id: int) -> Response:
        """The patient's reports, newest first."""
        now = utcnow()
        reports = service.reports_of_patient(db.session, _patient(patient_id))
        return json_response([report_body(report, now) for report in reports])


@blp.route("/symptom-reports")
class Queue(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.QueueQuery(), location="query")
    @blp.response(200, schemas.SymptomReport(many=True))
    def get(self, query: dict[str, Any]) -> Response:
        """The triage queue: the most urgent first, then the oldest, with overdue flags."""
        status = query["status"]
        statuses = service.WAITING if status is None else STATUSES if status == "all" else (status,)
        rows = service.open_queue(db.session, current_staff().site_id, utcnow(), statuses)
        return json_response([row_body(row) for row in rows])


@blp.route("/symptom-reports/<int:report_id>")
class ReportView(MethodView):
    @staff(*CLINICAL)
    @blp.response(200, schemas.SymptomReport)
    def get(self, report_id: int) -> Response:
        """One report with its notes."""
        return _report_response(_report(report_id))


@blp.route("/symptom-reports/<int:report_id>/acknowledge")
class Acknowledge(MethodView):
    @staff(*CLINICAL)
    @blp.response(200, schemas.SymptomReport)
    def post(self, report_id: int) -> Response:
        """Take the report in hand (it stops being overdue); only an open report can be."""
        report = service.acknowledge(db.session, _report(report_id), current_staff(), utcnow())
        db.session.commit()
        return _report_response(report)


@blp.route("/symptom-reports/<int:report_id>/notes")
class Notes(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.NoteIn())
    @blp.response(201, schemas.SymptomReport)
    def post(self, body: dict[str, Any], report_id: int) -> Response:
        """Add a note to the report (whatever its status)."""
        report = _report(report_id)
        service.add_note(db.session, report, current_staff(), body["text"], utcnow())
        db.session.commit()
        return _report_response(report, 201)


@blp.route("/symptom-reports/<int:report_id>/action")
class Action(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.ActionIn())
    @blp.response(200, schemas.SymptomReport)
    def post(self, body: dict[str, Any], report_id: int) -> Response:
        """Record what was done (acknowledges an open report); "other" needs a note."""
        report = service.record_action(
            db.session, _report(report_id), current_staff(), body["action"], body["note"], utcnow()
        )
        db.session.commit()
        return _report_response(report)


@blp.route("/symptom-reports/<int:report_id>/resolve")
class Resolve(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.ResolveIn())
    @blp.response(200, schemas.SymptomReport)
    def post(self, body: dict[str, Any], report_id: int) -> Response:
        """Close the report; an action must be recorded first (409 otherwise)."""
        report = service.resolve(
            db.session, _report(report_id), current_staff(), body["note"], utcnow()
        )
        db.session.commit()
        return _report_response(report)


def _patient(patient_id: int) -> Patient:
    return enrolment.patient_at_site(db.session, current_staff().site_id, patient_id)


def _report(report_id: int) -> SymptomReport:
    return service.report_at_site(db.session, current_staff().site_id, report_id)


def _report_response(report: SymptomReport, status: int = 200) -> Response:
    notes = service.notes_of(db.session, report)
    return json_response(report_body(report, utcnow(), notes), status)
