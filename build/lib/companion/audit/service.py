"""Reading a site's audit trail (there is nothing else to do with it: it only grows)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.audit.models import AuditEvent


def events_for_site(
    db: Session,
    site_id: int,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    limit: int = 200,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """The site's events, newest first; `before_id` continues a page from where it stopped."""
    query = select(AuditEvent).where(AuditEvent.site_id == site_id)
    if entity_type is not None:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
