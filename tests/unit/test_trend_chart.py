"""The geometry of a symptom's trend chart: dated values in, SVG points, path and lines out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from companion.staff.trend_chart import Axis, Frame, level_axis, measure_axis, plot_trend

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
FRAME = Frame(width=200, height=100, left=20, right=10, top=10, bottom=20)  # plot 20..190 x 10..80


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def test_time_runs_left_to_right_in_proportion_to_the_days_between_answers() -> None:
    chart = plot_trend([(day(0), 0), (day(1), 0), (day(4), 0)], level_axis(4), FRAME)
    assert [point.x for point in chart.points] == [20.0, 62.5, 190.0]


def test_answers_given_in_any_order_are_drawn_oldest_first() -> None:
    chart = plot_trend([(day(2), 3), (day(0), 1), (day(1), 2)], level_axis(4), FRAME)
    assert [point.when for point in chart.points] == [day(0), day(1), day(2)]
    assert [point.value for point in chart.points] == [1, 2, 3]


def test_severity_none_is_at_the_bottom_and_severe_at_the_top() -> None:
    chart = plot_trend([(day(0), 0), (day(1), 3)], level_axis(4), FRAME)
    assert chart.points[0].y == 80.0
    assert chart.points[1].y == 10.0


def test_a_level_axis_has_a_tick_for_each_level() -> None:
    chart = plot_trend([(day(0), 1)], level_axis(4), FRAME)
    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3]
    assert [round(tick.y, 2) for tick in chart.ticks] == [80.0, 56.67, 33.33, 10.0]


def test_the_path_joins_the_points_in_time_order() -> None:
    chart = plot_trend([(day(0), 0), (day(2), 3)], level_axis(4), FRAME)
    assert chart.path == "M20.0 80.0 L190.0 10.0"


def test_a_single_answer_is_a_point_in_the_middle_without_a_line() -> None:
    chart = plot_trend([(day(0), 1)], level_axis(2), FRAME)
    assert len(chart.points) == 1
    assert chart.points[0].x == 105.0
    assert chart.path == ""


def test_two_answers_at_the_same_moment_sit_in_the_middle() -> None:
    chart = plot_trend([(day(0), 0), (day(0), 1)], level_axis(2), FRAME)
    assert {point.x for point in chart.points} == {105.0}


def test_no_answers_give_an_empty_chart_that_still_has_its_scale() -> None:
    chart = plot_trend([], level_axis(4), FRAME)
    assert chart.points == ()
    assert chart.path == ""
    assert chart.first is None
    assert chart.last is None
    assert len(chart.ticks) == 4


def test_the_temperature_axis_holds_the_amber_and_red_thresholds_as_lines() -> None:
    axis = measure_axis([37.2, 38.4], lines=[38.0, 39.0], floor=36, ceiling=40, step=1)
    assert (axis.low, axis.high) == (36, 40)
    assert axis.lines == (38.0, 39.0)
    assert axis.ticks == (36, 38.0, 39.0, 40)
    chart = plot_trend([(day(0), 37.2), (day(1), 38.4)], axis, FRAME)
    amber, red = chart.lines
    assert (amber.value, red.value) == (38.0, 39.0)
    assert red.y < amber.y  # the red line is higher up
    assert amber.y == 80 - 0.5 * 70


def test_a_measure_outside_the_usual_range_stretches_the_axis_in_whole_steps() -> None:
    axis = measure_axis([41.3, 35.2], lines=[38.0, 39.0], floor=36, ceiling=40, step=1)
    assert (axis.low, axis.high) == (35, 42)


def test_a_stools_axis_reaches_the_red_threshold_even_when_every_answer_is_low() -> None:
    axis = measure_axis([0, 1], lines=[4, 7], floor=0, ceiling=5, step=1)
    assert (axis.low, axis.high) == (0, 7)


def test_a_value_beyond_the_axis_is_drawn_at_its_edge() -> None:
    chart = plot_trend([(day(0), 50.0)], Axis(low=30, high=45), FRAME)
    assert chart.points[0].y == 10.0


def test_an_axis_without_a_range_is_refused() -> None:
    with pytest.raises(ValueError, match="low < high"):
        Axis(low=3, high=3)


def test_a_level_axis_needs_two_levels() -> None:
    with pytest.raises(ValueError, match="at least two levels"):
        level_axis(1)


def test_a_measure_axis_needs_a_step_above_zero() -> None:
    with pytest.raises(ValueError, match="step must be above 0"):
        measure_axis([1], lines=[], floor=0, ceiling=1, step=0)


def test_points_stay_inside_the_plot_area() -> None:
    series = [(day(n), float(n % 4)) for n in range(10)]
    chart = plot_trend(series, level_axis(4), FRAME)
    for point in chart.points:
        assert FRAME.left <= point.x <= FRAME.plot_right
        assert FRAME.top <= point.y <= FRAME.plot_bottom
