"""The staff pages' words for text messages: kinds, states, and Twilio's errors in plain words.

A kind, status or error code the code does not know yet falls back to the key itself (or to the
bare code), so a page never fails for want of a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "visit_eve": _l("Reminder the evening before a visit"),
    "visit_morning": _l("Reminder on the morning of a visit"),
    "check_in": _l("Reminder of a phone check-in"),
    "home_shot": _l("Reminder of a shot at home"),
    "urgent_alert": _l("Alert to the on-call phone about a symptom report"),
    "symptom_reply": _l("What to do now, after a symptom report"),
}

HANDLED_AS_LABELS = {
    "stop": _l("Asked to stop texts (STOP)"),
    "start": _l("Asked for texts again (START)"),
    "help": _l("Asked for help (HELP)"),
    "confirm": _l("Confirmed a visit"),
    "other": _l("A message for the team"),
    "symptom": _l("A symptom report"),
    "chat": _l("A message to the chat"),
}

WAITING_FOR_ANSWER = _l("Waiting for an answer")
ANSWERED = _l("Answered")

OUTBOX_STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "unknown": _l("Not known if sent"),
    "sent": _l("Sent"),
    "failed": _l("Not sent"),
    "cancelled": _l("Cancelled"),
    "skipped": _l("Not sent: too late"),
}

DELIVERY_STATUS_LABELS = {
    "accepted": _l("Accepted by Twilio"),
    "scheduled": _l("Scheduled at Twilio"),
    "queued": _l("Waiting at Twilio"),
    "sending": _l("Being sent by Twilio"),
    "sent": _l("Passed to the phone company"),
    "delivered": _l("Delivered to the phone"),
    "undelivered": _l("Not delivered"),
    "failed": _l("Failed"),
    "canceled": _l("Cancelled at Twilio"),
    "read": _l("Read"),
}

# Twilio's error codes, as what went wrong and what to do about it.
ERROR_EXPLANATIONS = {
    21211: _l("The phone number is not valid. Check it with the patient."),
    21408: _l("Texts to this country are not turned on in Twilio. Ask your administrator."),
    21610: _l(
        "The patient replied STOP, so no texts reach them. They can reply START to get texts again."
    ),
    21612: _l("Twilio cannot send texts to this number. Check it with the patient."),
    21614: _l("This number cannot get texts. It may be a landline. Check it with the patient."),
    21617: _l("The text was too long to send."),
    30001: _l("Too many texts were waiting, and this one ran out of time."),
    30003: _l("The phone was off or out of reach, so the text could not be delivered."),
    30004: _l("The patient's phone or phone company blocks our texts. Ask the patient."),
    30005: _l("This number is unknown or no longer in use. Check it with the patient."),
    30006: _l("This number is a landline or cannot get texts. Check it with the patient."),
    30007: _l("The phone company filtered the text as unwanted."),
    30008: _l("The phone company could not deliver the text and gave no reason."),
    30036: _l("The text ran out of time before it could be delivered."),
}
UNKNOWN_ERROR = _l("Twilio error %(code)s.")
OUTCOME_UNKNOWN = _l(
    "We did not hear back when this text was sent. It is checked with Twilio before it is "
    "sent again."
)
NOT_SENT = _l("The text was not sent.")

DONE_MESSAGES = {
    "answered": _l("Marked as answered. It has left the list."),
}
