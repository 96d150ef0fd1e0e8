"""Staff accounts and sign-in: create, authenticate, issue and check tokens, change a password,
disable, change role, and clear the wait that failed sign-ins build up.

Tokens are opaque random strings; only their SHA-256 digest is stored, so a database leak does not
leak sessions. Every check reads the account afresh, so that sign-out, disabling an account or a
change of role takes effect on the very next request.

Failed sign-ins are counted per account email (whether or not an account has it) and per client
address, and make the next attempt wait as `throttle_policy` says; a waiting attempt is refused
before any password is checked, and refusals read the same for every email.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from companion.access import throttle_policy
from companion.access.models import ROLES, SignInThrottle, StaffToken, StaffUser
from companion.access.password_rules import MINIMUM_LENGTH, PasswordProblem, password_problem
from companion.access.passwords import hash_password, needs_rehash, verify_password
from companion.audit.recorder import audit_reason
from companion.errors import Conflict, InvalidInput, TooManyAttempts, Unauthorized
from companion.privacy.encryption import keyring
from companion.sites.service import site_by_code

API_TOKEN_LIFETIME = timedelta(hours=8)
WEB_SESSION_LIFETIME = timedelta(hours=8)
ACCOUNT = "account"
ADDRESS = "address"
THROTTLES = {ACCOUNT: throttle_policy.ACCOUNT, ADDRESS: throttle_policy.ADDRESS}
WRONG_CREDENTIALS = "Wrong email or password, or the account is disabled."
PASSWORD_RULE = (
    f"at least {MINIMUM_LENGTH} characters; not only spaces, not one character repeated, "
    "not a common or leaked password and not built from the account's email "
    "(a few unrelated words work well)"
)
PASSWORD_PROBLEMS: dict[PasswordProblem, str] = {
    "too_short": f"Shorter than {MINIMUM_LENGTH} characters.",
    "only_spaces": "Only spaces.",
    "one_character": "One character repeated.",
    "too_common": "Too common or too easy to guess.",
}
_REFUSAL_TEXTS = {
    "wrong": "This is not your current password.",
    "same": "The same as your current password: choose a new one.",
    **{problem: f"{text} Use {PASSWORD_RULE}." for problem, text in PASSWORD_PROBLEMS.items()},
}
# The same words whether the address is taken at the admin's own site or at another one.
EMAIL_REFUSED = (
    "This email cannot be given a new account. If the person already has an account at your "
    "site, change that one; otherwise ask them for another address."
)
LAST_ADMIN = (
    "This is the site's last active admin: make a colleague admin first, "
    "then change or disable this account."
)


class SignInThrottled(TooManyAttempts):
    """A sign-in (or a check of the current password) refused until a wait has passed."""

    def __init__(self, wait: timedelta) -> None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        super().__init__(
            f"Too many failed sign-ins. Try again in {seconds} seconds.",
            retry_after_seconds=seconds,
        )


class PasswordChangeRefused(InvalidInput):
    """400 naming `current_password` and/or `new_password`; `reasons` holds each field's reason
    code ("wrong", "same", or a `PasswordProblem`) for pages that word it in the reader's
    language."""

    def __init__(self, reasons: dict[str, str]) -> None:
        texts = {field: _REFUSAL_TEXTS[reason] for field, reason in reasons.items()}
        super().__init__(
            "; ".join(f"{field}: {text}" for field, text in texts.items()),
            {"json": {field: [text] for field, text in texts.items()}},
        )
        self.reasons = reasons


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff(db: Session, *, email: str, password: str, role: str, site_code: str) -> StaffUser:
    """A new staff account at the site `site_code` (created when new).

    An email in use anywhere is refused with one answer, wherever it is in use.
    """
    if role not in ROLES:
        raise InvalidInput(f"role: use one of {', '.join(ROLES)}", {"json": {"role": [role]}})
    email = normalise_email(email)
    refuse_unfit_password("password", password, related=(email, site_code))
    if db.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise _email_refused()
    site = site_by_code(db, site_code, create_with_name=site_code)
    user = StaffUser(
        site_id=site.id,
        email=email,
        password_hash=hash_password(password),
        role=role,
        is_active=True,
    )
    try:
        with db.begin_nested():  # a colleague creating the same email at the same moment
            db.add(user)
            db.flush()
    except IntegrityError:
        raise _email_refused() from None
    # Failed sign-ins typed for this email before it had an account do not count against it.
    _forget_failures(db, ACCOUNT, _throttle_key(ACCOUNT, email))
    return user


def _email_refused() -> Conflict:
    return Conflict(f"email: {EMAIL_REFUSED}", {"json": {"email": [EMAIL_REFUSED]}})


def refuse_unfit_password(field: str, password: str, *, related: Iterable[str]) -> None:
    """400 naming `field` and what is allowed, unless `password` may be used."""
    problem = password_problem(password, related)
    if problem is not None:
        text = _REFUSAL_TEXTS[problem]
        raise InvalidInput(f"{field}: {text}", {"json": {field: [text]}})


def authenticate(
    db: Session, email: str, password: str, now: datetime, *, address: str | None
) -> StaffUser:
    """The account these credentials open, from the client `address`.

    While failed sign-ins for this email or from this address make attempts wait, the attempt
    is refused (429) without a password check; otherwise a wrong password, an unknown email and a
    disabled account are one refusal (401), counted against the email and the address.
    """
    keys = _throttle_keys(email, address)
    _refuse_while_waiting(db, keys, now)
    user = db.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    correct = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active or not correct:
        _count_failure(db, keys, now, user)
        raise Unauthorized(WRONG_CREDENTIALS)
    _signed_in(db, user, keys)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(
    db: Session,
    user: StaffUser,
    *,
    current_password: str,
    new_password: str,
    address: str | None,
    now: datetime,
) -> None:
    """A staff member's own new password, after the current one; every token and session of
    theirs ends (the caller issues a fresh one). A wrong current password counts as a failed
    sign-in, so a stolen session cannot be used to guess it."""
    keys = _throttle_keys(user.email, address)
    _refuse_while_waiting(db, keys, now)
    reasons: dict[str, str] = {}
    if not verify_password(user.password_hash, current_password):
        _count_failure(db, keys, now, user)
        reasons["current_password"] = "wrong"
    problem = password_problem(new_password, (user.email, user.site.code))
    if problem is not None:
        reasons["new_password"] = problem
    elif new_password == current_password:
        reasons["new_password"] = "same"
    if reasons:
        raise PasswordChangeRefused(reasons)
    _signed_in(db, user, keys)
    user.password_hash = hash_password(new_password)
    revoke_all_tokens(db, user, now)
    audit_reason("Changed their own password; every session and token of theirs was ended.", db)


def unlock(db: Session, user: StaffUser) -> None:
    """Let the account sign in at once: forget its failed sign-ins (the caller gives the reason
    that the audit trail records with the change)."""
    _forget_failures(db, ACCOUNT, _throttle_key(ACCOUNT, user.email))
    user.sign_in_throttled_at = None


def unlock_address(db: Session, address: str) -> bool:
    """Forget the failed sign-ins from a client address; False when there were none."""
    key = _throttle_key(ADDRESS, address.strip())
    return _forget_failures(db, ADDRESS, key) > 0


# ---------- Failed sign-ins ----------


def _throttle_key(scope: str, value: str) -> str:
    """A keyed digest of an email or address: equal values, equal keys, useless without the key
    (what strangers type into the sign-in form is not kept in clear)."""
    message = f"sign-in throttle\0{scope}\0{value}".encode()
    return hmac.new(keyring().hash_key, message, hashlib.sha256).hexdigest()


def _throttle_keys(email: str, address: str | None) -> dict[str, str]:
    keys = {ACCOUNT: _throttle_key(ACCOUNT, normalise_email(email))}
    if address:
        keys[ADDRESS] = _throttle_key(ADDRESS, address)
    return keys


def _throttles(db: Session, keys: dict[str, str]) -> list[SignInThrottle]:
    """The stored counts for `keys`; locked (PostgreSQL) so that concurrent attempts for the
    same email or address take turns instead of all passing one check."""
    query = (
        select(SignInThrottle)
        .where(
            or_(
                *(
                    and_(SignInThrottle.scope == scope, SignInThrottle.key_digest == key)
                    for scope, key in keys.items()
                )
            )
        )
        .order_by(SignInThrottle.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(db.scalars(query))


def _wait(rows: Iterable[SignInThrottle], now: datetime) -> timedelta:
    return max(
        (
            THROTTLES[row.scope].wait_remaining(row.failures, row.last_failure_at, now)
            for row in rows
        ),
        default=timedelta(0),
    )


def _refuse_while_waiting(db: Session, keys: dict[str, str], now: datetime) -> None:
    wait = _wait(_throttles(db, keys), now)
    if wait > timedelta(0):
        raise SignInThrottled(wait)


def _count_failure(
    db: Session, keys: dict[str, str], now: datetime, user: StaffUser | None
) -> None:
    """One more failure for each key; the account's audit trail notes when waiting begins."""
    for scope, key in keys.items():
        _add_failure(db, scope, key, now)
    failures = db.scalar(
        select(SignInThrottle.failures).where(
            SignInThrottle.scope == ACCOUNT, SignInThrottle.key_digest == keys[ACCOUNT]
        )
    )
    if user is not None and failures == THROTTLES[ACCOUNT].free_failures + 1:
        user.sign_in_throttled_at = now
        audit_reason(
            f"{failures} failed sign-ins in a row: each further attempt must wait, "
            f"{int(THROTTLES[ACCOUNT].first_wait.total_seconds())} seconds at first.",
            db,
        )
    _forget_old_failures(db, now)


def _add_failure(db: Session, scope: str, key: str, now: datetime) -> None:
    """Insert or add one, atomically on either database (a count forgotten starts again at 1)."""
    table = SignInThrottle.__table__
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    forgotten = table.c.last_failure_at <= now - THROTTLES[scope].forget_after
    db.execute(
        insert(table)
        .values(scope=scope, key_digest=key, failures=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key_digest],
            set_={
                "failures": case((forgotten, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
            },
        )
    )


def _signed_in(db: Session, user: StaffUser, keys: dict[str, str]) -> None:
    """The right password: the account's failures are forgotten (the address's are not, so that
    signing in to one's own account does not reset a count built by guessing at others)."""
    _forget_failures(db, ACCOUNT, keys[ACCOUNT])
    if user.sign_in_throttled_at is not None:
        user.sign_in_throttled_at = None
        audit_reason("Signed in with the right password after failed sign-ins.", db)


def _forget_failures(db: Session, scope: str, key: str) -> int:
    result = db.execute(
        delete(SignInThrottle).where(
            SignInThrottle.scope == scope, SignInThrottle.key_digest == key
        )
    )
    return result.rowcount or 0


def _forget_old_failures(db: Session, now: datetime) -> None:
    """Counts past their quiet period count for nothing: delete them (keeps the table small)."""
    db.execute(
        delete(SignInThrottle).where(
            or_(
                *(
                    and_(
                        SignInThrottle.scope == scope,
                        SignInThrottle.last_failure_at <= now - policy.forget_after,
                    )
                    for scope, policy in THROTTLES.items()
                )
            )
        )
    )


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
    """New role or active flag; a disabled account loses every token at once.

    The site's last active admin cannot be demoted or disabled (409). The site's admin rows are
    locked first, so two admins demoting each other at once cannot leave the site without one:
    the second waits for the first and then counts again.
    """
    if (role is not None and role != "admin") or is_active is False:
        admins = _active_admins_locked(db, user.site_id)
        if [admin.id for admin in admins] == [user.id]:
            fields = [
                name
                for name, value in (("role", role), ("is_active", is_active))
                if value is not None
            ]
            raise Conflict(LAST_ADMIN, {"json": {field: [LAST_ADMIN] for field in fields}})
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            revoke_all_tokens(db, user, now)


def _active_admins_locked(db: Session, site_id: int) -> list[StaffUser]:
    """The site's active admins as committed now, their rows locked until the transaction ends
    (FOR UPDATE on PostgreSQL; SQLite's write transactions are already one at a time)."""
    return list(
        db.scalars(
            select(StaffUser)
            .where(
                StaffUser.site_id == site_id,
                StaffUser.role == "admin",
                StaffUser.is_active.is_(True),
            )
            .order_by(StaffUser.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


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
