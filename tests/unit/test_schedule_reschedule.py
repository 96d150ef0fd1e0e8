"""A visit's actual or rebooked date moves everything anchored on it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from schedules import build_calendar, load_protocol

C1D1 = date(2026, 3, 2)
LATE = timedelta(days=5)
CASCADED = ("c3d1", "restaging", "surgery", "post_op", "safety_30", "safety_90", "surveillance_1")


def build(**actual: date):
    return build_calendar(
        load_protocol("NCT07586904", 3), C1D1, "Europe/Paris", actual_dates=actual
    )


def test_a_cycle_2_dose_5_days_late_moves_cycle_3_and_all_that_follows_by_5_days() -> None:
    before = build()
    after = build(c2d1=before.visit("c2d1").target + LATE)
    assert [after.visit(k).target for k in CASCADED] == [
        before.visit(k).target + LATE for k in CASCADED
    ]


def test_a_late_cycle_2_dose_leaves_earlier_visits_where_they_were() -> None:
    before = build()
    after = build(c2d1=before.visit("c2d1").target + LATE)
    for key in ("screening", "c1d1", "checkin_d8", "checkin_d15"):
        assert after.visit(key).target == before.visit(key).target


def test_a_late_dose_keeps_its_own_window_and_is_flagged_when_outside_it() -> None:
    before = build()
    c2 = build(c2d1=before.visit("c2d1").target + LATE).visit("c2d1")
    assert (c2.window_start, c2.window_end) == (
        before.visit("c2d1").window_start,
        before.visit("c2d1").window_end,
    )
    assert c2.outside_window


def test_a_later_surgery_moves_post_op_and_surveillance_but_not_safety_follow_up() -> None:
    before = build()
    after = build(surgery=before.visit("surgery").target + LATE)
    assert after.visit("post_op").target == before.visit("post_op").target + LATE
    assert after.visit("surveillance_1").target == before.visit("surveillance_1").target + LATE
    assert after.visit("safety_30").target == before.visit("safety_30").target


def rebooked(**rescheduled: date):
    return build_calendar(
        load_protocol("NCT07586904", 3), C1D1, "Europe/Paris", rescheduled_dates=rescheduled
    )


def test_a_visit_staff_rebooked_keeps_the_day_they_chose_and_moves_what_hangs_on_it() -> None:
    before = build()
    chosen = before.visit("c2d1").target + timedelta(days=2)
    after = rebooked(c2d1=chosen)
    assert after.visit("c2d1").target == chosen
    assert after.visit("c2d1").rescheduled
    assert after.visit("c3d1").target == before.visit("c3d1").target + timedelta(days=2)


def test_a_rebooked_day_is_not_moved_off_a_closed_day() -> None:
    chosen = build().visit("c2d1").target + timedelta(days=1)
    calendar = build_calendar(
        load_protocol("NCT07586904", 3),
        C1D1,
        "Europe/Paris",
        closed_days=frozenset({chosen}),
        rescheduled_dates={"c2d1": chosen},
    )
    assert calendar.visit("c2d1").target == chosen


def test_a_rebooked_day_outside_the_window_is_flagged_before_the_visit_happens() -> None:
    late = build().visit("c2d1").window_end + timedelta(days=1)
    assert rebooked(c2d1=late).visit("c2d1").outside_window
    assert not build().visit("c2d1").outside_window


def test_a_rebooked_date_for_an_unknown_visit_is_refused() -> None:
    with pytest.raises(ValueError, match="rescheduled dates given for unknown visits: c9d1"):
        rebooked(c9d1=C1D1)
