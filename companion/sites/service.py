"""Finding and creating sites.

A site is created only by someone who runs the service: the staff CLI (an admin's first
account), the demo loader, or the configured default site that receives pre-screens on a fresh
install. A public caller can name a site for a pre-screen, but never create one.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.errors import InvalidInput
from companion.sites.models import Site

SITE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
SITE_CODE_RULE = "1 to 32 letters, digits, '-' or '_'"
UNKNOWN_SITE = "site: no study site has this code; leave it out to reach the default site."


def site_by_code(
    session: Session, code: str, *, create_with_name: str | None = None
) -> Site | None:
    """The site with `code`; created (named `create_with_name`) when missing and a name is given.

    Only for callers that run the service (CLI, demo, tests), never with a code from a request.
    """
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None and create_with_name is not None:
        if SITE_CODE.fullmatch(code) is None:
            raise InvalidInput(
                f"site: use {SITE_CODE_RULE}", {"json": {"site": [f"Use {SITE_CODE_RULE}."]}}
            )
        site = Site(code=code, name=create_with_name)
        session.add(site)
        session.flush()
    return site


def receiving_site(session: Session, requested_code: str | None, default_code: str) -> Site:
    """The site a pre-screen (and so a lead) goes to.

    No code: the configured default site, created on first use so that a fresh install can take
    pre-screens before its first admin exists. A code: that site, which must already exist; an
    unknown code is refused (400 naming `site`) and creates nothing.
    """
    if not requested_code:
        return site_by_code(session, default_code, create_with_name="Study site")
    site = site_by_code(session, requested_code) if SITE_CODE.fullmatch(requested_code) else None
    if site is None:
        raise InvalidInput(UNKNOWN_SITE, {"json": {"site": [UNKNOWN_SITE]}})
    return site
