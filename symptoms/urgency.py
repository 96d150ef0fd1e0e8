"""How soon the study team must act on a symptom report, from routine to call-an-ambulance."""

from __future__ import annotations

import enum


class Urgency(enum.IntEnum):
    """Ordered, so the most urgent of several is `max(...)`.

    The names the API and the data files use are the lower-case ones: green (routine), amber
    (review the same day), red (the team calls the patient within the hour), emergency (the
    patient is told to call emergency services now and staff are alerted at once).
    """

    GREEN = 0
    AMBER = 1
    RED = 2
    EMERGENCY = 3

    @property
    def name_lower(self) -> str:
        """ "green", "amber", "red" or "emergency": the word the API and the data files use."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """The same word as `name_lower`."""
        return self.name_lower

    @property
    def value_name(self) -> str:
        """The same word as `name_lower`."""
        return self.name_lower

    @classmethod
    def from_name(cls, name: str) -> Urgency:
        """The urgency called `name` ("red", in any case); ValueError names the allowed words."""
        if isinstance(name, str):
            for urgency in cls:
                if urgency.name_lower == name.strip().casefold():
                    return urgency
        allowed = ", ".join(urgency.name_lower for urgency in cls)
        raise ValueError(f"{name!r} is not an urgency; use one of {allowed}")
