"""A failed sign-in does not tell whether the account exists."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient

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
