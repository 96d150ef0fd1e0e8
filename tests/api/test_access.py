"""Staff sign-in, tokens, roles and deny-by-default policies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.access.models import StaffToken
from companion.access.policy import Policy, policy_for, public
from companion.app import create_app
from companion.db import db
from companion.timestamps import utcnow
from tests.conftest import STAFF_PASSWORD

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def sign_in(client: FlaskClient, email: str, password: str = STAFF_PASSWORD):
    return client.post(TOKEN, json={"email": email, "password": password})


def test_a_token_answers_in_the_contract_s_shape(client: FlaskClient, make_staff) -> None:
    response = sign_in(client, make_staff())
    body = response.get_json()
    assert response.status_code == 200
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 8 * 3600


def test_the_token_is_stored_only_as_a_digest(client: FlaskClient, app: Flask, make_staff) -> None:
    token = sign_in(client, make_staff()).get_json()["access_token"]
    with app.app_context():
        stored = db.session.scalars(select(StaffToken)).one()
    assert token not in stored.digest


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(
    client: FlaskClient, make_staff
) -> None:
    wrong = sign_in(client, make_staff(), "not the password")
    unknown = sign_in(client, "nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_failures_beyond_the_free_tries_make_even_the_right_password_wait(
    client: FlaskClient, make_staff
) -> None:
    """A wait, not a lock: tests/api/test_sign_in_throttling.py moves the clock past it."""
    email = make_staff()
    for _ in range(6):
        sign_in(client, email, "guessing")
    assert sign_in(client, email).status_code == 429


def test_a_staff_route_without_credentials_is_401_with_a_bearer_challenge(
    client: FlaskClient,
) -> None:
    response = client.get(ME)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_valid_token_identifies_the_staff_member(client: FlaskClient, make_staff, bearer):
    email = make_staff("investigator", "SITE02")
    body = client.get(ME, headers=bearer(email)).get_json()
    assert (body["email"], body["role"], body["site"]) == (email, "investigator", "SITE02")


def test_logout_revokes_the_token_at_once(client: FlaskClient, make_staff, bearer) -> None:
    headers = bearer(make_staff())
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401


def test_an_expired_token_is_refused(client: FlaskClient, app: Flask, make_staff, bearer):
    headers = bearer(make_staff())
    with app.app_context():
        token = db.session.scalars(select(StaffToken)).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(ME, headers=headers).status_code == 401


def test_disabling_an_account_takes_effect_at_once(client: FlaskClient, make_staff, bearer):
    admin = bearer(make_staff("admin"))
    colleague_email = make_staff()
    colleague = bearer(colleague_email)
    staff_id = client.get(ME, headers=colleague).get_json()["id"]
    response = client.patch(
        f"/api/v1/staff/{staff_id}",
        headers=admin,
        json={"is_active": False, "reason": "left the study team"},
    )
    assert response.status_code == 200
    assert client.get(ME, headers=colleague).status_code == 401
    assert sign_in(client, colleague_email).status_code == 401


def test_a_role_change_takes_effect_at_once(client: FlaskClient, make_staff, bearer) -> None:
    admin_email = make_staff("admin")
    admin = bearer(admin_email)
    other_admin = bearer(make_staff("admin"))
    my_id = client.get(ME, headers=admin).get_json()["id"]
    client.patch(
        f"/api/v1/staff/{my_id}",
        headers=other_admin,
        json={"role": "coordinator", "reason": "moved to coordination"},
    )
    assert client.get("/api/v1/staff", headers=admin).status_code == 403


def test_only_admins_create_staff_and_only_at_their_own_site(
    client: FlaskClient, make_staff, bearer
) -> None:
    new = {
        "email": "new@site01.example.org",
        "password": "a long enough password",
        "role": "coordinator",
    }
    assert client.post("/api/v1/staff", headers=bearer(make_staff()), json=new).status_code == 403
    response = client.post("/api/v1/staff", headers=bearer(make_staff("admin")), json=new)
    assert response.status_code == 201
    assert response.get_json()["site"] == "SITE01"


def test_a_site_and_role_cannot_be_smuggled_into_a_new_account(
    client: FlaskClient, make_staff, bearer
) -> None:
    response = client.post(
        "/api/v1/staff",
        headers=bearer(make_staff("admin")),
        json={
            "email": "x@example.org",
            "password": "a long enough password",
            "role": "coordinator",
            "site_id": 99,
        },
    )
    assert response.status_code == 400
    assert "site_id" in response.get_json()["message"]


def test_an_email_in_use_at_another_site_is_refused_just_like_one_in_use_at_this_site(
    client: FlaskClient, make_staff, bearer
) -> None:
    """The refusal must not tell one site's admin who works at another: one status, one body,
    and no word that the address belongs to an account."""
    headers = bearer(make_staff("admin"))
    here, there = make_staff("coordinator"), make_staff("coordinator", "SITE02")
    answers = [
        client.post(
            "/api/v1/staff",
            headers=headers,
            json={"email": email, "password": "a long enough password", "role": "coordinator"},
        )
        for email in (here, there, there.upper())
    ]
    assert {answer.status_code for answer in answers} == {409}
    assert len({answer.get_data() for answer in answers}) == 1
    body = answers[0].get_json()
    assert list(body["errors"]["json"]) == ["email"]
    assert "exist" not in body["message"]
    assert "another site" not in body["message"]


def test_an_admin_cannot_change_staff_of_another_site(client: FlaskClient, make_staff, bearer):
    other = bearer(make_staff("coordinator", "SITE02"))
    other_id = client.get(ME, headers=other).get_json()["id"]
    response = client.patch(
        f"/api/v1/staff/{other_id}",
        headers=bearer(make_staff("admin")),
        json={"role": "admin", "reason": "promotion"},
    )
    assert response.status_code == 404


def test_every_route_declares_an_access_policy(app: Flask) -> None:
    undeclared = [
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"OPTIONS"})
        if policy_for(app, rule.endpoint, method) is None
    ]
    assert undeclared == []


def test_a_route_without_a_declared_policy_is_refused(database_url) -> None:
    url, options = database_url
    application = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )

    @application.get("/forgotten")
    def forgotten() -> str:
        return "patient data"

    @application.get("/declared")
    @public
    def declared() -> str:
        return "fine"

    client = application.test_client()
    assert client.get("/forgotten").status_code == 403
    assert client.get("/declared").status_code == 200
    assert policy_for(application, "declared", "GET") == Policy("public")


def test_the_staff_create_command_makes_an_account_that_can_sign_in(
    app: Flask, client: FlaskClient
) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "--email",
            "First.Admin@Example.org",
            "--password",
            "a long enough password",
            "--role",
            "admin",
            "--site",
            "SITE07",
        ]
    )
    assert result.exit_code == 0, result.output
    assert sign_in(client, "first.admin@example.org", "a long enough password").status_code == 200


@pytest.mark.parametrize("password", ["short", " " * 12, "a" * 12, "password1234"])
def test_the_staff_create_command_refuses_a_short_or_guessable_password(
    app: Flask, clean_database, password
):
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "--email",
            "a@example.org",
            "--password",
            password,
            "--role",
            "admin",
            "--site",
            "SITE01",
        ]
    )
    assert result.exit_code != 0
    assert "password" in result.output
