"""The hostile values, and one request carrying one of them in one place.

The values are the ones a security review found answering 500 somewhere: nesting 5,000 deep,
an integer of 5,000 digits (past int()'s 4,300), one of 400 (past any float), "²" (a digit to
`str.isdigit()`, none to int()), days at or past the ends of the calendar, a NUL (PostgreSQL
refuses it in text) and a lone UTF-16 surrogate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

# Raw JSON text, put in place of one field's value (the standard encoder writes none of the
# first two: it refuses ints past 4,300 digits and recurses too deep).
JSON_VALUES = {
    "nested-5000-deep": "[" * 5000 + "]" * 5000,
    "integer-5000-digits": "1" * 5000,
    "integer-400-digits": "9" * 400,
    "negative-400-digits": "-" + "9" * 400,
    "number-1e400": "1e400",
    "superscript-two": '"²"',
    "day-9999-12-31": '"9999-12-31"',
    "day-0001-01-01": '"0001-01-01"',
    "day-10000-01-01": '"10000-01-01"',
    "nul": '"a\\u0000b"',
    "lone-surrogate": '"\\ud800"',
}
# Percent-encoded text for a query argument, form field or path segment: a lone surrogate can
# only travel as the bytes of one (CESU-8), which no UTF-8 decoder takes.
TEXT_VALUES = {
    "digits-5000": "1" * 5000,
    "digits-400": "9" * 400,
    "superscript-two": quote("²"),
    "five-squared": quote("5²"),
    "day-9999-12-31": "9999-12-31",
    "day-0001-01-01": "0001-01-01",
    "day-10000-01-01": "10000-01-01",
    "nul": "a%00b",
    "lone-surrogate": "%ED%A0%80",
}
PLACEHOLDER = "\x1ehostile\x1e"
REFUSALS_NAMING_A_FIELD = {400, 422}


@dataclass(frozen=True)
class Case:
    """One request with one hostile value in one place."""

    route: str  # "METHOD /rule"
    method: str
    path: str
    field: str  # the name the refusal must give
    value: str  # the hostile value's label
    json_text: str | None = None
    query: str | None = None
    form: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False)

    def send(self, client: FlaskClient) -> TestResponse:
        options: dict[str, Any] = {"method": self.method, "headers": self.headers}
        if self.query is not None:
            options["query_string"] = self.query
        if self.json_text is not None:
            options |= {"data": self.json_text, "content_type": "application/json"}
        elif self.form is not None:
            options |= {"data": self.form, "content_type": "application/x-www-form-urlencoded"}
        return client.open(self.path, **options)

    def anonymous(self) -> Case:
        return replace(self, headers={})

    def describe(self) -> str:
        return f"{self.route} with {self.value} in {self.field}"


def json_with(body: dict[str, Any], where: tuple[str, ...], raw: str) -> str:
    """`body` as JSON text with the raw JSON `raw` at the field path `where`."""
    copy = json.loads(json.dumps(body))
    target = copy
    for key in where[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[where[-1]] = PLACEHOLDER
    return json.dumps(copy).replace(json.dumps(PLACEHOLDER), raw)


def form_with(
    fields: dict[str, str], csrf: str, name: str | None = None, encoded: str = ""
) -> bytes:
    """A url-encoded form of `fields` and the CSRF token, with the already percent-encoded
    `encoded` as the value of `name` (when given)."""
    pairs = [("csrf_token", quote(csrf))]
    pairs += [(quote(key), quote(value)) for key, value in fields.items() if key != name]
    if name is not None:
        pairs.append((quote(name), encoded))
    return "&".join(f"{key}={value}" for key, value in pairs).encode("ascii")
