"""Patients' links: one purpose, an expiry, stored as digests; reading never spends them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from companion.access.links import LinkGone, issue_link, open_link, revoke_link, use_link
from companion.access.models import PatientLink
from companion.db import db
from companion.errors import NotFound
from companion.sites.service import site_by_code
from companion.timestamps import utcnow

DAY = timedelta(days=1)


@pytest.fixture
def new_link(app: Flask, clean_database: None):
    def issue(*, single_use: bool = True, lifetime: timedelta = DAY) -> str:
        with app.app_context():
            site = site_by_code(db.session, "SITE01", create_with_name="Site 1")
            token = issue_link(
                db.session,
                purpose="symptom_form",
                site_id=site.id,
                subject_type="patient",
                subject_id=7,
                lifetime=lifetime,
                single_use=single_use,
                now=utcnow(),
            )
            db.session.commit()
            return token

    return issue


def test_only_a_digest_of_the_token_is_stored(app: Flask, new_link) -> None:
    token = new_link()
    with app.app_context():
        stored = db.session.scalars(select(PatientLink)).one()
    assert token not in stored.digest


def test_opening_a_single_use_link_does_not_spend_it(app: Flask, new_link) -> None:
    token = new_link()
    with app.app_context():
        for _ in range(3):  # a mail scanner, a preview, the patient
            assert open_link(db.session, token, "symptom_form", utcnow()).subject_id == 7
        db.session.commit()
        assert use_link(db.session, token, "symptom_form", utcnow()).used_at is not None


def test_a_single_use_link_works_once(app: Flask, new_link) -> None:
    token = new_link()
    with app.app_context():
        use_link(db.session, token, "symptom_form", utcnow())
        db.session.commit()
        with pytest.raises(LinkGone):
            use_link(db.session, token, "symptom_form", utcnow())
        with pytest.raises(LinkGone):
            open_link(db.session, token, "symptom_form", utcnow())


def test_a_link_for_many_uses_keeps_working(app: Flask, new_link) -> None:
    token = new_link(single_use=False)
    with app.app_context():
        for _ in range(3):
            assert use_link(db.session, token, "symptom_form", utcnow()).used_at is None


def test_an_expired_or_revoked_link_is_gone(app: Flask, new_link) -> None:
    expired, revoked = new_link(lifetime=timedelta(seconds=-1)), new_link()
    with app.app_context():
        with pytest.raises(LinkGone):
            open_link(db.session, expired, "symptom_form", utcnow())
        revoke_link(db.session, open_link(db.session, revoked, "symptom_form", utcnow()), utcnow())
        db.session.commit()
        with pytest.raises(LinkGone):
            open_link(db.session, revoked, "symptom_form", utcnow())


def test_a_link_opens_only_for_its_own_purpose(app: Flask, new_link) -> None:
    token = new_link()
    with app.app_context(), pytest.raises(NotFound):
        open_link(db.session, token, "calendar_feed", utcnow())


def test_two_simultaneous_uses_of_a_single_use_link_succeed_once(app: Flask, new_link) -> None:
    token = new_link()
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def submit() -> None:
        with app.app_context():
            start.wait()
            try:
                use_link(db.session, token, "symptom_form", utcnow())
                db.session.commit()
                outcomes.append("used")
            except LinkGone:
                db.session.rollback()
                outcomes.append("gone")

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["gone", "gone", "gone", "used"]
