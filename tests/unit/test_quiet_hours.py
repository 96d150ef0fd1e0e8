"""Quiet hours (21:00-08:00 where the patient lives), checked over a month of moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.messaging.quiet_hours import end_of_quiet_hours, held_by_quiet_hours, in_quiet_hours

# Shanghai, plus zones whose clocks change in March 2026, and one half an hour off the hour.
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]


def every_quarter_hour_of_march_2026() -> list[datetime]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [start + timedelta(minutes=15 * step) for step in range(31 * 96)]


@pytest.mark.parametrize("zone", ZONES)
def test_a_moment_is_quiet_exactly_when_it_is_between_21_and_08_local_time(zone):
    for moment in every_quarter_hour_of_march_2026():
        local = moment.astimezone(ZoneInfo(zone))
        assert in_quiet_hours(moment, zone) == (local.hour >= 21 or local.hour < 8), local


@pytest.mark.parametrize("zone", ZONES)
def test_a_message_held_at_night_goes_at_the_first_moment_of_the_morning(zone):
    for moment in every_quarter_hour_of_march_2026():
        if not in_quiet_hours(moment, zone):
            continue
        morning = end_of_quiet_hours(moment, zone)
        assert morning.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "08:00"
        assert moment < morning <= moment + timedelta(hours=12)
        assert not in_quiet_hours(morning, zone)
        assert in_quiet_hours(morning - timedelta(minutes=1), zone)


def test_a_reminder_due_at_22_in_shanghai_waits_until_08_the_next_day():
    ten_pm = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)

    assert in_quiet_hours(ten_pm, "Asia/Shanghai")
    assert end_of_quiet_hours(ten_pm, "Asia/Shanghai") == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


def test_reminders_wait_for_the_morning_but_replies_to_the_patient_do_not():
    assert held_by_quiet_hours("visit_eve")
    assert held_by_quiet_hours("home_shot")
    assert not held_by_quiet_hours("reply")
