"""Sign-in for the API (bearer tokens), one's own password, and staff administration (admins of
a site)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from companion.access import schemas, service
from companion.access.models import StaffUser
from companion.access.policy import current_staff, public, staff
from companion.audit.recorder import audit_reason
from companion.db import db
from companion.errors import DomainError, NotFound
from companion.openapi import Blueprint
from companion.timestamps import utcnow

blp = Blueprint(
    "access", __name__, url_prefix="/api/v1", description="Staff sign-in and staff accounts."
)

THROTTLED = {
    "schema": "Error",
    "description": "Too many failed sign-ins for this email or from this address: try again "
    "after `Retry-After` seconds (the same answer whether or not the account exists).",
    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
}


def token_body(issued: service.IssuedToken) -> dict[str, Any]:
    return {"access_token": issued.token, "token_type": "Bearer", "expires_in": issued.expires_in}


@blp.route("/auth/token")
class Token(MethodView):
    @public
    @blp.arguments(schemas.Credentials())
    @blp.response(200, schemas.AccessToken)
    @blp.alt_response(429, **THROTTLED)
    def post(self, credentials: dict[str, Any]) -> dict[str, Any]:
        """Exchange email and password for a bearer token (401 when they do not match; 429 while
        failed sign-ins make attempts wait)."""
        now = utcnow()
        try:
            user = service.authenticate(
                db.session,
                credentials["email"],
                credentials["password"],
                now,
                address=get_remote_address(),
            )
        finally:
            db.session.commit()  # failed attempts count towards the wait
        issued = service.issue_token(db.session, user, "api", now)
        db.session.commit()
        return token_body(issued)


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


@blp.route("/auth/password")
class Password(MethodView):
    @staff()
    @blp.arguments(schemas.PasswordChange())
    @blp.response(200, schemas.AccessToken)
    @blp.alt_response(429, **THROTTLED)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Change your own password. Every token and web session of yours ends, this request's
        token too: use the fresh token in the answer. A wrong current password is a 400 naming
        `current_password` and counts as a failed sign-in."""
        user, now = current_staff(), utcnow()
        try:
            service.change_password(
                db.session,
                user,
                current_password=body["current_password"],
                new_password=body["new_password"],
                address=get_remote_address(),
                now=now,
            )
        except DomainError:
            db.session.commit()  # a wrong current password counts towards the wait
            raise
        issued = service.issue_token(db.session, user, "api", now)
        db.session.commit()
        return token_body(issued)


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
    @blp.alt_response(409, response="CONFLICT")
    def post(self, body: dict[str, Any]) -> StaffUser:
        """Create a staff account at the admin's own site. An email already in use is refused
        with one 409, whichever site uses it."""
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
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, body: dict[str, Any], staff_id: int) -> StaffUser:
        """Change a colleague's role or disable the account; takes effect at once. The site's
        last active admin cannot be demoted or disabled (409)."""
        user = _colleague(staff_id)
        audit_reason(body["reason"])
        service.change_staff(
            db.session, user, role=body.get("role"), is_active=body.get("is_active"), now=utcnow()
        )
        db.session.commit()
        return user


@blp.route("/staff/<int:staff_id>/unlock")
class Unlock(MethodView):
    @staff("admin")
    @blp.arguments(schemas.Unlock())
    @blp.response(200, schemas.StaffMember)
    def post(self, body: dict[str, Any], staff_id: int) -> StaffUser:
        """Let a colleague sign in again at once: forget the account's failed sign-ins and the
        wait they built up. Recorded in the audit trail, with the reason, when the account was
        waiting."""
        user = _colleague(staff_id)
        audit_reason(body["reason"])
        service.unlock(db.session, user)
        db.session.commit()
        return user


def _colleague(staff_id: int) -> StaffUser:
    user = db.session.get(StaffUser, staff_id)
    if user is None or user.site_id != current_staff().site_id:
        raise NotFound("No staff member with this id at your site.")
    return user
