"""Retry delays: exponential ceilings with full jitter, and a limit to the attempts."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from companion.messaging.retry_policy import (
    FIRST_CEILING_SECONDS,
    LAST_CEILING_SECONDS,
    MAX_ATTEMPTS,
    gives_up,
    retry_delay,
)


def draws(attempts: int, count: int = 2000, **options: float) -> list[float]:
    rng = random.Random(attempts)
    return [retry_delay(attempts, rng=rng, **options).total_seconds() for _ in range(count)]


def test_the_ceiling_doubles_with_each_attempt_up_to_half_an_hour():
    for attempts in range(1, 12):
        ceiling = min(LAST_CEILING_SECONDS, FIRST_CEILING_SECONDS * 2 ** (attempts - 1))
        assert max(draws(attempts)) <= ceiling
        assert max(draws(attempts)) > 0.95 * ceiling


def test_delays_are_spread_over_the_whole_range_so_refused_messages_do_not_return_together():
    delays = draws(4)
    ceiling = FIRST_CEILING_SECONDS * 8

    assert min(delays) < 0.05 * ceiling
    assert sum(delays) / len(delays) == pytest.approx(ceiling / 2, rel=0.1)


def test_a_delay_is_never_shorter_than_twilio_asked():
    assert min(draws(1, at_least_seconds=60)) == 60
    assert retry_delay(1, at_least_seconds=60, rng=random.Random(1)) >= timedelta(seconds=60)


def test_a_message_is_given_up_after_the_last_attempt():
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)
