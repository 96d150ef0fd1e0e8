"""How a text message leaves: Twilio, or (in development) nowhere but the outbox.

A backend sends one message and says how it went in three ways that decide what the dispatcher
does next: `PermanentFailure` (refused for good: never retry), `RetryLater` (the request was not
processed: sending again cannot duplicate it) and `AmbiguousSend` (Twilio may have accepted it:
look in its message list before sending again, see `find_sent`). Twilio has no idempotency key
for creating a message, so those three are all the certainty there is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from companion.config import ConfigurationError
from companion.privacy.redaction import redact

STATUS_CALLBACK_PATH = "/twilio/status"
# A reminder still queued at Twilio after an hour is no longer useful (Twilio's default is 10 h).
VALIDITY_PERIOD_SECONDS = 3600
# Refusals about the recipient or the message itself: sending again gives the same answer.
# 21211 invalid To, 21408 region not enabled, 21608 unverified number (trial account),
# 21610 recipient unsubscribed (STOP), 21612 route not possible, 21614 not a mobile number,
# 21617 body over 1600 characters.
UNSUBSCRIBED = 21610
PERMANENT_CODES = frozenset({21211, 21408, 21608, UNSUBSCRIBED, 21612, 21614, 21617})
# Refusals that say "not now": too many requests at once, the sender's queue is full.
BUSY_CODES = frozenset({20429, 21611})

# twilio's HTTP client logs query strings (which hold the recipient's number) at INFO.
_twilio_http_log = logging.getLogger("companion.messaging.twilio_http")
_twilio_http_log.setLevel(logging.WARNING)


@dataclass(frozen=True)
class Sent:
    """Twilio accepted the message: its id and the status it reported (usually "queued")."""

    sid: str
    status: str


class PermanentFailure(Exception):
    """Refused for good (invalid number, unsubscribed, body too long): never retry."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


class RetryLater(Exception):
    """Not processed (rate limit, connection refused): retry, no sooner than `after_seconds`.

    `counted`: whether the try uses up one of the message's attempts; a refusal of our own
    credentials does not (a rotated token must not fail every reminder due meanwhile).
    """

    def __init__(self, after_seconds: float, reason: str = "", *, counted: bool = True) -> None:
        super().__init__(after_seconds, reason)
        self.after_seconds = after_seconds
        self.reason = reason
        self.counted = counted


class AmbiguousSend(Exception):
    """The outcome was not seen (time-out, server error): Twilio may have accepted it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmsBackend(Protocol):
    """What the dispatcher needs from a way of sending texts."""

    sender: str  # whose rate cap a message counts against (a number or a messaging service)

    def send(self, to_e164: str, body: str) -> Sent: ...

    def find_sent(self, to_e164: str, since: datetime, body: str) -> list[str]:
        """The ids of messages with this body sent to this number since `since`, newest first."""
        ...


class OutboxBackend:
    """Development: the message stays in the outbox, marked sent with a made-up id."""

    sender = "outbox"

    def send(self, to_e164: str, body: str) -> Sent:
        return Sent(sid=f"OUTBOX-{uuid.uuid4().hex}", status="not_sent")

    def find_sent(self, to_e164: str, since: datetime, body: str) -> list[str]:
        return []


class TwilioBackend:
    """Twilio's Messages API through the official client, with a time-out on every request."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base: str | None = None,
        status_callback: str | None = None,
        timeout_seconds: float = 10,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ConfigurationError(
                "SMS_BACKEND=twilio needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID."
            )
        http_client = TwilioHttpClient(timeout=timeout_seconds, logger=_twilio_http_log)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        if api_base:
            self.client.api.base_url = api_base.rstrip("/")
            self.client.messaging.base_url = api_base.rstrip("/")
        self.sender = messaging_service_sid or from_number or ""
        # A messaging service picks the sending number itself (and applies Advanced Opt-Out).
        origin = (
            {"messaging_service_sid": messaging_service_sid}
            if messaging_service_sid
            else {"from_": from_number}
        )
        self._create_options: dict[str, Any] = {
            **origin,
            "validity_period": VALIDITY_PERIOD_SECONDS,
        }
        if status_callback:
            self._create_options["status_callback"] = status_callback

    def send(self, to_e164: str, body: str) -> Sent:
        try:
            message = self.client.messages.create(to=to_e164, body=body, **self._create_options)
        except TwilioRestException as error:
            raise _classify_refusal(error) from None
        except requests.RequestException as error:
            raise _classify_transport_error(error) from None
        except TwilioException as error:  # e.g. a 2xx whose body is not a message
            raise AmbiguousSend(f"unreadable answer ({type(error).__name__})") from None
        return Sent(sid=message.sid, status=message.status or "queued")

    def find_sent(self, to_e164: str, since: datetime, body: str) -> list[str]:
        """Twilio's list, newest first; `since` is compared again here because Twilio may
        filter by whole days. Any failure to look is `RetryLater`: nothing can be concluded."""
        found = []
        try:
            for message in self.client.messages.stream(
                to=to_e164, date_sent_after=since, page_size=50
            ):
                created = message.date_created or message.date_sent
                if created is not None and created < since:
                    break
                if message.body == body and message.direction != "inbound":
                    found.append(message.sid)
        except (TwilioException, requests.RequestException) as error:
            raise RetryLater(30, f"message list unavailable ({type(error).__name__})") from None
        return found


def _classify_refusal(error: TwilioRestException) -> Exception:
    code = error.code if isinstance(error.code, int) else None
    reason = f"Twilio {error.status}" + (f" code {code}" if code else "")
    if error.status == 429 or code in BUSY_CODES:
        return RetryLater(1, reason)
    if error.status >= 500:
        return AmbiguousSend(reason)
    if error.status in (401, 403):  # our credentials, not the message: retry once fixed
        return RetryLater(60, reason, counted=False)
    return PermanentFailure(code, redact(str(error.msg))[:300])


def _classify_transport_error(error: requests.RequestException) -> Exception:
    """Only a connection that never opened proves that Twilio did not see the request."""
    if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
        return RetryLater(1, f"no connection ({type(error).__name__})")
    return AmbiguousSend(f"no answer ({type(error).__name__})")


def _never_connected(error: requests.RequestException) -> bool:
    if not isinstance(error, requests.ConnectionError):
        return False
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def status_callback_url(public_base_url: str | None) -> str | None:
    """Where Twilio reports delivery; none without a public address to reach us at."""
    return public_base_url.rstrip("/") + STATUS_CALLBACK_PATH if public_base_url else None


def backend_from_config(config: Mapping[str, Any]) -> SmsBackend:
    """The backend `SMS_BACKEND` names, set up from the `TWILIO_*` settings."""
    if config.get("SMS_BACKEND", "outbox") == "outbox":
        return OutboxBackend()
    missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not config.get(name)]
    if missing:
        raise ConfigurationError(f"SMS_BACKEND=twilio needs {' and '.join(missing)}.")
    return TwilioBackend(
        account_sid=config["TWILIO_ACCOUNT_SID"],
        auth_token=config["TWILIO_AUTH_TOKEN"],
        from_number=config.get("TWILIO_FROM_NUMBER"),
        messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
        api_base=config.get("TWILIO_API_BASE"),
        status_callback=status_callback_url(config.get("PUBLIC_BASE_URL")),
        timeout_seconds=config.get("SMS_SEND_TIMEOUT_SECONDS", 10),
    )
