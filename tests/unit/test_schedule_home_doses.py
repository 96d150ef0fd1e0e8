"""Home injections: a series of doses every other day, not clinic visits."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from schedules import build_calendar, load_protocol

C1D1 = date(2026, 3, 2)


def build(**actual: date):
    return build_calendar(
        load_protocol("NCT07586904", 2), C1D1, "Asia/Shanghai", actual_dates=actual
    )


def test_home_doses_start_on_cycle_1_day_1() -> None:
    assert build().home_doses[0].day == C1D1


def test_home_doses_are_every_other_day() -> None:
    days = [dose.day for dose in build().home_doses]
    assert {b - a for a, b in itertools.pairwise(days)} == {timedelta(days=2)}


def test_home_doses_stop_at_least_3_days_before_surgery() -> None:
    cal = build()
    last = cal.home_doses[-1].day
    assert cal.visit("surgery").target - last in (timedelta(days=3), timedelta(days=4))


def test_a_later_surgery_extends_the_home_doses() -> None:
    planned = build()
    later = build(surgery=planned.visit("surgery").target + timedelta(days=7))
    assert len(later.home_doses) > len(planned.home_doses)


def test_home_doses_are_not_clinic_visits() -> None:
    assert all(not v.key.startswith("home") for v in build().visits)


def test_home_doses_are_due_at_the_local_time_in_the_file() -> None:
    assert build().home_doses[0].due_at.time() == time(20, 0)
