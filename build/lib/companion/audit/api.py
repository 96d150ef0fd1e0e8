"""The audit trail, read-only: staff see their own site's events. No route changes it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from companion.access.policy import current_staff, staff
from companion.audit import schemas
from companion.audit.service import events_for_site
from companion.db import db
from companion.openapi import Blueprint

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/api/v1",
    description="The audit trail of the signed-in staff member's site (read-only).",
)


@blp.route("/audit")
class AuditTrail(MethodView):
    @staff()
    @blp.arguments(schemas.AuditQuery(), location="query")
    @blp.response(200, schemas.AuditPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Who changed what, when and why at your site, newest first."""
        events = events_for_site(
            db.session,
            current_staff().site_id,
            entity_type=query.get("entity_type"),
            entity_id=query.get("entity_id"),
            limit=query["limit"],
            before_id=query.get("before_id"),
        )
        full_page = len(events) == query["limit"]
        return {"events": events, "next_before_id": events[-1].id if full_page else None}
