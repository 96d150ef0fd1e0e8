"""The staff pages' words about enrolled patients and their visits: warnings, forms, notices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PATIENT_WITHOUT_NAME = _l("Patient #%(id)s")

VISIT_STATUS_LABELS = {
    "scheduled": _l("Booked"),
    "done": _l("Done"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
}

WARNING_LABELS = {
    "overdue": _l("Overdue: the day has passed and it is still booked"),
    "out_of_window": _l("Out of window"),
    "closed_day": _l("Closed day: every day of its window is closed"),
}

SHOT_OUTCOME_LABELS = {
    "taken": _l("Taken"),
    "missed": _l("Missed"),
    "reaction": _l("Taken, with a reaction"),
}

RECORDED_BY_LABELS = {
    "patient": _l("The patient"),
    "staff": _l("Study staff"),
}

CALENDAR_ERRORS = {
    "from": _l("Give the first day as a date, like 2026-06-01."),
    "view": _l("Choose a day or a week."),
}

RESCHEDULE_ERRORS = {
    "date": _l("Give the new day as a date."),
    "reason": _l("Give a reason. It is kept in the audit trail."),
    "reason_length": _l("Make the reason shorter: at most 500 characters."),
    # What the service refused, by field and status code.
    ("date", 400): _l("Choose a day from today up to a year after the booked day."),
    ("date", 409): _l("The site is closed that day. Choose another day."),
    ("status", 409): _l("Only a booked or missed visit can be moved."),
    "conflict": _l("This visit changed in the meantime. Check it and try again."),
}

STATUS_ERRORS = {
    "status": _l("Choose a new status."),
    "date": _l("Give the day as a date, like 2026-06-01."),
    "reason_length": _l("Make the reason shorter: at most 500 characters."),
    ("status", 400): _l("Choose a new status."),
    ("status", 409): _l("This visit cannot take that status now. Check it and try again."),
    ("reason", 400): _l("Give a reason. Every status but done needs one."),
    ("date", 400): _l(
        "For done, give the day it took place: today or earlier. For other statuses, leave it "
        "empty."
    ),
    "conflict": _l("This visit changed in the meantime. Check it and try again."),
}

LINK_NOTICES = {
    "calendar": _l("New calendar link. The old one no longer works. It is shown only once:"),
    "page": _l("New page link. The old one no longer works. It is shown only once:"),
}
