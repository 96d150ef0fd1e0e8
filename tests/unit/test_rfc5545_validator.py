"""The test validator (tests/rfc5545.py) accepts a correct calendar and names each flaw it finds.

Each broken calendar differs from the good one by one flaw, so the test shows which check caught
it; the messages are matched so a check cannot pass by failing for another reason.
"""

from __future__ import annotations

import pytest

from tests.rfc5545 import assert_valid_icalendar, check_with_ical_js, check_with_icalendar

EVENT = "\r\n".join(
    [
        "BEGIN:VEVENT",
        "UID:visit-1@companion.example",
        "DTSTAMP:20260501T090000Z",
        "DTSTART;TZID=Europe/Paris:20260601T083000",
        "DTEND;TZID=Europe/Paris:20260601T123000",
        "SEQUENCE:0",
        "SUMMARY:Treatment visit 2",
        "DESCRIPTION:Bring your ID card\\, your study card\\; do not eat.",
        "STATUS:CONFIRMED",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-P1D",
        "DESCRIPTION:Tomorrow: treatment visit",
        "END:VALARM",
        "END:VEVENT",
    ]
)
GOOD = (
    "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Trial Companion//Validator test//EN",
            "METHOD:PUBLISH",
            "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Paris",
            "BEGIN:STANDARD",
            "DTSTART:20260101T000000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0100",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:20260329T020000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "DTSTART:20261025T030000",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "END:STANDARD",
            "END:VTIMEZONE",
            EVENT,
            "END:VCALENDAR",
        ]
    )
    + "\r\n"
)
PEOPLE = (
    "SEQUENCE:0\r\n"
    'ORGANIZER;CN="Study team, Paris":mailto:study@companion.example\r\n'
    "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:\r\n urn:uuid:9b2e4f1c-1111-4a5b-9c3d-0123456789ab"
)
REQUEST = GOOD.replace("METHOD:PUBLISH", "METHOD:REQUEST").replace("SEQUENCE:0", PEOPLE)


def changed(old: str, new: str, calendar: str = GOOD) -> bytes:
    """`calendar` with its first `old` replaced by `new`, as octets."""
    assert old in calendar, f"{old!r} is not in the calendar to change"
    return calendar.replace(old, new, 1).encode("utf-8")


def rejected(data: bytes, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        assert_valid_icalendar(data)


def test_a_correct_feed_is_accepted() -> None:
    assert_valid_icalendar(GOOD.encode("utf-8"))


def test_a_correct_request_is_accepted() -> None:
    assert_valid_icalendar(REQUEST.encode("utf-8"))


def test_an_event_without_dtstamp_is_rejected() -> None:
    rejected(changed("DTSTAMP:20260501T090000Z\r\n", ""), "has 0 DTSTAMP, needs exactly one")


def test_an_event_without_uid_is_rejected() -> None:
    rejected(changed("UID:visit-1@companion.example\r\n", ""), "has 0 UID")


def test_a_dtstamp_in_local_time_is_rejected() -> None:
    rejected(changed("DTSTAMP:20260501T090000Z", "DTSTAMP:20260501T090000"), "must be in UTC")


def test_dtend_before_dtstart_is_rejected() -> None:
    rejected(
        changed(
            "DTEND;TZID=Europe/Paris:20260601T123000", "DTEND;TZID=Europe/Paris:20260601T080000"
        ),
        "DTEND 20260601T080000 is not after DTSTART",
    )


def test_dtend_is_compared_with_dtstart_as_an_instant() -> None:
    # 07:00 UTC is 09:00 in Paris in June: after an 08:30 start, though 07:00 < 08:30.
    assert_valid_icalendar(
        changed("DTEND;TZID=Europe/Paris:20260601T123000", "DTEND:20260601T070000Z")
    )


def test_dtend_earlier_as_an_instant_is_rejected_though_its_clock_time_is_later() -> None:
    # 09:00 in Shanghai is 03:00 in Paris in June: before an 08:30 start.
    rejected(
        changed(
            "DTEND;TZID=Europe/Paris:20260601T123000",
            "DTEND:20260601T010000Z",
        ),
        "is not after DTSTART",
    )


def test_an_event_with_both_dtend_and_duration_is_rejected() -> None:
    rejected(changed("SEQUENCE:0", "SEQUENCE:0\r\nDURATION:PT4H"), "both DTEND and DURATION")


def test_lf_line_endings_are_rejected() -> None:
    rejected(GOOD.replace("\r\n", "\n").encode(), "bare LF")


def test_a_single_lf_among_crlf_is_rejected() -> None:
    rejected(changed("SEQUENCE:0\r\n", "SEQUENCE:0\n"), r"line \d+: bare LF")


def test_a_missing_final_crlf_is_rejected() -> None:
    rejected(GOOD.encode()[:-2], "does not end with CRLF")


def test_an_80_octet_line_is_rejected() -> None:
    rejected(changed("SUMMARY:Treatment visit 2", "SUMMARY:" + "x" * 72), "80 octets, more than 75")


def test_a_properly_folded_long_line_is_accepted() -> None:
    assert_valid_icalendar(changed("SUMMARY:Treatment visit 2", "SUMMARY:" + "x" * 67 + "\r\n xyz"))


def test_a_folded_line_without_leading_space_is_rejected() -> None:
    rejected(
        changed("SUMMARY:Treatment visit 2", "SUMMARY:Treatment\r\nvisit 2"),
        "a folded line must start with a space or a tab",
    )


def test_a_fold_inside_a_utf8_character_is_rejected() -> None:
    line = ("SUMMARY:" + "治疗" * 12).encode("utf-8")  # 80 octets; characters end at 8 + 3n
    split = line[:73] + b"\r\n " + line[73:]
    data = GOOD.encode("utf-8").replace(b"SUMMARY:Treatment visit 2", split)
    rejected(data, "a fold must not split a multi-byte character")


def test_a_fold_between_utf8_characters_is_accepted() -> None:
    line = ("SUMMARY:" + "治疗" * 12).encode("utf-8")
    data = GOOD.encode("utf-8").replace(
        b"SUMMARY:Treatment visit 2", line[:74] + b"\r\n " + line[74:]
    )
    assert_valid_icalendar(data)


def test_an_end_that_closes_the_wrong_component_is_rejected() -> None:
    rejected(changed("END:VALARM", "END:VEVENT"), "END:VEVENT closes BEGIN:VALARM")


def test_a_component_never_closed_is_rejected() -> None:
    rejected(changed("END:VCALENDAR\r\n", ""), "BEGIN:VCALENDAR at line 1 is never closed")


def test_a_calendar_without_prodid_is_rejected() -> None:
    rejected(changed("PRODID:-//Trial Companion//Validator test//EN\r\n", ""), "0 PRODID")


def test_a_version_other_than_2_0_is_rejected() -> None:
    rejected(changed("VERSION:2.0", "VERSION:1.0"), "VERSION:1.0, not 2.0")


def test_an_unknown_method_is_rejected() -> None:
    rejected(changed("METHOD:PUBLISH", "METHOD:ADD"), "METHOD:ADD, not one of")


def test_a_tzid_without_vtimezone_is_rejected() -> None:
    rejected(
        changed("DTEND;TZID=Europe/Paris", "DTEND;TZID=Europe/Berlin"),
        "uses TZID=Europe/Berlin, which no VTIMEZONE defines",
    )


def test_a_vtimezone_without_standard_or_daylight_is_rejected() -> None:
    calendar = GOOD[: GOOD.index("BEGIN:STANDARD")] + GOOD[GOOD.index("END:VTIMEZONE") :]
    rejected(calendar.encode(), "has no STANDARD or DAYLIGHT")


def test_an_observance_without_tzoffsetto_is_rejected() -> None:
    rejected(changed("TZOFFSETTO:+0200\r\n", ""), "DAYLIGHT at line 13 has 0 TZOFFSETTO")


def test_a_vtimezone_that_disagrees_with_the_tz_database_is_rejected() -> None:
    rejected(
        changed("TZOFFSETTO:+0200", "TZOFFSETTO:+0300"),
        "DTSTART is 2026-06-01 06:30Z by the tz database but 2026-06-01 05:30Z by the file",
    )


def test_an_unescaped_comma_in_a_summary_is_rejected() -> None:
    rejected(changed("SUMMARY:Treatment visit 2", "SUMMARY:Visit 2, clinic"), "unescaped ','")


def test_an_unescaped_semicolon_in_a_description_is_rejected() -> None:
    rejected(changed("card\\;", "card;"), "DESCRIPTION has an unescaped ';'")


def test_an_unknown_backslash_escape_is_rejected() -> None:
    rejected(changed("SUMMARY:Treatment visit 2", "SUMMARY:Visit\\t2"), "unknown escape")


def test_a_negative_sequence_is_rejected() -> None:
    rejected(changed("SEQUENCE:0", "SEQUENCE:-1"), "SEQUENCE:-1 is not a non-negative integer")


def test_an_unknown_status_is_rejected() -> None:
    rejected(changed("STATUS:CONFIRMED", "STATUS:DONE"), "STATUS:DONE is not one of")


def test_a_duplicate_uid_is_rejected() -> None:
    rejected(changed("END:VEVENT", "END:VEVENT\r\n" + EVENT), "UID used by more than one VEVENT")


def test_refresh_interval_without_value_duration_is_rejected() -> None:
    rejected(
        changed("REFRESH-INTERVAL;VALUE=DURATION:PT6H", "REFRESH-INTERVAL:PT6H"),
        "REFRESH-INTERVAL needs VALUE=DURATION",
    )


def test_an_alarm_without_trigger_is_rejected() -> None:
    rejected(changed("TRIGGER:-P1D\r\n", ""), "VALARM at line 33 has 0 TRIGGER")


def test_a_display_alarm_without_description_is_rejected() -> None:
    rejected(changed("DESCRIPTION:Tomorrow: treatment visit\r\n", ""), "has 0 DESCRIPTION")


def test_a_request_without_organizer_is_rejected() -> None:
    organizer = 'ORGANIZER;CN="Study team, Paris":mailto:study@companion.example\r\n'
    rejected(changed(organizer, "", REQUEST), "METHOD:REQUEST needs an ORGANIZER")


def test_a_request_without_attendee_is_rejected() -> None:
    attendee = REQUEST[REQUEST.index("ATTENDEE") : REQUEST.index("SUMMARY")]
    rejected(changed(attendee, "", REQUEST), "METHOD:REQUEST needs an ATTENDEE")


def test_a_cancel_that_keeps_its_alarm_is_rejected() -> None:
    cancel = REQUEST.replace("METHOD:REQUEST", "METHOD:CANCEL")
    rejected(changed("STATUS:CONFIRMED", "STATUS:CANCELLED", cancel), "must not carry a VALARM")


def test_icalendar_parse_errors_are_reported() -> None:
    with pytest.raises(AssertionError, match=r"icalendar: VEVENT: .*SEQUENCE"):
        check_with_icalendar(changed("SEQUENCE:0", "SEQUENCE:zero"))


def test_ical_js_parse_errors_are_reported() -> None:
    with pytest.raises(AssertionError, match=r"ical\.js: invalid line"):
        check_with_ical_js(changed("VERSION:2.0", "VERSION 2.0"), [])
