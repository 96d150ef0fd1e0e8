"""Reading values people type into forms and query strings, and sending in JSON.

Every day the service reads, from a page or the API, falls in one window: far enough on both
sides for any trial's calendar, and far enough from the ends of the calendar (0001-01-01,
9999-12-31) that adding a year of visits, a week of the site calendar or a reminder's days to it
can never overflow.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
DATE_WINDOW = f"a date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"


def date_in_window(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def iso_date(raw: str) -> date | None:
    """A YYYY-MM-DD day inside the window, as typed (spaces around allowed); None when the text
    is no such day."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if date_in_window(day) else None


class WindowDate(fields.Date):
    """A marshmallow date that must fall in the window; a day outside it is refused naming
    the window."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not date_in_window(day):
            raise ValidationError(f"Use {DATE_WINDOW} (YYYY-MM-DD).")
        return day
