"""Patient-facing words about visits: calendar events, reminders, the patient's own pages.

Nothing here names the disease, the drugs or the trial: these words reach calendars that other
people may see, and lock screens.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CALENDAR_NAME = _l("My study visits")
STUDY_TEAM = _l("Study team")  # who invites: never the hospital's name, which may tell too much
CANCELLED_SUMMARY = _l("Cancelled: %(name)s")
BRING_HEADING = _l("Please remember:")
BY_PHONE = _l("The study team will call you. You do not need to come in.")
QUESTIONS_WITH_PHONE = _l("To change this visit or ask a question, call the study team: %(phone)s")
QUESTIONS = _l("To change this visit or ask a question, call the study team.")
CANCELLED_NOTE = _l("This visit is cancelled. The study team will tell you what happens next.")
REMINDER = _l("Tomorrow: %(name)s at %(time)s.")

STATUS_LABELS = {
    "scheduled": _l("Booked"),
    "done": _l("Done"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
}

INJECTION_OUTCOMES = {
    "taken": _l("I took my shot"),
    "missed": _l("I missed my shot"),
    "reaction": _l("I took it and had a reaction"),
}

# The patient's own pages (visits and the home shot diary).
REACTION_LINE = _l("If you feel very unwell, call the study team now. In an emergency call 120.")

DIARY_ERRORS = {
    "outcome": _l("Choose one answer."),
    "note": _l("Make your note shorter. It can have up to 500 letters."),
    "day": _l("You can only answer for a shot day that has come."),
}

PATIENT_PAGE_ERRORS = {
    400: (
        _l("Something was not right"),
        _l("We could not use what was sent. Please go back and try again."),
    ),
    404: (
        _l("We cannot find this page"),
        _l("Check that you used the whole link the study team sent you."),
    ),
    410: (
        _l("This link does not work any more"),
        _l("The study team may have sent you a newer link. Please use it, or ask them for one."),
    ),
}
