"""Symptom reports as the staff pages show them: queue lines, answers, history and trend charts.

Times are the site's (where the team works), written with Babel in the page's language; answers
and questions come from the item bank in the staff member's language; every other word is a lazy
string of `symptom_wording`, so it reads in the language of the page that shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone_name
from flask_babel import LazyString
from markupsafe import Markup

from companion.i18n import babel_locale
from companion.staff import symptom_wording as wording
from companion.staff.trend_chart import TrendChart, level_axis, measure_axis, plot_trend
from symptoms import Item, ItemBank, TriageRules
from symptoms.item_bank import COUNT, NUMBER, SCALES, TEXT

Label = str | LazyString
TOP_REASONS = 3  # reasons a queue line shows; the report page shows them all

# The shape that goes with each urgency, so that it never rests on colour alone:
# emergency an octagon (a stop sign), red a triangle, amber a diamond, green a circle.
URGENCY_SHAPES = {
    "emergency": "octagon",
    "red": "triangle",
    "amber": "diamond",
    "green": "circle",
}
# Presentational attributes only: the Content-Security-Policy allows no inline styles.
_SHAPE_SVG = {
    "octagon": '<polygon points="5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5" fill="#7f1d1d"/>'
    '<rect x="7" y="4" width="2" height="5" fill="#ffffff"/>'
    '<rect x="7" y="10.5" width="2" height="2" fill="#ffffff"/>',
    "triangle": '<polygon points="8,1 15,15 1,15" fill="#b42318"/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8" fill="#b45309"/>',
    "circle": '<circle cx="8" cy="8" r="6" fill="#15803d"/>',
}


@dataclass(frozen=True, slots=True)
class UrgencyBadge:
    """An urgency as words and a shape; the shape is decoration (hidden from screen readers)."""

    key: str
    label: Label
    meaning: Label | None
    shape: str

    @property
    def icon(self) -> Markup:
        # Fixed markup from _SHAPE_SVG; `shape` only picks an entry, no input reaches it.
        return Markup(  # nosec B704
            '<svg class="urgency-icon" width="16" height="16" viewBox="0 0 16 16" '
            f'aria-hidden="true" focusable="false">{_SHAPE_SVG[self.shape]}</svg>'
        )


@dataclass(frozen=True, slots=True)
class QueueLine:
    """One report in the queue (or in a filtered list)."""

    report_id: int
    patient_id: int
    patient: str
    urgency: UrgencyBadge
    status: Label
    source: Label
    submitted: str
    waited: str
    respond_by: str
    overdue: bool
    no_on_call_phone: bool  # emergency or red, and the site has no on-call phone to text
    reasons: tuple[Label, ...]
    more_reasons: int


@dataclass(frozen=True, slots=True)
class AnswerLine:
    key: str
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: str
    what: Label | str
    note: str | None


@dataclass(frozen=True, slots=True)
class ChartRow:
    when: str
    answer: str


@dataclass(frozen=True, slots=True)
class TickLabel:
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class LineLabel:
    y: float
    text: str
    kind: str  # "amber" or "red"


@dataclass(frozen=True, slots=True)
class SymptomChart:
    """One symptom's answers over time: the geometry, its words, and the numbers as a table."""

    key: str
    title: str
    summary: str
    chart: TrendChart
    ticks: tuple[TickLabel, ...]
    lines: tuple[LineLabel, ...]
    first_day: str
    last_day: str
    rows: tuple[ChartRow, ...]  # newest first


@dataclass(frozen=True, slots=True)
class PatientTrend:
    charts: tuple[SymptomChart, ...]
    always_none: tuple[str, ...]  # symptoms answered only "none" or "no", by name


# ---------- Words for plain values ----------


def urgency_badge(key: str, *, with_meaning: bool = True) -> UrgencyBadge:
    return UrgencyBadge(
        key=key,
        label=wording.URGENCY_LABELS.get(key, key),
        meaning=wording.URGENCY_MEANINGS.get(key) if with_meaning else None,
        shape=URGENCY_SHAPES.get(key, "circle"),
    )


def reason_phrase(code: str) -> Label:
    """A reason code in plain staff words; an unknown code is shown as it is."""
    if code in wording.REASON_LABELS:
        return wording.REASON_LABELS[code]
    if code.startswith(wording.WORSENED_PREFIX):
        item = code[len(wording.WORSENED_PREFIX) :]
        if item in wording.ITEM_LABELS:
            return wording.WORSENED % {"symptom": wording.ITEM_LABELS[item]}
    return code


def label_of(labels: Mapping[str, Label], key: str | None) -> Label:
    return labels.get(key or "", key or "")


def site_time(moment: datetime | None, zone: ZoneInfo, language: str) -> str:
    """A time as the site's team reads it: the same digits in both languages, site's clock."""
    if moment is None:
        return ""
    return format_datetime(moment, "yyyy-MM-dd HH:mm", tzinfo=zone, locale=babel_locale(language))


def site_day(moment: datetime, zone: ZoneInfo, language: str) -> str:
    return format_datetime(moment, "yyyy-MM-dd", tzinfo=zone, locale=babel_locale(language))


def zone_name(zone: ZoneInfo, language: str) -> str:
    """The site's time zone by name, as people say it ("China Time")."""
    return get_timezone_name(zone, locale=babel_locale(language))


def waited(minutes: int) -> str:
    """How long a report has waited: "45 min", "2 h 5 min", "3 d 4 h"."""
    minutes = max(0, int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return str(wording.WAITED_DAYS % {"days": days, "hours": hours})
    if hours:
        return str(wording.WAITED_HOURS % {"hours": hours, "minutes": minutes})
    return str(wording.WAITED_MINUTES % {"minutes": minutes})


# ---------- The queue ----------


def queue_line(
    report: Any,
    patient_name: str,
    *,
    minutes_waiting: int,
    respond_by: datetime | None,
    overdue: bool,
    no_on_call_phone: bool = False,
    zone: ZoneInfo,
    language: str,
) -> QueueLine:
    reasons = tuple(report.reasons or ())
    return QueueLine(
        report_id=report.id,
        patient_id=report.patient_id,
        patient=patient_name,
        urgency=urgency_badge(report.urgency),
        status=label_of(wording.STATUS_LABELS, report.status),
        source=label_of(wording.SOURCE_LABELS, report.source),
        submitted=site_time(report.submitted_at, zone, language),
        waited=waited(minutes_waiting),
        respond_by=site_time(respond_by, zone, language),
        overdue=overdue,
        no_on_call_phone=no_on_call_phone,
        reasons=tuple(reason_phrase(code) for code in reasons[:TOP_REASONS]),
        more_reasons=max(0, len(reasons) - TOP_REASONS),
    )


# ---------- One report ----------


def answer_lines(answers: Mapping[str, Any], bank: ItemBank, language: str) -> list[AnswerLine]:
    """Every answer with its question, in the bank's order; keys the bank lost come last."""
    known = [key for key in bank.keys if key in answers]
    unknown = [key for key in answers if key not in bank]
    lines = [
        AnswerLine(
            key,
            _in(bank.item(key).question, language),
            answer_text(bank.item(key), answers[key], language),
        )
        for key in known
    ]
    lines += [AnswerLine(key, key, str(answers[key])) for key in unknown]
    return lines


def answer_text(item: Item, value: Any, language: str) -> str:
    """An answer in words: a choice by its text, a number with its unit."""
    if item.kind in SCALES:
        for choice in item.choices:
            if choice.value == value:
                return _in(choice.text, language)
        return str(value)
    if item.kind in (NUMBER, COUNT) and isinstance(value, int | float):
        number = f"{value:g}"
        unit = _in(item.unit, language) if item.unit else ""
        return f"{number} {unit}".strip()
    return str(value)


def history_lines(
    report: Any,
    notes: Iterable[Any],
    authors: Mapping[int, str],
    zone: ZoneInfo,
    language: str,
) -> list[HistoryLine]:
    """What happened to the report, oldest first: reported, acknowledged, actions, notes,
    resolved."""

    def who(staff_id: int | None) -> str:
        return authors.get(staff_id or 0) or str(wording.SOMEONE)

    events: list[tuple[datetime, int, HistoryLine]] = []

    def add(at: datetime | None, order: int, what: Label | str, note: str | None = None) -> None:
        if at is not None:
            events.append((at, order, HistoryLine(site_time(at, zone, language), what, note)))

    add(
        report.submitted_at,
        0,
        wording.HISTORY["submitted"] % {"source": label_of(wording.SOURCE_LABELS, report.source)},
    )
    add(
        report.acknowledged_at,
        1,
        wording.HISTORY["acknowledged"] % {"who": who(report.acknowledged_by)},
    )
    if report.action:
        action = label_of(wording.ACTION_LABELS, report.action)
        add(
            report.action_at,
            2,
            wording.HISTORY["action"] % {"who": who(report.action_by), "action": action},
        )
    for note in notes:
        add(note.created_at, 3, wording.HISTORY["note"] % {"who": who(note.staff_id)}, note.text)
    add(report.resolved_at, 4, wording.HISTORY["resolved"] % {"who": who(report.resolved_by)})
    return [line for _, _, line in sorted(events, key=lambda event: (event[0], event[1]))]


# ---------- A patient's trend ----------


def patient_trend(
    trend: Mapping[str, Sequence[tuple[datetime, Any, int | None]]],
    bank: ItemBank,
    rules: TriageRules,
    zone: ZoneInfo,
    language: str,
) -> PatientTrend:
    """A chart for each symptom answered, in the bank's order: measured ones (temperature,
    stools) always, the others only once they were more than "none" or "no"."""
    charts: list[SymptomChart] = []
    always_none: list[str] = []
    for key in bank.keys:
        entries = [entry for entry in trend.get(key) or () if entry[1] is not None]
        item = bank.item(key)
        if not entries or item.kind == TEXT:
            continue
        if item.kind in SCALES:
            levels = [item.level(value) for _, value, _ in entries]
            if not any(levels):
                always_none.append(str(label_of(wording.ITEM_LABELS, key)))
                continue
            charts.append(_level_chart(item, entries, zone, language))
        else:
            charts.append(_measure_chart(item, entries, rules, zone, language))
    return PatientTrend(charts=tuple(charts), always_none=tuple(always_none))


def _level_chart(
    item: Item, entries: Sequence[tuple[datetime, Any, int | None]], zone: ZoneInfo, language: str
) -> SymptomChart:
    names = wording.LEVEL_LABELS[item.kind]
    series = [(when, float(item.level(value) or 0)) for when, value, _ in entries]
    chart = plot_trend(series, level_axis(len(SCALES[item.kind])))
    ticks = tuple(TickLabel(tick.y, str(names[int(tick.value)])) for tick in chart.ticks)
    rows = tuple(
        ChartRow(site_time(when, zone, language), str(names[int(level)]))
        for when, level in sorted(series, key=lambda entry: entry[0], reverse=True)
    )
    return _chart(item, chart, ticks, (), rows, zone, language)


def _measure_chart(
    item: Item,
    entries: Sequence[tuple[datetime, Any, int | None]],
    rules: TriageRules,
    zone: ZoneInfo,
    language: str,
) -> SymptomChart:
    values = [float(value) for _, value, _ in entries]
    unit = _in(item.unit, language) if item.unit else ""
    amber, red = _thresholds(item, rules)
    lines = [line for line in (amber, red) if line is not None]
    if item.kind == NUMBER:
        axis = measure_axis(values, lines, floor=36, ceiling=40, step=1)
    else:
        axis = measure_axis(values, lines, floor=item.minimum or 0, ceiling=5, step=1)
    series = [(when, float(value)) for when, value, _ in entries]
    chart = plot_trend(series, axis)
    ticks = tuple(TickLabel(tick.y, f"{tick.value:g}") for tick in chart.ticks)
    line_labels = tuple(
        LineLabel(
            guide.y,
            str(
                (wording.THRESHOLD_AMBER if guide.value == amber else wording.THRESHOLD_RED)
                % {"value": f"{guide.value:g}"}
            ),
            "amber" if guide.value == amber else "red",
        )
        for guide in chart.lines
    )
    rows = tuple(
        ChartRow(site_time(when, zone, language), _measured(value, unit, amber, red))
        for when, value in sorted(series, key=lambda entry: entry[0], reverse=True)
    )
    return _chart(item, chart, ticks, line_labels, rows, zone, language, unit=unit)


def _measured(value: float, unit: str, amber: float | None, red: float | None) -> str:
    text = f"{value:g} {unit}".strip()
    if red is not None and value >= red:
        return f"{text} ({wording.URGENCY_LABELS['red']})"
    if amber is not None and value >= amber:
        return f"{text} ({wording.URGENCY_LABELS['amber']})"
    return text


def _thresholds(item: Item, rules: TriageRules) -> tuple[float | None, float | None]:
    for measurement in rules.measurements:
        if measurement.item == item.key:
            return (
                float(getattr(rules, measurement.amber_from)),
                float(getattr(rules, measurement.red_from)),
            )
    return None, None


def _chart(
    item: Item,
    chart: TrendChart,
    ticks: tuple[TickLabel, ...],
    lines: tuple[LineLabel, ...],
    rows: tuple[ChartRow, ...],
    zone: ZoneInfo,
    language: str,
    *,
    unit: str = "",
) -> SymptomChart:
    name = str(label_of(wording.ITEM_LABELS, item.key))
    title = f"{name} ({unit})" if unit else name
    # A chart is made only for a symptom with answers, so it has a first and a last point.
    first_day = site_day(chart.points[0].when, zone, language)
    last_day = site_day(chart.points[-1].when, zone, language)
    latest = rows[0].answer
    if len(rows) == 1:
        summary = wording.CHART_SUMMARY_ONE % {
            "symptom": name,
            "first": first_day,
            "latest": latest,
        }
    else:
        summary = wording.CHART_SUMMARY % {
            "symptom": name,
            "count": len(rows),
            "first": first_day,
            "last": last_day,
            "latest": latest,
        }
    extra = "; ".join(line.text for line in lines)
    return SymptomChart(
        key=item.key,
        title=title,
        summary=str(summary) + (f"; {extra}" if extra else ""),
        chart=chart,
        ticks=ticks,
        lines=lines,
        first_day=first_day,
        last_day=last_day,
        rows=rows,
    )


def _in(text: Mapping[str, str], language: str) -> str:
    return text.get(language) or text["en"]
