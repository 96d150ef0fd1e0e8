"""A booked visit's lifecycle and the warnings a coordinator sees, as plain rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from schedules.attention import (
    StatusChangeRefused,
    VisitStatusError,
    check_status_change,
    warnings_for,
)

TODAY = date(2026, 5, 10)
DAY = timedelta(days=1)


def warnings(status: str = "scheduled", booked: date = TODAY, **overrides) -> tuple[str, ...]:
    values = {
        "status": status,
        "booked": booked,
        "window_start": TODAY - 3 * DAY,
        "window_end": TODAY + 3 * DAY,
        "done_on": None,
        "cannot_avoid_closed_day": False,
        "today": TODAY,
    }
    values.update(overrides)
    return warnings_for(**values)


def test_a_visit_booked_for_today_needs_nothing() -> None:
    assert warnings() == ()


def test_a_visit_still_scheduled_after_its_day_is_overdue() -> None:
    assert warnings(booked=TODAY - DAY) == ("overdue",)


def test_a_visit_booked_outside_its_window_is_flagged_before_it_happens() -> None:
    assert warnings(booked=TODAY + 5 * DAY) == ("out_of_window",)


def test_a_visit_done_outside_its_window_stays_flagged() -> None:
    assert warnings("done", done_on=TODAY + 4 * DAY, today=TODAY + 5 * DAY) == ("out_of_window",)


def test_a_visit_done_inside_its_window_needs_nothing_even_when_booked_outside() -> None:
    assert warnings("done", booked=TODAY + 5 * DAY, done_on=TODAY) == ()


def test_an_overdue_visit_outside_its_window_shows_both_worst_first() -> None:
    late = TODAY + 10 * DAY
    assert warnings(booked=TODAY + 4 * DAY, today=late) == ("overdue", "out_of_window")


def test_a_visit_stuck_on_a_closed_day_is_flagged() -> None:
    assert warnings(cannot_avoid_closed_day=True) == ("closed_day",)


@pytest.mark.parametrize("status", ["cancelled", "missed"])
def test_cancelled_and_missed_visits_raise_no_warning(status: str) -> None:
    assert warnings(status, booked=TODAY - 10 * DAY, cannot_avoid_closed_day=True) == ()


@pytest.mark.parametrize(
    ("current", "new"),
    [("scheduled", "missed"), ("scheduled", "cancelled"), ("done", "scheduled")],
)
def test_a_change_away_from_what_happened_needs_a_reason(current: str, new: str) -> None:
    with pytest.raises(VisitStatusError, match="reason") as refused:
        check_status_change(current, new, on=None, reason=" ", today=TODAY)
    assert refused.value.field == "reason"
    check_status_change(current, new, on=None, reason="Patient unwell", today=TODAY)


def test_done_needs_the_day_it_took_place() -> None:
    with pytest.raises(VisitStatusError) as refused:
        check_status_change("scheduled", "done", on=None, reason=None, today=TODAY)
    assert refused.value.field == "date"


def test_a_visit_cannot_be_done_tomorrow() -> None:
    with pytest.raises(VisitStatusError, match="still to come"):
        check_status_change("scheduled", "done", on=TODAY + DAY, reason=None, today=TODAY)


def test_a_date_is_only_given_for_done() -> None:
    with pytest.raises(VisitStatusError, match="only given when marking a visit done"):
        check_status_change("scheduled", "cancelled", on=TODAY, reason="x", today=TODAY)


@pytest.mark.parametrize(
    ("current", "new"),
    [("cancelled", "done"), ("done", "missed"), ("scheduled", "scheduled"), ("done", "done")],
)
def test_a_status_the_lifecycle_does_not_lead_to_is_refused_as_a_conflict(
    current: str, new: str
) -> None:
    with pytest.raises(StatusChangeRefused):
        check_status_change(current, new, on=TODAY, reason="x", today=TODAY)


def test_a_missed_visit_that_happened_after_all_can_be_marked_done() -> None:
    check_status_change("missed", "done", on=TODAY, reason=None, today=TODAY)


def test_an_unknown_status_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(VisitStatusError, match="scheduled, done, missed, cancelled"):
        check_status_change("scheduled", "postponed", on=None, reason=None, today=TODAY)
