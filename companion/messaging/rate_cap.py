"""At most N messages a second from one sender, however many dispatchers share it.

Twilio takes about one segment a second from a long code and queues (or refuses) the rest, so the
cap is kept on our side: a moving window of one second in the `limits` storage named by
`SMS_RATE_STORAGE_URI`. With Redis there, every dispatcher process counts against the same
window; with the default `memory://` the cap holds within one process only. A dispatcher that
reaches the cap waits for its turn; nothing is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

# After waiting for the window to move, wait this much more: a send that took its turn the
# instant the oldest one left the window could otherwise reach Twilio a hair inside it.
SETTLING_SECONDS = 0.02


class SendingRateCap:
    """Waits until `sender` may send a message of `segments` segments."""

    def __init__(
        self,
        per_second: int,
        storage_uri: str,
        sender: str,
        *,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.per_second = per_second
        self.shared = not storage_uri.startswith("memory://")
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._item = RateLimitItemPerSecond(per_second, 1, namespace="sms-sender")
        self._sender = sender
        self._sleep = sleep

    def wait_for_turn(self, segments: int = 1, stop: Callable[[], bool] = lambda: False) -> bool:
        """Take a turn (each segment counts, as at Twilio); False if `stop` said so first."""
        cost = min(max(segments, 1), self.per_second)
        while not self._limiter.hit(self._item, self._sender, cost=cost):
            if stop():
                return False
            reset_at, _remaining = self._limiter.get_window_stats(self._item, self._sender)
            self._sleep(max(reset_at - time.time(), 0.001) + SETTLING_SECONDS)
        return True


def rate_cap_from_config(config: Mapping[str, Any], sender: str) -> SendingRateCap:
    return SendingRateCap(
        config.get("SMS_MESSAGES_PER_SECOND", 1),
        config.get("SMS_RATE_STORAGE_URI", "memory://"),
        sender,
    )
