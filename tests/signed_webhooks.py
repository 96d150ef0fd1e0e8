"""Webhook requests as Twilio makes them: form fields signed with the auth token over the URL."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

AUTH_TOKEN = "test-twilio-auth-token-not-for-production"
OUR_NUMBER = "+8613100000000"
INTERNAL_ORIGIN = "http://localhost"  # where the Flask test client sends its requests

_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    """A fresh Twilio-looking message SID (34 characters)."""
    return f"{prefix}{next(_sids):032x}"


def signature(url: str, params: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, dict(params))


def post_signed(
    client: FlaskClient,
    path: str,
    params: Mapping[str, str],
    *,
    signed_url: str | None = None,
    token: str = AUTH_TOKEN,
    headers: Mapping[str, str] | None = None,
) -> TestResponse:
    """POST `params` to `path`, signed as Twilio signs it (for `signed_url`, by default the
    URL the test client calls)."""
    url = signed_url or INTERNAL_ORIGIN + path
    return client.post(
        path,
        data=dict(params),
        headers={"X-Twilio-Signature": signature(url, params, token), **(headers or {})},
    )


def text_from(
    client: FlaskClient, phone: str, body: str, *, sid: str | None = None, **extra: str
) -> TestResponse:
    """A signed inbound-text webhook: `phone` texted `body` to our number."""
    params = {
        "MessageSid": sid or new_sid(),
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": OUR_NUMBER,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
    return post_signed(client, "/twilio/sms", params)


def status_of(
    client: FlaskClient,
    provider_sid: str,
    status: str,
    *,
    error_code: int | None = None,
    token: str | None = None,
) -> TestResponse:
    """A signed status callback: Twilio reports `status` for the message `provider_sid`."""
    params = {
        "MessageSid": provider_sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": "+8613800138000",
        "From": OUR_NUMBER,
    }
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    headers = {"I-Twilio-Idempotency-Token": token} if token else {}
    return post_signed(client, "/twilio/status", params, headers=headers)
