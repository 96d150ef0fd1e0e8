"""How long a sign-in must wait after failures: free tries, then a wait that doubles, capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from companion.access.throttle_policy import ACCOUNT, ADDRESS, ThrottlePolicy

POLICY = ThrottlePolicy(
    free_failures=5,
    first_wait=timedelta(seconds=30),
    longest_wait=timedelta(minutes=15),
    forget_after=timedelta(hours=24),
)
LAST_FAILURE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_free_failures_cost_no_wait() -> None:
    assert [POLICY.wait_after(failures) for failures in range(6)] == [timedelta(0)] * 6


def test_the_first_failure_beyond_the_free_ones_waits_the_first_wait() -> None:
    assert POLICY.wait_after(6) == timedelta(seconds=30)


def test_each_further_failure_doubles_the_wait() -> None:
    waits = [POLICY.wait_after(failures).total_seconds() for failures in range(6, 11)]
    assert waits == [30, 60, 120, 240, 480]


def test_the_wait_never_grows_past_the_longest() -> None:
    assert POLICY.wait_after(11) == timedelta(minutes=15)
    assert POLICY.wait_after(40) == timedelta(minutes=15)


def test_a_huge_number_of_failures_still_waits_the_longest_without_overflowing() -> None:
    assert POLICY.wait_after(10**9) == timedelta(minutes=15)


def test_the_wait_counts_down_from_the_last_failure() -> None:
    halfway = LAST_FAILURE + timedelta(seconds=10)
    assert POLICY.wait_remaining(6, LAST_FAILURE, halfway) == timedelta(seconds=20)


def test_once_the_wait_has_passed_the_next_attempt_may_go_ahead() -> None:
    after = LAST_FAILURE + timedelta(seconds=30)
    assert POLICY.wait_remaining(6, LAST_FAILURE, after) == timedelta(0)


def test_failures_are_forgotten_after_a_quiet_period() -> None:
    quiet = LAST_FAILURE + timedelta(hours=24)
    assert POLICY.counted_failures(50, LAST_FAILURE, quiet) == 0
    assert POLICY.counted_failures(50, LAST_FAILURE, quiet - timedelta(seconds=1)) == 50


def test_no_failure_yet_means_no_wait() -> None:
    assert POLICY.wait_remaining(0, None, LAST_FAILURE) == timedelta(0)


def test_an_address_gets_more_free_failures_than_an_account() -> None:
    """One address may be a whole hospital behind one router; one account is one person."""
    assert ADDRESS.free_failures > ACCOUNT.free_failures
    assert ACCOUNT.wait_after(ACCOUNT.free_failures) == timedelta(0)
    assert ACCOUNT.wait_after(ACCOUNT.free_failures + 1) > timedelta(0)


def test_no_policy_ever_makes_anyone_wait_longer_than_a_quarter_of_an_hour() -> None:
    for policy in (ACCOUNT, ADDRESS):
        assert policy.wait_after(10_000) == policy.longest_wait <= timedelta(minutes=15)
