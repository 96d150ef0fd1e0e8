"""Absolute links for people outside (resume links, calendar feeds), behind any proxy."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def public_url(endpoint: str, **values: Any) -> str:
    """The link under `PUBLIC_BASE_URL` when set, else under the host the request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
