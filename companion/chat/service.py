"""Conversations: load the state, run the dialogue, do what it asks, store the transcript.

No Flask request objects here: the web and text-message adapters pass plain values and the time.
What the dialogue's actions mean here:
- a pre-screen's facts are kept in the conversation's pre-screen session too, so a lead made in
  the chat is the same as one made on the web pages (`prescreen.service.capture_lead`);
- a symptom check or an emergency of a patient becomes a symptom report
  (`symptoms.service.submit_report`), which alerts the on-call phone when it is urgent;
- an emergency in a pre-screen (someone we do not know, on the web) is marked on the
  conversation for staff, after the person has been told to call the emergency number;
- a request for a call or for a new visit time is a task on the team's chat page;
- a message the bot could not help with is left for the team to read.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from companion.audit.recorder import audit_reason
from companion.chat import dialogue, wording
from companion.chat.dialogue import Context, Say, State, Turn
from companion.chat.models import (
    BOT,
    CALLBACK,
    OPEN,
    PERSON,
    RESCHEDULE,
    SMS,
    STAFF,
    WEB,
    ChatTask,
    Conversation,
    ConversationTurn,
)
from companion.enrolment.injections import record_dose
from companion.enrolment.models import Patient, Visit
from companion.errors import InvalidInput, NotFound
from companion.messaging.models import InboundMessage
from companion.messaging.visit_words import visit_words
from companion.prescreen import service as prescreen
from companion.sites.models import Site
from companion.sites.service import receiving_site
from companion.symptoms import service as symptom_reports
from companion.symptoms import sms_reports
from companion.symptoms.settings import symptom_settings, triage_rules_of
from companion.symptoms.wording import patient_answer
from matching import Verdict, evaluate
from schedules.attention import SCHEDULED
from symptoms import Urgency, describes_emergency
from symptoms.survey import Survey, load_survey

SYMPTOM_SURVEY = "text_check"
MAX_TEXT = 1000


@cache
def chat_survey() -> Survey:
    return load_survey(SYMPTOM_SURVEY)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Outcome:
    """What came of one message: the replies in the conversation's language, and more."""

    conversation: Conversation
    replies: list[str]
    emergency: bool
    token: str | None = None
    report: symptom_reports.SubmittedReport | None = None
    pass_to_team: bool = False
    prescreen: dict[str, Any] | None = field(default=None)


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["CHAT_CONVERSATION_HOURS"])


def resume_after() -> timedelta:
    return timedelta(hours=current_app.config["CHAT_RESUME_AFTER_HOURS"])


# ---- the web chat (a pre-screen) ---------------------------------------------------------


def chat_on_web(db: Session, token: str | None, text: str, language: str, now: datetime) -> Outcome:
    """Answer `text` in the web conversation `token`, or in a new one when None (or lapsed).

    An unknown token is 404; a lapsed one starts a new conversation, which says so.
    """
    text = _checked_text(text)
    conversation = find_web_conversation(db, token) if token else None
    lapsed = conversation is not None and conversation.expires_at <= now
    if conversation is None or lapsed:
        conversation, token = _start_web(db, language, now)
        context = _context(db, conversation, now)
        opening = dialogue.opening(_state(conversation), now, context)
        turn = opening
        if describes_emergency(text):
            turn = dialogue.respond(opening.state, text, now, context)
        _save(conversation, turn.state, now)
        notice = [Say("expired")] if lapsed and not turn.emergency else []
        outcome = _finish_turn(db, conversation, None, text, turn, now, extra_says=notice)
        outcome.token = token
        return outcome
    conversation.language = language
    outcome = run_turn(db, conversation, text, now)
    outcome.token = token
    return outcome


def find_web_conversation(db: Session, token: str) -> Conversation:
    conversation = db.scalar(
        select(Conversation).where(
            Conversation.token_digest == token_digest(token), Conversation.channel == WEB
        )
    )
    if conversation is None:
        raise NotFound(
            "conversation_id: there is no conversation with this id. Send null to start one."
        )
    return conversation


def _start_web(db: Session, language: str, now: datetime) -> tuple[Conversation, str]:
    site = receiving_site(db, None, current_app.config["DEFAULT_SITE_CODE"])
    trial = prescreen.trial_named(current_app.config["PRESCREEN_TRIAL_ID"])
    session, _session_token = prescreen.start_session(
        db, trial, language, site, now, prescreen_lifetime()
    )
    token = secrets.token_urlsafe(24)
    conversation = Conversation(
        token_digest=token_digest(token),
        channel=WEB,
        site_id=site.id,
        prescreen_session_id=session.record.id,
        language=language,
        state=dialogue.new_prescreen().to_json(),
        started_at=now,
        last_message_at=now,
        expires_at=now + lifetime(),
    )
    db.add(conversation)
    db.flush()
    return conversation, token


def prescreen_lifetime() -> timedelta:
    return timedelta(days=current_app.config["PRESCREEN_SESSION_DAYS"])


# ---- text messages (a patient on the study) ----------------------------------------------


def open_conversation_of(db: Session, patient: Patient, now: datetime) -> Conversation | None:
    """The patient's text conversation that has not lapsed, if any."""
    return db.scalar(
        select(Conversation)
        .where(Conversation.patient_id == patient.id, Conversation.expires_at > now)
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def waits_for_answer(conversation: Conversation | None) -> bool:
    """Whether the conversation has asked something it waits to hear back about, or is taken
    over by staff: then a short "yes" or "是" answers it rather than confirming a visit."""
    if conversation is None:
        return False
    return conversation.taken_over_by is not None or _state(conversation).step in dialogue.WAITING


def chat_by_text(db: Session, message: InboundMessage, patient: Patient, now: datetime) -> Outcome:
    """Answer a patient's text in their conversation (a new one if none is open)."""
    conversation = open_conversation_of(db, patient, now)
    if conversation is None:
        conversation = Conversation(
            channel=SMS,
            site_id=patient.site_id,
            patient_id=patient.id,
            language=patient.language,
            state=dialogue.new_patient_chat().to_json(),
            started_at=now,
            last_message_at=now,
            expires_at=now + lifetime(),
        )
        db.add(conversation)
        db.flush()
    conversation.language = patient.language
    return run_turn(db, conversation, message.body, now, message=message, patient=patient)


# ---- one turn ----------------------------------------------------------------------------


def run_turn(
    db: Session,
    conversation: Conversation,
    text: str,
    now: datetime,
    *,
    message: InboundMessage | None = None,
    patient: Patient | None = None,
) -> Outcome:
    context = _context(db, conversation, now, patient)
    turn = dialogue.respond(_state(conversation), text, now, context)
    _save(conversation, turn.state, now)
    return _finish_turn(db, conversation, message, text, turn, now, patient=patient)


def _finish_turn(
    db: Session,
    conversation: Conversation,
    message: InboundMessage | None,
    text: str,
    turn: Turn,
    now: datetime,
    *,
    patient: Patient | None = None,
    extra_says: list[Say] | None = None,
) -> Outcome:
    outcome = Outcome(conversation, [], turn.emergency)
    unseen = (
        _staff_lines_since_last_message(db, conversation) if conversation.channel == WEB else []
    )
    _remember(db, conversation, PERSON, text, now, message=message, emergency=turn.emergency)
    for action in turn.actions:
        _do(db, conversation, action, outcome, now, patient, message)
    says = [*(extra_says or []), *turn.replies]
    if any(say.key == "injection_logged" for say in says) and outcome.pass_to_team:
        says = [Say("injection_not_planned") if s.key == "injection_logged" else s for s in says]
    site = db.get(Site, conversation.site_id)
    extra = _site_words(site, outcome, conversation.language)
    bot_lines = [wording.render(say, conversation.language, extra) for say in says]
    for reply in bot_lines:
        _remember(db, conversation, BOT, reply, now, message=message)
    outcome.replies = [*unseen, *bot_lines]
    if outcome.report is not None and outcome.report.triage.is_emergency:
        outcome.emergency = True
    if outcome.emergency:
        conversation.emergency_at = now
    if conversation.prescreen_session_id is not None:
        outcome.prescreen = _progress(conversation)
    return outcome


def _do(
    db: Session,
    conversation: Conversation,
    action: dialogue.Action,
    outcome: Outcome,
    now: datetime,
    patient: Patient | None,
    message: InboundMessage | None,
) -> None:
    if isinstance(action, dialogue.RecordFact | dialogue.ForgetFact | dialogue.ForgetAllFacts):
        _mirror_facts(db, conversation, now)
    elif isinstance(action, dialogue.CreateLead):
        _create_lead(db, conversation, action, now)
    elif isinstance(action, dialogue.RequestCallback):
        _add_task(db, conversation, CALLBACK, now, phone=action.phone_e164)
    elif isinstance(action, dialogue.RequestReschedule):
        _add_task(db, conversation, RESCHEDULE, now, note=action.note)
    elif isinstance(action, dialogue.ReportWords):
        if patient is not None:
            said = sms_reports.answers_from_text(action.text) or {"other": action.text[:1000]}
            answers = {**action.answers, **said}
            outcome.report = symptom_reports.submit_report(
                db, patient, answers, "sms", now, inbound_message=message
            )
    elif isinstance(action, dialogue.RecordSymptomReport) and patient is not None:
        outcome.report = symptom_reports.submit_report(
            db, patient, dict(action.answers), "sms", now, inbound_message=message
        )
    elif isinstance(action, dialogue.LogInjection) and patient is not None:
        try:
            record_dose(db, patient, patient.local_today(now), "taken", None, "patient", now)
        except InvalidInput:
            outcome.pass_to_team = True
    elif isinstance(action, dialogue.PassToTeam):
        outcome.pass_to_team = True


def _site_words(
    site: Site | None, outcome: Outcome, language: str
) -> Mapping[str, Callable[[Say], str]]:
    """The replies whose words come from the site's settings or from a report just made."""
    settings = symptom_settings(site) if site is not None else None

    def emergency(_say: Say) -> str:
        return _answer(Urgency.EMERGENCY)

    def report_answer(_say: Say) -> str:
        urgency = outcome.report.triage.urgency if outcome.report else Urgency.GREEN
        return _answer(urgency)

    def _answer(urgency: Urgency) -> str:
        if settings is None:
            raise ValueError("a conversation belongs to a site")
        return patient_answer(urgency, settings, language)

    return {"emergency": emergency, "report_answer": report_answer}


def _mirror_facts(db: Session, conversation: Conversation, now: datetime) -> None:
    """The pre-screen session holds the same answers as the conversation."""
    state = _state(conversation)
    session = prescreen.session_by_id(db, conversation.prescreen_session_id)
    prescreen.replace_answers(
        session, dict(state.facts), list(state.answer_order), now, prescreen_lifetime()
    )


def _create_lead(
    db: Session, conversation: Conversation, action: dialogue.CreateLead, now: datetime
) -> None:
    session = prescreen.session_by_id(db, conversation.prescreen_session_id)
    if prescreen.lead_exists(db, session.record):
        return
    details = prescreen.ContactDetails(
        name=action.name,
        phone_e164=action.phone_e164,
        email=None,
        language=conversation.language,
        best_time_to_call=action.best_time_to_call,
        consent=True,
    )
    prescreen.capture_lead(db, session, details, now)


def _add_task(
    db: Session,
    conversation: Conversation,
    kind: str,
    now: datetime,
    *,
    phone: str | None = None,
    note: str | None = None,
) -> None:
    audit_reason(
        "The person asked the chat for a call."
        if kind == CALLBACK
        else "The patient asked the chat for a new visit time.",
        db,
    )
    db.add(
        ChatTask(
            site_id=conversation.site_id,
            conversation_id=conversation.id,
            patient_id=conversation.patient_id,
            kind=kind,
            note=note,
            phone_e164=phone,
            status=OPEN,
            created_at=now,
        )
    )


def _staff_lines_since_last_message(db: Session, conversation: Conversation) -> list[str]:
    """What staff wrote in a web conversation after the person's last message: the web has no
    push, so the person reads it with the answer to their next message (and on the page)."""
    last_message = (
        select(ConversationTurn.id)
        .where(
            ConversationTurn.conversation_id == conversation.id,
            ConversationTurn.speaker == PERSON,
        )
        .order_by(ConversationTurn.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return list(
        db.scalars(
            select(ConversationTurn.text)
            .where(
                ConversationTurn.conversation_id == conversation.id,
                ConversationTurn.speaker == STAFF,
                ConversationTurn.id > func.coalesce(last_message, 0),
            )
            .order_by(ConversationTurn.id)
        )
    )


def bot_lines_for(db: Session, message: InboundMessage) -> list[str]:
    """What the bot answered to a text, in order (the same every time it is asked)."""
    return list(
        db.scalars(
            select(ConversationTurn.text)
            .where(
                ConversationTurn.inbound_message_id == message.id,
                ConversationTurn.speaker == BOT,
            )
            .order_by(ConversationTurn.id)
        )
    )


def _remember(
    db: Session,
    conversation: Conversation,
    speaker: str,
    text: str,
    now: datetime,
    *,
    message: InboundMessage | None = None,
    emergency: bool = False,
    staff_id: int | None = None,
) -> None:
    if not text:
        return
    db.add(
        ConversationTurn(
            conversation_id=conversation.id,
            speaker=speaker,
            text=text[: MAX_TEXT * 4],
            at=now,
            staff_id=staff_id,
            inbound_message_id=message.id if message is not None else None,
            emergency=emergency,
        )
    )


def _save(conversation: Conversation, state: State, now: datetime) -> None:
    conversation.state = state.to_json()
    conversation.last_message_at = now
    conversation.expires_at = now + lifetime()


def _state(conversation: Conversation) -> State:
    return State.from_json(conversation.state)


def _context(
    db: Session, conversation: Conversation, now: datetime, patient: Patient | None = None
) -> Context:
    site = db.get(Site, conversation.site_id)
    trial = None
    if conversation.prescreen_session_id is not None:
        trial = prescreen.trial_named(current_app.config["PRESCREEN_TRIAL_ID"])
    return Context(
        language=conversation.language,
        trial=trial,
        survey=chat_survey(),
        triage_rules=triage_rules_of(site) if site is not None else None,
        next_visit=next_visit(db, patient, now) if patient is not None else None,
        default_region=current_app.config["DEFAULT_PHONE_REGION"],
        resume_after=resume_after(),
        silenced=conversation.taken_over_by is not None,
    )


def next_visit(db: Session, patient: Patient, now: datetime) -> dialogue.VisitSummary | None:
    visit = db.scalar(
        select(Visit)
        .where(Visit.patient_id == patient.id, Visit.status == SCHEDULED, Visit.starts_at > now)
        .order_by(Visit.starts_at, Visit.position)
        .limit(1)
    )
    if visit is None:
        return None
    words = visit_words(visit, patient)
    return dialogue.VisitSummary(name=words["visit"], day=words["day"], time=words["time"])


def _progress(conversation: Conversation) -> dict[str, Any]:
    """The contract's "prescreen" member: the fact being asked, the facts, the verdict so far."""
    state = _state(conversation)
    trial = prescreen.trial_named(current_app.config["PRESCREEN_TRIAL_ID"])
    verdict: Verdict = evaluate(trial, state.facts).verdict
    return {
        "asking": state.asking if state.step == dialogue.FACT else None,
        "facts": dict(state.facts),
        "verdict": verdict.value,
    }


def purge_lapsed_web_chats(db: Session, now: datetime) -> int:
    """Delete web conversations (people we do not know) that have lapsed, with their
    transcripts, unless a task the bot left in them is still open; returns how many.

    A patient's text conversations stay: they are part of the trial's records.
    """
    open_task = select(ChatTask.conversation_id).where(ChatTask.status == OPEN)
    lapsed = list(
        db.scalars(
            select(Conversation).where(
                Conversation.channel == WEB,
                Conversation.expires_at <= now,
                Conversation.id.not_in(open_task),
            )
        )
    )
    ids = [conversation.id for conversation in lapsed]
    if ids:
        db.execute(delete(ChatTask).where(ChatTask.conversation_id.in_(ids)))
    for conversation in lapsed:
        db.delete(conversation)  # and its transcript
    db.flush()
    return len(lapsed)


def _checked_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(
            "text: must be a message of 1 to 1000 characters.",
            {"json": {"text": ["Must be a message of 1 to 1000 characters."]}},
        )
    return text[:MAX_TEXT]
