"""A strict check of the iCalendar objects the app writes (RFC 5545, with RFC 5546 and 7986).

Python has no strict validator: `ical` and `vobject` accept an event without DTSTAMP, for one.
`assert_valid_icalendar` checks the octets (CRLF, folding at 75 octets, UTF-8 intact at each
fold), the component tree and the properties this project relies on, then has two independent
parsers read the data: icalendar (Python, must report no errors) and ical.js (JavaScript, the
parser behind many web calendar clients; see tests/ical_parse.mjs). ical.js resolves each event's
start and end through the file's own VTIMEZONE components; those instants must equal the ones
the tz database gives (zoneinfo), which catches a VTIMEZONE that is wrong or too short.

Not a complete RFC 5545 validator: recurrence rules, VTODO, VJOURNAL and VFREEBUSY contents are
not examined, and TZIDs are resolved with zoneinfo, so they must be IANA names.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar

REPO_ROOT = Path(__file__).resolve().parent.parent
ICAL_JS_SCRIPT = Path(__file__).with_name("ical_parse.mjs")
ICAL_JS_PACKAGE = REPO_ROOT / "node_modules" / "ical.js" / "package.json"

MAX_OCTETS = 75
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
EVENT_STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})
# Properties whose value is one TEXT (not a list): ';' and ',' must be escaped inside them.
SINGLE_TEXT = frozenset(
    {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME", "X-WR-CALNAME"}
)
# At most once in a VEVENT (RFC 5545 section 3.6.1).
ONCE_IN_EVENT = (
    "CLASS",
    "CREATED",
    "DESCRIPTION",
    "DTSTART",
    "GEO",
    "LAST-MODIFIED",
    "LOCATION",
    "ORGANIZER",
    "PRIORITY",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "TRANSP",
    "URL",
    "RECURRENCE-ID",
    "DTEND",
    "DURATION",
)
TOP_LEVEL_COMPONENTS = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"})
NAME = re.compile(r"[A-Za-z0-9-]+")
PARAM_TEXT = re.compile(r'[^";:,\x00-\x08\x0a-\x1f\x7f]*')
QUOTED = re.compile(r'"([^"\x00-\x08\x0a-\x1f\x7f]*)"')
VALUE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")
DATE_ONLY = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = r"T(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S)"
DURATION = re.compile(rf"[+-]?P(?:\d+W|\d+D(?:{_TIME})?|{_TIME})")
UTC_OFFSET = re.compile(r"[+-]\d{4}(?:\d{2})?")
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
TEXT_ESCAPE = re.compile(r"\\(.?)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Property:
    name: str
    params: dict[str, list[str]]
    value: str
    line: int  # physical line where the content line starts, from 1

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    line: int
    properties: list[Property] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)

    def all(self, name: str) -> list[Property]:
        return [p for p in self.properties if p.name == name]

    def one(self, name: str) -> Property | None:
        found = self.all(name)
        return found[0] if found else None

    def where(self) -> str:
        return f"{self.name} at line {self.line}"


def assert_valid_icalendar(data: bytes) -> None:
    """Raise AssertionError naming the first problem found in `data`, an iCalendar object."""
    assert isinstance(data, bytes), f"an iCalendar object is octets, not {type(data).__name__}"
    calendar = parse_tree(data)
    instants = check_calendar(calendar)
    check_with_icalendar(data)
    check_with_ical_js(data, instants)


# --- octets and content lines -------------------------------------------------------------


def physical_lines(data: bytes) -> list[str]:
    """The lines between CRLFs, each checked for length, stray CR/LF and whole UTF-8."""
    assert data, "empty data"
    pieces = data.split(b"\r\n")
    lines = []
    for number, raw in enumerate(pieces, start=1):
        assert b"\n" not in raw, f"line {number}: bare LF (lines must end with CRLF)"
        assert b"\r" not in raw, f"line {number}: bare CR (lines must end with CRLF)"
        if number == len(pieces):
            assert not raw, "the data does not end with CRLF"
            break
        assert len(raw) <= MAX_OCTETS, (
            f"line {number}: {len(raw)} octets, more than {MAX_OCTETS} (long lines must be folded)"
        )
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise AssertionError(
                f"line {number}: not UTF-8 on its own ({error.reason} at octet {error.start});"
                " a fold must not split a multi-byte character"
            ) from None
    return lines


def content_lines(data: bytes) -> list[tuple[int, str]]:
    """(first physical line, unfolded text) of each content line."""
    unfolded: list[tuple[int, str]] = []
    for number, line in enumerate(physical_lines(data), start=1):
        assert line, f"line {number}: empty line"
        if line[0] in " \t":
            assert unfolded, f"line {number}: the first line cannot be a continuation"
            first, text = unfolded[-1]
            unfolded[-1] = (first, text + line[1:])
        else:
            unfolded.append((number, line))
    return unfolded


def parse_content_line(number: int, text: str) -> Property:
    """name *(";" param) ":" value, as RFC 5545 section 3.1 writes it."""
    not_a_line = (
        f"line {number}: {text[:30]!r} is not a content line NAME[;PARAM=VALUE]:VALUE (a folded"
        " line must start with a space or a tab; a parameter value holding ':', ';' or ','"
        " must be quoted)"
    )
    match = NAME.match(text)
    assert match, not_a_line
    name, at = match.group().upper(), match.end()
    params: dict[str, list[str]] = {}
    while at < len(text) and text[at] == ";":
        param = NAME.match(text, at + 1)
        malformed = not param or text[param.end() : param.end() + 1] != "="
        assert not malformed, (
            f"line {number}: {name} has a malformed parameter at {text[at : at + 20]!r}"
        )
        assert param is not None
        param_name, at = param.group().upper(), param.end() + 1
        values = []
        while True:
            quoted = QUOTED.match(text, at)
            if quoted:
                values.append(quoted.group(1))
                at = quoted.end()
            else:
                plain = PARAM_TEXT.match(text, at)  # matches, perhaps empty
                assert plain is not None
                values.append(plain.group())
                at = plain.end()
            if text[at : at + 1] != ",":
                break
            at += 1
        assert param_name not in params, f"line {number}: {name} repeats {param_name}"
        params[param_name] = values
    assert text[at : at + 1] == ":", not_a_line
    value = text[at + 1 :]
    bad = VALUE_CONTROL.search(value)
    assert not bad, f"line {number}: {name} value holds control character {bad.group()!r}"
    return Property(name, params, value, number)


def parse_tree(data: bytes) -> Component:
    """The single VCALENDAR in `data`, with BEGIN/END checked for nesting and matching."""
    stack: list[Component] = []
    top: list[Component] = []
    for number, text in content_lines(data):
        prop = parse_content_line(number, text)
        if prop.name == "BEGIN":
            component = Component(prop.value.upper(), number)
            (stack[-1].components if stack else top).append(component)
            stack.append(component)
        elif prop.name == "END":
            assert stack, f"line {number}: END:{prop.value} without a BEGIN"
            opened = stack.pop()
            assert prop.value.upper() == opened.name, (
                f"line {number}: END:{prop.value} closes BEGIN:{opened.name} of line {opened.line}"
            )
        else:
            assert stack, f"line {number}: {prop.name} outside any component"
            stack[-1].properties.append(prop)
    assert not stack, f"BEGIN:{stack[-1].name} at line {stack[-1].line} is never closed"
    assert [c.name for c in top] == ["VCALENDAR"], (
        f"expected exactly one VCALENDAR, found {[c.name for c in top]}"
    )
    return top[0]


# --- components and properties ------------------------------------------------------------

Instant = datetime | date
EventTimes = tuple[str, Instant, Instant | None]  # UID, DTSTART, DTEND


def check_calendar(calendar: Component) -> list[EventTimes]:
    """Check the VCALENDAR; return (UID, start, end) of each VEVENT, resolved with zoneinfo."""
    exactly_one(calendar, "PRODID")
    version = exactly_one(calendar, "VERSION")
    assert version.value == "2.0", f"line {version.line}: VERSION:{version.value}, not 2.0"
    calscale = at_most_one(calendar, "CALSCALE")
    if calscale:
        assert calscale.value.upper() == "GREGORIAN", f"line {calscale.line}: {calscale.value}"
    method = at_most_one(calendar, "METHOD")
    if method:
        assert method.value in METHODS, (
            f"line {method.line}: METHOD:{method.value}, not one of {sorted(METHODS)}"
        )
    for component in calendar.components:
        assert component.name in TOP_LEVEL_COMPONENTS or component.name.startswith("X-"), (
            f"{component.where()} cannot be directly inside VCALENDAR"
        )
    zones = check_timezones(calendar)
    check_every_property(calendar, zones)
    events = [c for c in calendar.components if c.name == "VEVENT"]
    instants = [check_event(event, method.value if method else None) for event in events]
    uids = Counter(
        uid
        for (uid, _, _), event in zip(instants, events, strict=True)
        if not event.one("RECURRENCE-ID")
    )
    repeated = sorted(uid for uid, count in uids.items() if count > 1)
    assert not repeated, f"UID used by more than one VEVENT (no RECURRENCE-ID): {repeated}"
    return instants


def check_timezones(calendar: Component) -> set[str]:
    tzids: set[str] = set()
    for zone in (c for c in calendar.components if c.name == "VTIMEZONE"):
        tzid = exactly_one(zone, "TZID").value
        assert tzid not in tzids, f"{zone.where()}: a second VTIMEZONE for TZID {tzid}"
        tzids.add(tzid)
        rules = [c for c in zone.components if c.name in ("STANDARD", "DAYLIGHT")]
        assert rules, f"{zone.where()} ({tzid}) has no STANDARD or DAYLIGHT sub-component"
        for rule in rules:
            start = exactly_one(rule, "DTSTART")
            local = DATE_TIME.fullmatch(start.value) and not start.value.endswith("Z")
            assert local, (
                f"line {start.line}: {rule.name} DTSTART must be a local date-time, not"
                f" {start.value!r}"
            )
            for name in ("TZOFFSETFROM", "TZOFFSETTO"):
                offset = exactly_one(rule, name)
                assert UTC_OFFSET.fullmatch(offset.value), (
                    f"line {offset.line}: {name}:{offset.value} is not a UTC offset like +0100"
                )
    return tzids


def check_every_property(component: Component, zones: set[str]) -> None:
    """Checks that hold for a property wherever it is: TZIDs, TEXT escaping, REFRESH-INTERVAL."""
    for prop in component.properties:
        tzid = prop.param("TZID")
        assert tzid is None or tzid in zones, (
            f"line {prop.line}: {prop.name} uses TZID={tzid}, which no VTIMEZONE defines"
        )
        if prop.name in SINGLE_TEXT:
            check_text(prop)
        if prop.name == "REFRESH-INTERVAL":
            assert prop.param("VALUE") == "DURATION", (
                f"line {prop.line}: REFRESH-INTERVAL needs VALUE=DURATION (RFC 7986)"
            )
            check_duration(prop)
        if prop.name == "X-PUBLISHED-TTL":
            check_duration(prop)
    for child in component.components:
        if child.name == "VALARM":
            assert component.name in ("VEVENT", "VTODO"), (
                f"{child.where()} is inside {component.name}, not in a VEVENT or VTODO"
            )
        if child.name in ("STANDARD", "DAYLIGHT"):
            assert component.name == "VTIMEZONE", f"{child.where()} is outside a VTIMEZONE"
        check_every_property(child, zones)


def check_text(prop: Property) -> None:
    """A single TEXT value: every ';' and ',' escaped, every backslash a known escape."""
    value = TEXT_ESCAPE.sub("", prop.value)
    for escape in TEXT_ESCAPE.finditer(prop.value):
        assert escape.group(1) in ("\\", ";", ",", "n", "N"), (
            f"line {prop.line}: {prop.name} has an unknown escape {escape.group()!r}"
        )
    for char in ";,":
        assert char not in value, f"line {prop.line}: {prop.name} has an unescaped {char!r}"


def check_event(event: Component, method: str | None) -> EventTimes:
    uid = exactly_one(event, "UID").value
    where = f"{event.where()} (UID {uid})"
    exactly_one(event, "DTSTAMP")
    for prop in (*event.all("DTSTAMP"), *event.all("LAST-MODIFIED"), *event.all("CREATED")):
        utc = prop.param("TZID") is None and prop.value.endswith("Z")
        assert utc, f"line {prop.line}: {prop.name} must be in UTC (end with Z), not {prop.value!r}"
        date_time(prop)
    for name in ONCE_IN_EVENT:
        at_most_one(event, name)
    start = instant(exactly_one(event, "DTSTART"))
    end_property = event.one("DTEND")
    assert not (end_property and event.one("DURATION")), f"{where} has both DTEND and DURATION"
    end = instant(end_property) if end_property else None
    if end_property:
        check_order(where, end_property, start, end)
    duration = event.one("DURATION")
    if duration:
        check_duration(duration)
    sequence = event.one("SEQUENCE")
    if sequence:
        assert re.fullmatch(r"\+?\d+", sequence.value), (
            f"line {sequence.line}: SEQUENCE:{sequence.value} is not a non-negative integer"
        )
    status = event.one("STATUS")
    if status:
        assert status.value in EVENT_STATUSES, (
            f"line {status.line}: STATUS:{status.value} is not one of {sorted(EVENT_STATUSES)}"
        )
    transp = event.one("TRANSP")
    if transp:
        assert transp.value in ("OPAQUE", "TRANSPARENT"), f"line {transp.line}: {transp.value}"
    for prop in (*event.all("ORGANIZER"), *event.all("ATTENDEE")):
        assert URI.fullmatch(prop.value), f"line {prop.line}: {prop.name} is not a URI"
    alarms = [c for c in event.components if c.name == "VALARM"]
    for alarm in alarms:
        check_alarm(alarm)
    check_itip(where, event, method, has_alarm=bool(alarms))
    return uid, start, end


def check_order(where: str, end_property: Property, start: Instant, end: Instant | None) -> None:
    """DTEND must be of DTSTART's kind and later in time (RFC 5545 section 3.8.2.2)."""
    assert isinstance(end, datetime) == isinstance(start, datetime), (
        f"line {end_property.line}: DTEND and DTSTART must both be dates or both date-times"
    )
    if isinstance(start, datetime) and isinstance(end, datetime):
        assert (start.tzinfo is None) == (end.tzinfo is None), (
            f"{where}: DTSTART and DTEND mix a floating time and a zoned one"
        )
    assert end > start, f"{where}: DTEND {end_property.value} is not after DTSTART"


def check_itip(where: str, event: Component, method: str | None, *, has_alarm: bool) -> None:
    """What RFC 5546 asks of a VEVENT in a REQUEST or a CANCEL."""
    if method not in ("REQUEST", "CANCEL"):
        return
    assert event.one("ORGANIZER"), f"{where}: METHOD:{method} needs an ORGANIZER"
    assert event.all("ATTENDEE"), f"{where}: METHOD:{method} needs an ATTENDEE"
    status = event.one("STATUS")
    if method == "CANCEL":
        assert event.one("SEQUENCE"), f"{where}: METHOD:CANCEL needs a SEQUENCE"
        assert status is None or status.value == "CANCELLED", (
            f"{where}: METHOD:CANCEL with STATUS:{status.value}"
        )
        assert not has_alarm, f"{where}: METHOD:CANCEL must not carry a VALARM"
    else:
        assert status is None or status.value != "CANCELLED", (
            f"{where}: METHOD:REQUEST with STATUS:CANCELLED (send METHOD:CANCEL)"
        )


def check_alarm(alarm: Component) -> None:
    action = exactly_one(alarm, "ACTION")
    trigger = exactly_one(alarm, "TRIGGER")
    if trigger.param("VALUE") == "DATE-TIME":
        assert trigger.value.endswith("Z"), f"line {trigger.line}: TRIGGER date-time not in UTC"
        date_time(trigger)
    else:
        check_duration(trigger)
        related = trigger.param("RELATED")
        assert related in (None, "START", "END"), f"line {trigger.line}: RELATED={related}"
    if action.value == "DISPLAY":
        exactly_one(alarm, "DESCRIPTION")
    if action.value == "EMAIL":
        exactly_one(alarm, "DESCRIPTION")
        exactly_one(alarm, "SUMMARY")
        assert alarm.all("ATTENDEE"), f"{alarm.where()}: an EMAIL alarm needs an ATTENDEE"
    assert bool(alarm.one("DURATION")) == bool(alarm.one("REPEAT")), (
        f"{alarm.where()}: DURATION and REPEAT go together"
    )


# --- values -------------------------------------------------------------------------------


def exactly_one(component: Component, name: str) -> Property:
    found = component.all(name)
    assert len(found) == 1, f"{component.where()} has {len(found)} {name}, needs exactly one"
    return found[0]


def at_most_one(component: Component, name: str) -> Property | None:
    found = component.all(name)
    assert len(found) <= 1, f"{component.where()} has {len(found)} {name}, at most one allowed"
    return found[0] if found else None


def check_duration(prop: Property) -> None:
    assert DURATION.fullmatch(prop.value), (
        f"line {prop.line}: {prop.name}:{prop.value} is not a duration like PT6H or -P1D"
    )


def date_time(prop: Property) -> datetime:
    """The value as a datetime: naive when floating or in a TZID (the caller adds the zone)."""
    match = DATE_TIME.fullmatch(prop.value)
    assert match, f"line {prop.line}: {prop.name}:{prop.value} is not a date-time"
    try:
        moment = datetime(*(int(part) for part in match.groups()[:6]))
    except ValueError as error:
        raise AssertionError(f"line {prop.line}: {prop.name}:{prop.value}: {error}") from None
    return moment.replace(tzinfo=UTC) if match.group(7) else moment


def instant(prop: Property) -> Instant:
    """A DTSTART/DTEND as a comparable value: a date, an aware datetime, or a floating one."""
    if prop.param("VALUE") == "DATE":
        match = DATE_ONLY.fullmatch(prop.value)
        assert match, f"line {prop.line}: {prop.name}:{prop.value} is not a DATE"
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError as error:
            raise AssertionError(f"line {prop.line}: {prop.name}: {error}") from None
    moment = date_time(prop)
    tzid = prop.param("TZID")
    if tzid is None:
        return moment
    assert moment.tzinfo is None, f"line {prop.line}: {prop.name} has both TZID and a final Z"
    try:
        return moment.replace(tzinfo=ZoneInfo(tzid))
    except (ZoneInfoNotFoundError, ValueError):
        raise AssertionError(
            f"line {prop.line}: TZID {tzid} is not an IANA zone (this check resolves TZIDs"
            " with zoneinfo)"
        ) from None


# --- other parsers ------------------------------------------------------------------------


def check_with_icalendar(data: bytes) -> None:
    try:
        calendar = Calendar.from_ical(data)
    except Exception as error:  # any failure of the parser is a finding
        raise AssertionError(f"icalendar cannot parse the data: {error}") from None
    for component in calendar.walk():
        assert not component.errors, f"icalendar: {component.name}: {component.errors}"


def check_with_ical_js(data: bytes, expected: list[EventTimes]) -> None:
    """ical.js must parse `data` and read each zoned start and end as the same instant."""
    node = shutil.which("node")
    if node is None or not ICAL_JS_PACKAGE.exists():
        raise RuntimeError("node and ical.js are needed: install Node.js, then run `npm ci`")
    result = subprocess.run(
        [node, str(ICAL_JS_SCRIPT)],
        input=data,
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace").strip()
    events = json.loads(result.stdout)["events"]
    assert len(events) == len(expected), f"ical.js read {len(events)} VEVENTs of {len(expected)}"
    for event, (uid, start, end) in zip(events, expected, strict=True):
        assert event["uid"] == uid, f"ical.js read UID {event['uid']!r} where {uid!r} stands"
        for name, key, ours in (("DTSTART", "start", start), ("DTEND", "end", end)):
            if isinstance(ours, datetime) and ours.tzinfo is not None:
                theirs = datetime.fromtimestamp(event[key], UTC)
                assert theirs == ours.astimezone(UTC), (
                    f"UID {uid}: {name} is {ours.astimezone(UTC):%Y-%m-%d %H:%M}Z by the tz"
                    f" database but {theirs:%Y-%m-%d %H:%M}Z by the file's VTIMEZONE"
                )
