"""Pre-screen sessions and leads: load, call the matching core, persist.

No Flask request objects here: callers pass plain values and the time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from companion.errors import Conflict, InvalidInput, NotFound
from companion.prescreen.models import Lead, PrescreenSession
from companion.privacy.encryption import phone_hash
from companion.sites.models import Site
from matching import (
    Assessment,
    FactsError,
    Trial,
    Verdict,
    available_trials,
    evaluate,
    load_trial,
    next_question,
    read_answer,
    read_facts,
)

CONTACT_CONSENT_VERSION = "contact-2026-11-v1"
LEAD_VERDICTS = frozenset({Verdict.LIKELY_ELIGIBLE.value, Verdict.NEEDS_REVIEW.value})
BEST_TIMES = ("morning", "afternoon", "evening", "any")


@cache
def trial_named(trial_id: str) -> Trial:
    """The trial's definition, loaded once per process; unknown trials are 404."""
    if trial_id not in available_trials():
        raise NotFound(f"There is no pre-screen for trial {trial_id!r}.")
    return load_trial(trial_id)


def checked_facts(trial: Trial, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return read_facts(trial, raw)
    except FactsError as error:
        raise InvalidInput(
            f"Invalid facts: {error}", {"json": {"facts": error.problems}}
        ) from error


@dataclass(frozen=True)
class SessionState:
    """A pre-screen session together with its current assessment."""

    record: PrescreenSession
    trial: Trial
    assessment: Assessment

    @property
    def is_finished(self) -> bool:
        """Nothing the person can answer would change the verdict any more."""
        return next_question(self.trial, self.record.facts, self.assessment) is None

    @property
    def can_leave_contact(self) -> bool:
        return self.is_finished and self.assessment.verdict.value in LEAD_VERDICTS


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    db: Session, trial: Trial, language: str, site: Site, now: datetime, lifetime: timedelta
) -> tuple[SessionState, str]:
    """A new anonymous session for `site` (see `receiving_site`); the returned token is the only
    key to it and is not stored."""
    token = secrets.token_urlsafe(32)
    record = PrescreenSession(
        token_digest=token_digest(token),
        trial_id=trial.id,
        trial_version=trial.version,
        site_id=site.id,
        language=language,
        facts={},
        answer_order=[],
        verdict=evaluate(trial, {}).verdict.value,
        created_at=now,
        updated_at=now,
        expires_at=now + lifetime,
    )
    db.add(record)
    db.flush()
    return _state(record, trial), token


def find_session(db: Session, token: str, now: datetime) -> SessionState:
    record = db.scalar(
        select(PrescreenSession).where(PrescreenSession.token_digest == token_digest(token))
    )
    if record is None or record.expires_at <= now:
        raise NotFound("This pre-screen link has expired or does not exist. You can start again.")
    return _state(record, trial_named(record.trial_id))


def record_answer(
    state: SessionState, fact: str, value: Any, now: datetime, lifetime: timedelta
) -> SessionState:
    """Store one answer (replacing an earlier one to the same question); a refusal names the
    request's field, `fact` (not a question of this pre-screen) or `value`, and the fact."""
    try:
        value = read_answer(state.trial, fact, value)
    except FactsError as error:
        asked = state.trial.facts.get(fact)
        field = "value" if asked is not None and asked.asked else "fact"
        raise InvalidInput(
            f"Invalid answer: {field}: {error}", {"json": {field: error.problems}}
        ) from error
    record = state.record
    record.facts = {**record.facts, fact: value}
    record.answer_order = [key for key in record.answer_order if key != fact] + [fact]
    return _touch(record, state.trial, now, lifetime)


def session_by_id(db: Session, session_id: int | None) -> SessionState:
    record = db.get(PrescreenSession, session_id) if session_id is not None else None
    if record is None:
        raise NotFound("This pre-screen has ended. You can start again.")
    return _state(record, trial_named(record.trial_id))


def replace_answers(
    state: SessionState,
    facts: dict[str, Any],
    order: list[str],
    now: datetime,
    lifetime: timedelta,
) -> SessionState:
    """Set every answer at once (a chat keeps its own and mirrors them here), each checked."""
    for key, value in facts.items():
        try:
            read_answer(state.trial, key, value)
        except FactsError as error:
            raise InvalidInput(f"Invalid answer: {error}", {"json": error.problems}) from error
    record = state.record
    record.facts = dict(facts)
    record.answer_order = [key for key in order if key in facts]
    return _touch(record, state.trial, now, lifetime)


def go_back(state: SessionState, now: datetime, lifetime: timedelta) -> SessionState:
    """Forget the most recent answer, so that its question is asked again."""
    record = state.record
    if record.answer_order:
        last = record.answer_order[-1]
        record.answer_order = record.answer_order[:-1]
        record.facts = {key: value for key, value in record.facts.items() if key != last}
    return _touch(record, state.trial, now, lifetime)


def _touch(
    record: PrescreenSession, trial: Trial, now: datetime, lifetime: timedelta
) -> SessionState:
    state = _state(record, trial)
    record.verdict = state.assessment.verdict.value
    record.updated_at = now
    record.expires_at = now + lifetime
    return state


def _state(record: PrescreenSession, trial: Trial) -> SessionState:
    return SessionState(record, trial, evaluate(trial, record.facts))


@dataclass(frozen=True)
class ContactDetails:
    name: str
    phone_e164: str
    email: str | None
    language: str
    best_time_to_call: str
    consent: bool


def capture_lead(db: Session, state: SessionState, details: ContactDetails, now: datetime) -> Lead:
    """Turn a finished, hopeful pre-screen into a lead for the site, with recorded consent."""
    record = state.record
    if not details.consent:
        raise InvalidInput(
            "consent: must be true. We can only pass on your details if you agree to be contacted.",
            {"json": {"consent": ["Must be true to be contacted."]}},
        )
    if not state.can_leave_contact:
        raise Conflict("Contact details are taken only at the end of a pre-screen that may fit.")
    if lead_exists(db, record):
        raise Conflict("Your details were already sent to the study team.")
    lead = Lead(
        site_id=record.site_id,
        trial_id=record.trial_id,
        prescreen_session_id=record.id,
        name=details.name,
        phone_e164=details.phone_e164,
        email=details.email,
        language=details.language,
        best_time_to_call=details.best_time_to_call,
        consent_to_contact=True,
        consent_text_version=CONTACT_CONSENT_VERSION,
        consented_at=now,
        verdict=record.verdict,
        facts=dict(record.facts),
        status="new",
        created_at=now,
    )
    db.add(lead)
    db.flush()
    return lead


def lead_exists(db: Session, record: PrescreenSession) -> bool:
    return db.scalar(select(Lead.id).where(Lead.prescreen_session_id == record.id)) is not None


def purge_expired_sessions(db: Session, now: datetime) -> int:
    """Delete sessions past their expiry that did not become leads; returns how many."""
    with_lead = select(Lead.prescreen_session_id).where(Lead.prescreen_session_id.is_not(None))
    result = db.execute(
        delete(PrescreenSession).where(
            PrescreenSession.expires_at <= now, PrescreenSession.id.not_in(with_lead)
        )
    )
    return result.rowcount or 0


def lead_by_phone(db: Session, e164: str) -> Lead | None:
    """The most recent lead with this E.164 phone number (found by its keyed hash), or None."""
    return db.scalar(
        select(Lead)
        .where(Lead.phone_hash == phone_hash(e164))
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(1)
    )
