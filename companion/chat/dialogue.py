"""The chatbot's dialogue: (state, message, now, context) -> (state, replies, actions).

Pure: no Flask, no database, no Twilio, no clock. The caller loads the state, hands over the
message and the time, does what the actions say (record a fact, create a lead, report a symptom,
alert the on-call phone, ...) and sends the replies. Replies are `Say(key, params)`: the caller
puts each into the conversation's language (`companion.chat.wording`); words that come from the
trial or symptom files arrive already in that language.

Two kinds of conversation:
- a **pre-screen** (someone thinking about the study, on the web chat): the matching engine's
  next question, one at a time, each reply read by `companion.chat.reading`; an answer the
  reader is not sure of is checked with the person before it is recorded; "back" and "start
  over" work at any question; it ends with the verdict and the same explanations as the web
  questionnaire, and, when the study may fit, an offer to pass their details to the team.
- a **patient** on the study (by text message): next visit, changing a visit (a task for the
  coordinator), a short symptom check feeding the triage, a home shot taken, a call from the
  team.

In every state, before anything else, a message that describes an emergency gets the fixed
emergency answer and an alert; the conversation then stays where it was. A reply that cannot be
read gets a short hint and the question again; after two in a row, an offer to have the team
call. A message after a long pause that is not an answer is greeted and the open question asked
again. While a member of staff has taken the conversation over, the bot answers nothing but
emergencies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import phonenumbers

from companion.chat.intents import Intent, read_command, read_request
from companion.chat.reading import (
    SKIPPED,
    Reading,
    normalise,
    read_fact_answer,
    read_option,
    read_symptom_answer,
    read_yes_no,
    without_leading_no,
)
from matching import Status, Trial, Verdict, evaluate, next_question, open_questions
from symptoms import Urgency, describes_emergency, scan_text
from symptoms.item_bank import Item
from symptoms.survey import Survey
from symptoms.triage import triage
from symptoms.triage_rules import TriageRules

PRESCREEN, PATIENT = "prescreen", "patient"
# Steps of a conversation: what the bot is waiting for.
FACT = "fact"  # an answer to the pre-screen question `asking`
OFFER_CONTACT = "offer_contact"  # yes/no: may the team contact them?
CONTACT_NAME, CONTACT_PHONE, CONTACT_TIME, CONTACT_CONSENT = (
    "contact_name",
    "contact_phone",
    "contact_time",
    "contact_consent",
)
CONTACT_STEPS = (OFFER_CONTACT, CONTACT_NAME, CONTACT_PHONE, CONTACT_TIME, CONTACT_CONSENT)
CALL_PHONE = "call_phone"  # the number to call back (someone the bot does not know)
DONE = "done"  # the pre-screen is over
MENU = "menu"  # a patient, nothing open
SYMPTOM_ITEM = "symptom"  # an answer to the symptom question `asking`
RESCHEDULE_NOTE = "reschedule"  # when would suit them better
WAITING = frozenset({FACT, OFFER_CONTACT, CONTACT_NAME, CONTACT_PHONE, CONTACT_TIME})
WAITING |= {CONTACT_CONSENT, CALL_PHONE, SYMPTOM_ITEM, RESCHEDULE_NOTE}

MISSES_BEFORE_CALL_OFFER = 2
BEST_TIMES = ("morning", "afternoon", "evening", "any")
MAX_NAME = 100
MAX_NOTE = 500
NOTHING: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Say:
    """One reply: a wording key (see `companion.chat.wording`) and what fills it."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


# Actions: what the caller must do for the turn to have happened.
@dataclass(frozen=True, slots=True)
class RecordFact:
    fact: str
    value: Any


@dataclass(frozen=True, slots=True)
class ForgetFact:
    fact: str


@dataclass(frozen=True, slots=True)
class ForgetAllFacts:
    pass


@dataclass(frozen=True, slots=True)
class CreateLead:
    name: str
    phone_e164: str
    best_time_to_call: str


@dataclass(frozen=True, slots=True)
class RequestCallback:
    phone_e164: str | None  # None: the patient's own number on file


@dataclass(frozen=True, slots=True)
class ReportWords:
    """A patient's words describe an emergency or a red flag: make them a report (with the
    symptom answers given so far, if any); the triage grades it from the words and on-call is
    alerted. From someone we do not know (a web pre-screen) there is no one to report on."""

    text: str
    answers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordSymptomReport:
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RequestReschedule:
    note: str


@dataclass(frozen=True, slots=True)
class LogInjection:
    pass


@dataclass(frozen=True, slots=True)
class PassToTeam:
    """The bot could not help with this message: the study team should read it."""


Action = (
    RecordFact
    | ForgetFact
    | ForgetAllFacts
    | CreateLead
    | RequestCallback
    | ReportWords
    | RecordSymptomReport
    | RequestReschedule
    | LogInjection
    | PassToTeam
)


@dataclass(frozen=True, slots=True)
class VisitSummary:
    """The patient's next visit as they read it (already in their language and time zone)."""

    name: str
    day: str
    time: str


@dataclass(frozen=True, slots=True)
class Context:
    """What the dialogue needs to know besides the message: all plain values."""

    language: str
    trial: Trial | None = None
    survey: Survey | None = None  # the symptom check asked by chat
    triage_rules: TriageRules | None = None
    next_visit: VisitSummary | None = None
    default_region: str = "CN"
    resume_after: timedelta = timedelta(hours=8)
    silenced: bool = False  # staff have taken the conversation over


@dataclass(frozen=True, slots=True)
class State:
    """Everything the conversation remembers; stored as JSON between messages."""

    kind: str
    step: str
    asking: str | None = None
    pending: Any = None  # a reading waiting for the person's "yes, that's right"
    has_pending: bool = False
    facts: Mapping[str, Any] = field(default_factory=dict)
    answer_order: tuple[str, ...] = ()
    contact: Mapping[str, str] = field(default_factory=dict)
    symptom_answers: Mapping[str, Any] = field(default_factory=dict)
    misses: int = 0
    last_at: str | None = None  # when the person last wrote (ISO 8601)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["answer_order"] = list(self.answer_order)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> State:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["answer_order"] = tuple(known.get("answer_order") or ())
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Turn:
    state: State
    replies: tuple[Say, ...]
    actions: tuple[Action, ...] = ()
    emergency: bool = False
    understood: bool = True


def new_prescreen() -> State:
    return State(kind=PRESCREEN, step=FACT)


def new_patient_chat() -> State:
    return State(kind=PATIENT, step=MENU)


def opening(state: State, now: datetime, context: Context) -> Turn:
    """What the bot says first in a new pre-screen: who it is, and the first question."""
    state = replace(state, asking=_next_fact(state, context), last_at=now.isoformat())
    return Turn(state, (Say("welcome_prescreen"), *_ask(state, context)))


def respond(state: State, text: str, now: datetime, context: Context) -> Turn:
    """The bot's answer to `text`, sent at `now`."""
    text = text if isinstance(text, str) else ""
    paused = _paused(state, now, context)
    state = replace(state, last_at=now.isoformat())
    if describes_emergency(text):
        emergency = ReportWords(text, dict(state.symptom_answers))
        return Turn(state, (Say("emergency"),), (emergency,), emergency=True)
    if state.kind == PATIENT and _reports_red_flag(state, text, context):
        turn = _report_red_flag(state, text, context)
        if context.silenced:  # the team has the conversation: they read it; on-call is told
            return Turn(state, (), (*turn.actions, PassToTeam()))
        return turn
    if context.silenced:
        return Turn(state, (), (PassToTeam(),))
    if state.kind == PRESCREEN:
        turn = _prescreen(state, text, context)
    else:
        turn = _patient(state, text, context)
    if paused and not turn.understood and turn.state.step in WAITING:
        # Not an answer after a long pause: they have forgotten where we were. Ask again.
        return Turn(replace(turn.state, misses=state.misses), _welcome_back(state, context))
    return turn


# ---- the pre-screen ----------------------------------------------------------------------


def _prescreen(state: State, text: str, context: Context) -> Turn:
    command = read_command(text)
    if command is Intent.RESTART:
        fresh = replace(new_prescreen(), last_at=state.last_at)
        fresh = replace(fresh, asking=_next_fact(fresh, context))
        return Turn(fresh, (Say("restarted"), *_ask(fresh, context)), (ForgetAllFacts(),))
    if command is Intent.BACK and state.step in (FACT, OFFER_CONTACT, DONE):
        return _go_back(state, context)
    if command is Intent.BACK and state.step in CONTACT_STEPS:
        return _contact_back(state, context)
    if command is Intent.CALL_ME and state.step not in (CONTACT_NAME, CONTACT_PHONE):
        return _ask_call_phone(state)
    if state.step == FACT:
        return _answer_fact(state, text, context)
    if state.step == OFFER_CONTACT:
        return _answer_offer(state, text, context)
    if state.step in (CONTACT_NAME, CONTACT_PHONE, CONTACT_TIME, CONTACT_CONSENT):
        return _answer_contact(state, text, context)
    if state.step == CALL_PHONE:
        return _answer_call_phone(state, text, context)
    return Turn(state, (Say("prescreen_over"),))


def _answer_fact(state: State, text: str, context: Context) -> Turn:
    question = _question(state, context)
    if state.has_pending:
        correction = without_leading_no(text)
        if correction and read_fact_answer(correction, question, context.language):
            # "no, 4": not what we checked, but the answer they meant
            state, text = replace(state, pending=None, has_pending=False), correction
        else:
            confirmed = read_yes_no(text)
            if confirmed is not None and confirmed.value == "yes":  # "ok" agrees too
                return _record(state, question.fact.key, state.pending, context)
            if confirmed is not None and confirmed.value in ("no", "unsure"):
                cleared = replace(state, pending=None, has_pending=False)
                return Turn(cleared, (Say("ask_again"), *_ask(cleared, context)))
    reading = read_fact_answer(text, question, context.language)
    if reading is None:
        return _missed(replace(state, pending=None, has_pending=False), context)
    if not reading.sure:
        return _check(state, question_label(question, reading.value, context.language), reading)
    return _record(state, question.fact.key, reading.value, context)


def _check(state: State, label: str, reading: Reading) -> Turn:
    checking = replace(state, pending=reading.value, has_pending=True, misses=0)
    return Turn(checking, (Say("check_answer", {"answer": label}),))


def _record(state: State, fact: str, value: Any, context: Context) -> Turn:
    facts = {**state.facts, fact: value}
    order = (*(key for key in state.answer_order if key != fact), fact)
    state = replace(
        state, facts=facts, answer_order=order, pending=None, has_pending=False, misses=0
    )
    asking = _next_fact(state, context)
    action = RecordFact(fact, value)
    if asking is None:
        return _finish(state, context, action)
    state = replace(state, asking=asking)
    return Turn(state, _ask(state, context), (action,))


def _go_back(state: State, context: Context) -> Turn:
    if not state.answer_order:
        cleared = replace(state, pending=None, has_pending=False)
        return Turn(cleared, (Say("nothing_to_go_back"), *_ask(cleared, context)))
    last = state.answer_order[-1]
    facts = {key: value for key, value in state.facts.items() if key != last}
    state = replace(
        state,
        step=FACT,
        facts=facts,
        answer_order=state.answer_order[:-1],
        asking=last,
        pending=None,
        has_pending=False,
        misses=0,
    )
    return Turn(state, (Say("went_back"), *_ask(state, context)), (ForgetFact(last),))


def _finish(state: State, context: Context, *actions: Action) -> Turn:
    """The verdict with its reasons, and, where the study may fit, the offer to be contacted."""
    trial = _trial(context)
    assessment = evaluate(trial, state.facts)
    language = context.language
    verdict = assessment.verdict

    def lay(*statuses: Status) -> list[str]:
        return [r.criterion.lay_text[language] for r in assessment.with_status(*statuses)]

    replies = [
        Say(
            "verdict_" + verdict.value,
            {
                "blocking": lay(Status.FAIL),
                "open_items": lay(Status.UNKNOWN),
                "site_checks": lay(Status.SITE_CHECK),
            },
        )
    ]
    if verdict in (Verdict.LIKELY_ELIGIBLE, Verdict.NEEDS_REVIEW):
        replies.append(Say("offer_contact"))
        return Turn(replace(state, step=OFFER_CONTACT, asking=None), tuple(replies), actions)
    return Turn(replace(state, step=DONE, asking=None), tuple(replies), actions)


def _answer_offer(state: State, text: str, context: Context) -> Turn:
    answer = read_yes_no(text)
    if answer is not None and answer.value == "yes":
        contact = replace(state, step=CONTACT_NAME, misses=0)
        return Turn(contact, (Say("ask_name"),))
    if answer is not None and answer.value == "no":
        return Turn(replace(state, step=DONE, misses=0), (Say("no_contact"),))
    return _missed(state, context)


def _contact_back(state: State, context: Context) -> Turn:
    """One step back while taking their details: the step before is asked again."""
    earlier = CONTACT_STEPS[CONTACT_STEPS.index(state.step) - 1]
    state = replace(state, step=earlier, misses=0)
    return Turn(state, (Say("went_back"), *_ask(state, context)))


def _answer_contact(state: State, text: str, context: Context) -> Turn:
    contact = dict(state.contact)
    if state.step == CONTACT_NAME:
        name = " ".join(text.split())
        said = read_yes_no(name)
        if said is not None and said.value == "no":  # they would rather not, after all
            return Turn(replace(state, step=DONE, contact={}, misses=0), (Say("no_contact"),))
        if not name or len(name) > MAX_NAME or said is not None or read_command(name):
            return _missed(state, context)
        contact["name"] = name
        state = replace(state, step=CONTACT_PHONE, contact=contact, misses=0)
        return Turn(state, _ask(state, context))
    if state.step == CONTACT_PHONE:
        phone = read_phone(text, context.default_region)
        if phone is None:
            return _missed(state, context)
        contact["phone"] = phone
        state = replace(state, step=CONTACT_TIME, contact=contact, misses=0)
        return Turn(state, _ask(state, context))
    if state.step == CONTACT_TIME:
        time = read_option(text, _best_time_options(), context.language)
        if time is None or not time.sure:
            return _missed(state, context)
        contact["best_time_to_call"] = time.value
        state = replace(state, step=CONTACT_CONSENT, contact=contact, misses=0)
        return Turn(state, _ask(state, context))
    agreed = read_yes_no(text)
    if agreed is not None and agreed.value == "yes":  # "ok" and "好的" agree too
        lead = CreateLead(contact["name"], contact["phone"], contact["best_time_to_call"])
        return Turn(
            replace(state, step=DONE, contact={}, misses=0), (Say("lead_created"),), (lead,)
        )
    if agreed is not None and agreed.value == "no":
        return Turn(replace(state, step=DONE, contact={}, misses=0), (Say("no_contact"),))
    return _missed(state, context)


def _ask_call_phone(state: State) -> Turn:
    resume = {"step": state.step}
    return Turn(
        replace(state, step=CALL_PHONE, contact={**state.contact, **resume}, misses=0),
        (Say("ask_call_phone"),),
    )


def _answer_call_phone(state: State, text: str, context: Context) -> Turn:
    answer = read_yes_no(text)
    back_to = state.contact.get("step", FACT)
    contact = {key: value for key, value in state.contact.items() if key != "step"}
    resumed = replace(state, step=back_to, contact=contact, misses=0)
    if answer is not None and answer.value == "no":
        return Turn(resumed, (Say("no_call"), *_ask(resumed, context)))
    phone = read_phone(text, context.default_region)
    if phone is None:
        return _missed(state, context)
    return Turn(
        resumed, (Say("call_requested"), *_ask(resumed, context)), (RequestCallback(phone),)
    )


# ---- a patient on the study --------------------------------------------------------------


def _reports_red_flag(state: State, text: str, context: Context) -> bool:
    """Whether a patient's words name a red flag (blood in the stool, yellow skin) that must
    reach the team now, whatever the bot was asking. The symptom check's last, free-text
    question is the exception: its answer goes into the check's own report."""
    if not any(finding.urgency >= Urgency.RED for finding in scan_text(text)):
        return False
    if state.step == SYMPTOM_ITEM and state.asking:
        return _survey(context).as_bank().item(state.asking).kind != "text"
    return True


def _report_red_flag(state: State, text: str, context: Context) -> Turn:
    """A report of the words (with any symptom answers given so far) and the report's answer.
    A symptom check ends with it; a request for a new visit time stays open."""
    report = ReportWords(text, dict(state.symptom_answers))
    if state.step == RESCHEDULE_NOTE:
        kept = replace(state, misses=0)
        return Turn(kept, (Say("report_answer"), *_ask(kept, context)), (report,))
    done = replace(
        state, step=MENU, asking=None, symptom_answers={}, misses=0, pending=None, has_pending=False
    )
    return Turn(done, (Say("report_answer"),), (report,))


def _patient(state: State, text: str, context: Context) -> Turn:
    if state.step == SYMPTOM_ITEM:
        return _answer_symptom(state, text, context)
    if state.step == RESCHEDULE_NOTE:
        if read_command(text) in (Intent.BACK, Intent.RESTART) or read_yes_no(text) == Reading(
            "no"
        ):
            return Turn(replace(state, step=MENU, misses=0), (Say("menu"),))
        note = " ".join(text.split())[:MAX_NOTE]
        if not note:
            return _missed(state, context)
        return Turn(
            replace(state, step=MENU, misses=0),
            (Say("reschedule_requested"),),
            (RequestReschedule(note),),
        )
    intent = read_request(text) or _menu_choice(text)
    if intent is Intent.NEXT_VISIT:
        visit = context.next_visit
        reply = Say("next_visit", asdict(visit)) if visit else Say("no_next_visit")
        return Turn(replace(state, misses=0), (reply,))
    if intent is Intent.RESCHEDULE:
        return Turn(replace(state, step=RESCHEDULE_NOTE, misses=0), (Say("ask_reschedule"),))
    if intent is Intent.SYMPTOM:
        return _start_symptom_check(state, context)
    if intent is Intent.INJECTION:
        return Turn(replace(state, misses=0), (Say("injection_logged"),), (LogInjection(),))
    if intent is Intent.CALL_ME:
        return Turn(replace(state, misses=0), (Say("call_requested"),), (RequestCallback(None),))
    if intent is Intent.GREETING:
        return Turn(replace(state, misses=0), (Say("menu"),))
    if intent is Intent.THANKS:
        return Turn(state, (Say("you_are_welcome"),))
    return _missed(state, context, pass_to_team=True)


MENU_CHOICES = {
    "1": Intent.NEXT_VISIT,
    "2": Intent.RESCHEDULE,
    "3": Intent.SYMPTOM,
    "4": Intent.INJECTION,
}


def _menu_choice(text: str) -> Intent | None:
    return MENU_CHOICES.get(normalise(text))


def _start_symptom_check(state: State, context: Context) -> Turn:
    survey = _survey(context)
    state = replace(
        state, step=SYMPTOM_ITEM, asking=survey.items[0].key, symptom_answers={}, misses=0
    )
    return Turn(
        state,
        (Say("symptom_intro", {"intro": survey.intro[context.language]}), *_ask(state, context)),
    )


def _answer_symptom(state: State, text: str, context: Context) -> Turn:
    survey = _survey(context)
    item = next(item for item in survey.items if item.key == state.asking)
    command = read_command(text)
    if command is Intent.RESTART:
        return _start_symptom_check(state, context)
    if command is Intent.BACK:
        return _symptom_back(state, item, context)
    if state.has_pending:
        confirmed = read_yes_no(text)
        if confirmed is not None and confirmed.value == "yes":
            return _record_symptom(state, item, Reading(state.pending), context)
        if confirmed is not None and confirmed.value in ("no", "unsure"):
            cleared = replace(state, pending=None, has_pending=False)
            return Turn(cleared, (Say("ask_again"), *_ask(cleared, context)))
        state = replace(state, pending=None, has_pending=False)
    reading = read_symptom_answer(text, item, context.language)
    if reading is None and item.kind != "text":
        return _missed(state, context)
    if reading is not None and not reading.sure:
        return _check(state, _choice_label(item, reading.value, context.language), reading)
    return _record_symptom(state, item, reading, context, declined=_declines(item, text))


def _symptom_back(state: State, item: Item, context: Context) -> Turn:
    """The question before `item` again, its answer forgotten (the first: asked again)."""
    keys = [each.key for each in _survey(context).items]
    position = keys.index(item.key)
    if position == 0:
        cleared = replace(state, pending=None, has_pending=False, misses=0)
        return Turn(cleared, (Say("nothing_to_go_back"), *_ask(cleared, context)))
    previous = keys[position - 1]
    answers = {key: value for key, value in state.symptom_answers.items() if key != previous}
    state = replace(
        state,
        asking=previous,
        symptom_answers=answers,
        pending=None,
        has_pending=False,
        misses=0,
    )
    return Turn(state, (Say("went_back"), *_ask(state, context)))


def _record_symptom(
    state: State, item: Item, reading: Reading | None, context: Context, *, declined: bool = False
) -> Turn:
    survey = _survey(context)
    answers = dict(state.symptom_answers)
    if reading is not None and reading.value != SKIPPED and not declined:
        answers[item.key] = reading.value
    keys = [each.key for each in survey.items]
    following = keys[keys.index(item.key) + 1 :]
    urgent = _urgency(answers, context) == Urgency.EMERGENCY
    if following and not urgent:
        state = replace(
            state,
            asking=following[0],
            symptom_answers=answers,
            misses=0,
            pending=None,
            has_pending=False,
        )
        return Turn(state, _ask(state, context))
    done = replace(
        state, step=MENU, asking=None, symptom_answers={}, misses=0, pending=None, has_pending=False
    )
    if not answers:
        return Turn(done, (Say("symptom_nothing_reported"),), (PassToTeam(),))
    return Turn(done, (Say("report_answer"),), (RecordSymptomReport(answers),), emergency=urgent)


def _choice_label(item: Item, value: Any, language: str) -> str:
    """How a symptom answer reads to the patient: its choice's words, or the number."""
    for choice in item.choices:
        if choice.value == value:
            return choice.text[language]
    return f"{value:g}" if isinstance(value, float) else str(value)


def _declines(item: Item, text: str) -> bool:
    """A "no" to the last, free-text question ("anything else?") is not a message."""
    return item.kind == "text" and read_yes_no(text) == Reading("no")


def _urgency(answers: Mapping[str, Any], context: Context) -> Urgency:
    if not answers or context.triage_rules is None:
        return Urgency.GREEN
    return triage(answers, context.triage_rules).urgency


# ---- shared ------------------------------------------------------------------------------


def _missed(state: State, context: Context, *, pass_to_team: bool = False) -> Turn:
    """Not understood: a short hint and the question again; after two, the offer of a call."""
    misses = state.misses + 1
    state = replace(state, misses=misses)
    if state.kind == PATIENT and state.step not in WAITING:
        # A patient's own message: the team reads it; meanwhile what the bot can do.
        replies = [Say("passed_to_team"), Say("menu_hint")]
    else:
        replies = [Say("not_understood", {"hint": _hint(state, context)})]
    if misses >= MISSES_BEFORE_CALL_OFFER:
        replies.append(Say("offer_call"))
    if state.step in WAITING:
        replies.extend(_ask(state, context))
    actions = (PassToTeam(),) if pass_to_team else ()
    return Turn(state, tuple(replies), actions, understood=False)


def _hint(state: State, context: Context) -> str:
    """Which kind of reply the open question wants: a wording key of its own."""
    if state.step == FACT:
        question = _question(state, context)
        return "number" if question.fact.type != "choice" else "option"
    if state.step == SYMPTOM_ITEM:
        item = _survey(context).as_bank().item(state.asking or "")
        kinds = {"number": "number", "count": "number", "text": "words", "yes_no": "yes_no"}
        return kinds.get(item.kind, "option")
    return {
        OFFER_CONTACT: "yes_no",
        CONTACT_CONSENT: "yes_no",
        CONTACT_PHONE: "phone",
        CALL_PHONE: "phone",
        CONTACT_TIME: "option",
        CONTACT_NAME: "words",
        RESCHEDULE_NOTE: "words",
    }.get(state.step, "menu")


def _ask(state: State, context: Context) -> tuple[Say, ...]:
    """The open question, as it is asked (again)."""
    language = context.language
    if state.step == FACT and state.asking:
        question = _question(state, context)
        choices = [option.label[language] for option in question.options]
        helptext = question.help[language] if question.help else ""
        return (
            Say(
                "question", {"text": question.text[language], "help": helptext, "choices": choices}
            ),
        )
    if state.step == SYMPTOM_ITEM and state.asking:
        item = _survey(context).as_bank().item(state.asking)
        return (
            Say(
                "question",
                {
                    "text": item.question[language],
                    # By text, without the web form's hints: each costs a segment or two, and
                    # "°C" alone turns a whole text into UCS-2. SKIP is always offered.
                    "help": "",
                    # Yes/no questions are answered in words: a "2" to "Have you fainted?"
                    # might mean twice. Severity answers are numbered.
                    "choices": []
                    if item.kind == "yes_no"
                    else [choice.text[language] for choice in item.choices],
                    "yes_no": item.kind == "yes_no",
                    "skip": True,
                },
            ),
        )
    if state.step == CONTACT_TIME:
        return (Say("ask_best_time", {"choices": list(BEST_TIMES)}),)
    simple = {
        OFFER_CONTACT: "offer_contact",
        CONTACT_NAME: "ask_name",
        CONTACT_PHONE: "ask_phone",
        CONTACT_CONSENT: "ask_consent",
        CALL_PHONE: "ask_call_phone",
        RESCHEDULE_NOTE: "ask_reschedule",
    }
    return (Say(simple[state.step]),) if state.step in simple else ()


def _welcome_back(state: State, context: Context) -> tuple[Say, ...]:
    return (Say("welcome_back"), *_ask(state, context))


def _paused(state: State, now: datetime, context: Context) -> bool:
    if state.last_at is None:
        return False
    return now - datetime.fromisoformat(state.last_at) >= context.resume_after


def _next_fact(state: State, context: Context) -> str | None:
    question = next_question(_trial(context), state.facts)
    return question.fact.key if question else None


def _question(state: State, context: Context) -> Any:
    question = _trial(context).question_for(state.asking or "")
    if question is None:
        raise ValueError(f"the trial asks no question {state.asking!r}")
    return question


def question_label(question: Any, value: Any, language: str) -> str:
    """How an answer reads to the person: its option's label, or the number itself."""
    for option in question.options:
        if option.value == value:
            return option.label[language]
    return str(value)


def remaining_questions(state: State, context: Context) -> int:
    return len(open_questions(_trial(context), state.facts))


def read_phone(text: str, region: str) -> str | None:
    """A phone number we could call, in E.164, or None."""
    try:
        number = phonenumbers.parse(text.strip()[:40], region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _best_time_options() -> Sequence[tuple[str, Mapping[str, str]]]:
    labels = {
        "morning": ("Morning", "上午"),
        "afternoon": ("Afternoon", "下午"),
        "evening": ("Evening", "晚上"),
        "any": ("Any time", "任何时间"),
    }
    return [(key, {"en": labels[key][0], "zh": labels[key][1]}) for key in BEST_TIMES]


def _trial(context: Context) -> Trial:
    if context.trial is None:
        raise ValueError("a pre-screen conversation needs the trial")
    return context.trial


def _survey(context: Context) -> Survey:
    if context.survey is None:
        raise ValueError("a symptom check needs its survey")
    return context.survey
