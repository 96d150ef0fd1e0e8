"""Staff accounts and sign-in: create, authenticate, issue and check tokens, disable, change role.

Tokens are opaque random strings; only their SHA-256 digest is stored, so a database leak does not
leak sessions. Every check reads the account afresh, so that sign-out, disabling an account or a
change of role takes effect on the very next request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.access.models import ROLES, StaffToken, StaffUser
from companion.access.passwords import (
    MINIMUM_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from companion.errors import Conflict, InvalidInput, Unauthorized
from companion.sites.service import site_by_code

API_TOKEN_LIFETIME = timedelta(hours=8)
WEB_SESSION_LIFETIME = timedelta(hours=8)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
WRONG_CREDENTIALS = "Wrong email or password, or the account is locked or disabled."


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff(db: Session, *, email: str, password: str, role: str, site_code: str) -> StaffUser:
    """A new staff account at the site `site_code` (created when new)."""
    if role not in ROLES:
        raise InvalidInput(f"role: use one of {', '.join(ROLES)}", {"json": {"role": [role]}})
    if len(password) < MINIMUM_LENGTH:
        raise InvalidInput(
            f"password: use at least {MINIMUM_LENGTH} characters",
            {"json": {"password": [f"Shorter than {MINIMUM_LENGTH} characters."]}},
        )
    email = normalise_email(email)
    if db.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise Conflict("email: an account with this email already exists")
    site = site_by_code(db, site_code, create_with_name=site_code)
    user = StaffUser(
        site_id=site.id,
        email=email,
        password_hash=hash_password(password),
        role=role,
        is_active=True,
        failed_logins=0,
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str, now: datetime) -> StaffUser:
    """The account these credentials open; locks it for a while after repeated failures."""
    user = db.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    correct = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        raise Unauthorized(WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        raise Unauthorized(WRONG_CREDENTIALS)
    if not correct:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        raise Unauthorized(WRONG_CREDENTIALS)
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


def issue_token(db: Session, user: StaffUser, kind: str, now: datetime) -> IssuedToken:
    lifetime = API_TOKEN_LIFETIME if kind == "api" else WEB_SESSION_LIFETIME
    token = secrets.token_urlsafe(32)
    db.add(
        StaffToken(
            user_id=user.id,
            kind=kind,
            digest=digest(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.flush()
    return IssuedToken(token, int(lifetime.total_seconds()))


def user_for_token(db: Session, token: str, kind: str, now: datetime) -> StaffUser | None:
    """The active account behind a live token of this kind, or None."""
    row = db.scalar(
        select(StaffToken).where(StaffToken.digest == digest(token), StaffToken.kind == kind)
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = db.get(StaffUser, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def revoke_token(db: Session, token: str, now: datetime) -> None:
    db.execute(
        update(StaffToken)
        .where(StaffToken.digest == digest(token), StaffToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all_tokens(db: Session, user: StaffUser, now: datetime) -> None:
    db.execute(
        update(StaffToken)
        .where(StaffToken.user_id == user.id, StaffToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def change_staff(
    db: Session, user: StaffUser, *, role: str | None, is_active: bool | None, now: datetime
) -> None:
    """New role or active flag; a disabled account loses every token at once."""
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            revoke_all_tokens(db, user, now)


def staff_emails(db: Session, site_id: int, staff_ids: Iterable[int | None]) -> dict[int, str]:
    """Emails of the site's staff among `staff_ids` (for "logged by", "acknowledged by")."""
    ids = {staff_id for staff_id in staff_ids if staff_id is not None}
    if not ids:
        return {}
    rows = db.execute(
        select(StaffUser.id, StaffUser.email).where(
            StaffUser.id.in_(ids), StaffUser.site_id == site_id
        )
    )
    return {row.id: row.email for row in rows}
