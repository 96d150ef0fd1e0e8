"""Enrolment and visit calendars for site staff: enrol, list, reschedule, mark, closed days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask.views import MethodView

from companion.access.policy import current_staff, staff
from companion.db import db
from companion.enrolment import calendar_feed, injections, schemas, service
from companion.enrolment.calendar_sync import visits_of
from companion.enrolment.models import Patient, Visit
from companion.enrolment.pages import calendar_response
from companion.enrolment.presenter import patient_body, visit_body
from companion.openapi import Blueprint, json_response
from companion.timestamps import utcnow
from companion.urls import public_url

CLINICAL = ("coordinator", "investigator")

blp = Blueprint(
    "enrolment",
    __name__,
    url_prefix="/api/v1",
    description="Enrolled patients and their visit calendars, for the staff's site.",
)


@blp.route("/enrollments")
class Enrollments(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.NewEnrollment())
    @blp.response(201, schemas.Enrollment)
    def post(self, body: dict[str, Any]) -> Response:
        """Enrol a patient (or a pre-screen lead) and build their visits from the protocol."""
        now = utcnow()
        enrolment = service.enrol(
            db.session,
            current_staff(),
            service.NewPatient(**body),
            default_region=current_app.config["DEFAULT_PHONE_REGION"],
            now=now,
        )
        db.session.commit()
        patient = enrolment.patient
        today = patient.local_today(now)
        return json_response(
            {
                "patient_id": patient.id,
                "calendar_url": feed_url(enrolment.feed_token),
                "patient_page_url": page_url(enrolment.page_token),
                "visits": [visit_body(patient, v, today) for v in enrolment.visits],
            },
            201,
        )


@blp.route("/patients")
class Patients(MethodView):
    @staff()
    @blp.response(200, schemas.Patient(many=True))
    def get(self) -> Response:
        """The site's enrolled patients, in the order they were enrolled."""
        patients = service.patients_for_site(db.session, current_staff().site_id)
        return json_response([patient_body(p) for p in patients])


@blp.route("/patients/<int:patient_id>")
class PatientView(MethodView):
    @staff()
    @blp.response(200, schemas.Patient)
    def get(self, patient_id: int) -> Response:
        return json_response(patient_body(_patient(patient_id)))


@blp.route("/patients/<int:patient_id>/visits")
class PatientVisits(MethodView):
    @staff()
    @blp.response(200, schemas.Visit(many=True))
    def get(self, patient_id: int) -> Response:
        """The patient's visits in the protocol's order, with today's warnings."""
        patient = _patient(patient_id)
        today = patient.local_today(utcnow())
        return json_response(
            [visit_body(patient, v, today) for v in visits_of(db.session, patient)]
        )


@blp.route("/patients/<int:patient_id>/calendar-link")
class CalendarLink(MethodView):
    @staff(*CLINICAL)
    @blp.response(201, schemas.PatientLinkOut)
    def post(self, patient_id: int) -> Response:
        """A new calendar feed address for the patient; the old one stops working."""
        token = service.issue_patient_link(db.session, _patient(patient_id), service.FEED, utcnow())
        db.session.commit()
        return json_response({"url": feed_url(token)}, 201)


@blp.route("/patients/<int:patient_id>/page-link")
class PageLink(MethodView):
    @staff(*CLINICAL)
    @blp.response(201, schemas.PatientLinkOut)
    def post(self, patient_id: int) -> Response:
        """A new link to the patient's own visits page; the old one stops working."""
        token = service.issue_patient_link(db.session, _patient(patient_id), service.PAGE, utcnow())
        db.session.commit()
        return json_response({"url": page_url(token)}, 201)


@blp.route("/patients/<int:patient_id>/injections")
class Injections(MethodView):
    @staff()
    @blp.response(200, schemas.InjectionDay(many=True))
    def get(self, patient_id: int) -> Response:
        """Every planned home dose with what was recorded for it (nothing yet: null)."""
        diary = injections.diary(db.session, _patient(patient_id))
        return json_response([injections.diary_body(day) for day in diary])


@blp.route("/visits")
class SiteVisits(MethodView):
    @staff()
    @blp.arguments(schemas.VisitsQuery(), location="query")
    @blp.response(200, schemas.Visit(many=True))
    def get(self, query: dict[str, Any]) -> Response:
        """The site calendar: every patient's visits from `from`, for `days` days (1-31)."""
        now = utcnow()
        site = current_staff().site
        first = query.get("start") or now.astimezone(ZoneInfo(site.timezone)).date()
        last = first + timedelta(days=query["days"] - 1)
        visits = service.site_visits_between(db.session, site.id, first, last)
        return json_response([visit_body(v.patient, v, v.patient.local_today(now)) for v in visits])


@blp.route("/visits/<int:visit_id>/reschedule")
class Reschedule(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.VisitReschedule())
    @blp.response(200, schemas.VisitChange)
    def post(self, body: dict[str, Any], visit_id: int) -> Response:
        """Book the visit for another day; visits anchored on it move too (all are returned)."""
        now = utcnow()
        changed = service.reschedule_visit(
            db.session, current_staff(), _visit(visit_id), body["date"], body["reason"], now
        )
        db.session.commit()
        return _changed(changed, now)


@blp.route("/visits/<int:visit_id>/status")
class VisitStatus(MethodView):
    @staff(*CLINICAL)
    @blp.arguments(schemas.VisitStatusChange())
    @blp.response(200, schemas.VisitChange)
    def post(self, body: dict[str, Any], visit_id: int) -> Response:
        """Mark the visit done (with the day), missed or cancelled, or back to scheduled."""
        now = utcnow()
        changed = service.change_visit_status(
            db.session,
            current_staff(),
            _visit(visit_id),
            body["status"],
            body["date"],
            body["reason"],
            now,
        )
        db.session.commit()
        return _changed(changed, now)


@blp.route("/visits/<int:visit_id>/invite")
class Invite(MethodView):
    @staff()
    @blp.response(200, content_type="text/calendar")
    def get(self, visit_id: int) -> Response:
        """The visit as a calendar invitation (METHOD:REQUEST; CANCEL once cancelled)."""
        visit = _visit(visit_id)
        return calendar_response(*calendar_feed.visit_invite(visit.patient, visit, utcnow()))


@blp.route("/closed-days")
class ClosedDays(MethodView):
    @staff()
    @blp.response(200, schemas.ClosedDay(many=True))
    def get(self) -> list[Any]:
        """Days the site is closed; visits are kept off them when their windows allow."""
        return service.closed_days_for_site(db.session, current_staff().site_id)

    @staff("coordinator", "admin")
    @blp.arguments(schemas.ClosedDay())
    @blp.response(201, schemas.ClosedDay)
    def post(self, body: dict[str, Any]) -> Response:
        """Close the site on a day; booked visits on it move inside their windows."""
        closed, _moved = service.add_closed_day(
            db.session, current_staff(), body["day"], body["label"], utcnow()
        )
        db.session.commit()
        return json_response(schemas.ClosedDay().dump(closed), 201)


@blp.route("/closed-days/<int:closed_day_id>")
class ClosedDayView(MethodView):
    @staff("coordinator", "admin")
    @blp.response(204)
    def delete(self, closed_day_id: int) -> Response:
        service.remove_closed_day(db.session, current_staff(), closed_day_id, utcnow())
        db.session.commit()
        return Response(status=204)


def feed_url(token: str) -> str:
    return public_url("patient_pages.calendar_feed_ics", token=token)


def page_url(token: str) -> str:
    return public_url("patient_pages.my_visits", token=token)


def _patient(patient_id: int) -> Patient:
    return service.patient_at_site(db.session, current_staff().site_id, patient_id)


def _visit(visit_id: int) -> Visit:
    return service.visit_at_site(db.session, current_staff().site_id, visit_id)


def _changed(changed: list[Visit], now: Any) -> Response:
    patient = changed[0].patient
    today = patient.local_today(now)
    bodies = [visit_body(patient, v, today) for v in changed]
    return json_response({**bodies[0], "visits": bodies})
