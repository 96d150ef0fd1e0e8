"""A trial's visit schedule as plain values: visits, their anchors and windows, home doses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time

LocalText = Mapping[str, str]  # language code -> lay text

START = "start"  # the enrolment anchor date given to the builder (cycle 1 day 1)
ACTIVITIES = frozenset({"dosing", "labs", "imaging", "exam", "symptom_survey", "pathology"})
PLACES = frozenset({"clinic", "phone"})  # a visit in person, or a call from the study team


@dataclass(frozen=True, slots=True)
class Window:
    """How many days before and after the target date the visit may still take place."""

    before: int
    after: int


@dataclass(frozen=True, slots=True)
class VisitPlan:
    """One visit: `offset_days` after the date of its anchor (START or an earlier visit's key).

    The anchor's actual date is used when it is known, so a late visit moves what hangs on it.
    """

    key: str
    name: LocalText
    anchor: str
    offset_days: int
    window: Window
    start_time: time
    minutes: int
    place: str
    activities: tuple[str, ...]
    preparation: tuple[str, ...]
    confirmed: bool
    cycle: int | None = None


@dataclass(frozen=True, slots=True)
class HomeDosePlan:
    """Doses the patient takes at home every `every_days` days, between two anchored dates."""

    key: str
    name: LocalText
    every_days: int
    start_anchor: str
    start_offset_days: int
    stop_anchor: str
    stop_offset_days: int
    time: time
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Protocol:
    trial: str
    version: str
    languages: tuple[str, ...]
    cycles: int
    cycle_range: tuple[int, int]  # the fewest and most neoadjuvant cycles the file allows
    visits: tuple[VisitPlan, ...]
    home_doses: tuple[HomeDosePlan, ...]
    preparation: Mapping[str, LocalText]

    @property
    def last_dose_key(self) -> str:
        return [v.key for v in self.visits if v.cycle is not None][-1]

    def visit(self, key: str) -> VisitPlan:
        for plan in self.visits:
            if plan.key == key:
                return plan
        raise KeyError(key)

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """Entries still carrying the default the site has not confirmed."""
        return tuple(v.key for v in self.visits if not v.confirmed) + tuple(
            d.key for d in self.home_doses if not d.confirmed
        )
