"""The staff member's own site: where patients come, whom they call, which days it is closed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from companion.access.policy import current_staff, staff
from companion.audit.recorder import audit_reason
from companion.db import db
from companion.enrolment.service import resync_site
from companion.openapi import Blueprint
from companion.sites import schemas
from companion.sites.models import Site
from companion.timestamps import utcnow

blp = Blueprint(
    "sites",
    __name__,
    url_prefix="/api/v1",
    description="The signed-in staff member's site and its settings.",
)


@blp.route("/site")
class OwnSite(MethodView):
    @staff()
    @blp.response(200, schemas.SiteOut)
    def get(self) -> Site:
        return current_staff().site

    @staff("admin")
    @blp.arguments(schemas.SiteChange())
    @blp.response(200, schemas.SiteOut)
    def patch(self, body: dict[str, Any]) -> Site:
        """Change the site's settings; a change of closed weekdays moves booked visits."""
        site = current_staff().site
        audit_reason(body.pop("reason"), db.session)
        if "closed_weekdays" in body:
            body["closed_weekdays"] = sorted(set(body["closed_weekdays"]))
        for field, value in body.items():
            setattr(site, field, value)
        db.session.flush()
        resync_site(db.session, site.id, utcnow())
        db.session.commit()
        return site
