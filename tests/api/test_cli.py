"""Command-line tools: demo data, lead lists, purging, trial file checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from companion.access.models import StaffUser
from companion.db import db
from companion.enrolment.models import ClosedDay, InjectionLogEntry, Patient, Visit
from companion.messaging.models import PENDING, SENT, InboundMessage, OutboundMessage
from companion.prescreen.models import Lead, PrescreenSession
from companion.sites.models import Site
from companion.timestamps import utcnow


@pytest.fixture
def runner(app: Flask, clean_database: None):
    return app.test_cli_runner()


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_demo_data_shows_leads_and_pre_screens_and_loads_once(app: Flask, runner) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0
    assert "likely_eligible" in first.output
    assert "not_eligible" in first.output
    assert (count(app, Lead), count(app, PrescreenSession)) == (2, 5)  # one by chat
    assert "already loaded" in runner.invoke(args=["demo", "load"]).output
    assert (count(app, Lead), count(app, PrescreenSession)) == (2, 5)  # one by chat


def test_demo_data_is_refused_in_production_and_writes_nothing(
    app: Flask, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "COMPANION_ENV", "production")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "refused with COMPANION_ENV=production" in result.output
    assert (count(app, Site), count(app, StaffUser), count(app, Lead)) == (0, 0, 0)


def test_demo_data_enrols_patients_with_visits_shots_and_working_links(
    app: Flask, runner, client
) -> None:
    output = runner.invoke(args=["demo", "load"]).output
    assert (count(app, Patient), count(app, ClosedDay)) == (2, 1)
    with app.app_context():
        statuses = [visit.status for visit in db.session.scalars(select(Visit))]
        shots = db.session.scalars(select(InjectionLogEntry.outcome)).all()
    assert statuses.count("done") == 2
    assert sorted(shots) == ["missed", "reaction", "taken", "taken"]
    links = [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith(("/my/", "/calendar/"))
    ]
    assert len(links) == 4
    assert all(client.get(link).status_code == 200 for link in links)


def test_demo_data_shows_reminders_sent_by_the_dispatcher_and_texts_back(
    app: Flask, runner
) -> None:
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        sent = db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.status == SENT)
        ).all()
        pending = db.session.scalar(select(func.count()).where(OutboundMessage.status == PENDING))
        texts_in = db.session.scalars(
            select(InboundMessage.handled_as).order_by(InboundMessage.received_at)
        ).all()
        confirmed = db.session.scalars(select(Visit.key).where(Visit.confirmed_at.is_not(None)))
        confirmed = confirmed.all()
    now = utcnow()
    assert {message.kind for message in sent} >= {"visit_eve", "visit_morning", "home_shot"}
    assert all(message.sent_at < now and message.provider_sid for message in sent)
    assert pending > 0
    assert texts_in[:6] == ["confirm", *["chat"] * 4, "help"]  # a symptom: test_symptom_demo.py
    assert confirmed == ["c1d1"]


def test_a_site_s_leads_are_listed_oldest_first(runner) -> None:
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["leads", "list", "--site", "SITE01"])
    lines = result.stdout.strip().splitlines()
    assert result.exit_code == 0
    assert [line.split("\t")[4] for line in lines] == ["Demo Patient Wang", "演示患者 李"]


def test_listing_an_unknown_site_names_the_option(runner) -> None:
    result = runner.invoke(args=["leads", "list", "--site", "NOPE"])
    assert result.exit_code != 0
    assert "--site" in result.output


def test_purging_removes_expired_pre_screens_but_keeps_those_with_leads(app: Flask, runner) -> None:
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        for record in db.session.scalars(select(PrescreenSession)):
            record.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["prescreen", "purge-expired"])
    assert "removed 3 expired pre-screen session(s)" in result.output
    assert (count(app, PrescreenSession), count(app, Lead)) == (2, 2)


def test_the_shipped_trial_file_checks_out(runner) -> None:
    result = runner.invoke(args=["trials", "check"])
    assert result.exit_code == 0
    assert "NCT07586904" in result.output
    assert "46 criteria" in result.output


def test_the_site_s_readings_of_ambiguous_criteria_are_listed(runner) -> None:
    result = runner.invoke(args=["trials", "notes", "NCT07586904"])
    assert "exc_steroids_immunosuppressants" in result.output
    assert "10 mg/day" in result.output
