"""Leads API for site staff: list, look at one, log contact attempts, change status."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from companion.access.policy import current_staff, staff
from companion.db import db
from companion.leads import schemas, service
from companion.openapi import Blueprint, json_response
from companion.prescreen.models import Lead
from companion.timestamps import utcnow

blp = Blueprint(
    "leads",
    __name__,
    url_prefix="/api/v1",
    description="Leads from the pre-screen and the coordinator's workflow, for the staff's site.",
)


@blp.route("/leads")
class Leads(MethodView):
    @staff()
    @blp.arguments(schemas.LeadsQuery(), location="query")
    @blp.response(200, schemas.LeadSummary(many=True))
    def get(self, query: dict[str, Any]) -> list[Lead]:
        """Leads of the signed-in staff member's site, oldest first."""
        return service.leads_for_site(db.session, current_staff().site_id, query.get("status"))


@blp.route("/leads/<int:lead_id>")
class LeadView(MethodView):
    @staff()
    @blp.response(200, schemas.LeadDetail)
    def get(self, lead_id: int) -> Response:
        """One lead: contact details, pre-screen answers and verdict, attempts, next steps."""
        return _detail(_lead(lead_id))


@blp.route("/leads/<int:lead_id>/contact-attempts")
class ContactAttempts(MethodView):
    @staff()
    @blp.arguments(schemas.NewContactAttempt())
    @blp.response(201, schemas.LeadDetail)
    def post(self, body: dict[str, Any], lead_id: int) -> Response:
        """Log a try to reach the lead (at most three unsuccessful); answers the updated lead."""
        lead = _lead(lead_id)
        service.record_contact_attempt(
            db.session, lead, current_staff(), body["outcome"], body["note"], utcnow()
        )
        db.session.commit()
        return _detail(lead, 201)


@blp.route("/leads/<int:lead_id>/status")
class Status(MethodView):
    @staff()
    @blp.arguments(schemas.StatusChange())
    @blp.response(200, schemas.LeadDetail)
    def post(self, body: dict[str, Any], lead_id: int) -> Response:
        """Move the lead on; not_eligible, declined and could_not_reach need a reason."""
        lead = _lead(lead_id)
        service.change_status(
            db.session, lead, current_staff(), body["status"], body["reason"], utcnow()
        )
        db.session.commit()
        return _detail(lead)


def _lead(lead_id: int) -> Lead:
    return service.lead_at_site(db.session, current_staff().site_id, lead_id)


def _detail(lead: Lead, status: int = 200) -> Response:
    body = schemas.LeadDetail().dump(lead)
    body["attempts"] = schemas.ContactAttempt(many=True).dump(service.attempts_of(db.session, lead))
    body["allowed_next_statuses"] = list(service.allowed_next_statuses(lead))
    return json_response(body, status)
