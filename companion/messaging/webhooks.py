"""Twilio's webhooks: texts people send us (`POST /twilio/sms`) and delivery reports
(`POST /twilio/status`).

Twilio's signature is the authentication: every request of this blueprint is checked with
Twilio's request validator against `TWILIO_AUTH_TOKEN` before anything else happens, and one
that does not validate is refused with 403 having read, stored and changed nothing. Twilio signs
the URL it called, so behind a proxy the URL is rebuilt from `PUBLIC_BASE_URL` (the address Twilio
is given) plus the path and query string; without it, the URL the request came to is used. The
routes are public to the access policy and exempt from CSRF (no cookies are involved).

Replies go back as TwiML, so they cost no second request and Twilio sends them at once.
Nothing about the sender (number, words) is logged.

Every field we keep or look up by is checked before anything is read or stored, and one that is
missing or malformed is refused with 400 naming it and saying what is allowed (see `_field`):
nothing is stored, changed or done. The words of a text are never refused: they are kept as
sent, newlines and tabs included, with only NUL characters removed (no phone sends them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import TypeVar
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from companion.access.policy import public
from companion.db import database_unavailable, db, describe_failure
from companion.errors import InvalidInput
from companion.messaging import delivery, inbound, replies
from companion.timestamps import utcnow

logger = logging.getLogger(__name__)

bp = Blueprint("twilio_webhooks", __name__, url_prefix="/twilio")

SIGNATURE_HEADER = "X-Twilio-Signature"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
FIELD_MAX_LENGTH = 64  # MessageSid and From, as the tables hold them
TOKEN_MAX_LENGTH = 128  # as DeliveryReport.idempotency_token holds it
STATUS_MAX_LENGTH = 32
# What each field may hold, and the words that say so to whoever sent something else. Only ASCII
# letters and digits: `str.isdigit()` and `\d` also take "²" or "٣", which int() or Twilio do not.
SID = re.compile(r"[A-Za-z0-9]{1,64}")
SID_ALLOWED = "1 to 64 letters and digits (Twilio's SIDs are two letters and 32 hex characters)"
SENDER = re.compile(r"\+?[0-9]{1,15}|[A-Za-z0-9][A-Za-z0-9 ]{0,10}")
SENDER_ALLOWED = (
    "a phone number (+ and up to 15 digits), a short code (digits), or an alphanumeric "
    "sender ID (up to 11 letters, digits and spaces)"
)
ERROR_CODE = re.compile(r"[0-9]{1,9}")  # Twilio's are 5 digits; 9 always fit the column
ERROR_CODE_ALLOWED = "a whole number of 1 to 9 digits (0-9), such as 30005"
TOKEN = re.compile(r"[ -~]{1,128}")
TOKEN_ALLOWED = "printable ASCII characters, no control characters"
Outcome = TypeVar("Outcome")


@bp.before_request
def require_twilio_signature() -> Response | None:
    """403 unless Twilio signed this very request (URL and form) with our auth token."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        logger.warning(
            "Twilio webhook refused: TWILIO_AUTH_TOKEN is not set, so none can be checked"
        )
        return _plain("Refused: this service cannot check Twilio signatures.", 403)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature or not RequestValidator(token).validate(signed_url(), request.form, signature):
        logger.warning(
            "Twilio webhook refused on %s: the signature does not validate", request.path
        )
        return _plain("Refused: the request is not signed by Twilio.", 403)
    return None


def signed_url() -> str:
    """The URL Twilio called: under PUBLIC_BASE_URL when set (behind a proxy), else as received."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base + quote(request.script_root + request.path) + (f"?{query}" if query else "")


@bp.post("/sms")
@public
def inbound_sms() -> Response:
    """A text someone sent to our number: stored once, acted on once, answered in TwiML."""
    text = inbound.InboundText(
        message_sid=_field("MessageSid", FIELD_MAX_LENGTH, SID, SID_ALLOWED),
        from_e164=_field("From", FIELD_MAX_LENGTH, SENDER, SENDER_ALLOWED),
        body=request.form.get("Body", "").replace("\x00", ""),
        opt_out_type=request.form.get("OptOutType") or None,
    )
    try:
        reception = _committed_once(lambda: inbound.receive_text(db.session, text, utcnow()))
    except Exception as error:
        if not database_unavailable(error):
            raise
        # Nothing can be stored or passed on; the sender still hears what to do, at once.
        with suppress(Exception):  # the connection may be gone; the answer matters more
            db.session.rollback()
        logger.warning(
            "text message not stored, the database is unavailable: %s", describe_failure(error)
        )
        return twiml(replies.outage_reply(text.body))
    logger.info(
        "text message %s from %s handled as %s%s",
        reception.message.id,
        f"patient {reception.message.patient_id}"
        if reception.message.patient_id
        else "a number we do not know",
        reception.message.handled_as,
        " (a repeat: nothing done again)" if reception.repeated else "",
    )
    return twiml(reception.reply)


@bp.post("/status")
@public
def status_callback() -> Response:
    """Twilio's report on a text we sent; repeats and late arrivals change nothing."""
    status = _field("MessageStatus", STATUS_MAX_LENGTH).lower()
    if status not in delivery.STATUS_RANKS:
        raise InvalidInput(
            f"MessageStatus: {status!r} is not a status of a sent message; "
            f"expected one of {', '.join(sorted(delivery.STATUS_RANKS))}."
        )
    error_code = _field("ErrorCode", 9, ERROR_CODE, ERROR_CODE_ALLOWED, required=False)
    report = delivery.StatusReport(
        provider_sid=_field("MessageSid", FIELD_MAX_LENGTH, SID, SID_ALLOWED),
        status=status,
        error_code=int(error_code) if error_code else None,
        idempotency_token=_field(
            IDEMPOTENCY_HEADER,
            TOKEN_MAX_LENGTH,
            TOKEN,
            TOKEN_ALLOWED,
            required=False,
            source=request.headers,
        )
        or None,
    )
    _committed_once(lambda: delivery.record_status_report(db.session, report, utcnow()))
    return Response(status=204)


def twiml(reply: str | None) -> Response:
    """A TwiML answer: one message, or none."""
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), mimetype="text/xml")


def _committed_once(act: Callable[[], Outcome]) -> Outcome:
    """Run `act` and commit; if a twin request committed the same message first, run it again
    (it then finds the stored one and only answers)."""
    try:
        outcome = act()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        logger.info("a twin of this webhook was stored first; answering it as a repeat")
        outcome = act()
        db.session.commit()
    return outcome


def _field(
    name: str,
    max_length: int,
    pattern: re.Pattern[str] | None = None,
    allowed: str = "",
    *,
    required: bool = True,
    source: Mapping[str, str] | None = None,
) -> str:
    """The form field (or, with `source=request.headers`, the header) `name`, stripped; raises
    InvalidInput naming it when it is missing (unless not `required`: then ""), longer than
    `max_length`, or not wholly matched by `pattern` (`allowed` says what the pattern takes).
    The value itself is never echoed: it may hold anything."""
    value = (request.form if source is None else source).get(name, "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{name}: required, and missing.")
        return ""
    if len(value) > max_length:
        also = f"; expected {allowed}" if allowed else ""
        raise InvalidInput(f"{name}: at most {max_length} characters{also}.")
    if pattern is not None and not pattern.fullmatch(value):
        raise InvalidInput(f"{name}: expected {allowed}.")
    return value


@bp.errorhandler(InvalidInput)
def invalid_input(error: InvalidInput) -> Response:
    return _plain(error.message, 400)


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")
