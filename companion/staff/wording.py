"""The staff pages' words for the workflow's plain values (statuses, outcomes, verdicts, …).

Keys the code does not know yet (a status added later) fall back to the key itself, so a page
never fails for want of a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from companion.access.password_rules import MINIMUM_LENGTH

STATUS_LABELS = {
    "new": _l("New"),
    "contacted": _l("Contacted"),
    "screening_booked": _l("Screening visit booked"),
    "enrolled": _l("Enrolled"),
    "not_eligible": _l("Not eligible"),
    "declined": _l("Declined"),
    "could_not_reach": _l("Could not reach"),
}

OUTCOME_LABELS = {
    "reached": _l("Reached the person"),
    "no_answer": _l("No answer"),
    "left_message": _l("Left a message"),
    "wrong_number": _l("Wrong number"),
}

VERDICT_LABELS = {
    "eligible": _l("Fits"),
    "likely_eligible": _l("May fit"),
    "needs_review": _l("Needs review"),
    "not_eligible": _l("Does not fit"),
}

ENTITY_LABELS = {
    "lead": _l("Lead"),
    "lead_contact_attempt": _l("Contact attempt"),
    "staff_user": _l("Staff account"),
    "patient_link": _l("Patient link"),
    "patient": _l("Patient"),
    "visit": _l("Visit"),
    "injection_log_entry": _l("Home shot diary"),
    "closed_day": _l("Closed day"),
    "inbound_message": _l("Text from a patient"),
    "site": _l("Site"),
    "symptom_report": _l("Symptom report"),
    "symptom_report_note": _l("Note on a symptom report"),
}

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
}

ACTOR_LABELS = {
    "public": _l("A website visitor"),
    "system": _l("The system"),
}

SIGN_IN_ERRORS = {
    "email": _l("Enter your email address."),
    "password": _l("Enter your password."),
    "credentials": _l("Wrong email or password, or the account is disabled."),
}


def sign_in_wait(seconds: int) -> str:
    """The refusal while failed sign-ins make attempts wait (the same for every email)."""
    return ngettext(
        "Too many failed sign-ins. Try again in %(num)s second.",
        "Too many failed sign-ins. Try again in %(num)s seconds.",
        seconds,
    )


PASSWORD_ERRORS = {
    "current_password_missing": _l("Enter your current password."),
    "new_password_missing": _l("Enter a new password."),
    "new_password_again": _l("Type the same new password twice."),
    "wrong": _l("This is not your current password."),
    "same": _l("Choose a new password, not your current one."),
    "too_short": _l("Use at least %(count)s characters.", count=MINIMUM_LENGTH),
    "only_spaces": _l("Use letters, numbers or signs, not only spaces."),
    "one_character": _l("Do not repeat one character. A few unrelated words work well."),
    "too_common": _l(
        "This password is too common or too easy to guess, or it is built from your email. "
        "A few unrelated words work well."
    ),
}

ATTEMPT_ERRORS = {
    "outcome": _l("Choose what happened on the call."),
    "note": _l("Make the note shorter: at most 1000 characters."),
    "conflict": _l("This lead changed in the meantime. Check it and try again."),
}

STATUS_ERRORS = {
    "status": _l("Choose one of the statuses on offer."),
    "reason": _l("Give a reason for this status."),
    "reason_length": _l("Make the reason shorter: at most 500 characters."),
    "conflict": _l("This lead changed in the meantime. Check it and try again."),
}

AUDIT_ERRORS = {
    "entity_id": _l("A record number is a whole number, like 12."),
}

DONE_MESSAGES = {
    "attempt": _l("The contact attempt is logged."),
    "status": _l("The status is changed."),
}

STAFF_PAGE_ERRORS = {
    400: (
        _l("Something was not right"),
        _l("We could not use what was sent. Go back, reload the page and try again."),
    ),
    403: (
        _l("Not allowed"),
        _l("Your role does not allow this."),
    ),
    404: (
        _l("Not found"),
        _l("There is no such page or record at your site."),
    ),
    429: (
        _l("Please wait a moment"),
        _l("There were too many tries. Please wait a minute and try again."),
    ),
}


def label(labels: dict, key: str | None) -> str:
    """The label of `key`, or the key itself when there is none."""
    if key is None:
        return ""
    return str(labels.get(key, key))
