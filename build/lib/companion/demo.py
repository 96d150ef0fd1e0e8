"""Demonstration data, so that a newcomer sees every capability working.

Built through the same services as real use, never by writing rows directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.access.models import StaffUser
from companion.access.service import create_staff
from companion.leads import service as leads
from companion.prescreen import service as prescreen
from companion.sites.service import site_by_code

DEMO_SITE_CODE = "SITE01"
DEMO_SITE_NAME = "Demo Cancer Hospital"
SESSION_LIFETIME = timedelta(days=30)
DEMO_COORDINATOR_EMAIL = "coordinator@site01.example.org"
DEMO_COORDINATOR_PASSWORD = "demo-coordinator-password"  # printed: demo use only

LIKELY_FIT = {
    "melanoma_origin": "acral",
    "stage": "III",
    "regional_spread": "yes",
    "recent_cancer_treatment": "no",
    "age_years": 54,
    "melanoma_confirmed": "yes",
    "ecog": 1,
    "other_trial_recent": "no",
    "other_cancer_history": "none",
    "autoimmune_disease": "none",
    "steroids_or_immunosuppressants_recent": "no",
    "hepatitis_b_active": "no",
    "serious_heart_condition": "no",
    "lung_condition": "no",
    "recent_stroke": "no",
    "active_infection": "no",
    "uncontrolled_diabetes": "no",
    "hiv": "no",
    "hepatitis_c": "no",
    "tuberculosis_history": "no",
    "mab_allergy": "no",
    "major_surgery_recent": "no",
    "live_vaccine_recent": "no",
    "growth_factor_recent": "no",
    "psychiatric_or_substance_barrier": "no",
    "pregnant_or_breastfeeding": "no",
    "planning_pregnancy": "no",
    "can_become_pregnant": "no",
    "willing_to_consent": "yes",
}

DEMO_SCREENS: list[dict[str, Any]] = [
    {
        "language": "en",
        "answers": LIKELY_FIT,
        "lead": {
            "name": "Demo Patient Wang",
            "phone_e164": "+8613800138001",
            "email": None,
            "language": "en",
            "best_time_to_call": "morning",
        },
        "contact_attempt": ("left_message", "Voicemail; will try again in the morning."),
    },
    {
        "language": "zh",
        "answers": {
            **LIKELY_FIT,
            "stage": "IV",
            "distant_spread_sites": "one",
            "distant_spread_removable": "yes",
            "brain_spread": "no",
            "hepatitis_b_active": "unsure",
        },
        "lead": {
            "name": "演示患者 李",
            "phone_e164": "+8613800138002",
            "email": "li@example.org",
            "language": "zh",
            "best_time_to_call": "afternoon",
        },
    },
    {"language": "en", "answers": {"melanoma_origin": "mucosal"}, "lead": None},
    {"language": "zh", "answers": {"melanoma_origin": "skin", "stage": "III"}, "lead": None},
]


def load_demo_data(db: Session, now: datetime) -> str:
    """Create the demo site and coordinator, four pre-screens and two leads (one called), once."""
    site = site_by_code(db, DEMO_SITE_CODE, create_with_name=DEMO_SITE_NAME)
    if prescreen.lead_by_phone(db, DEMO_SCREENS[0]["lead"]["phone_e164"]) is not None:
        return "demo data already loaded"
    coordinator = _demo_coordinator(db)
    trial = prescreen.trial_named("NCT07586904")
    links = []
    for screen in DEMO_SCREENS:
        state, token = prescreen.start_session(
            db, trial, screen["language"], site.code, now, SESSION_LIFETIME
        )
        for fact, value in screen["answers"].items():
            state = prescreen.record_answer(state, fact, value, now, SESSION_LIFETIME)
        if screen["lead"]:
            lead = prescreen.capture_lead(
                db, state, prescreen.ContactDetails(consent=True, **screen["lead"]), now
            )
            if screen.get("contact_attempt"):
                outcome, note = screen["contact_attempt"]
                leads.record_contact_attempt(db, lead, coordinator, outcome, note, now)
        links.append(f"  /prescreen/{token}  ({state.assessment.verdict.value})")
    return "\n".join(
        [
            "demo data loaded; pre-screens to open in the browser:",
            *links,
            f"leads at {DEMO_SITE_CODE}: one new, one contacted (one attempt logged)",
            f"sign in as {DEMO_COORDINATOR_EMAIL} with password {DEMO_COORDINATOR_PASSWORD}",
        ]
    )


def _demo_coordinator(db: Session) -> StaffUser:
    existing = db.scalar(select(StaffUser).where(StaffUser.email == DEMO_COORDINATOR_EMAIL))
    return existing or create_staff(
        db,
        email=DEMO_COORDINATOR_EMAIL,
        password=DEMO_COORDINATOR_PASSWORD,
        role="coordinator",
        site_code=DEMO_SITE_CODE,
    )
