"""The one reply `companion.messaging.wording` does not hold: to a number we cannot tie to anyone.

Whoever texts from an unknown number (a wrong number, a patient on a new phone) gets the same
short answer in English and Chinese: what this number is for, that no one reads the text, and
the emergency number. It says nothing about any study, site or person.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

UNKNOWN_SENDER_REPLY = _l(
    "This number sends visit reminders. We do not know your number, so no one will read "
    "your text. In an emergency, call 120. Reply STOP to get no texts."
)


def unknown_sender_reply() -> str:
    """The reply in English, then in Chinese (needs an application context)."""
    texts = []
    for language in ("en", "zh"):
        with force_locale(language):
            texts.append(str(UNKNOWN_SENDER_REPLY))
    return "\n".join(texts)
