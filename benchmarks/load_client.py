"""A small HTTP client for the load test: one simulated person, and a log of what they saw.

Why not `requests` or locust's client: the service runs with `COMPANION_ENV=production`, so its
session cookie is `__Host-session` with `Secure`, and cookie jars (http.cookiejar, hence
requests and locust) never send a Secure cookie over plain http. The load runs on plain http on
127.0.0.1, so this client keeps cookies itself, as a browser would over https.

Gunicorn's sync workers close the connection after each answer, so every request opens one.
"""

from __future__ import annotations

import http.client
import json
import math
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

CONNECTION_ERROR = 0
"""The status recorded when no answer came: refused, reset or timed out."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request as the person experienced it: how long, what status, and whether the flow
    expected that status (a 409 may be expected, a 200 may not)."""

    kind: str
    step: str
    status: int
    started: float  # time.monotonic() when it was sent
    seconds: float
    expected: bool


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """The path a redirect points to (Flask may give it absolute)."""
        return urlsplit(self.headers.get("location", "")).path


class UnexpectedAnswer(Exception):
    """The flow cannot go on: the request failed or got a status the flow did not expect."""


class TimeUp(Exception):
    """The load's time is over: no new request is sent."""


@dataclass
class Visitor:
    """One person's connection to the service: their cookies, headers, and exchanges so far."""

    host: str
    port: int
    kind: str
    timeout: float
    deadline: float = math.inf  # time.monotonic() after which no request is sent
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)

    def get(self, step: str, path: str, expect: Collection[int] = (200,)) -> Answer:
        return self._send(step, "GET", path, None, {}, expect)

    def post_form(
        self, step: str, path: str, form: Mapping[str, str], expect: Collection[int] = (303,)
    ) -> Answer:
        content_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._send(step, "POST", path, urlencode(form).encode(), content_type, expect)

    def post_json(
        self, step: str, path: str, body: Any, expect: Collection[int] = (200,)
    ) -> Answer:
        content_type = {"Content-Type": "application/json"}
        return self._send(step, "POST", path, json.dumps(body).encode(), content_type, expect)

    def _send(
        self,
        step: str,
        method: str,
        path: str,
        body: bytes | None,
        headers: Mapping[str, str],
        expect: Collection[int],
    ) -> Answer:
        if time.monotonic() >= self.deadline:
            raise TimeUp
        sent = {**self.headers, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            answer = Answer(
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
            set_cookies = response.headers.get_all("Set-Cookie") or []
        except (OSError, http.client.HTTPException) as error:
            self._log(step, CONNECTION_ERROR, started, expected=False)
            raise UnexpectedAnswer(f"{method} {step}: {error!r}") from error
        finally:
            connection.close()
        self._log(step, answer.status, started, expected=answer.status in expect)
        self._keep_cookies(set_cookies)
        if answer.status not in expect:
            raise UnexpectedAnswer(f"{method} {step}: {answer.status} {answer.text[:300]}")
        return answer

    def _log(self, step: str, status: int, started: float, *, expected: bool) -> None:
        seconds = time.perf_counter() - started
        sent_at = time.monotonic() - seconds
        self.exchanges.append(Exchange(self.kind, step, status, sent_at, seconds, expected))

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            name, _, value = header.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)
