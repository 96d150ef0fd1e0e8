"""The browser side of a staff web session: the cookie that carries it and where to go after it.

The cookie holds an opaque token checked against the database on every request (see
`companion.access.service.user_for_token`), so signing out or disabling an account ends the
session at once, which a signed cookie alone could not do.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.wrappers import Response

from companion.access.policy import web_session_cookie_name
from companion.access.service import IssuedToken

STAFF_PATH = "/staff"


def set_session_cookie(response: Response, issued: IssuedToken) -> None:
    response.set_cookie(
        web_session_cookie_name(),
        issued.token,
        max_age=issued.expires_in,
        path="/",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        web_session_cookie_name(),
        path="/",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def safe_next_path(candidate: str | None, *, refused: tuple[str, ...] = ()) -> str | None:
    """`candidate` when it is a path of the staff pages on this site, else None.

    Only local paths under /staff are followed after sign-in, so a crafted link cannot send a
    person who just signed in to another site (an open redirect).
    """
    if not candidate or any(ord(char) < 0x20 or char == "\\" for char in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or candidate.startswith("//"):
        return None
    if not (parts.path == STAFF_PATH or parts.path.startswith(STAFF_PATH + "/")):
        return None
    if parts.path in refused or "/../" in parts.path or parts.path.endswith("/.."):
        return None
    return candidate.removesuffix("?")
