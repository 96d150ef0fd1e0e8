"""What a request carries is checked at the door, once, before any route reads it.

Two `before_request` hooks, registered after the access check (strangers learn nothing):

- the JSON body is read once by `companion.json_document` (depth, size of numbers, NaN and
  Infinity, NUL and lone surrogates) and kept for the route's parser (`parsed_json_body`);
- every query argument, form field and path segment must be text a database can store: a NUL
  (PostgreSQL refuses it in text) or a lone surrogate is refused.

Each refusal is a 400 naming the field: the API's JSON error shape, or the normal 400 page.
A blueprint whose requests are signed and read field by field (Twilio's webhooks) opts out with
`reads_its_own_fields`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, g, request

from companion.errors import InvalidInput
from companion.json_document import (
    UNSTORABLE,
    JsonRefused,
    printable_name,
    read_json_document,
    storable,
)

NOT_READ = object()  # no JSON body, or one that is not JSON: the route's parser answers it

OWN_READERS = "blueprints_reading_their_own_fields"  # app.extensions key


def reads_its_own_fields(app: Flask, blueprint: Blueprint) -> None:
    """Leave `blueprint`'s query arguments, form fields and path segments to its own checks."""
    app.extensions.setdefault(OWN_READERS, set()).add(blueprint.name)


def read_json_body() -> None:
    """A `before_request` hook: the JSON body, read once within limits, or a 400 naming the
    first field at fault."""
    g.json_body = NOT_READ
    if not request.is_json:
        return
    try:
        g.json_body = read_json_document(request.get_data(cache=True))
    except JsonRefused as refused:
        raise InvalidInput(
            f"{refused.field}: {refused.problem}", {"json": {refused.field: [refused.problem]}}
        ) from None
    except ValueError:
        return  # not JSON: the route's parser refuses it in its usual words


def parsed_json_body() -> Any:
    """The body `read_json_body` read for this request, or NOT_READ."""
    return g.get("json_body", NOT_READ)


def refuse_unstorable_fields() -> None:
    """A `before_request` hook: 400 when a query argument, form field or path segment holds a
    character no database can store."""
    if request.blueprint in current_app.extensions.get(OWN_READERS, ()):
        return
    places: list[tuple[str, Any]] = [
        ("path", (request.view_args or {}).items()),
        ("query", request.args.items(multi=True)),
    ]
    if request.method not in ("GET", "HEAD", "OPTIONS") and not request.is_json:
        places.append(("form", request.form.items(multi=True)))
    for location, fields in places:
        for name, value in fields:
            if not (storable(name) and (not isinstance(value, str) or storable(value))):
                field = printable_name(name)
                raise InvalidInput(f"{field}: {UNSTORABLE}", {location: {field: [UNSTORABLE]}})
