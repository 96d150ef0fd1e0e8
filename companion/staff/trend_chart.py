"""A symptom's answers over time as the geometry of a small line chart (SVG user units).

Pure: dated numbers in, points, a path and guide lines out. What the numbers mean (severity
levels, °C, stools a day) and every word on the chart are the caller's; the template draws the
result as inline SVG with presentational attributes only, since the pages' Content-Security-Policy
allows no inline styles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Axis:
    """The vertical scale: `low` at the bottom, `high` at the top; a tick is a labelled value,
    a line a threshold drawn across the chart."""

    low: float
    high: float
    ticks: tuple[float, ...] = ()
    lines: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ValueError(f"an axis needs low < high, not {self.low} and {self.high}")


@dataclass(frozen=True, slots=True)
class Frame:
    """The chart's size; the margins leave room for the tick labels (left) and dates (below)."""

    width: float = 360
    height: float = 150
    left: float = 96
    right: float = 16
    top: float = 12
    bottom: float = 30

    @property
    def plot_right(self) -> float:
        return self.width - self.right

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom


@dataclass(frozen=True, slots=True)
class PlotPoint:
    x: float
    y: float
    when: datetime
    value: float


@dataclass(frozen=True, slots=True)
class Guide:
    """A horizontal line at `value`, `y` down from the top."""

    y: float
    value: float


@dataclass(frozen=True, slots=True)
class TrendChart:
    frame: Frame
    points: tuple[PlotPoint, ...]  # oldest first
    path: str  # "M x y L x y …" through the points; empty for fewer than two
    ticks: tuple[Guide, ...]
    lines: tuple[Guide, ...]

    @property
    def first(self) -> PlotPoint | None:
        return self.points[0] if self.points else None

    @property
    def last(self) -> PlotPoint | None:
        return self.points[-1] if self.points else None


def plot_trend(
    series: Sequence[tuple[datetime, float]], axis: Axis, frame: Frame = Frame()
) -> TrendChart:
    """The chart of `series` (in any order): time runs left to right in proportion, values
    bottom to top on `axis`; a value outside the axis is drawn at its edge. A single answer
    sits in the middle."""
    ordered = sorted(series, key=lambda entry: entry[0])
    start = ordered[0][0] if ordered else None
    span = (ordered[-1][0] - start).total_seconds() if start is not None else 0.0
    points = tuple(
        PlotPoint(
            x=_x(frame, (when - start).total_seconds() / span if span > 0 else 0.5),
            y=_y(frame, axis, value),
            when=when,
            value=value,
        )
        for when, value in ordered
    )
    path = (
        " ".join(
            f"{'M' if index == 0 else 'L'}{point.x:.1f} {point.y:.1f}"
            for index, point in enumerate(points)
        )
        if len(points) > 1
        else ""
    )
    return TrendChart(
        frame=frame,
        points=points,
        path=path,
        ticks=tuple(Guide(_y(frame, axis, value), value) for value in axis.ticks),
        lines=tuple(Guide(_y(frame, axis, value), value) for value in axis.lines),
    )


def level_axis(levels: int) -> Axis:
    """An axis of answer levels 0 .. `levels` - 1 (severity none to severe, yes/no no to yes),
    each a tick."""
    if levels < 2:
        raise ValueError("a level axis needs at least two levels")
    return Axis(low=0, high=levels - 1, ticks=tuple(float(level) for level in range(levels)))


def measure_axis(
    values: Sequence[float], lines: Sequence[float], floor: float, ceiling: float, step: float
) -> Axis:
    """An axis for measured answers (°C, stools a day): from `floor` to `ceiling`, stretched in
    whole `step`s to hold every value and every threshold line; ticks at both ends and at
    the lines."""
    if step <= 0:
        raise ValueError("the step must be above 0")
    low = min([floor, *values, *lines])
    high = max([ceiling, *values, *lines])
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high <= low:
        high = low + step
    ticks = sorted({low, high, *lines})
    return Axis(low=low, high=high, ticks=tuple(ticks), lines=tuple(sorted(lines)))


def _x(frame: Frame, share: float) -> float:
    return frame.left + share * (frame.plot_right - frame.left)


def _y(frame: Frame, axis: Axis, value: float) -> float:
    share = (min(max(value, axis.low), axis.high) - axis.low) / (axis.high - axis.low)
    return frame.plot_bottom - share * (frame.plot_bottom - frame.top)
