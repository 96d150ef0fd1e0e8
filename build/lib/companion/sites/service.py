"""Finding and creating sites."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.sites.models import Site


def site_by_code(
    session: Session, code: str, *, create_with_name: str | None = None
) -> Site | None:
    """The site with `code`; created (named `create_with_name`) when missing and a name is given."""
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None and create_with_name is not None:
        site = Site(code=code, name=create_with_name)
        session.add(site)
        session.flush()
    return site
