"""Visits as iCalendar (RFC 5545): a patient's subscription feed and single-visit invitations.

The application turns each stored visit into a `CalendarEvent` (text already in the patient's
language) and calls `render_feed` for the URL a calendar app subscribes to, or `render_invite`
for a visit sent by e-mail (iTIP, RFC 5546). The same visit keeps the same UID in both, and its
SEQUENCE grows with each change, so calendar apps update or cancel the copy they already hold
instead of adding a second one. A cancelled visit stays in the feed as CANCELLED (and loses its
alarm): a visit that simply disappeared would leave some clients showing the old copy.

Content lines are assembled here rather than through icalendar's component model: for 1,000
patients' feeds, `icalendar.Event`s and `to_ical()` took about 6 s on the reference machine even
with each VTIMEZONE built once, against a goal of 2 s for building the calendars and rendering
them (docs/performance.md, "Visit calendars"). icalendar still does the RFC work: it escapes TEXT
(`vText`), parameter values (RFC 6868) and durations (`vDuration`), folds long lines
(`Contentline`), and derives each VTIMEZONE from the tz database, once per zone and span of years.

Pure: no clock (the caller passes `now`), no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Timezone, vDuration, vText
from icalendar.parser import Contentline, rfc_6868_escape

Method = Literal["REQUEST", "CANCEL"]

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Trial Companion//Visit calendar//EN"
DEFAULT_REFRESH = timedelta(hours=6)
REMINDER_BEFORE = timedelta(days=1)

_CRLF = b"\r\n"
_MAX_OCTETS = 75  # per physical line, without the CRLF (RFC 5545 section 3.1)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}\x00-\x1f\x7f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Control characters other than line breaks are not allowed in TEXT or parameter values.
_DROPPED_CONTROLS = str.maketrans(
    {chr(code): None for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
)


def invite_media_type(method: Method) -> str:
    """The Content-Type of an invitation: iMIP (RFC 6047) wants the METHOD repeated there."""
    _check_method(method)
    return f"{MEDIA_TYPE}; method={method}"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One visit as the patient's calendar app should show it.

    `uid` stays the same for the life of the visit; `sequence` grows by one each time the visit
    changes (0 at first) and `changed_at` (aware) says when it last did. `starts_at` and
    `ends_at` are aware, in the patient's zone (a `zoneinfo.ZoneInfo`), so the visit keeps its
    wall-clock time across daylight-saving changes. Texts are already in the patient's language
    and never name a disease or a drug. `reminder` is the text of an alarm one day before the
    start; None for no alarm.
    """

    uid: str
    sequence: int
    changed_at: datetime
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    location: str | None
    cancelled: bool
    reminder: str | None

    def __post_init__(self) -> None:
        if not self.uid or _CONTROL.search(self.uid) or self.uid != self.uid.strip():
            raise ValueError(f"uid {self.uid!r} must be non-empty, unpadded, with no control chars")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise ValueError(f"sequence must be an integer, not {self.sequence!r}")
        if self.sequence < 0:
            raise ValueError(f"sequence must not be negative, got {self.sequence}")
        _require_aware(self.changed_at, "changed_at")
        zone = _zone_key(self.starts_at, "starts_at")
        if _zone_key(self.ends_at, "ends_at") != zone:
            raise ValueError(f"ends_at must be in the zone of starts_at ({zone})")
        if self.ends_at.astimezone(UTC) <= self.starts_at.astimezone(UTC):
            raise ValueError(f"visit {self.uid} ends at {self.ends_at}, not after its start")
        if not self.summary.strip():
            raise ValueError(f"visit {self.uid} has an empty summary")
        if self.reminder is not None and not self.reminder.strip():
            raise ValueError(f"visit {self.uid} has an empty reminder; pass None for no alarm")


def render_feed(
    events: Sequence[CalendarEvent],
    *,
    name: str,
    now: datetime,
    language: str,
    refresh: timedelta = DEFAULT_REFRESH,
) -> bytes:
    """The patient's subscription feed (METHOD:PUBLISH): every visit, cancelled ones included.

    `now` (aware) becomes each DTSTAMP: with a METHOD, RFC 5545 makes DTSTAMP the time the
    object was created. `refresh` is how often apps should fetch the feed again, written both as
    REFRESH-INTERVAL (RFC 7986) and as X-PUBLISHED-TTL, which Outlook reads instead. `language`
    (a BCP 47 tag such as "zh") marks the texts, which are already in that language.
    """
    if not name.strip():
        raise ValueError("the calendar name must not be empty")
    if refresh <= timedelta(0):
        raise ValueError(f"refresh must be positive, got {refresh}")
    stamp = _utc_text(now, "now")
    language_param = _language_param(language)
    ttl = _duration_text(refresh)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME{language_param}:{_text(name)}",
        f"X-WR-CALNAME:{_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{ttl}",
        f"X-PUBLISHED-TTL:{ttl}",
    ]
    chunks = [_lines(head), *_timezones(events)]
    chunks.extend(
        _lines(_vevent(event, stamp, language_param, cancelled=event.cancelled)) for event in events
    )
    chunks.append(b"END:VCALENDAR\r\n")
    return b"".join(chunks)


def render_invite(
    event: CalendarEvent,
    *,
    method: Method,
    organizer_email: str,
    organizer_name: str,
    attendee: str,
    now: datetime,
    language: str,
) -> bytes:
    """One visit as an iTIP message (RFC 5546): an invitation or update (REQUEST) or a CANCEL.

    The UID is the feed's, so the copy a patient got by e-mail and the one in a subscribed feed
    are the same visit. Pass the event's current SEQUENCE; for CANCEL that is the bumped one, so
    apps see the cancellation as newer than what they hold. `attendee` is the patient as a URI
    (for example "urn:uuid:..."); nobody is asked to reply (RSVP=FALSE).
    """
    _check_method(method)
    if method == "REQUEST" and event.cancelled:
        raise ValueError(f"visit {event.uid} is cancelled: send it with method CANCEL")
    if not _EMAIL.fullmatch(organizer_email):
        raise ValueError(f"organizer_email {organizer_email!r} is not a plain e-mail address")
    if not _URI.fullmatch(attendee):
        raise ValueError(f"attendee {attendee!r} is not a URI such as 'urn:uuid:...'")
    if not organizer_name.strip():
        raise ValueError("organizer_name must not be empty")
    cancel = method == "CANCEL"
    people = (
        f"ORGANIZER;CN={_param_value(organizer_name)}:mailto:{organizer_email}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:{attendee}",
    )
    head = (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    )
    vevent = _vevent(
        event, _utc_text(now, "now"), _language_param(language), cancelled=cancel, people=people
    )
    return b"".join((_lines(head), *_timezones((event,)), _lines(vevent), b"END:VCALENDAR\r\n"))


def _vevent(
    event: CalendarEvent,
    stamp: str,
    language_param: str,
    *,
    cancelled: bool,
    people: Iterable[str] = (),
) -> list[str]:
    """The VEVENT's content lines; a cancelled one has no alarm, so nobody is called to it."""
    zone = _zone_key(event.starts_at, "starts_at")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_text(event.uid)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{_utc_text(event.changed_at, 'changed_at')}",
        f"DTSTART;TZID={zone}:{event.starts_at:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={zone}:{event.ends_at:%Y%m%dT%H%M%S}",
        f"SUMMARY{language_param}:{_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION{language_param}:{_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION{language_param}:{_text(event.location)}")
    lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
    lines.append("TRANSP:OPAQUE")
    lines.append("CLASS:PRIVATE")
    lines.extend(people)
    if not cancelled and event.reminder is not None:
        lines.append("BEGIN:VALARM")
        lines.append("ACTION:DISPLAY")
        lines.append(f"TRIGGER:{_duration_text(-REMINDER_BEFORE)}")
        lines.append(f"DESCRIPTION{language_param}:{_text(event.reminder)}")
        lines.append("END:VALARM")
    lines.append("END:VEVENT")
    return lines


def _timezones(events: Iterable[CalendarEvent]) -> list[bytes]:
    """One VTIMEZONE per zone the events use, covering whole years around their span.

    Whole years keep the component small (a few transitions) yet the same for every patient in
    that zone and span, so it is built once and reused.
    """
    spans: dict[ZoneInfo, tuple[int, int]] = {}
    for event in events:
        zone: ZoneInfo = event.starts_at.tzinfo  # type: ignore[assignment]
        first, last = event.starts_at.year, event.ends_at.year
        if zone in spans:
            known_first, known_last = spans[zone]
            spans[zone] = (min(first, known_first), max(last, known_last))
        else:
            spans[zone] = (first, last)
    return [
        _vtimezone(zone, first, last)
        for zone, (first, last) in sorted(spans.items(), key=lambda item: item[0].key)
    ]


@lru_cache(maxsize=256)
def _vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> bytes:
    """VTIMEZONE for `zone` from 1 January of `first_year` to 1 January after `last_year`.

    icalendar finds the offsets and their changes in the tz database, but lists an observance's
    later onsets as RDATE values. ical.js (the parser of Nextcloud's calendar and other web
    clients) then ignores the DTSTART and all but the first value of each RDATE, and puts some
    visits an hour off (cycle 2 in Paris, for one). So each onset gets a STANDARD or DAYLIGHT of
    its own, with no RDATE: a form every reader understands.
    """
    generated = Timezone.from_tzinfo(
        zone,
        tzid=zone.key,
        first_date=date(first_year, 1, 1),
        last_date=date(last_year + 1, 1, 1),
    )
    onsets = []
    for observance in generated.subcomponents:
        for onset in (observance.DTSTART, *(start for start, _ in observance.rdates)):
            single = type(observance)()
            single.add("DTSTART", onset)
            single.add("TZOFFSETFROM", observance.TZOFFSETFROM)
            single.add("TZOFFSETTO", observance.TZOFFSETTO)
            if "TZNAME" in observance:
                single.add("TZNAME", str(observance["TZNAME"]))
            onsets.append((onset, single))
    timezone = Timezone()
    timezone.add("TZID", zone.key)
    for _, single in sorted(onsets, key=lambda pair: pair[0]):
        timezone.add_component(single)
    return timezone.to_ical()


def _lines(lines: Iterable[str]) -> bytes:
    return b"".join(_fold(line) for line in lines)


def _fold(line: str) -> bytes:
    """One content line, folded by icalendar so no physical line exceeds 75 octets, never
    inside a UTF-8 character nor between an escape and what it escapes."""
    data = line.encode("utf-8")
    if len(data) <= _MAX_OCTETS:
        return data + _CRLF
    return Contentline(line).to_ical() + _CRLF


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11), escaped by icalendar; other control characters
    are not allowed in TEXT at all and are dropped."""
    return vText(value.translate(_DROPPED_CONTROLS)).to_ical().decode("utf-8")


def _param_value(value: str) -> str:
    """A quoted parameter value; quotes, line breaks and carets escaped as RFC 6868 says."""
    return '"' + rfc_6868_escape(value.translate(_DROPPED_CONTROLS)) + '"'


def _language_param(language: str) -> str:
    if not _LANGUAGE_TAG.fullmatch(language):
        raise ValueError(f"language {language!r} is not a language tag such as 'en' or 'zh'")
    return f";LANGUAGE={language}"


def _utc_text(moment: datetime, what: str) -> str:
    _require_aware(moment, what)
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _duration_text(span: timedelta) -> str:
    """An RFC 5545 DURATION such as "PT6H" or "-P1D" (whole seconds only)."""
    if span.microseconds:
        raise ValueError(f"durations are written in whole seconds, not {span}")
    return vDuration(span).to_ical().decode("ascii")


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment!r}")


def _zone_key(moment: datetime, what: str) -> str:
    zone = moment.tzinfo
    if not isinstance(zone, ZoneInfo) or not zone.key:
        raise ValueError(f"{what} must carry a zoneinfo.ZoneInfo with an IANA key, got {zone!r}")
    return zone.key


def _check_method(method: str) -> None:
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
