"""Record ids in URLs: whole numbers a database column can hold, or no such page (404).

Werkzeug's `int` converter takes any length of digits; an id past the 32-bit range then reaches
the database, where SQLite cannot bind it at all. Bounding the converter keeps such a URL a plain
"not found" on every route that names a record.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL


class RecordId(IntegerConverter):
    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def bound_record_ids(app: Flask) -> None:
    """Make `<int:…>` in every route refuse ids no record can have (before routes are added)."""
    app.url_map.converters["int"] = RecordId
