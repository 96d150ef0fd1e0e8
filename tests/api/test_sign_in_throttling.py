"""Failed sign-ins make further attempts wait, per account and per client address; nobody can lock
an account for good, an admin or the server can clear the wait, and the audit trail shows it.

Time is the `clock` fixture's: the sign-in routes read it instead of the real one, so a test
moves it on instead of sleeping. It starts at the real time (tokens it issues are checked against
the real clock, and must not have expired) and then stands still until moved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from companion.access import api as access_api
from companion.access.models import StaffUser
from companion.audit.models import AuditEvent
from companion.db import db
from companion.staff import pages as staff_pages
from companion.timestamps import utcnow
from tests.conftest import STAFF_PASSWORD, csrf_token_from

TOKEN = "/api/v1/auth/token"
WRONG = "not the password"
ACCOUNT_FREE_TRIES = 5
ADDRESS_FREE_TRIES = 20


class Clock:
    """The time the sign-in routes see; moves only when told."""

    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(access_api, "utcnow", moving)
    monkeypatch.setattr(staff_pages, "utcnow", moving)
    return moving


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client: FlaskClient, email: str, password: str = STAFF_PASSWORD):
    return client.post(TOKEN, json={"email": email, "password": password})


def fail(client: FlaskClient, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, email, WRONG).status_code == 401


def admin_headers(client: FlaskClient, make_staff, site: str = "SITE01") -> dict[str, str]:
    token = sign_in(client, make_staff("admin", site)).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def staff_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))


def throttle_events(app: Flask, user_id: int) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.entity_type == "staff_user",
                    AuditEvent.entity_id == user_id,
                    AuditEvent.action == "update",
                )
                .order_by(AuditEvent.id)
            )
        )


# ---------- A wait, not a lock ----------


def test_a_stranger_s_failures_make_the_account_wait_and_the_right_password_works_after_it(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    clock.advance(seconds=29)
    assert sign_in(client, email).status_code == 429
    clock.advance(seconds=1)
    assert sign_in(client, email).status_code == 200


def test_the_free_tries_cost_no_wait(client: FlaskClient, make_staff, clock: Clock) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES)
    assert sign_in(client, email).status_code == 200


def test_a_waiting_attempt_is_429_with_retry_after_and_checks_no_password(
    client: FlaskClient, make_staff, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    clock.advance(seconds=10)
    checks: list[str] = []
    verify = PasswordHasher.verify
    monkeypatch.setattr(
        PasswordHasher, "verify", lambda self, h, p: checks.append(p) or verify(self, h, p)
    )
    refused = sign_in(client, email)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert refused.get_json()["message"] == "Too many failed sign-ins. Try again in 20 seconds."
    assert checks == []


def test_each_further_failure_doubles_the_wait_up_to_a_quarter_of_an_hour(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES)
    waits = []
    for _ in range(8):
        assert sign_in(client, email, WRONG).status_code == 401
        waits.append(int(sign_in(client, email).headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_failures_the_account_s_owner_did_not_follow_up_are_forgotten_after_a_day(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    clock.advance(hours=24)
    fail(client, email, ACCOUNT_FREE_TRIES)
    assert sign_in(client, email).status_code == 200


def test_signing_in_forgets_the_account_s_failures(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES)
    assert sign_in(client, email).status_code == 200
    fail(client, email, ACCOUNT_FREE_TRIES)
    assert sign_in(client, email).status_code == 200


def test_the_wait_holds_for_the_account_from_every_address(
    app: Flask, make_staff, clock: Clock, clean_database: None
) -> None:
    email = make_staff()
    fail(client_at(app, "192.0.2.10"), email, ACCOUNT_FREE_TRIES + 1)
    assert sign_in(client_at(app, "198.51.100.7"), email).status_code == 429


# ---------- Per client address ----------


def test_one_address_trying_many_accounts_is_made_to_wait_for_every_account(
    app: Flask, make_staff, clock: Clock, clean_database: None
) -> None:
    email = make_staff()
    sprayer = client_at(app, "192.0.2.66")
    for number in range(ADDRESS_FREE_TRIES + 1):
        assert sign_in(sprayer, f"guess{number}@example.org", WRONG).status_code == 401
    assert sign_in(sprayer, email).status_code == 429
    assert sign_in(client_at(app, "198.51.100.7"), email).status_code == 200


def test_behind_a_trusted_proxy_each_client_address_waits_on_its_own(
    another_app, make_staff, clock: Clock, clean_database: None
) -> None:
    email = make_staff()
    proxied = another_app(TRUSTED_PROXIES=1).test_client()
    sprayer = {"X-Forwarded-For": "192.0.2.66"}
    for number in range(ADDRESS_FREE_TRIES + 1):
        response = proxied.post(
            TOKEN,
            json={"email": f"guess{number}@example.org", "password": WRONG},
            headers=sprayer,
        )
        assert response.status_code == 401
    refused = proxied.post(
        TOKEN, json={"email": email, "password": STAFF_PASSWORD}, headers=sprayer
    )
    assert refused.status_code == 429
    colleague = proxied.post(
        TOKEN,
        json={"email": email, "password": STAFF_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert colleague.status_code == 200


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_wait(
    app: Flask, make_staff, clock: Clock, clean_database: None
) -> None:
    email = make_staff()
    sprayer = client_at(app, "192.0.2.66")
    for number in range(ADDRESS_FREE_TRIES + 1):
        response = sprayer.post(
            TOKEN,
            json={"email": f"guess{number}@example.org", "password": WRONG},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
        assert response.status_code == 401
    forged = sprayer.post(
        TOKEN,
        json={"email": email, "password": STAFF_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert forged.status_code == 429


def test_emails_and_addresses_are_not_stored_in_clear(
    app: Flask, make_staff, clock: Clock, clean_database: None
) -> None:
    email = make_staff()
    fail(client_at(app, "192.0.2.66"), email, 1)
    fail(client_at(app, "192.0.2.66"), "stranger.canary@example.org", 1)
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM sign_in_throttles")).all()
    stored = repr(rows)
    assert len(rows) == 3  # two emails, one address
    for secret in (email, "stranger.canary", "192.0.2.66"):
        assert secret not in stored


# ---------- Clearing the wait ----------


def test_an_admin_unlocks_a_waiting_colleague_who_then_signs_in_at_once(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    headers = admin_headers(client, make_staff)
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    assert sign_in(client, email).status_code == 429

    response = client.post(
        f"/api/v1/staff/{staff_id(app, email)}/unlock",
        json={"reason": "Phoned me, it is really her"},
        headers=headers,
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sign_in_throttled_at"] is None
    assert sign_in(client, email).status_code == 200


def test_the_unlock_is_recorded_with_the_admin_and_the_reason(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    admin = make_staff("admin")
    headers = {"Authorization": f"Bearer {sign_in(client, admin).get_json()['access_token']}"}
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    client.post(
        f"/api/v1/staff/{staff_id(app, email)}/unlock",
        json={"reason": "Phoned me, it is really her"},
        headers=headers,
    )

    unlocked = throttle_events(app, staff_id(app, email))[-1]
    assert unlocked.actor_label == admin
    assert unlocked.reason == "Phoned me, it is really her"
    assert unlocked.changes["sign_in_throttled_at"][1] is None


def test_an_admin_cannot_unlock_staff_of_another_site(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    headers = admin_headers(client, make_staff, "SITE02")
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    response = client.post(
        f"/api/v1/staff/{staff_id(app, email)}/unlock", json={"reason": "mine"}, headers=headers
    )
    assert response.status_code == 404
    assert sign_in(client, email).status_code == 429


def test_the_unlock_command_lets_the_account_sign_in_at_once_and_is_recorded(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)

    result = app.test_cli_runner().invoke(
        args=["staff", "unlock", "--email", email.upper(), "--reason", "Called the help desk"]
    )

    assert result.exit_code == 0, result.output
    assert f"unlocked {email}" in result.output
    assert sign_in(client, email).status_code == 200
    unlocked = throttle_events(app, staff_id(app, email))[-1]
    assert (unlocked.actor_type, unlocked.reason) == ("system", "Called the help desk")


def test_the_unlock_command_forgets_an_address_s_failures(
    app: Flask, make_staff, clock: Clock, clean_database: None
) -> None:
    email = make_staff()
    sprayer = client_at(app, "192.0.2.66")
    for number in range(ADDRESS_FREE_TRIES + 1):
        sign_in(sprayer, f"guess{number}@example.org", WRONG)
    assert sign_in(sprayer, email).status_code == 429

    result = app.test_cli_runner().invoke(args=["staff", "unlock", "--address", "192.0.2.66"])

    assert result.exit_code == 0, result.output
    assert "forgot the failed sign-ins from 192.0.2.66" in result.output
    assert sign_in(sprayer, email).status_code == 200


def test_the_unlock_command_names_an_unknown_email(app: Flask, clean_database: None) -> None:
    result = app.test_cli_runner().invoke(args=["staff", "unlock", "--email", "nobody@example.org"])
    assert result.exit_code != 0
    assert "--email" in result.output


# ---------- The audit trail ----------


def test_the_trail_records_once_when_an_account_begins_to_wait_not_each_failure(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    began_at = clock.now
    fail(client, email, ACCOUNT_FREE_TRIES)
    assert throttle_events(app, staff_id(app, email)) == []
    for _ in range(4):
        assert sign_in(client, email, WRONG).status_code == 401
        clock.advance(minutes=15)

    [began] = throttle_events(app, staff_id(app, email))
    assert began.actor_type == "public"
    assert began.changes["sign_in_throttled_at"] == [None, began_at.isoformat()]
    assert "6 failed sign-ins in a row" in began.reason


def test_a_sign_in_after_waiting_ends_the_run_in_the_trail(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    clock.advance(seconds=30)
    assert sign_in(client, email).status_code == 200
    _began, ended = throttle_events(app, staff_id(app, email))
    assert ended.changes["sign_in_throttled_at"][1] is None
    assert ended.reason == "Signed in with the right password after failed sign-ins."


def test_an_account_created_for_an_email_strangers_tried_starts_without_a_wait(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    fail(client, "new.colleague@site01.example.org", ACCOUNT_FREE_TRIES + 1)
    email = make_staff(email="new.colleague@site01.example.org")
    assert sign_in(client, email).status_code == 200


# ---------- The staff sign-in page ----------


def test_the_sign_in_page_says_how_long_to_wait_with_429(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, ACCOUNT_FREE_TRIES + 1)
    clock.advance(seconds=5)
    csrf = csrf_token_from(client.get("/staff/login").data)
    page = client.post(
        "/staff/login", data={"csrf_token": csrf, "email": email, "password": STAFF_PASSWORD}
    )
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "25"
    assert "Too many failed sign-ins. Try again in 25 seconds." in page.get_data(as_text=True)
    assert "staff_session" not in page.headers.get("Set-Cookie", "")


def test_the_sign_in_page_s_failures_count_like_the_api_s(
    client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    csrf = csrf_token_from(client.get("/staff/login").data)
    for _ in range(ACCOUNT_FREE_TRIES + 1):
        page = client.post(
            "/staff/login", data={"csrf_token": csrf, "email": email, "password": WRONG}
        )
        assert page.status_code == 401
    assert sign_in(client, email).status_code == 429


def test_the_count_is_kept_per_account_in_the_database(
    app: Flask, client: FlaskClient, make_staff, clock: Clock
) -> None:
    email = make_staff()
    fail(client, email, 3)
    with app.app_context():
        counts = sorted(db.session.scalars(text("SELECT failures FROM sign_in_throttles")))
    assert counts == [3, 3]  # the account's and the address's
