"""When to try again a message Twilio could not take: exponential backoff with full jitter.

Full jitter (a delay drawn uniformly between 0 and the exponential ceiling) spreads the retries of
many messages refused at once (a 429 burst) instead of sending them back together.
"""

from __future__ import annotations

import random
from datetime import timedelta

MAX_ATTEMPTS = 8  # calls to Twilio for one message; then it is failed with the last error
FIRST_CEILING_SECONDS = 15
LAST_CEILING_SECONDS = 30 * 60


def retry_delay(
    attempts: int, *, at_least_seconds: float = 0, rng: random.Random | None = None
) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1 for the first)."""
    ceiling = min(LAST_CEILING_SECONDS, FIRST_CEILING_SECONDS * 2 ** max(0, attempts - 1))
    drawn = (rng or random).uniform(0, ceiling)
    return timedelta(seconds=max(at_least_seconds, drawn))


def gives_up(attempts: int) -> bool:
    """Whether a message that has been tried `attempts` times is failed instead of retried."""
    return attempts >= MAX_ATTEMPTS
