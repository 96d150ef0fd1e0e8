"""Security headers on every response, and no caching of anything but static files.

One strict Content-Security-Policy for every page; the interactive API docs are the single
exception, allowed their one inline script (by its hash) and Swagger UI's data: images.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SWAGGER_UI_ENDPOINT = "api-docs.openapi_swagger_ui"
# Files that hold no one's data and may be cached by browsers and proxies.
CACHEABLE_ENDPOINTS = frozenset({"static", "swagger_ui_asset"})
HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == SWAGGER_UI_ENDPOINT:
        response.headers["Content-Security-Policy"] = _swagger_ui_policy(response)
    else:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def _swagger_ui_policy(response: Response) -> str:
    """The strict policy plus the page's own inline script, pinned by its SHA-256."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(response.get_data(as_text=True))
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
