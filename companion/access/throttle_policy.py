"""How long a sign-in must wait after failed ones: a few tries free, then a wait that doubles.

A hard lock after N failures lets any stranger lock any account for as long as they keep trying.
A wait instead slows guessing just as well while the rightful person can still sign in once it
has passed. Failures are counted per account and per client address (each with its policy here);
a quiet period forgets them.

Pure: plain numbers and times in, a wait out; no clock, no database, no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# 2**40 times any wait here is far past every cap, and still a timedelta Python can hold.
_MOST_DOUBLINGS = 40


@dataclass(frozen=True)
class ThrottlePolicy:
    """`free_failures` in a row cost nothing; the next waits `first_wait`, each further one
    twice as long as the one before, never more than `longest_wait`. Failures older than
    `forget_after` (counted from the last one) no longer count."""

    free_failures: int
    first_wait: timedelta
    longest_wait: timedelta
    forget_after: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """How long after the last of `failures` failures in a row the next attempt may come."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return timedelta(0)
        return min(self.first_wait * 2 ** min(beyond - 1, _MOST_DOUBLINGS), self.longest_wait)

    def counted_failures(self, failures: int, last_failure_at: datetime, now: datetime) -> int:
        """The failures that still count at `now` (none after a quiet `forget_after`)."""
        return 0 if now - last_failure_at >= self.forget_after else failures

    def wait_remaining(
        self, failures: int, last_failure_at: datetime | None, now: datetime
    ) -> timedelta:
        """How much longer an attempt at `now` must wait (zero: it may go ahead)."""
        if last_failure_at is None:
            return timedelta(0)
        counted = self.counted_failures(failures, last_failure_at, now)
        return max(last_failure_at + self.wait_after(counted) - now, timedelta(0))


# One account is one person: five tries, then 30 s, 1, 2, 4, 8 min, then 15 min at most.
ACCOUNT = ThrottlePolicy(
    free_failures=5,
    first_wait=timedelta(seconds=30),
    longest_wait=timedelta(minutes=15),
    forget_after=timedelta(hours=24),
)

# One address may be a whole hospital behind one router: more free tries, forgotten sooner.
ADDRESS = ThrottlePolicy(
    free_failures=20,
    first_wait=timedelta(seconds=30),
    longest_wait=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)
