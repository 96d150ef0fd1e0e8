"""The patient's calendar feed and single-visit invites, read back with `icalendar`.

The feed answers without a login at an unguessable address that staff can replace; every output
passes the suite's RFC 5545 checks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import Visit
from tests.enrolments import enrol, visit_named
from tests.rfc5545 import assert_valid_icalendar

FORBIDDEN_WORDS = ("melanoma", "cancer", "cadonilimab", "interferon", "ifn", "nct0", "tumour")


@pytest.fixture
def coordinator(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def enrolled(client: FlaskClient, coordinator: dict[str, str]) -> dict[str, Any]:
    return enrol(client, coordinator)


def feed(client: FlaskClient, url: str) -> Calendar:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert_valid_icalendar(response.data)
    return Calendar.from_ical(response.data)


def events_by_uid(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_answers_without_a_login_with_one_event_per_visit(
    client: FlaskClient, enrolled: dict[str, Any]
) -> None:
    calendar = feed(client, enrolled["calendar_url"])
    assert len(calendar.walk("VEVENT")) == len(enrolled["visits"])


def test_the_feed_carries_the_patient_s_time_zone(
    client: FlaskClient, enrolled: dict[str, Any]
) -> None:
    calendar = feed(client, enrolled["calendar_url"])
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    first = calendar.walk("VEVENT")[0]
    assert str(first["DTSTART"].dt.tzinfo) == "Asia/Shanghai"


def test_uids_stay_and_sequences_grow_across_a_reschedule(
    client: FlaskClient, coordinator: dict[str, str], enrolled: dict[str, Any]
) -> None:
    before = events_by_uid(feed(client, enrolled["calendar_url"]))
    c2d1 = visit_named(enrolled["visits"], "c2d1")
    moved = client.post(
        f"/api/v1/visits/{c2d1['id']}/reschedule",
        json={"date": c2d1["window_end"], "reason": "Patient travelling"},
        headers=coordinator,
    ).get_json()["visits"]
    after = events_by_uid(feed(client, enrolled["calendar_url"]))
    assert after.keys() == before.keys()
    grown = {uid for uid in after if after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]}
    moved_starts = {uid for uid in after if after[uid]["DTSTART"].dt != before[uid]["DTSTART"].dt}
    assert len(grown) == len(moved)
    assert moved_starts <= grown


def test_a_cancelled_visit_stays_in_the_feed_marked_cancelled(
    client: FlaskClient, coordinator: dict[str, str], enrolled: dict[str, Any]
) -> None:
    c2d1 = visit_named(enrolled["visits"], "c2d1")
    client.post(
        f"/api/v1/visits/{c2d1['id']}/status",
        json={"status": "cancelled", "reason": "Withdrew"},
        headers=coordinator,
    )
    statuses = [str(e["STATUS"]) for e in feed(client, enrolled["calendar_url"]).walk("VEVENT")]
    assert statuses.count("CANCELLED") == 1
    assert len(statuses) == len(enrolled["visits"])


def test_each_visit_has_an_alarm_the_day_before(
    client: FlaskClient, enrolled: dict[str, Any]
) -> None:
    for event in feed(client, enrolled["calendar_url"]).walk("VEVENT"):
        (alarm,) = event.walk("VALARM")
        assert alarm["TRIGGER"].dt.days == -1


def test_the_feed_never_names_the_disease_the_drugs_or_the_trial(
    client: FlaskClient, enrolled: dict[str, Any]
) -> None:
    text = client.get(urlsplit(enrolled["calendar_url"]).path).data.decode().lower()
    for word in FORBIDDEN_WORDS:
        assert word not in text, word


def test_a_chinese_speaking_patient_gets_the_feed_in_chinese(
    client: FlaskClient, coordinator: dict[str, str]
) -> None:
    enrolled = enrol(client, coordinator, language="zh")
    summaries = [str(e["SUMMARY"]) for e in feed(client, enrolled["calendar_url"]).walk("VEVENT")]
    assert "第1次治疗" in summaries


def test_the_feed_is_stamped_with_its_last_change_so_unchanged_feeds_are_identical(
    app: Flask, client: FlaskClient, enrolled: dict[str, Any]
) -> None:
    with app.app_context():
        last_change = db.session.scalar(select(func.max(Visit.changed_at)))
    stamps = {e["DTSTAMP"].dt for e in feed(client, enrolled["calendar_url"]).walk("VEVENT")}
    assert stamps == {last_change.replace(microsecond=0)}


def test_an_unchanged_feed_answers_304_to_a_conditional_request(
    client: FlaskClient, enrolled: dict[str, Any]
) -> None:
    path = urlsplit(enrolled["calendar_url"]).path
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_new_calendar_link_replaces_the_old_one(
    client: FlaskClient, coordinator: dict[str, str], enrolled: dict[str, Any]
) -> None:
    response = client.post(
        f"/api/v1/patients/{enrolled['patient_id']}/calendar-link", headers=coordinator
    )
    assert response.status_code == 201
    assert client.get(urlsplit(enrolled["calendar_url"]).path).status_code == 410
    feed(client, response.get_json()["url"])


def test_an_unknown_feed_address_is_not_found(client: FlaskClient) -> None:
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_a_visit_invite_is_a_request_and_a_cancelled_one_a_cancel(
    client: FlaskClient, coordinator: dict[str, str], enrolled: dict[str, Any]
) -> None:
    c2d1 = visit_named(enrolled["visits"], "c2d1")
    invite = client.get(f"/api/v1/visits/{c2d1['id']}/invite", headers=coordinator)
    assert invite.headers["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert_valid_icalendar(invite.data)
    client.post(
        f"/api/v1/visits/{c2d1['id']}/status",
        json={"status": "cancelled", "reason": "Withdrew"},
        headers=coordinator,
    )
    withdrawn = client.get(f"/api/v1/visits/{c2d1['id']}/invite", headers=coordinator)
    assert_valid_icalendar(withdrawn.data)
    request_event = Calendar.from_ical(invite.data).walk("VEVENT")[0]
    cancel = Calendar.from_ical(withdrawn.data)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert cancel.walk("VEVENT")[0]["UID"] == request_event["UID"]
    assert cancel.walk("VEVENT")[0]["SEQUENCE"] > request_event["SEQUENCE"]
