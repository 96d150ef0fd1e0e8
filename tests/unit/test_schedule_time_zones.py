"""Visit times are local times in the patient's zone, right across daylight-saving changes."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from schedules import build_calendar, load_protocol

NEW_YORK = "America/New_York"


def check_ins_around(c1d1: date):
    cal = build_calendar(load_protocol("NCT07586904", 2), c1d1, NEW_YORK)
    return cal.visit("c1d1").starts_at, cal.visit("checkin_d8").starts_at


def test_spring_forward_keeps_the_local_time_and_changes_the_utc_offset() -> None:
    before, after = check_ins_around(date(2026, 3, 4))  # 2026-03-08 lies between
    assert before.time() == time(8, 30)
    assert after.time() == time(10, 0)
    assert before.utcoffset() == timedelta(hours=-5)
    assert after.utcoffset() == timedelta(hours=-4)


def test_fall_back_keeps_the_local_time_and_changes_the_utc_offset() -> None:
    before, after = check_ins_around(date(2026, 10, 28))  # 2026-11-01 lies between
    assert (before.time(), after.time()) == (time(8, 30), time(10, 0))
    assert before.utcoffset() == timedelta(hours=-4)
    assert after.utcoffset() == timedelta(hours=-5)


def test_times_are_aware_and_named_for_the_patient_zone() -> None:
    starts_at, _ = check_ins_around(date(2026, 3, 4))
    assert str(starts_at.tzinfo) == NEW_YORK


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        build_calendar(load_protocol("NCT07586904"), date(2026, 3, 2), "Mars/Olympus")


def test_a_visit_ends_after_its_length_by_the_wall_clock() -> None:
    visit = build_calendar(load_protocol("NCT07586904", 2), date(2026, 3, 4), NEW_YORK).visit(
        "c1d1"
    )
    assert visit.ends_at.time() == time(12, 30)  # 08:30 and four hours
    assert str(visit.ends_at.tzinfo) == NEW_YORK
