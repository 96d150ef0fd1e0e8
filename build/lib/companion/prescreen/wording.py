"""Patient-facing words of the pre-screen pages that are not part of the trial file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CONTACT_CONSENT_TEXT = _l(
    "I agree that the study team may call or text me about this study. They will see my answers "
    "to these questions. I can ask them to delete my details at any time."
)

BEST_TIME_LABELS = {
    "morning": _l("Morning"),
    "afternoon": _l("Afternoon"),
    "evening": _l("Evening"),
    "any": _l("Any time"),
}

CONTACT_ERRORS = {
    "name": _l("Please type your name."),
    "phone": _l("Please type a phone number we can call, with the country code if needed."),
    "email": _l("Please type a full email address, or leave it empty."),
    "language": _l("Please choose a language."),
    "best_time_to_call": _l("Please choose a time."),
    "consent": _l(
        "Please tick the box if you agree to be contacted. We cannot call you without it."
    ),
}
