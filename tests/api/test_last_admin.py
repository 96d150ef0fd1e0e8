"""A site always keeps an active admin: the last one cannot be demoted or disabled, not even by
two admins demoting each other at the same moment."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.access.models import StaffUser
from companion.access.service import change_staff
from companion.db import db
from companion.errors import Conflict
from companion.timestamps import utcnow
from tests.conftest import STAFF_PASSWORD

LOCK_WAIT_SECONDS = 0.5  # long enough for the second transaction to reach the lock


def bearer(client: FlaskClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": STAFF_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def staff_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))


def active_admins(app: Flask, site: str = "SITE01") -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(
                StaffUser.role == "admin",
                StaffUser.is_active.is_(True),
                StaffUser.email.like(f"%@{site.lower()}.example.org"),
            )
        )


def patch(client: FlaskClient, headers: dict[str, str], user_id: int, **change: object):
    return client.patch(
        f"/api/v1/staff/{user_id}", json={**change, "reason": "reorganising"}, headers=headers
    )


def test_the_last_active_admin_cannot_demote_themself(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    admin = make_staff("admin")
    response = patch(client, bearer(client, admin), staff_id(app, admin), role="coordinator")
    assert response.status_code == 409
    body = response.get_json()
    assert "last active admin" in body["message"]
    assert list(body["errors"]["json"]) == ["role"]
    assert active_admins(app) == 1


def test_the_last_active_admin_cannot_be_disabled(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    admin = make_staff("admin")
    response = patch(client, bearer(client, admin), staff_id(app, admin), is_active=False)
    assert response.status_code == 409
    assert list(response.get_json()["errors"]["json"]) == ["is_active"]
    assert client.get("/api/v1/auth/me", headers=bearer(client, admin)).status_code == 200


def test_a_disabled_admin_does_not_count_as_another_admin(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    admin, former = make_staff("admin"), make_staff("admin")
    headers = bearer(client, admin)
    assert patch(client, headers, staff_id(app, former), is_active=False).status_code == 200
    assert patch(client, headers, staff_id(app, admin), role="investigator").status_code == 409


def test_an_admin_of_another_site_does_not_count_either(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    admin = make_staff("admin")
    make_staff("admin", "SITE02")
    response = patch(client, bearer(client, admin), staff_id(app, admin), role="coordinator")
    assert response.status_code == 409


def test_with_two_admins_one_may_step_down(app: Flask, client: FlaskClient, make_staff) -> None:
    admin, colleague = make_staff("admin"), make_staff("admin")
    response = patch(client, bearer(client, admin), staff_id(app, colleague), role="coordinator")
    assert response.status_code == 200
    assert active_admins(app) == 1


def test_the_last_admin_may_still_be_given_the_admin_role_again_or_a_reason(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    admin = make_staff("admin")
    headers = bearer(client, admin)
    assert patch(client, headers, staff_id(app, admin), role="admin").status_code == 200
    assert patch(client, headers, staff_id(app, admin), is_active=True).status_code == 200


def test_two_admins_demoting_each_other_at_once_leave_the_site_one_admin(
    app: Flask, make_staff, clean_database: None
) -> None:
    """The first demotion holds the site's admin rows until it commits; the second waits for it,
    counts again and is refused. On SQLite the second waits for the first's write transaction."""
    first_admin, second_admin = make_staff("admin"), make_staff("admin")
    outcome: dict[str, str] = {}
    with app.app_context():
        first, second = Session(db.engine), Session(db.engine)

        def second_demotes_first_admin() -> None:
            with app.app_context():
                target = second.scalar(select(StaffUser).where(StaffUser.email == first_admin))
                try:
                    change_staff(second, target, role="coordinator", is_active=None, now=utcnow())
                    second.commit()
                    outcome["second"] = "demoted"
                except Conflict:
                    second.rollback()
                    outcome["second"] = "refused"

        try:
            target = first.scalar(select(StaffUser).where(StaffUser.email == second_admin))
            change_staff(first, target, role="coordinator", is_active=None, now=utcnow())
            first.flush()
            racer = threading.Thread(target=second_demotes_first_admin)
            racer.start()
            racer.join(timeout=LOCK_WAIT_SECONDS)
            waited = racer.is_alive()
            first.commit()
            racer.join(timeout=30)
        finally:
            first.close()
            second.close()

    assert waited, "the second demotion did not wait for the first"
    assert outcome == {"second": "refused"}
    assert active_admins(app) == 1
