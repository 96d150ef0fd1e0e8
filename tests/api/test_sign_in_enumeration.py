"""A failed sign-in does not tell whether the account exists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient

from companion.access import api as access_api

TOKEN_URL = "/api/v1/auth/token"


def test_an_unknown_email_and_a_wrong_password_get_the_same_401(
    client: FlaskClient, make_staff
) -> None:
    email = make_staff()
    wrong_password = client.post(TOKEN_URL, json={"email": email, "password": "not the password"})
    unknown_email = client.post(
        TOKEN_URL, json={"email": "nobody@site01.example.org", "password": "not the password"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_data() == unknown_email.get_data()
    assert wrong_password.headers["WWW-Authenticate"] == unknown_email.headers["WWW-Authenticate"]


def test_an_unknown_email_costs_one_password_check_like_a_known_one(
    client: FlaskClient, make_staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = make_staff()
    checks: list[str] = []
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str, password: str) -> bool:
        checks.append(password)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    client.post(TOKEN_URL, json={"email": email, "password": "not the password"})
    client.post(TOKEN_URL, json={"email": "nobody@example.org", "password": "not the password"})
    assert checks == ["not the password", "not the password"]


def test_a_waiting_unknown_email_gets_the_same_429_as_a_waiting_account(
    client: FlaskClient, make_staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait is kept per email typed, account or not, so it tells nothing either."""
    monkeypatch.setattr(access_api, "utcnow", lambda: datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    email = make_staff()
    unknown = "nobody@site01.example.org"
    for _ in range(6):
        for typed in (email, unknown):
            client.post(TOKEN_URL, json={"email": typed, "password": "not the password"})
    known_waits = client.post(TOKEN_URL, json={"email": email, "password": "not the password"})
    unknown_waits = client.post(TOKEN_URL, json={"email": unknown, "password": "not the password"})
    assert known_waits.status_code == unknown_waits.status_code == 429
    assert known_waits.get_json() == unknown_waits.get_json()
    assert known_waits.headers["Retry-After"] == unknown_waits.headers["Retry-After"]
