"""A site's symptom-report settings as the service uses them, with the defaults filled in.

A site that has set nothing still works: patients are told to call 120 (mainland China's
ambulance number), emergency and red reports are due within 30 minutes, amber ones by 18:00 the
same working day, and the packaged triage thresholds apply. Without a 24-hour phone the patient's
answer names only the emergency number; without an on-call phone no one is texted, and the queue
says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from companion.sites.models import Site
from symptoms import RulesError, TriageRules, load_triage_rules

logger = logging.getLogger(__name__)

DEFAULT_EMERGENCY_NUMBER = "120"
DEFAULT_RESPOND_WITHIN_MINUTES_URGENT = 30
DEFAULT_AMBER_RESPOND_BY = "18:00"
# The patient is told the team calls within the hour: a site may shorten that, not lengthen it.
RESPOND_WITHIN_MINUTES_URGENT_RANGE = (5, 60)


@dataclass(frozen=True)
class SymptomSettings:
    emergency_number: str
    urgent_phone: str | None
    on_call_phone: str | None
    respond_within_minutes_urgent: int
    amber_respond_by: time
    timezone: str
    triage_overrides: dict[str, Any] = field(default_factory=dict)


def symptom_settings(site: Site) -> SymptomSettings:
    """The site's settings, each one it left unset at its default."""
    return SymptomSettings(
        emergency_number=site.emergency_number or DEFAULT_EMERGENCY_NUMBER,
        urgent_phone=site.urgent_phone or None,
        on_call_phone=site.on_call_phone or None,
        respond_within_minutes_urgent=(
            site.respond_within_minutes_urgent or DEFAULT_RESPOND_WITHIN_MINUTES_URGENT
        ),
        amber_respond_by=time.fromisoformat(site.amber_respond_by or DEFAULT_AMBER_RESPOND_BY),
        timezone=site.timezone,
        triage_overrides=dict(site.triage_overrides or {}),
    )


def triage_rules_of(site: Site) -> TriageRules:
    """The packaged triage rules with the site's thresholds.

    The thresholds were checked when saved; should a later version of the rules refuse them,
    the packaged defaults are used (and a warning names the site), never no triage at all.
    """
    rules = load_triage_rules()
    try:
        return rules.with_overrides(site.triage_overrides or {})
    except RulesError as error:
        logger.warning(
            "site %s: its triage thresholds are refused (%s); using the defaults",
            site.id,
            error.field,
        )
        return rules
