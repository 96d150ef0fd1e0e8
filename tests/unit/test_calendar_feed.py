"""schedules.ics: the real protocol's visits as a subscription feed and as e-mailed invitations.

Every rendered object passes the strict check of tests/rfc5545.py (which also has icalendar and
ical.js read it), then is read back with icalendar to check what a calendar app will show.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar as ICalendar
from icalendar import Event

from schedules import Calendar, build_calendar, load_protocol
from schedules.ics import (
    MEDIA_TYPE,
    CalendarEvent,
    invite_media_type,
    render_feed,
    render_invite,
)
from tests.rfc5545 import assert_valid_icalendar

PROTOCOL = load_protocol("NCT07586904", 3)
PARIS = "Europe/Paris"
SHANGHAI = "Asia/Shanghai"
# Cycle 1 day 1 on 10 March 2026: cycle 1 is in winter time, cycle 2 (31 March) in summer time
# after the change of 29 March, and the check-ups run past the change back on 25 October.
ANCHOR = date(2026, 3, 10)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHANGED_AT = datetime(2026, 2, 20, 16, 45, tzinfo=UTC)
PATIENT = uuid.UUID("9b2e4f1c-6d0a-4a5b-9c3d-0123456789ab")
ORGANIZER = {"organizer_email": "visits@companion.example", "organizer_name": "Study team"}
ATTENDEE = f"urn:uuid:{PATIENT}"
REMINDER = {"en": "Tomorrow: {}", "zh": "明天：{}"}
LOCATION = {"en": "Clinic, building B; floor 2", "zh": "门诊，B栋；2楼"}
NAME = {"en": "My study visits", "zh": "我的研究访视"}


def visit_uid(key: str) -> str:
    return f"{uuid.uuid5(PATIENT, key)}@companion.example"


def events_for(
    calendar: Calendar,
    language: str = "en",
    *,
    sequences: dict[str, int] | None = None,
    cancelled: Collection[str] = (),
    without_reminder: Collection[str] = (),
) -> list[CalendarEvent]:
    """What the application would pass: one event per visit, texts in the patient's language."""
    sequences = sequences or {}
    return [
        CalendarEvent(
            uid=visit_uid(visit.key),
            sequence=sequences.get(visit.key, 0),
            changed_at=CHANGED_AT,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            summary=visit.name[language],
            description=" ".join(PROTOCOL.preparation[key][language] for key in visit.preparation),
            location=LOCATION[language] if visit.place == "clinic" else None,
            cancelled=visit.key in cancelled,
            reminder=None
            if visit.key in without_reminder
            else REMINDER[language].format(visit.name[language]),
        )
        for visit in calendar.visits
    ]


def paris_events(**options) -> list[CalendarEvent]:
    return events_for(build_calendar(PROTOCOL, ANCHOR, PARIS), **options)


def feed(
    events: Sequence[CalendarEvent],
    language: str = "en",
    *,
    now: datetime = NOW,
    refresh: timedelta = timedelta(hours=6),
) -> bytes:
    data = render_feed(events, name=NAME[language], now=now, language=language, refresh=refresh)
    assert_valid_icalendar(data)
    return data


def invite(event: CalendarEvent, method: str, language: str = "en") -> bytes:
    data = render_invite(
        event, method=method, attendee=ATTENDEE, now=NOW, language=language, **ORGANIZER
    )
    assert_valid_icalendar(data)
    return data


def read(data: bytes) -> ICalendar:
    return ICalendar.from_ical(data)


def vevents(data: bytes) -> dict[str, Event]:
    return {str(event["UID"]): event for event in read(data).walk("VEVENT")}


def vevent(data: bytes, key: str) -> Event:
    return vevents(data)[visit_uid(key)]


def first_visit_with(**changes: object) -> CalendarEvent:
    """The first Paris visit with some fields changed."""
    first = paris_events()[0]
    fields = {name: getattr(first, name) for name in CalendarEvent.__slots__}
    return CalendarEvent(**(fields | changes))


# --- the feed -----------------------------------------------------------------------------


def test_the_feed_has_one_vevent_per_visit() -> None:
    calendar = build_calendar(PROTOCOL, ANCHOR, PARIS)
    assert set(vevents(feed(events_for(calendar)))) == {visit_uid(v.key) for v in calendar.visits}


def test_rendering_the_same_visits_twice_gives_the_same_octets() -> None:
    assert feed(paris_events()) == feed(paris_events())


def test_a_moved_visit_keeps_its_uid() -> None:
    moved = build_calendar(PROTOCOL, ANCHOR, PARIS, rescheduled_dates={"c2d1": date(2026, 4, 1)})
    before = vevents(feed(paris_events()))
    after = vevents(feed(events_for(moved, sequences={"c2d1": 1})))
    assert set(after) == set(before)
    assert after[visit_uid("c2d1")].decoded("DTSTART").date() == date(2026, 4, 1)


def test_the_sequence_is_written_as_given() -> None:
    data = feed(paris_events(sequences={"c2d1": 3}))
    assert vevent(data, "c2d1").decoded("SEQUENCE") == 3
    assert vevent(data, "c1d1").decoded("SEQUENCE") == 0


def test_dtstamp_is_the_time_of_rendering_in_utc() -> None:
    data = feed(paris_events(), now=NOW.astimezone(ZoneInfo(PARIS)))  # 10:00 in Paris
    assert b"\r\nDTSTAMP:20260301T090000Z\r\n" in data
    assert {event.decoded("DTSTAMP") for event in vevents(data).values()} == {NOW}


def test_last_modified_is_when_the_visit_last_changed() -> None:
    assert vevent(feed(paris_events()), "c1d1").decoded("LAST-MODIFIED") == CHANGED_AT


def test_the_alarm_fires_one_day_before_the_start() -> None:
    (alarm,) = vevent(feed(paris_events()), "c1d1").walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(days=-1)
    assert alarm["TRIGGER"].params.get("RELATED", "START") == "START"


def test_the_alarm_displays_the_reminder_text() -> None:
    (alarm,) = vevent(feed(paris_events()), "c1d1").walk("VALARM")
    assert (str(alarm["ACTION"]), str(alarm["DESCRIPTION"])) == (
        "DISPLAY",
        "Tomorrow: Treatment visit 1",
    )


def test_a_visit_without_a_reminder_has_no_alarm() -> None:
    assert vevent(feed(paris_events(without_reminder={"c1d1"})), "c1d1").walk("VALARM") == []


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled() -> None:
    event = vevent(feed(paris_events(cancelled={"c2d1"})), "c2d1")
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_cancelled_visit_loses_its_alarm() -> None:
    assert vevent(feed(paris_events(cancelled={"c2d1"})), "c2d1").walk("VALARM") == []


def test_a_visit_is_confirmed_busy_and_private() -> None:
    event = vevent(feed(paris_events()), "c1d1")
    assert [str(event[name]) for name in ("STATUS", "TRANSP", "CLASS")] == [
        "CONFIRMED",
        "OPAQUE",
        "PRIVATE",
    ]


def test_a_phone_visit_has_no_location() -> None:
    assert "LOCATION" not in vevent(feed(paris_events()), "checkin_d8")


def test_the_feed_is_published_under_the_calendar_name() -> None:
    calendar = read(feed(paris_events()))
    assert [str(calendar[name]) for name in ("METHOD", "NAME", "X-WR-CALNAME")] == [
        "PUBLISH",
        "My study visits",
        "My study visits",
    ]


def test_refresh_interval_is_a_duration_and_outlook_gets_the_same_ttl() -> None:
    data = feed(paris_events())
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in data


def test_the_refresh_interval_can_be_chosen() -> None:
    data = feed(paris_events(), refresh=timedelta(hours=1, minutes=30))
    assert read(data).decoded("REFRESH-INTERVAL") == timedelta(hours=1, minutes=30)
    assert b"\r\nX-PUBLISHED-TTL:PT1H30M\r\n" in data


# --- time zones ---------------------------------------------------------------------------


def test_the_feed_has_one_vtimezone_for_the_patient_zone() -> None:
    zones = read(feed(paris_events())).walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == [PARIS]


def test_the_vtimezone_covers_the_years_of_the_visits_only() -> None:
    (zone,) = read(feed(paris_events())).walk("VTIMEZONE")
    onsets = [observance.decoded("DTSTART") for observance in zone.subcomponents]
    last_visit = max(event.ends_at for event in paris_events())
    assert min(onsets) == datetime(2026, 1, 1)
    assert max(onsets).year == last_visit.year == 2028


def test_the_start_time_survives_the_spring_change_in_paris() -> None:
    data = feed(paris_events())
    before, after = (vevent(data, key).decoded("DTSTART") for key in ("c1d1", "c2d1"))
    assert (before.time(), after.time()) == (time(8, 30), time(8, 30))
    assert (before.utcoffset(), after.utcoffset()) == (timedelta(hours=1), timedelta(hours=2))


def test_the_start_time_survives_the_autumn_change_in_paris() -> None:
    data = feed(paris_events())
    before, after = (
        vevent(data, key).decoded("DTSTART") for key in ("surveillance_1", "surveillance_2")
    )
    assert (before.time(), after.time()) == (time(9, 0), time(9, 0))
    assert (before.utcoffset(), after.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))


def test_a_patient_in_shanghai_gets_shanghai_time_without_daylight_saving() -> None:
    data = feed(events_for(build_calendar(PROTOCOL, ANCHOR, SHANGHAI), "zh"), "zh")
    (zone,) = read(data).walk("VTIMEZONE")
    start = vevent(data, "c2d1").decoded("DTSTART")
    assert (str(zone["TZID"]), zone.walk("DAYLIGHT")) == (SHANGHAI, [])
    assert (start.time(), start.utcoffset()) == (time(8, 30), timedelta(hours=8))


def test_visits_in_two_zones_get_a_vtimezone_each() -> None:
    shanghai = events_for(build_calendar(PROTOCOL, ANCHOR, SHANGHAI))[1:2]
    zones = read(feed([*paris_events()[:1], *shanghai])).walk("VTIMEZONE")
    assert sorted(str(zone["TZID"]) for zone in zones) == [SHANGHAI, PARIS]


# --- text ---------------------------------------------------------------------------------


def test_chinese_text_round_trips() -> None:
    event = vevent(feed(events_for(build_calendar(PROTOCOL, ANCHOR, SHANGHAI), "zh"), "zh"), "c1d1")
    assert str(event["SUMMARY"]) == "第1次治疗"
    assert str(event["LOCATION"]) == "门诊，B栋；2楼"


def test_texts_are_marked_with_the_patient_language() -> None:
    event = vevent(feed(events_for(build_calendar(PROTOCOL, ANCHOR, SHANGHAI), "zh"), "zh"), "c1d1")
    assert {event[name].params["LANGUAGE"] for name in ("SUMMARY", "DESCRIPTION", "LOCATION")} == {
        "zh"
    }


def test_a_long_chinese_description_is_folded_without_splitting_a_character() -> None:
    description = "抽血前8小时不要吃东西。可以喝水。" * 12
    data = feed([first_visit_with(description=description)], "zh")
    assert any(line.startswith(b" ") for line in data.split(b"\r\n"))
    assert str(read(data).walk("VEVENT")[0]["DESCRIPTION"]) == description


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_a_fold_never_separates_a_backslash_from_what_it_escapes(padding: int) -> None:
    description = "x" * padding + "a, b; " * 30  # an escape every 3 or 4 octets
    data = feed([first_visit_with(description=description)])
    lines = data.split(b"\r\n")
    folded = [line for line, after in pairwise(lines) if after.startswith(b" ")]
    assert folded
    assert all((len(line) - len(line.rstrip(b"\\"))) % 2 == 0 for line in folded)
    assert str(read(data).walk("VEVENT")[0]["DESCRIPTION"]) == description


def test_commas_semicolons_and_backslashes_round_trip() -> None:
    summary = r"Visit 2, part A; see C:\notes"
    data = feed([first_visit_with(summary=summary)])
    assert b"SUMMARY;LANGUAGE=en:Visit 2\\, part A\\; see C:\\\\notes\r\n" in data
    assert str(read(data).walk("VEVENT")[0]["SUMMARY"]) == summary


def test_line_breaks_in_a_description_round_trip() -> None:
    data = feed([first_visit_with(description="Bring your ID.\r\nDo not eat.\nDrink water.")])
    assert (
        str(read(data).walk("VEVENT")[0]["DESCRIPTION"])
        == "Bring your ID.\nDo not eat.\nDrink water."
    )


# --- invitations --------------------------------------------------------------------------


def test_an_invitation_is_a_request_from_the_organizer_to_the_patient() -> None:
    calendar = read(invite(paris_events()[1], "REQUEST"))
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]) == "mailto:visits@companion.example"
    assert event["ORGANIZER"].params["CN"] == "Study team"
    assert str(event["ATTENDEE"]) == ATTENDEE


def test_the_patient_is_not_asked_to_reply() -> None:
    (event,) = read(invite(paris_events()[1], "REQUEST")).walk("VEVENT")
    assert dict(event["ATTENDEE"].params) == {"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"}


def test_an_invitation_has_the_uid_and_sequence_of_the_feed() -> None:
    in_feed = vevent(feed(paris_events(sequences={"c1d1": 2})), "c1d1")
    (invited,) = read(invite(paris_events(sequences={"c1d1": 2})[1], "REQUEST")).walk("VEVENT")
    assert (str(invited["UID"]), invited.decoded("SEQUENCE")) == (str(in_feed["UID"]), 2)


def test_an_invitation_carries_the_alarm_and_the_vtimezone() -> None:
    calendar = read(invite(paris_events()[1], "REQUEST"))
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == [PARIS]
    assert len(calendar.walk("VALARM")) == 1


def test_a_cancellation_is_a_cancel_with_status_cancelled_and_the_bumped_sequence() -> None:
    cancelled = paris_events(sequences={"c1d1": 1}, cancelled={"c1d1"})[1]
    calendar = read(invite(cancelled, "CANCEL"))
    (event,) = calendar.walk("VEVENT")
    assert (str(calendar["METHOD"]), str(event["STATUS"])) == ("CANCEL", "CANCELLED")
    assert (str(event["UID"]), event.decoded("SEQUENCE")) == (visit_uid("c1d1"), 1)


def test_a_cancellation_has_no_alarm() -> None:
    cancelled = paris_events(sequences={"c1d1": 1}, cancelled={"c1d1"})[1]
    assert read(invite(cancelled, "CANCEL")).walk("VALARM") == []


def test_a_request_for_a_cancelled_visit_is_refused() -> None:
    cancelled = paris_events(cancelled={"c1d1"})[1]
    with pytest.raises(ValueError, match="send it with method CANCEL"):
        render_invite(
            cancelled, method="REQUEST", attendee=ATTENDEE, now=NOW, language="en", **ORGANIZER
        )


def test_an_organizer_name_with_quotes_and_commas_round_trips() -> None:
    data = render_invite(
        paris_events()[1],
        method="REQUEST",
        organizer_email="visits@companion.example",
        organizer_name='Study team "Paris", room 2',
        attendee=ATTENDEE,
        now=NOW,
        language="en",
    )
    assert_valid_icalendar(data)
    (event,) = read(data).walk("VEVENT")
    assert event["ORGANIZER"].params["CN"] == 'Study team "Paris", room 2'


def test_the_media_types_name_utf8_and_the_invitation_method() -> None:
    assert MEDIA_TYPE == "text/calendar; charset=utf-8"
    assert invite_media_type("CANCEL") == "text/calendar; charset=utf-8; method=CANCEL"


# --- what the renderer refuses ------------------------------------------------------------


def test_a_start_without_a_zoneinfo_zone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"zoneinfo\.ZoneInfo"):
        first_visit_with(starts_at=datetime(2026, 3, 10, 8, 30, tzinfo=UTC))


def test_an_end_not_after_the_start_is_refused() -> None:
    first = paris_events()[0]
    with pytest.raises(ValueError, match="not after its start"):
        first_visit_with(ends_at=first.starts_at)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        render_feed(paris_events(), name="Visits", now=datetime(2026, 3, 1, 9), language="en")


def test_a_language_that_is_not_a_language_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="not a language tag"):
        render_feed(paris_events(), name="Visits", now=NOW, language="en;X=1")
