"""Sign-in for the API (bearer tokens) and staff administration (admins of a site)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from sqlalchemy import select

from companion.access import schemas, service
from companion.access.models import StaffUser
from companion.access.policy import current_staff, public, staff
from companion.audit.recorder import audit_reason
from companion.db import db
from companion.errors import NotFound
from companion.openapi import Blueprint
from companion.timestamps import utcnow

blp = Blueprint(
    "access", __name__, url_prefix="/api/v1", description="Staff sign-in and staff accounts."
)


@blp.route("/auth/token")
class Token(MethodView):
    @public
    @blp.arguments(schemas.Credentials())
    @blp.response(200, schemas.AccessToken)
    def post(self, credentials: dict[str, Any]) -> dict[str, Any]:
        """Exchange email and password for a bearer token (401 when they do not match)."""
        now = utcnow()
        try:
            user = service.authenticate(
                db.session, credentials["email"], credentials["password"], now
            )
        finally:
            db.session.commit()  # failed attempts count towards the lockout
        issued = service.issue_token(db.session, user, "api", now)
        db.session.commit()
        return {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
        }


@blp.route("/auth/logout")
class Logout(MethodView):
    @staff()
    @blp.response(204)
    def post(self) -> None:
        """Revoke the bearer token this request carries."""
        service.revoke_token(db.session, request.headers["Authorization"][7:].strip(), utcnow())
        db.session.commit()


@blp.route("/auth/me")
class Me(MethodView):
    @staff()
    @blp.response(200, schemas.StaffMember)
    def get(self) -> StaffUser:
        """The signed-in staff member."""
        return current_staff()


@blp.route("/staff")
class StaffList(MethodView):
    @staff("admin")
    @blp.response(200, schemas.StaffMember(many=True))
    def get(self) -> list[StaffUser]:
        """Staff accounts of the admin's own site."""
        return list(
            db.session.scalars(
                select(StaffUser)
                .where(StaffUser.site_id == current_staff().site_id)
                .order_by(StaffUser.email)
            )
        )

    @staff("admin")
    @blp.arguments(schemas.NewStaffMember())
    @blp.response(201, schemas.StaffMember)
    def post(self, body: dict[str, Any]) -> StaffUser:
        """Create a staff account at the admin's own site."""
        user = service.create_staff(
            db.session,
            email=body["email"],
            password=body["password"],
            role=body["role"],
            site_code=current_staff().site.code,
        )
        db.session.commit()
        return user


@blp.route("/staff/<int:staff_id>")
class StaffMemberView(MethodView):
    @staff("admin")
    @blp.arguments(schemas.StaffChange())
    @blp.response(200, schemas.StaffMember)
    def patch(self, body: dict[str, Any], staff_id: int) -> StaffUser:
        """Change a colleague's role or disable the account; takes effect at once."""
        user = db.session.get(StaffUser, staff_id)
        if user is None or user.site_id != current_staff().site_id:
            raise NotFound("No staff member with this id at your site.")
        audit_reason(body["reason"])
        service.change_staff(
            db.session, user, role=body.get("role"), is_active=body.get("is_active"), now=utcnow()
        )
        db.session.commit()
        return user
