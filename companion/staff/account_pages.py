"""The signed-in staff member's own account: changing one's password.

A blueprint nested in the staff pages, so it shares their layout, error pages and helpers. The
form posts back and redirects (post/redirect/get); a problem shows it again with status 400
(429 while failed sign-ins make attempts wait). A new password ends every session and token of
the person, this browser's too, which gets a fresh session at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import (
    Blueprint,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from companion.access.password_rules import MINIMUM_LENGTH
from companion.access.policy import current_staff, staff
from companion.access.service import (
    PasswordChangeRefused,
    SignInThrottled,
    change_password,
    issue_token,
)
from companion.db import db
from companion.staff import wording
from companion.staff.session_cookie import set_session_cookie
from companion.timestamps import utcnow

bp = Blueprint("account", __name__)

NOTICE = "account"  # the flash category of this page's notice
FIELDS = ("current_password", "new_password", "new_password_again")


@bp.get("/account/password")
@staff()
def password() -> str:
    changed = "password_changed" in get_flashed_messages(category_filter=[NOTICE])
    return _password_page(changed=changed)


@bp.post("/account/password")
@staff()
def change() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = {name: request.form.get(name, "") for name in FIELDS}
    errors = _missing(form)
    if errors:
        return _password_page(errors=errors), 400
    user, now = current_staff(), utcnow()
    try:
        change_password(
            db.session,
            user,
            current_password=form["current_password"],
            new_password=form["new_password"],
            address=get_remote_address(),
            now=now,
        )
    except SignInThrottled as refusal:
        db.session.commit()
        wait = refusal.retry_after_seconds
        errors = {"current_password": wording.sign_in_wait(wait)}
        return _password_page(errors=errors), 429, {"Retry-After": str(wait)}
    except PasswordChangeRefused as refusal:
        db.session.commit()  # a wrong current password counts towards the wait
        errors = {
            field: wording.PASSWORD_ERRORS[reason] for field, reason in refusal.reasons.items()
        }
        return _password_page(errors=errors), 400
    issued = issue_token(db.session, user, "web", now)
    db.session.commit()
    flash("password_changed", NOTICE)
    response = redirect(url_for(".password"), code=303)
    set_session_cookie(response, issued)
    return response


def _missing(form: Mapping[str, str]) -> dict[str, str]:
    """What the form lacks, before any password is checked."""
    errors = {
        name: wording.PASSWORD_ERRORS[f"{name}_missing"]
        for name in ("current_password", "new_password")
        if not form[name]
    }
    if form["new_password"] and form["new_password_again"] != form["new_password"]:
        errors["new_password_again"] = wording.PASSWORD_ERRORS["new_password_again"]
    return errors


def _password_page(*, errors: Mapping[str, str] | None = None, changed: bool = False) -> str:
    g.page_url = url_for(".password")
    return render_template(
        "staff/password.html",
        errors=dict(errors or {}),
        changed=changed,
        minimum_length=MINIMUM_LENGTH,
    )
