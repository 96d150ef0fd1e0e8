"""Who may call what. Every route declares a policy; a route without one is refused.

Declaring is done with decorators on the view (`@public`, `@staff("admin")`, `@patient_link(...)`);
enforcing happens in one place, before every request, so a forgotten check cannot open a route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from flask import Flask, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from companion.access.models import ROLES, StaffUser
from companion.access.service import user_for_token
from companion.db import db
from companion.errors import Forbidden, Unauthorized
from companion.timestamps import utcnow

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "access_policy"
WEB_SESSION_COOKIE = "staff_session"
SECURE_WEB_SESSION_COOKIE = "__Host-staff_session"
# Endpoints the libraries register (static files, the OpenAPI document and its viewer).
LIBRARY_PUBLIC_ENDPOINTS = frozenset(
    {"static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
)


@dataclass(frozen=True)
class Policy:
    kind: Literal["public", "staff", "patient_link"]
    roles: frozenset[str] = frozenset()
    purpose: str | None = None


def _declare(policy: Policy) -> Callable[[View], View]:
    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, policy)
        return view

    return mark


def public(view: View) -> View:
    """Anyone may call this route (prospective patients, health checks)."""
    return _declare(Policy("public"))(view)


def staff(*roles: str) -> Callable[[View], View]:
    """Signed-in staff with one of `roles` (any staff role when none is named)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return _declare(Policy("staff", frozenset(roles or ROLES)))


def patient_link(purpose: str) -> Callable[[View], View]:
    """A patient holding a live link for `purpose`; the view checks the link in its URL."""
    return _declare(Policy("patient_link", purpose=purpose))


def policy_for(app: Flask, endpoint: str, method: str) -> Policy | None:
    if endpoint in LIBRARY_PUBLIC_ENDPOINTS:
        return Policy("public")
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return getattr(view, ATTRIBUTE, None)
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return getattr(handler, ATTRIBUTE, None)


def web_session_cookie_name() -> str:
    return (
        SECURE_WEB_SESSION_COOKIE
        if current_app.config["SESSION_COOKIE_SECURE"]
        else (WEB_SESSION_COOKIE)
    )


def signed_in_staff() -> StaffUser | None:
    """The staff member this request authenticates as: a bearer token, else a web session."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(db.session, header[7:].strip(), "api", utcnow())
    cookie = request.cookies.get(web_session_cookie_name())
    if cookie and not request.path.startswith("/api/"):
        return user_for_token(db.session, cookie, "web", utcnow())
    return None


def enforce_access_policy() -> Response | None:
    """Refuse the request unless the route's declared policy admits it (before_request)."""
    if request.endpoint is None or request.method == "OPTIONS":
        return None  # no such route (404 follows) or a CORS/allow probe without data
    policy = policy_for(current_app, request.endpoint, request.method)
    if policy is None:
        raise Forbidden("This route has no declared access policy, so it is refused.")
    if policy.kind != "staff":
        return None
    user = signed_in_staff()
    if user is None:
        if request.path.startswith("/api/"):
            raise Unauthorized("Sign in first: send Authorization: Bearer <token>.")
        return redirect(url_for("staff_pages.login", next=request.full_path))
    if user.role not in policy.roles:
        raise Forbidden(f"Your role ({user.role}) may not do this.")
    g.staff = user
    return None


def current_staff() -> StaffUser:
    """The signed-in staff member of a route declared `@staff(...)`."""
    return g.staff
