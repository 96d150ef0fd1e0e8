"""Visit calendars: a protocol schedule as data and a pure builder (anchor date -> visits)."""

from schedules.builder import Calendar, HomeDose, Visit, build_calendar, out_of_window
from schedules.loader import (
    ScheduleDefinitionError,
    available_protocols,
    load_protocol,
    load_protocol_file,
)
from schedules.protocol import Protocol

__all__ = [
    "Calendar",
    "HomeDose",
    "Protocol",
    "ScheduleDefinitionError",
    "Visit",
    "available_protocols",
    "build_calendar",
    "load_protocol",
    "load_protocol_file",
    "out_of_window",
]
