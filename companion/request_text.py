"""Text a database cannot keep is refused at the door, with the field that holds it.

JSON may carry a lone UTF-16 surrogate (`"\\ud800"`) or a NUL character: Python reads both, but
neither can be encoded for storage (PostgreSQL refuses NUL in text, and no UTF-8 encoder takes
a surrogate), so left alone they surface as a 500 deep inside a write. Every JSON body is
checked before its route runs; the answer is a 400 naming the first field at fault.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import request

from companion.errors import InvalidInput

PROBLEM = (
    "must be plain text: it holds a character that cannot be stored (a NUL or a lone surrogate)."
)


def refuse_unstorable_json_text() -> None:
    """A `before_request` hook: 400 when a JSON body holds text that cannot be stored."""
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if b"\\u" not in raw:
        return  # both can only arrive escaped (\\u0000, \\ud800): valid UTF-8 holds neither
    try:
        body = json.loads(raw)  # as webargs reads it; orjson would refuse a lone surrogate
    except ValueError:
        return  # malformed JSON: the route's own parsing answers it
    for path, value in _strings(body, ""):
        if not _storable(value):
            field = path or "body"
            raise InvalidInput(f"{field}: {PROBLEM}", {"json": {field: [PROBLEM]}})


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document, keys included, with the path of the field it is in."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from _strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
