"""What the access log may say about a request's path: its route, never the token in it.

Pre-screen and patient links carry their secret in the path (`/prescreen/<token>`), so the raw
path must not be logged. Each request leaves the route it matched (or, for an unknown path, the
path with anything token-like replaced) in the WSGI environ under `LOG_PATH`, and
`gunicorn.conf.py` logs `%({companion.log_path}e)s` instead of `%(r)s` or `%(U)s`.
"""

from __future__ import annotations

from flask import Flask, request

from companion.privacy.redaction import redact

LOG_PATH = "companion.log_path"


def register_access_log_path(app: Flask) -> None:
    app.teardown_request(_remember_log_path)  # runs for every request, errors included


def _remember_log_path(_error: BaseException | None = None) -> None:
    rule = request.url_rule
    request.environ[LOG_PATH] = rule.rule if rule is not None else redact(request.path)
