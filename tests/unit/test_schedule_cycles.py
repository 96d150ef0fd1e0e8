"""Cycle arithmetic of the shipped default schedule for 2, 3 and 4 neoadjuvant cycles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from schedules import build_calendar, load_protocol

C1D1 = date(2026, 3, 2)


def calendar(cycles: int):
    return build_calendar(load_protocol("NCT07586904", cycles), C1D1, "Asia/Shanghai")


def day(n: int) -> date:
    """Study day n, with cycle 1 day 1 as day 1."""
    return C1D1 + timedelta(days=n - 1)


@pytest.mark.parametrize(("cycles", "last_dose_day"), [(2, 22), (3, 43), (4, 64)])
def test_each_cycle_starts_21_days_after_the_one_before(cycles: int, last_dose_day: int) -> None:
    doses = [v for v in calendar(cycles).visits if v.key.startswith("c") and v.key.endswith("d1")]
    assert [v.target for v in doses] == [day(1 + 21 * n) for n in range(cycles)]
    assert doses[-1].target == day(last_dose_day)


@pytest.mark.parametrize(("cycles", "surgery_day"), [(2, 43), (3, 64), (4, 85)])
def test_surgery_is_21_days_after_the_last_dose(cycles: int, surgery_day: int) -> None:
    assert calendar(cycles).visit("surgery").target == day(surgery_day)


@pytest.mark.parametrize("cycles", [2, 3, 4])
def test_restaging_and_safety_follow_ups_hang_on_the_last_dose(cycles: int) -> None:
    cal = calendar(cycles)
    last = cal.visit(f"c{cycles}d1").target
    assert cal.visit("restaging").target == last + timedelta(days=16)
    assert cal.visit("safety_30").target == last + timedelta(days=30)
    assert cal.visit("safety_90").target == last + timedelta(days=90)


def test_post_op_is_14_days_after_surgery() -> None:
    cal = calendar(2)
    assert cal.visit("post_op").target == cal.visit("surgery").target + timedelta(days=14)


def test_screening_window_covers_day_minus_28_to_day_minus_1() -> None:
    screening = calendar(2).visit("screening")
    assert (screening.window_start, screening.window_end) == (
        C1D1 - timedelta(days=28),
        C1D1 - timedelta(days=1),
    )


def test_symptom_check_ins_fall_on_days_8_and_15() -> None:
    cal = calendar(2)
    assert [cal.visit("checkin_d8").target, cal.visit("checkin_d15").target] == [day(8), day(15)]


def test_surveillance_is_every_12_weeks_after_surgery_for_2_years() -> None:
    cal = calendar(2)
    surgery = cal.visit("surgery").target
    surveillance = [v.target for v in cal.visits if v.key.startswith("surveillance_")]
    assert surveillance == [surgery + timedelta(weeks=12 * n) for n in range(1, 9)]
