"""Staff passwords: guessable ones are refused wherever a password is set, and staff change their
own (API and web page), which ends every other session and token of theirs."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.access.models import StaffToken, StaffUser
from companion.audit.models import AuditEvent
from companion.db import db
from tests.conftest import STAFF_PASSWORD, csrf_token_from
from tests.staff_session import sign_in as sign_in_on_the_web

TOKEN = "/api/v1/auth/token"
PASSWORD = "/api/v1/auth/password"
PAGE = "/staff/account/password"
NEW_PASSWORD = "lantern orchard seventy quietly"
GUESSABLE = {
    "twelve spaces": " " * 12,
    "one character repeated": "a" * 12,
    "a common password": "password1234",
    "a keyboard row": "qwertyuiop12",
}


def bearer(client: FlaskClient, email: str, password: str = STAFF_PASSWORD) -> dict[str, str]:
    response = client.post(TOKEN, json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


# ---------- Creating an account ----------


@pytest.mark.parametrize("password", GUESSABLE.values(), ids=GUESSABLE.keys())
def test_an_admin_cannot_give_a_new_account_a_guessable_password(
    client: FlaskClient, make_staff, password: str
) -> None:
    headers = bearer(client, make_staff("admin"))
    response = client.post(
        "/api/v1/staff",
        json={"email": "new@site01.example.org", "password": password, "role": "admin"},
        headers=headers,
    )
    assert response.status_code == 400
    body = response.get_json()
    assert list(body["errors"]["json"]) == ["password"]
    assert body["message"].startswith("password: ")
    assert "at least 12 characters" in body["message"]


def test_the_refusal_says_what_was_wrong_with_the_password(client: FlaskClient, make_staff):
    headers = bearer(client, make_staff("admin"))
    answers = {
        name: client.post(
            "/api/v1/staff",
            json={"email": "new@site01.example.org", "password": password, "role": "admin"},
            headers=headers,
        ).get_json()["errors"]["json"]["password"][0]
        for name, password in GUESSABLE.items()
    }
    assert answers["twelve spaces"].startswith("Only spaces.")
    assert answers["one character repeated"].startswith("One character repeated.")
    assert answers["a common password"].startswith("Too common or too easy to guess.")


def test_a_password_built_from_the_new_account_s_email_is_refused(
    client: FlaskClient, make_staff
) -> None:
    headers = bearer(client, make_staff("admin"))
    response = client.post(
        "/api/v1/staff",
        json={"email": "wangfang@site01.example.org", "password": "wangfang2026", "role": "admin"},
        headers=headers,
    )
    assert response.status_code == 400
    assert "password" in response.get_json()["errors"]["json"]


# ---------- Changing one's own password (API) ----------


def test_staff_change_their_own_password_and_get_a_fresh_token(
    client: FlaskClient, make_staff
) -> None:
    email = make_staff()
    headers = bearer(client, email)
    response = client.post(
        PASSWORD,
        json={"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    fresh = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200
    assert client.post(TOKEN, json={"email": email, "password": NEW_PASSWORD}).status_code == 200
    assert client.post(TOKEN, json={"email": email, "password": STAFF_PASSWORD}).status_code == 401


def test_a_new_password_ends_every_other_token_and_web_session_and_this_token_too(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    email = make_staff()
    this_token, other_token = bearer(client, email), bearer(client, email)
    browser = app.test_client()
    sign_in_on_the_web(browser, email)
    assert browser.get("/staff/leads").status_code == 200

    client.post(
        PASSWORD,
        json={"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD},
        headers=this_token,
    )

    assert client.get("/api/v1/auth/me", headers=this_token).status_code == 401
    assert client.get("/api/v1/auth/me", headers=other_token).status_code == 401
    assert browser.get("/staff/leads").status_code == 302


def test_a_wrong_current_password_is_400_naming_it_and_changes_nothing(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    email = make_staff()
    headers = bearer(client, email)
    response = client.post(
        PASSWORD,
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert response.status_code == 400
    assert list(response.get_json()["errors"]["json"]) == ["current_password"]
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert bearer(client, email)  # the old password still works


def test_guessing_the_current_password_with_a_stolen_token_is_made_to_wait(
    client: FlaskClient, make_staff
) -> None:
    headers = bearer(client, make_staff())
    statuses = [
        client.post(
            PASSWORD,
            json={"current_password": f"guess {number}", "new_password": NEW_PASSWORD},
            headers=headers,
        ).status_code
        for number in range(7)
    ]
    assert statuses == [400] * 6 + [429]


@pytest.mark.parametrize("password", GUESSABLE.values(), ids=GUESSABLE.keys())
def test_a_guessable_new_password_is_400_naming_new_password(
    client: FlaskClient, make_staff, password: str
) -> None:
    headers = bearer(client, make_staff())
    response = client.post(
        PASSWORD,
        json={"current_password": STAFF_PASSWORD, "new_password": password},
        headers=headers,
    )
    assert response.status_code == 400
    assert list(response.get_json()["errors"]["json"]) == ["new_password"]
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_the_new_password_must_differ_from_the_current_one(client: FlaskClient, make_staff):
    headers = bearer(client, make_staff())
    response = client.post(
        PASSWORD,
        json={"current_password": STAFF_PASSWORD, "new_password": STAFF_PASSWORD},
        headers=headers,
    )
    assert response.status_code == 400
    assert list(response.get_json()["errors"]["json"]) == ["new_password"]


def test_a_password_change_is_in_the_audit_trail_without_the_password(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    email = make_staff()
    client.post(
        PASSWORD,
        json={"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(client, email),
    )
    with app.app_context():
        user_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))
        [event] = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "staff_user",
                AuditEvent.entity_id == user_id,
                AuditEvent.action == "update",
            )
        )
    assert (event.actor_id, event.changes) == (user_id, {"password": ["set", "changed"]})
    assert "every session and token" in event.reason
    assert NEW_PASSWORD not in repr(event.changes) + (event.reason or "")


# ---------- Changing one's own password (web page) ----------


@pytest.fixture
def browser(app: Flask, make_staff) -> tuple[FlaskClient, str]:
    """A browser signed in as a coordinator, and the coordinator's email."""
    email = make_staff()
    client = app.test_client()
    sign_in_on_the_web(client, email)
    return client, email


def change_on_the_page(client: FlaskClient, **fields: str):
    csrf = csrf_token_from(client.get(PAGE).data)
    return client.post(PAGE, data={"csrf_token": csrf, **fields})


def test_the_page_changes_the_password_and_keeps_this_browser_signed_in(
    app: Flask, browser: tuple[FlaskClient, str]
) -> None:
    client, email = browser
    other_browser = app.test_client()
    sign_in_on_the_web(other_browser, email)

    response = change_on_the_page(
        client,
        current_password=STAFF_PASSWORD,
        new_password=NEW_PASSWORD,
        new_password_again=NEW_PASSWORD,
    )

    assert response.status_code == 303
    assert response.headers["Location"] == PAGE
    page = client.get(PAGE).get_data(as_text=True)
    assert "Your password is changed." in page
    assert client.get("/staff/leads").status_code == 200
    assert other_browser.get("/staff/leads").status_code == 302
    with app.app_context():
        live = db.session.scalars(select(StaffToken).where(StaffToken.revoked_at.is_(None))).all()
    assert [token.kind for token in live] == ["web"]


def test_the_page_shows_each_problem_next_to_its_field_with_400(
    browser: tuple[FlaskClient, str],
) -> None:
    client, _ = browser
    response = change_on_the_page(
        client, current_password="not mine", new_password=" " * 12, new_password_again=" " * 12
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="field-current_password-error"' in page
    assert "This is not your current password." in page
    assert 'id="field-new_password-error"' in page
    assert "not only spaces" in page


def test_the_page_asks_for_the_new_password_twice(browser: tuple[FlaskClient, str]) -> None:
    client, _ = browser
    response = change_on_the_page(
        client,
        current_password=STAFF_PASSWORD,
        new_password=NEW_PASSWORD,
        new_password_again=NEW_PASSWORD + "x",
    )
    assert response.status_code == 400
    assert "Type the same new password twice." in response.get_data(as_text=True)


def test_the_page_needs_the_csrf_token(browser: tuple[FlaskClient, str]) -> None:
    client, email = browser
    response = client.post(
        PAGE,
        data={
            "current_password": STAFF_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert client.post(TOKEN, json={"email": email, "password": STAFF_PASSWORD}).status_code == 200


def test_the_page_speaks_chinese(browser: tuple[FlaskClient, str]) -> None:
    client, _ = browser
    page = client.get(PAGE + "?lang=zh").get_data(as_text=True)
    assert 'lang="zh-Hans"' in page
    assert "Change your password" not in page
    assert "修改密码" in page


def test_the_page_needs_a_signed_in_member_of_staff(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_every_staff_page_links_to_the_password_page(browser: tuple[FlaskClient, str]) -> None:
    client, _ = browser
    assert f'href="{PAGE}"' in client.get("/staff/leads").get_data(as_text=True)
