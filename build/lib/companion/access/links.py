"""Patients' links: opaque tokens for one purpose, stored as digests, with an expiry.

Reading a link (what a GET does) never uses it up: mail and chat apps open links to preview
them. Only `use_link`, called from the POST that acts on the link, consumes a single-use link,
and it does so atomically, so two submissions cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.access.models import PatientLink
from companion.errors import DomainError, NotFound

GONE = "This link has expired or was already used. Please ask the study team for a new one."


class LinkGone(DomainError):
    http_status = 410


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(
    db: Session,
    *,
    purpose: str,
    site_id: int,
    subject_type: str,
    subject_id: int,
    lifetime: timedelta,
    single_use: bool,
    now: datetime,
) -> str:
    """A new link; the returned token is its only key and is not stored."""
    token = secrets.token_urlsafe(32)
    db.add(
        PatientLink(
            digest=_digest(token),
            purpose=purpose,
            site_id=site_id,
            subject_type=subject_type,
            subject_id=subject_id,
            single_use=single_use,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.flush()
    return token


def open_link(db: Session, token: str, purpose: str, now: datetime) -> PatientLink:
    """The live link for `purpose` (404 when unknown or for another purpose, 410 when spent)."""
    link = db.scalar(
        select(PatientLink).where(
            PatientLink.digest == _digest(token), PatientLink.purpose == purpose
        )
    )
    if link is None:
        raise NotFound("This link does not exist.")
    if link.revoked_at is not None or link.expires_at <= now or link.used_at is not None:
        raise LinkGone(GONE)
    return link


def use_link(db: Session, token: str, purpose: str, now: datetime) -> PatientLink:
    """Open the link and, when single-use, spend it; a second use answers 410."""
    link = open_link(db, token, purpose, now)
    if link.single_use:
        spent = db.execute(
            update(PatientLink)
            .where(PatientLink.id == link.id, PatientLink.used_at.is_(None))
            .values(used_at=now)
        )
        if spent.rowcount != 1:
            raise LinkGone(GONE)
        db.refresh(link)
    return link


def revoke_link(db: Session, link: PatientLink, now: datetime) -> None:
    link.revoked_at = now
