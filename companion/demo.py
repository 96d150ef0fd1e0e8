"""Demonstration data, so that a newcomer sees every capability working.

Built through the same services as real use, never by writing rows directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion import demo_texts
from companion.access.models import StaffUser
from companion.access.service import create_staff
from companion.chat import service as chat
from companion.enrolment import injections
from companion.enrolment import service as enrolment
from companion.enrolment.calendar_sync import visits_of
from companion.enrolment.models import Patient
from companion.leads import service as leads
from companion.prescreen import service as prescreen
from companion.sites.service import site_by_code
from companion.symptoms import service as symptoms

DEMO_SITE_CODE = "SITE01"
DEMO_SITE_NAME = "Demo University Hospital"
DEMO_SITE_DETAILS = {
    "address": "Outpatient Building 3, 88 Garden Road",
    "phone": "+86 21 5555 0100",
    "email": "study-team@site01.example.org",
    "sms_sender_label": "Garden Rd Clinic",
    # Symptom reports: the study's 24-hour phone, and the on-call mobile texted about urgent ones.
    "urgent_phone": "+86 21 5555 0199",
    "on_call_phone": "+8613700137000",
}
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

# Two enrolled patients: one ten days into treatment (enrolled two weeks ago, first treatment
# done a day late, a few home shots recorded, reminders sent, texts back, symptom reports from
# green to amber, both dealt with, to a red one still open), one starting next week (Chinese)
# who has just texted an emergency, and a public holiday the site is closed. `texts`: what each
# has texted us, in hours before now. `reports`: answers on their page, in hours before now,
# and what the coordinator did (action, note) or None while it is open.
DEMO_PATIENTS: list[dict[str, Any]] = [
    {
        "name": "Demo Patient Zhao",
        "phone": "+8613800138003",
        "language": "en",
        "timezone": "Asia/Shanghai",
        "starts_in_days": -10,
        "first_treatment_done_late_by": 1,
        "shots": ("taken", "taken", "reaction", "missed"),
        "enrolled_days_ago": 14,
        "texts": (
            ("Is it OK to take tonight's shot an hour late?", 3),
            ("I need to change my next appointment", 2.5),
            ("Friday afternoon would suit me better", 2.4),
        ),
        "reports": (
            ({"fatigue": "mild", "itching": "mild"}, 9 * 24, ("no_action_needed", None)),
            (
                {"temperature_c": 38.3, "fatigue": "moderate", "rash": "mild"},
                4 * 24,
                ("called_patient", "Fever settled with rest; to call again if it comes back."),
            ),
            ({"temperature_c": 39.2, "nausea": "moderate", "fatigue": "moderate"}, 0.4, None),
        ),
    },
    {
        "name": "演示患者 陈",
        "phone": "+8613800138004",
        "language": "zh",
        "timezone": "Asia/Shanghai",
        "starts_in_days": 7,
        "first_treatment_done_late_by": None,
        "shots": (),
        "enrolled_days_ago": 0,
        "texts": (("下次什么时候来？", 1.5), ("HELP", 1), ("胸口痛，喘不上气", 0.1)),
        "reports": (),
    },
]
DEMO_CLOSED_DAY_IN_DAYS = 28


def load_demo_data(db: Session, now: datetime, dispatch_as_of: demo_texts.DispatchAsOf) -> str:
    """Create the demo site and coordinator, four pre-screens and two leads (one called), two
    patients with their visits, reminders and texts, once.

    `dispatch_as_of(moment)` runs one dispatcher pass as of `moment` (with a backend that sends
    nothing); it is called after a commit.
    """
    site = site_by_code(db, DEMO_SITE_CODE, create_with_name=DEMO_SITE_NAME)
    if prescreen.lead_by_phone(db, DEMO_SCREENS[0]["lead"]["phone_e164"]) is not None:
        return "demo data already loaded"
    for field, value in DEMO_SITE_DETAILS.items():
        setattr(site, field, value)
    coordinator = _demo_coordinator(db)
    trial = prescreen.trial_named("NCT07586904")
    links = []
    for screen in DEMO_SCREENS:
        state, token = prescreen.start_session(
            db, trial, screen["language"], site, now, SESSION_LIFETIME
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
    patient_links = _demo_patients(db, coordinator, now, dispatch_as_of)
    chat_link = _demo_chat(db, now)
    return "\n".join(
        [
            "demo data loaded; pre-screens to open in the browser:",
            *links,
            f"leads at {DEMO_SITE_CODE}: one new, one contacted (one attempt logged)",
            "enrolled patients (their own page, and their calendar feed):",
            *patient_links,
            "a pre-screen by chat, half answered:",
            f"  {chat_link}",
            f"sign in as {DEMO_COORDINATOR_EMAIL} with password {DEMO_COORDINATOR_PASSWORD}",
            "  then open /staff/symptoms, /staff/chats, /staff/calendar, /staff/patients and "
            "/staff/messages",
        ]
    )


DEMO_CHAT = ("你好", "1", "三期", "是")  # a web chat: the first three questions answered


def _demo_chat(db: Session, now: datetime) -> str:
    """A pre-screen in the web chat, as someone typed it an hour ago; returns its page."""
    token = None
    for minute, text in enumerate(DEMO_CHAT):
        at = now - timedelta(hours=1) + timedelta(minutes=minute)
        token = chat.chat_on_web(db, token, text, "zh", at).token
    return f"/chat/{token}"


def _demo_patients(
    db: Session, coordinator: StaffUser, now: datetime, dispatch_as_of: demo_texts.DispatchAsOf
) -> list[str]:
    today = now.date()
    enrolment.add_closed_day(
        db, coordinator, today + timedelta(days=DEMO_CLOSED_DAY_IN_DAYS), "Public holiday", now
    )
    lines = []
    for demo in DEMO_PATIENTS:
        enrolled_at = now - timedelta(days=demo["enrolled_days_ago"])
        enrolled = enrolment.enrol(
            db,
            coordinator,
            enrolment.NewPatient(
                trial_id="NCT07586904",
                anchor_date=today + timedelta(days=demo["starts_in_days"]),
                timezone=demo["timezone"],
                sms_consent=True,
                phone=demo["phone"],
                language=demo["language"],
                name=demo["name"],
            ),
            default_region="CN",
            now=enrolled_at,
        )
        patient = enrolled.patient
        late_by = demo["first_treatment_done_late_by"]
        if late_by is not None:
            visits = {visit.key: visit for visit in visits_of(db, patient)}
            _reminded_and_confirmed(db, patient, visits["c1d1"].starts_at, now, dispatch_as_of)
            for key in ("screening", "c1d1"):
                shift = late_by if key == "c1d1" else 0
                done_on = visits[key].booked_date + timedelta(days=shift)
                enrolment.change_visit_status(
                    db, coordinator, visits[key], "done", done_on, None, now
                )
        for day, outcome in zip(injections.planned_days(db, patient), demo["shots"], strict=False):
            injections.record_dose(db, patient, day, outcome, None, "patient", now)
        for answers, hours_ago, handled in demo["reports"]:
            _reported(db, patient, coordinator, answers, now - timedelta(hours=hours_ago), handled)
        for body, hours_ago in demo["texts"]:
            demo_texts.texts(db, patient, body, now - timedelta(hours=hours_ago))
        lines.append(f"  /my/{enrolled.page_token}")
        lines.append(f"  /calendar/{enrolled.feed_token}.ics")
    db.commit()
    dispatch_as_of(now)  # the on-call alerts of the urgent reports, recorded as sent
    return lines


def _reported(
    db: Session,
    patient: Patient,
    coordinator: StaffUser,
    answers: dict[str, Any],
    at: datetime,
    handled: tuple[str, str | None] | None,
) -> None:
    """The patient reports symptoms on their page at `at`; the coordinator deals with it within
    the hour, unless `handled` is None (it stays open)."""
    report = symptoms.submit_report(db, patient, answers, "web", at).report
    if handled is not None:
        action, note = handled
        symptoms.record_action(db, report, coordinator, action, note, at + timedelta(minutes=20))
        symptoms.resolve(db, report, coordinator, None, at + timedelta(minutes=40))


def _reminded_and_confirmed(
    db: Session,
    patient: Patient,
    visit_at: datetime,
    now: datetime,
    dispatch_as_of: demo_texts.DispatchAsOf,
) -> None:
    """The reminders the patient had up to now, and their C the evening before `visit_at`."""
    confirmed_at = visit_at - timedelta(hours=12)
    demo_texts.replay_reminders(db, patient, confirmed_at, dispatch_as_of)
    demo_texts.confirm_next_visit(db, patient, confirmed_at)
    demo_texts.replay_reminders(db, patient, now, dispatch_as_of)


def _demo_coordinator(db: Session) -> StaffUser:
    existing = db.scalar(select(StaffUser).where(StaffUser.email == DEMO_COORDINATOR_EMAIL))
    return existing or create_staff(
        db,
        email=DEMO_COORDINATOR_EMAIL,
        password=DEMO_COORDINATOR_PASSWORD,
        role="coordinator",
        site_code=DEMO_SITE_CODE,
    )
