"""The one reply `companion.messaging.wording` does not hold: to a number we cannot tie to anyone.

Whoever texts from an unknown number (a wrong number, a patient on a new phone) gets the same
short answer in English and Chinese: what this number is for, that no one reads the text, and
the emergency number. It says nothing about any study, site or person. A text that describes an
emergency (`symptoms.describes_emergency`) is answered first with the call to act now: no one
will read it, so the answer is all the help it gets.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from symptoms import describes_emergency

UNKNOWN_SENDER_REPLY = _l(
    "This number sends visit reminders. We do not know your number, so no one will read "
    "your text. In an emergency, call 120. Reply STOP to get no texts."
)


UNKNOWN_SENDER_EMERGENCY = _l("This may be an emergency. Call 120 now.")


def unknown_sender_reply(body: str = "") -> str:
    """The reply to `body` in English, then in Chinese (needs an application context)."""
    emergency = describes_emergency(body)
    texts = []
    for language in ("en", "zh"):
        with force_locale(language):
            if emergency:
                texts.append(str(UNKNOWN_SENDER_EMERGENCY))
            texts.append(str(UNKNOWN_SENDER_REPLY))
    return "\n".join(texts)
