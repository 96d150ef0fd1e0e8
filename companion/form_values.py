"""Reading values people type into forms."""

from __future__ import annotations

from datetime import date


def iso_date(raw: str) -> date | None:
    """A YYYY-MM-DD day as typed (spaces around allowed), or None when it is not one."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None
