"""Quiet hours where the patient lives, as the reminder policy sets them, over a month."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.messaging.quiet_hours import end_of_quiet_hours, held_by_quiet_hours, in_quiet_hours
from companion.messaging.reminders import reminder_policy
from schedules.reminder_policy import QuietHours

# Shanghai, plus zones whose clocks change in March 2026, and one half an hour off the hour.
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]
SITE_DEFAULT = QuietHours(time(21, 0), time(8, 0))
LATER_EVENINGS = QuietHours(time(22, 30), time(7, 0))


def every_quarter_hour_of_march_2026() -> list[datetime]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [start + timedelta(minutes=15 * step) for step in range(31 * 96)]


def test_the_dispatcher_reads_the_quiet_hours_of_the_reminder_policy_21_to_08_by_default():
    assert reminder_policy().quiet_hours == SITE_DEFAULT


@pytest.mark.parametrize("hours", [SITE_DEFAULT, LATER_EVENINGS], ids=["21-08", "22:30-07"])
@pytest.mark.parametrize("zone", ZONES)
def test_a_moment_is_quiet_exactly_when_its_local_time_is_inside_the_quiet_hours(zone, hours):
    for moment in every_quarter_hour_of_march_2026():
        local = moment.astimezone(ZoneInfo(zone)).time()
        expected = local >= hours.start or local < hours.end
        assert in_quiet_hours(moment, zone, hours) == expected, (local, hours)


@pytest.mark.parametrize("hours", [SITE_DEFAULT, LATER_EVENINGS], ids=["21-08", "22:30-07"])
@pytest.mark.parametrize("zone", ZONES)
def test_a_message_held_at_night_goes_at_the_first_moment_of_the_morning(zone, hours):
    for moment in every_quarter_hour_of_march_2026():
        if not in_quiet_hours(moment, zone, hours):
            assert end_of_quiet_hours(moment, zone, hours) == moment
            continue
        morning = end_of_quiet_hours(moment, zone, hours)
        assert morning.astimezone(ZoneInfo(zone)).time() == hours.end
        assert moment < morning <= moment + timedelta(hours=12)
        assert not in_quiet_hours(morning, zone, hours)
        assert in_quiet_hours(morning - timedelta(minutes=1), zone, hours)


def test_a_reminder_due_at_22_in_shanghai_waits_until_08_the_next_day():
    ten_pm = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)

    assert in_quiet_hours(ten_pm, "Asia/Shanghai", SITE_DEFAULT)
    assert end_of_quiet_hours(ten_pm, "Asia/Shanghai", SITE_DEFAULT) == datetime(
        2026, 12, 2, 0, 0, tzinfo=UTC
    )


def test_reminders_wait_for_the_morning_but_replies_to_the_patient_do_not():
    assert held_by_quiet_hours("visit_eve")
    assert held_by_quiet_hours("home_shot")
    assert not held_by_quiet_hours("reply")
