"""The replies `companion.messaging.wording` does not hold: to a number we cannot tie to anyone,
and to any text that arrives while the database is out of reach.

Whoever texts from an unknown number (a wrong number, a patient on a new phone) gets the same
short answer in English and Chinese: what this number is for, that no one reads the text, and
the emergency number. It says nothing about any study, site or person. A text that describes an
emergency (`symptoms.describes_emergency`) is answered first with the call to act now: no one
will read it, so the answer is all the help it gets.

While the database is out of reach nothing can be stored, looked up or passed to the team, so
every text gets the same two-language answer: send it again later, and, when its words describe
an emergency, call 120 now. Twilio does not send a webhook again, so this is all the sender
hears.
"""

from __future__ import annotations

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from symptoms import describes_emergency

UNKNOWN_SENDER_REPLY = _l(
    "This number sends visit reminders. We do not know your number, so no one will read "
    "your text. In an emergency, call 120. Reply STOP to get no texts."
)


UNKNOWN_SENDER_EMERGENCY = _l("This may be an emergency. Call 120 now.")
OUTAGE_REPLY = _l(
    "Sorry, we could not take your text just now. Please send it again in a few minutes."
)


def unknown_sender_reply(body: str = "") -> str:
    """The reply to `body` in English, then in Chinese (needs an application context)."""
    return _in_both_languages(body, UNKNOWN_SENDER_REPLY)


def outage_reply(body: str = "") -> str:
    """The reply while the database is out of reach, in English then Chinese (needs an
    application context, not a database)."""
    return _in_both_languages(body, OUTAGE_REPLY)


def _in_both_languages(body: str, reply: LazyString) -> str:
    """`reply` in English then Chinese, each after the call to act now when `body` describes an
    emergency."""
    emergency = describes_emergency(body)
    texts = []
    for language in ("en", "zh"):
        with force_locale(language):
            if emergency:
                texts.append(str(UNKNOWN_SENDER_EMERGENCY))
            texts.append(str(reply))
    return "\n".join(texts)
