"""The bot's words: each `Say` key of the dialogue as text in the conversation's language.

Plain words for a grade-8 reader; by text message they never name the illness, the medicines or
the study (the pre-screen, which must, is only on the web). The verdicts reuse the web result
page's sentences, so both say the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from companion.chat.dialogue import BEST_TIMES, Say
from companion.messaging.wording import OTHER_RECEIVED
from companion.prescreen.wording import BEST_TIME_LABELS, CONTACT_CONSENT_TEXT

SIMPLE = {
    "welcome_prescreen": _l(
        "Hello. I can help you find out if this study may be right for you. I will ask short "
        "questions, one at a time. Most need only a number or a word. Type \u201cback\u201d to "
        "change your last answer, or \u201cstart over\u201d to begin again."
    ),
    "restarted": _l("All right, let\u2019s start again from the beginning."),
    "went_back": _l("All right, let\u2019s go back one question."),
    "nothing_to_go_back": _l("This is the first question, so there is nothing to go back to."),
    "ask_again": _l("All right, let\u2019s try that question again."),
    "welcome_back": _l("Welcome back. Let\u2019s carry on where we stopped."),
    "expired": _l("Our earlier chat has ended, so we will start again."),
    "prescreen_over": _l(
        "You have answered all the questions. Type \u201cstart over\u201d to begin again, or "
        "\u201cback\u201d to change your last answer."
    ),
    "offer_contact": _l("Would you like the study team to call you? Please reply yes or no."),
    "ask_name": _l("What is your name?"),
    "ask_phone": _l(
        "What phone number can the team call? Add the country code if you live outside "
        "mainland China."
    ),
    "lead_created": _l("Thank you. The study team will contact you."),
    "no_contact": _l("That is fine. Nothing more is sent to anyone. You can come back any time."),
    "ask_call_phone": _l(
        "Someone from the study team can call you. What number should they call? Reply "
        "\u201cno\u201d if you would rather not."
    ),
    "call_requested": _l(
        "Thank you. Someone from the study team will call you, usually within one working day."
    ),
    "no_call": _l("All right. We will carry on here."),
    "offer_call": _l("If it is easier, the study team can call you. Type \u201ccall me\u201d."),
    "menu": _l(
        "How can I help? Reply 1 for your next visit, 2 to change a visit, 3 to tell us how you "
        "feel, 4 if you took your shot today. The team also reads your texts."
    ),
    "passed_to_team": OTHER_RECEIVED,
    "menu_hint": _l(
        "You can also reply 1 for your next visit, 2 to change a visit, 3 to tell us how you "
        "feel, 4 if you took your shot today."
    ),
    "no_next_visit": _l("You have no visit booked at the moment. The team will let you know."),
    "ask_reschedule": _l(
        "Which days or times would suit you better? A coordinator will contact you to arrange "
        "it. Reply \u201cno\u201d to keep your visit."
    ),
    "reschedule_requested": _l(
        "Thank you. A coordinator will contact you about a new time. Until then, your visit "
        "stays as it is."
    ),
    "injection_logged": _l("Thank you. Your shot for today is noted."),
    "injection_not_planned": _l(
        "Thank you. No shot was planned for today, so we passed your message to the team."
    ),
    "symptom_nothing_reported": _l(
        "Thank you. You did not tell us about any problem. If you want to, text the team."
    ),
    "you_are_welcome": _l("You are welcome."),
    "check_answer": _l(
        "Just to check: did you mean \u201c%(answer)s\u201d? Please reply yes or no."
    ),
    "next_visit": _l("Your next visit: %(name)s on %(day)s at %(time)s."),
}

HINTS = {
    "option": _l("Please reply with the number of your answer."),
    "number": _l("Please reply with a number."),
    "yes_no": _l("Please reply yes or no."),
    "phone": _l("Please reply with a phone number, for example 138 0013 8000."),
    "words": _l("Please reply in a few words."),
    "menu": _l("Please reply with a number from the list."),
}
NOT_UNDERSTOOD = _l("Sorry, I did not understand that. %(hint)s")
REPLY_WITH_NUMBER = _l("Reply with the number of your answer.")
REPLY_SKIP = _l("Reply SKIP if you do not know.")
ASK_BEST_TIME = _l("When is the best time to call you?")
ASK_CONSENT = _l("%(consent)s Reply yes if you agree.")

# The verdicts: the result page's own sentences.
NOT_ELIGIBLE = _l("This study may not be right for you")
NOT_ELIGIBLE_LEAD = _l(
    "Thank you for answering. From your answers, at least one of the study's rules does not "
    "fit. This is about the study's rules. It is not about you."
)
WHAT_DOES_NOT_FIT = _l("What does not fit")
CHANGE_BY_CHAT = _l("If an answer was wrong, type \u201cback\u201d to change it.")
NEXT_STEPS = _l(
    "Your own doctor can talk with you about other treatments and other studies. Please keep "
    "asking. New studies start all the time."
)
NEEDS_REVIEW = _l("The study team needs to check a few things")
NEEDS_REVIEW_LEAD = _l(
    'Nothing in your answers rules you out. Some answers were "I\'m not sure". That is fine: '
    "the study team can help find out."
)
MAY_FIT = _l("This study may be a fit for you")
MAY_FIT_LEAD = _l(
    "Your answers match what the study is looking for. This is not a final answer: the study "
    "team still needs to talk with you and do some tests."
)
TEAM_WILL_CHECK = _l("What the study team will check with you")
TEAM_TESTS = _l("Tests the study team will do (%(count)s)")


def render(say: Say, language: str, extra: Mapping[str, Callable[[Say], str]]) -> str:
    """`say` in `language`; `extra` renders the keys whose words depend on the site or on what
    the caller did (the emergency answer, a symptom report's answer)."""
    with force_locale(language):
        if say.key in extra:
            return extra[say.key](say)
        return _render(say)


def _render(say: Say) -> str:
    params = say.params
    if say.key == "question":
        return _question(params)
    if say.key == "not_understood":
        return str(NOT_UNDERSTOOD % {"hint": HINTS[params["hint"]]})
    if say.key == "ask_best_time":
        choices = [str(BEST_TIME_LABELS[key]) for key in BEST_TIMES]
        return _lines(str(ASK_BEST_TIME), _numbered(choices), str(REPLY_WITH_NUMBER))
    if say.key == "ask_consent":
        return str(ASK_CONSENT % {"consent": CONTACT_CONSENT_TEXT})
    if say.key == "symptom_intro":
        return str(params["intro"])
    if say.key.startswith("verdict_"):
        return _verdict(say.key.removeprefix("verdict_"), params)
    template = SIMPLE[say.key]
    return str(template % dict(params)) if params else str(template)


def _question(params: Mapping[str, Any]) -> str:
    choices: Sequence[str] = params.get("choices") or ()
    parts = [params["text"], params.get("help") or ""]
    if choices:
        parts += [_numbered(choices), str(REPLY_WITH_NUMBER)]
    if params.get("yes_no"):
        parts.append(str(HINTS["yes_no"]))
    if params.get("skip"):
        parts.append(str(REPLY_SKIP))
    return _lines(*parts)


def _verdict(verdict: str, params: Mapping[str, Any]) -> str:
    if verdict == "not_eligible":
        return _lines(
            str(NOT_ELIGIBLE),
            str(NOT_ELIGIBLE_LEAD),
            str(WHAT_DOES_NOT_FIT) + ":",
            _bullets(params["blocking"]),
            str(CHANGE_BY_CHAT),
            str(NEXT_STEPS),
        )
    heading, lead = (
        (NEEDS_REVIEW, NEEDS_REVIEW_LEAD) if verdict == "needs_review" else (MAY_FIT, MAY_FIT_LEAD)
    )
    parts = [str(heading), str(lead)]
    if params["open_items"]:
        parts += [str(TEAM_WILL_CHECK) + ":", _bullets(params["open_items"])]
    if params["site_checks"]:
        parts += [
            str(TEAM_TESTS % {"count": len(params["site_checks"])}) + ":",
            _bullets(params["site_checks"]),
        ]
    return _lines(*parts)


def _numbered(choices: Sequence[str]) -> str:
    return "\n".join(f"{number}. {choice}" for number, choice in enumerate(choices, start=1))


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"\u2022 {item}" for item in items)


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)
