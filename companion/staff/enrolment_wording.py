"""The staff pages' words for enrolling a patient and for the site's closed days.

Field problems are keyed by the form field; what the service refused is keyed by the field it
names and the status code it gave, as in `visit_wording`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PHONE_PROBLEM = _l(
    "Give a mobile number that can get text messages, like +86 138 0013 8000. "
    "A landline cannot get them."
)
LEAD_NOT_READY = _l(
    "This lead cannot be enrolled yet. Book the screening visit on the lead's page first."
)

ENROL_ERRORS = {
    "anchor_date": _l("Give the first treatment day as a date, like 2026-06-01."),
    "cycles": _l("Choose the number of treatment cycles."),
    "phone": PHONE_PROBLEM,
    "language": _l("Choose the language for text messages and the patient's page."),
    "timezone": _l("Choose the time zone where the patient lives."),
    "name": _l("Make the name shorter: at most 200 characters."),
    "sms_consent": _l("Answer yes or no: did the patient agree to text message reminders?"),
    "conflict": _l("We could not use what was sent. Reload the page and try again."),
}

# What the service refused, by field and status code; %(earliest)s and the like are filled in.
ENROL_REFUSALS = {
    ("anchor_date", 400): _l("Choose a first treatment day from %(earliest)s to %(latest)s."),
    ("cycles", 400): _l("Choose from %(fewest)s to %(most)s treatment cycles."),
    ("phone", 400): PHONE_PROBLEM,
    ("phone", 409): _l(
        "A patient with this mobile number is already enrolled in this study at your site."
    ),
    ("language", 400): ENROL_ERRORS["language"],
    ("lead_id", 404): _l(
        "This lead is not at your site. Open the lead from your list of leads and try again."
    ),
    ("lead_id", 409): _l("This lead is already enrolled."),
    ("status", 409): LEAD_NOT_READY,
    "conflict": _l("Something changed in the meantime. Check the form and try again."),
}

CLOSED_DAY_ERRORS = {
    "day": _l("Give the day as a date, like 2026-10-01."),
    "label": _l("Give the day a name, like National Day."),
    "label_length": _l("Make the name shorter: at most 200 characters."),
    ("day", 409): _l("The site is already closed on that day."),
    "conflict": _l("Something changed in the meantime. Check the list and try again."),
}
