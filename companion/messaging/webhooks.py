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
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from companion.access.policy import public
from companion.db import db
from companion.errors import InvalidInput
from companion.messaging import delivery, inbound
from companion.timestamps import utcnow

logger = logging.getLogger(__name__)

bp = Blueprint("twilio_webhooks", __name__, url_prefix="/twilio")

SIGNATURE_HEADER = "X-Twilio-Signature"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
FIELD_MAX_LENGTH = 64  # MessageSid and From, as the tables hold them
TOKEN_MAX_LENGTH = 128
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
        message_sid=_field("MessageSid", FIELD_MAX_LENGTH),
        from_e164=_field("From", FIELD_MAX_LENGTH),
        body=request.form.get("Body", ""),
        opt_out_type=request.form.get("OptOutType") or None,
    )
    reception = _committed_once(lambda: inbound.receive_text(db.session, text, utcnow()))
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
    status = _field("MessageStatus", 32).lower()
    if status not in delivery.STATUS_RANKS:
        return _plain(
            f"MessageStatus: {status!r} is not a status of a sent message; "
            f"expected one of {', '.join(sorted(delivery.STATUS_RANKS))}.",
            400,
        )
    raw_error = request.form.get("ErrorCode", "").strip()
    if raw_error and not raw_error.isdigit():
        return _plain("ErrorCode: expected a whole number.", 400)
    token = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
    if token is not None and len(token) > TOKEN_MAX_LENGTH:
        return _plain(f"{IDEMPOTENCY_HEADER}: at most {TOKEN_MAX_LENGTH} characters.", 400)
    report = delivery.StatusReport(
        provider_sid=_field("MessageSid", FIELD_MAX_LENGTH),
        status=status,
        error_code=int(raw_error) if raw_error else None,
        idempotency_token=token,
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


def _field(name: str, max_length: int) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise InvalidInput(f"{name}: required, and missing.")
    if len(value) > max_length:
        raise InvalidInput(f"{name}: at most {max_length} characters.")
    return value


@bp.errorhandler(InvalidInput)
def invalid_input(error: InvalidInput) -> Response:
    return _plain(error.message, 400)


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")
