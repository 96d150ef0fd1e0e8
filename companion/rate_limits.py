"""Rate limits per client address on sign-in and on the public pre-screen (Flask-Limiter).

Two shared buckets, each counting POSTs from one address: sign-in (`RATE_LIMIT_SIGN_IN`, the API
token and the staff login form together) and the pre-screen (`RATE_LIMIT_PRESCREEN`, every
endpoint and page that stores or evaluates answers). Counts live where `RATELIMIT_STORAGE_URI`
says: `memory://` counts per process (N workers allow about N times the limit; a restart forgets),
`redis://…` shares them between workers and restarts. When Redis stops answering, the limits
fall back to per-process memory rather than refusing everyone.

The address is the connecting peer's. Behind a reverse proxy that is the proxy, so every client
would share one bucket: set `TRUSTED_PROXIES` to the exact number of proxies in front of the
service (Werkzeug's ProxyFix then believes that many X-Forwarded-For hops, and no more, so a
client cannot spoof its address).

A refusal is a 429 in the API's JSON error shape, or the friendly error page, with Retry-After.
"""

from __future__ import annotations

from functools import partial
from time import time

from flask import Flask, Response, current_app, request
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

SIGN_IN_ENDPOINTS = frozenset({"access.Token", "staff_pages.sign_in"})
PRESCREEN_ENDPOINTS = frozenset(
    {
        "prescreen.Evaluate",
        "prescreen.Sessions",
        "prescreen.Answers",
        "prescreen.Back",
        "prescreen.Contact",
        "prescreen_pages.start",
        "chat.Chat",
        "chat_pages.start",
        "chat_pages.send",
        "prescreen_pages.answer",
        "prescreen_pages.back",
        "prescreen_pages.contact",
    }
)


def init_rate_limits(app: Flask) -> Limiter:
    """A limiter of this app's own (tests build many apps, each with its own storage)."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    # X-RateLimit-* on every response would cost a second storage call per request (it halved
    # the evaluate endpoint's throughput); a refusal still says when to retry (below).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "companion")
    limiter = Limiter(
        key_func=get_remote_address,
        application_limits=[
            _bucket("sign-in", "RATE_LIMIT_SIGN_IN", SIGN_IN_ENDPOINTS, "sign-in attempts"),
            _bucket("prescreen", "RATE_LIMIT_PRESCREEN", PRESCREEN_ENDPOINTS, "answers"),
        ],
    )
    limiter.init_app(app)
    app.after_request(partial(_retry_after, limiter))
    return limiter


def _retry_after(limiter: Limiter, response: Response) -> Response:
    """Seconds until the breached limit's window resets, on a 429 only."""
    breached = limiter.current_limit if response.status_code == 429 else None
    if breached is not None:
        response.headers.setdefault("Retry-After", str(max(1, breached.reset_at - int(time()))))
    return response


def _bucket(scope: str, setting: str, endpoints: frozenset[str], what: str) -> ApplicationLimit:
    return ApplicationLimit(
        limit_provider=lambda: current_app.config[setting],
        scope=scope,
        methods=["POST"],
        exempt_when=lambda: request.endpoint not in endpoints,
        error_message=lambda: (
            f"Too many {what} from your address (at most {current_app.config[setting]}). "
            "Please wait a minute and try again."
        ),
    )
