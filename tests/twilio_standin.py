"""A Twilio-compatible Messages API on 127.0.0.1, for the real `twilio` client to talk to.

It speaks the wire format of `/2010-04-01/Accounts/{AccountSid}/Messages.json` (create with form
fields, list with `To` and `DateSent>` filters and Twilio's pagination, HTTP Basic auth with the
account SID and token) and keeps, thread-safely, every message it accepted, so a test can count
what a number received. `StandinControl` injects what real Twilio does on a bad day: invalid and
unsubscribed numbers, 429s, server errors, answers slower than the client's time-out (after the
message was accepted: the ambiguous case), and a hook run the moment a message is accepted.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
API_VERSION = "2010-04-01"
PAGE_SIZE = 50
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class AcceptedMessage:
    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    validity_period: int | None
    num_segments: int
    date_created: datetime


@dataclass
class Failure:
    """One injected answer: HTTP `status` with Twilio `code`; `accepted`: recorded anyway."""

    status: int
    code: int | None
    message: str
    accepted: bool = False
    delay_seconds: float = 0.0


@dataclass
class StandinControl:
    """What the stand-in does next, and what it has seen (all guarded by `lock`)."""

    invalid_numbers: set[str] = field(default_factory=set)
    unsubscribed_numbers: set[str] = field(default_factory=set)
    # Runs with each accepted message before the answer is written (e.g. to kill the sender).
    on_accept: Callable[[AcceptedMessage], None] | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    accepted: list[AcceptedMessage] = field(default_factory=list)
    create_attempts: int = 0
    list_requests: int = 0
    list_failures: int = 0  # the next this many list requests get a 503
    lock: threading.Condition = field(default_factory=threading.Condition)
    _failures: list[Failure] = field(default_factory=list)
    _released: threading.Event = field(default_factory=threading.Event)

    def fail_next(
        self,
        count: int,
        status: int,
        code: int | None = None,
        *,
        accepted: bool = False,
        message: str = "Injected failure",
    ) -> None:
        """The next `count` create requests get this error (`accepted`: stored all the same)."""
        with self.lock:
            self._failures += [Failure(status, code, message, accepted) for _ in range(count)]

    def rate_limit_next(self, count: int) -> None:
        self.fail_next(count, 429, 20429, message="Too Many Requests")

    def answer_late_next(self, count: int, seconds: float) -> None:
        """Accept the next `count` messages but answer only after `seconds` (a time-out)."""
        with self.lock:
            self._failures += [
                Failure(201, None, "", accepted=True, delay_seconds=seconds) for _ in range(count)
            ]

    def take_failure(self) -> Failure | None:
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def count(self, to: str | None = None, body: str | None = None) -> int:
        """How many accepted messages went to `to` with `body` (None: any)."""
        with self.lock:
            return sum(
                1
                for message in self.accepted
                if (to is None or message.to == to) and (body is None or message.body == body)
            )

    def duplicates(self) -> int:
        """Accepted messages beyond the first for each (To, Body)."""
        with self.lock:
            counts = Counter((message.to, message.body) for message in self.accepted)
        return sum(count - 1 for count in counts.values() if count > 1)

    def wait_for_accepted(self, count: int, timeout: float) -> bool:
        """Block until at least `count` messages were accepted (False after `timeout` s)."""
        with self.lock:
            return self.lock.wait_for(lambda: len(self.accepted) >= count, timeout)

    def release_late_answers(self) -> None:
        """Let delayed answers go (used when the stand-in stops)."""
        self._released.set()

    def reset(self) -> None:
        with self.lock:
            self.invalid_numbers.clear()
            self.unsubscribed_numbers.clear()
            self.accepted.clear()
            self._failures.clear()
            self.on_accept = None
            self.create_attempts = 0
            self.list_requests = 0
            self.list_failures = 0
            self.clock = lambda: datetime.now(UTC)


class TwilioStandin:
    """The WSGI application; `control` is shared with the test."""

    def __init__(self, control: StandinControl) -> None:
        self.control = control
        self.prefix = f"/{API_VERSION}/Accounts/{ACCOUNT_SID}/Messages.json"

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        if not self._authorised(request):
            return _error(401, 20003, "Authentication Error - invalid username")
        if request.path != self.prefix:
            return _error(404, 20404, f"The requested resource {request.path} was not found")
        if request.method == "POST":
            return self._create(request.form)
        if request.method == "GET":
            return self._list(request)
        return _error(405, 20004, "Method not allowed")

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return secrets.compare_digest(header, f"Basic {expected}")

    def _create(self, form: MultiDict[str, str]) -> Response:
        control = self.control
        with control.lock:
            control.create_attempts += 1
        to, body = form.get("To"), form.get("Body")
        origin, service = form.get("From"), form.get("MessagingServiceSid")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if not (origin or service):
            return _error(400, 21603, "A 'From' phone number is required.")
        if len(body) > 1600:
            return _error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if to in control.invalid_numbers:
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in control.unsubscribed_numbers:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        failure = control.take_failure()
        if failure is not None and not failure.accepted:
            return _error(failure.status, failure.code, failure.message)
        validity = form.get("ValidityPeriod")
        message = AcceptedMessage(
            sid="SM" + secrets.token_hex(16),
            to=to,
            from_=origin,
            messaging_service_sid=service,
            body=body,
            status_callback=form.get("StatusCallback"),
            validity_period=int(validity) if validity else None,
            num_segments=_segments(body),
            date_created=control.clock(),
        )
        with control.lock:
            control.accepted.append(message)
            control.lock.notify_all()
        if control.on_accept is not None:
            control.on_accept(message)
        if failure is not None and failure.delay_seconds:
            control._released.wait(failure.delay_seconds)
        if failure is not None and failure.status >= 400:
            return _error(failure.status, failure.code, failure.message)
        return _json(201, self._resource(message))

    def _list(self, request: Request) -> Response:
        control = self.control
        with control.lock:
            control.list_requests += 1
            found = list(control.accepted)
            failing, control.list_failures = (
                control.list_failures > 0,
                max(control.list_failures - 1, 0),
            )
        if failing:
            return _error(503, None, "Service Unavailable")
        args = request.args
        to, after = args.get("To"), _moment(args.get("DateSent>"))
        found = [
            message
            for message in found
            if (to is None or message.to == to) and (after is None or message.date_created >= after)
        ]
        found.sort(key=lambda message: message.date_created, reverse=True)
        page_size = int(args.get("PageSize", PAGE_SIZE))
        page = int(args.get("Page", 0))
        chunk = found[page * page_size : (page + 1) * page_size]
        query = {key: value for key, value in args.items() if key not in ("Page", "PageToken")}
        more = (page + 1) * page_size < len(found)
        next_query = {**query, "Page": page + 1, "PageToken": f"PA{page + 1}"}
        return _json(
            200,
            {
                "messages": [self._resource(message) for message in chunk],
                "page": page,
                "page_size": page_size,
                "start": page * page_size,
                "end": page * page_size + max(len(chunk) - 1, 0),
                "uri": f"{self.prefix}?{urlencode({**query, 'Page': page})}",
                "first_page_uri": f"{self.prefix}?{urlencode({**query, 'Page': 0})}",
                "previous_page_uri": None,
                "next_page_uri": f"{self.prefix}?{urlencode(next_query)}" if more else None,
            },
        )

    def _resource(self, message: AcceptedMessage) -> dict[str, Any]:
        stamp = format_datetime(message.date_created.astimezone(UTC), usegmt=True)
        uri = f"/{API_VERSION}/Accounts/{ACCOUNT_SID}/Messages/{message.sid}.json"
        return {
            "account_sid": ACCOUNT_SID,
            "api_version": API_VERSION,
            "body": message.body,
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(message.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": "accepted" if message.messaging_service_sid else "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": message.to,
            "uri": uri,
        }


def _segments(body: str) -> int:
    if set(body) <= GSM_BASIC:
        return 1 if len(body) <= 160 else -(-len(body) // 153)
    return 1 if len(body) <= 70 else -(-len(body) // 67)


def _moment(value: str | None) -> datetime | None:
    """Twilio takes a date (YYYY-MM-DD, the whole day) or, as the python client sends, a time."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _error(status: int, code: int | None, message: str) -> Response:
    return _json(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


class _QuietHandler(WSGIRequestHandler):
    """No request log (its lines would carry the recipients' numbers, in list queries);
    connections kept open between requests, as Twilio's are."""

    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def running_standin() -> Iterator[tuple[str, StandinControl]]:
    """Serve the stand-in on a free 127.0.0.1 port in a thread; yields (base URL, control)."""
    control = StandinControl()
    server = make_server(
        "127.0.0.1", 0, TwilioStandin(control), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="twilio-standin", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", control
    finally:
        control.release_late_answers()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
