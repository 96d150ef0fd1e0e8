"""Visit windows, closed days and the out-of-window check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from schedules import build_calendar, load_protocol, out_of_window

C1D1 = date(2026, 3, 2)
C2D1 = date(2026, 3, 23)


def build(closed: set[date] = frozenset(), **actual: date):
    return build_calendar(
        load_protocol("NCT07586904", 2), C1D1, "Asia/Shanghai", frozenset(closed), actual
    )


def test_a_dose_visit_may_take_place_3_days_either_side() -> None:
    c2 = build().visit("c2d1")
    assert (c2.window_start, c2.window_end) == (C2D1 - timedelta(days=3), C2D1 + timedelta(3))


def test_a_date_inside_the_window_is_not_out_of_window() -> None:
    assert not out_of_window(build().visit("c2d1"), C2D1 + timedelta(days=3))


def test_a_date_one_day_past_the_window_is_out_of_window() -> None:
    assert out_of_window(build().visit("c2d1"), C2D1 + timedelta(days=4))


def test_an_actual_date_outside_the_window_is_flagged_on_the_visit() -> None:
    assert build(c2d1=C2D1 - timedelta(days=4)).visit("c2d1").outside_window


def test_a_visit_on_a_closed_day_moves_to_the_next_open_day() -> None:
    c2 = build({C2D1}).visit("c2d1")
    assert (c2.target, c2.moved_from) == (C2D1 + timedelta(days=1), C2D1)


def test_when_later_days_are_closed_the_visit_moves_earlier_inside_the_window() -> None:
    closed = {C2D1 + timedelta(days=n) for n in range(4)}
    assert build(closed).visit("c2d1").target == C2D1 - timedelta(days=1)


def test_a_visit_whose_whole_window_is_closed_keeps_its_date_and_is_flagged() -> None:
    closed = {C2D1 + timedelta(days=n) for n in range(-3, 4)}
    c2 = build(closed).visit("c2d1")
    assert (c2.target, c2.moved_from, c2.cannot_avoid_closed_day) == (C2D1, None, True)


def test_a_visit_on_an_open_day_is_not_moved() -> None:
    c2 = build({C2D1 + timedelta(days=1)}).visit("c2d1")
    assert (c2.target, c2.moved_from, c2.cannot_avoid_closed_day) == (C2D1, None, False)


def test_visits_carry_activities_and_preparation_from_the_file() -> None:
    c2 = build().visit("c2d1")
    assert "dosing" in c2.activities
    assert "fasting" in c2.preparation


def with_weekends_closed(c1d1: date = C1D1):
    return build_calendar(
        load_protocol("NCT07586904", 2), c1d1, "Asia/Shanghai", closed_weekdays=frozenset({5, 6})
    )


def test_a_site_closed_at_weekends_books_no_clinic_visit_on_a_saturday_or_sunday() -> None:
    calendar = with_weekends_closed(date(2026, 3, 3))  # a Tuesday: cycle 2 on a Tuesday too
    movable = [v for v in calendar.visits if not v.cannot_avoid_closed_day]
    assert all(visit.target.weekday() < 5 for visit in movable)


def test_a_weekend_visit_moves_to_the_nearest_weekday_in_its_window() -> None:
    saturday_c1d1 = date(2026, 3, 7) - timedelta(days=21)  # so cycle 2 falls on Saturday 7 March
    c2 = with_weekends_closed(saturday_c1d1).visit("c2d1")
    assert (c2.moved_from, c2.target) == (date(2026, 3, 7), date(2026, 3, 6))  # Friday is nearer


def test_a_first_dose_on_a_closed_weekday_cannot_move_and_is_flagged() -> None:
    c1 = with_weekends_closed(date(2026, 3, 7)).visit("c1d1")  # a Saturday, window of 0 days
    assert (c1.target, c1.cannot_avoid_closed_day) == (date(2026, 3, 7), True)


def test_weekdays_are_numbered_0_to_6() -> None:
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6 \\(Sunday\\)"):
        build_calendar(
            load_protocol("NCT07586904", 2), C1D1, "Asia/Shanghai", closed_weekdays=frozenset({7})
        )
