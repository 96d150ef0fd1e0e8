"""schedules.reminders: which text reminders a patient gets, and when, from the reminder policy.

The policy here is built in the test (the evening before at 19:00, the morning of at 07:30, a
phone call's morning at 08:00, a home shot's day at 18:00, quiet 21:00 to 08:00, 30 minutes'
notice, 60 days ahead), so each test reads on its own; the shipped file is checked at the end.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from schedules import build_calendar, load_protocol
from schedules.builder import HomeDose
from schedules.reminder_policy import (
    QuietHours,
    ReminderPolicy,
    ReminderPolicyError,
    ReminderRule,
    load_reminder_policy,
)
from schedules.reminders import BookedVisit, PlannedReminder, plan_reminders

SHANGHAI = "Asia/Shanghai"
PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
SHIPPED_POLICY = Path(__file__).resolve().parents[2] / "companion/messaging/reminder_policy.yaml"
TEMPLATES = ("visit_eve", "visit_morning", "check_in", "home_shot")


def rule(kind: str, days_before: int, at: str, about: str = "visit", **limits) -> ReminderRule:
    hour, minute = map(int, at.split(":"))
    return ReminderRule(
        kind=kind,
        about=about,
        days_before=days_before,
        time=time(hour, minute),
        template=kind,
        places=frozenset(limits.get("places", ("clinic",) if about == "visit" else ())),
        activities=frozenset(limits.get("activities", ())),
    )


EVE = rule("visit_eve", 1, "19:00")
MORNING = rule("visit_morning", 0, "07:30")
CHECK_IN = rule("check_in", 0, "08:00", places=("phone",))
HOME_SHOT = rule("home_shot", 0, "18:00", about="home_dose")


def policy(*rules: ReminderRule, quiet=("21:00", "08:00"), notice=30, days=60) -> ReminderPolicy:
    start, end = (time(*map(int, clock.split(":"))) for clock in quiet)
    return ReminderPolicy(
        quiet_hours=QuietHours(start, end),
        least_notice=timedelta(minutes=notice),
        horizon=timedelta(days=days),
        rules=rules or (EVE, MORNING, CHECK_IN, HOME_SHOT),
    )


def local(day: date, clock: str, tz: str = SHANGHAI) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def clinic_visit(day: date, clock: str = "14:00", tz: str = SHANGHAI, key: str = "c2d1"):
    return BookedVisit(key, local(day, clock, tz), "clinic", ("dosing", "labs"))


def phone_visit(day: date, clock: str = "10:00", tz: str = SHANGHAI, key: str = "checkin_d8"):
    return BookedVisit(key, local(day, clock, tz), "phone", ("symptom_survey",))


def shot(day: date, tz: str = SHANGHAI) -> HomeDose:
    return HomeDose("home_injection", {"en": "Your shot at home"}, day, local(day, "20:00", tz))


VISIT_DAY = date(2026, 6, 10)
LONG_BEFORE = utc(2026, 6, 1, 0)
# Paris changes to summer time on 29 March 2026 and back on 25 October.
MARCH = utc(2026, 3, 1, 0)
OCTOBER = utc(2026, 10, 1, 0)


DEFAULT_POLICY = policy()


def plan(visits=(), doses=(), rules=DEFAULT_POLICY, tz=SHANGHAI, now=LONG_BEFORE, **options):
    return plan_reminders(visits, doses, rules, tz, now, **options)


def due_times(reminders: list[PlannedReminder]) -> dict[str, datetime]:
    return {reminder.kind: reminder.due_at for reminder in reminders}


def test_a_clinic_visit_is_reminded_the_evening_before_at_19_local() -> None:
    reminders = plan([clinic_visit(VISIT_DAY)])
    assert due_times(reminders)["visit_eve"] == local(date(2026, 6, 9), "19:00")


def test_a_morning_reminder_inside_the_quiet_hours_moves_to_their_end() -> None:
    reminders = plan([clinic_visit(VISIT_DAY)])
    assert due_times(reminders)["visit_morning"] == local(VISIT_DAY, "08:00")


def test_an_evening_reminder_inside_the_quiet_hours_moves_to_the_next_morning() -> None:
    late = rule("visit_eve", 1, "22:30")
    reminders = plan([clinic_visit(VISIT_DAY)], rules=policy(late))
    assert due_times(reminders)["visit_eve"] == local(VISIT_DAY, "08:00")


def test_quiet_hours_within_one_day_push_to_their_end_the_same_day() -> None:
    lunch = rule("visit_morning", 0, "12:15")
    reminders = plan(
        [clinic_visit(VISIT_DAY, "16:00")], rules=policy(lunch, quiet=("12:00", "13:00"))
    )
    assert due_times(reminders)["visit_morning"] == local(VISIT_DAY, "13:00")


def test_a_reminder_pushed_past_the_start_of_the_visit_is_dropped() -> None:
    reminders = plan([clinic_visit(VISIT_DAY, "07:00")])
    assert set(due_times(reminders)) == {"visit_eve"}


def test_a_reminder_landing_with_less_notice_than_the_policy_asks_is_dropped() -> None:
    reminders = plan([clinic_visit(VISIT_DAY, "08:20")])
    assert set(due_times(reminders)) == {"visit_eve"}


def test_a_reminder_landing_with_exactly_the_notice_asked_is_kept() -> None:
    reminders = plan([clinic_visit(VISIT_DAY, "08:30")])
    assert due_times(reminders)["visit_morning"] == local(VISIT_DAY, "08:00")


@pytest.mark.parametrize("tz", [SHANGHAI, PARIS, NEW_YORK])
def test_no_reminder_of_a_whole_protocol_calendar_is_due_inside_the_quiet_hours(tz: str) -> None:
    calendar = build_calendar(load_protocol("NCT07586904", 4), date(2026, 2, 20), tz)
    everything = policy(days=366)
    reminders = plan(calendar.visits, calendar.home_doses, everything, tz, utc(2026, 1, 1, 0))
    assert len(reminders) > 40
    for reminder in reminders:
        clock = reminder.due_at.astimezone(ZoneInfo(tz)).time()
        assert time(8, 0) <= clock < time(21, 0), reminder


def test_a_reminder_may_go_no_later_than_the_next_quiet_hours() -> None:
    reminders = {r.kind: r for r in plan([clinic_visit(VISIT_DAY)])}
    assert reminders["visit_eve"].not_after == local(date(2026, 6, 9), "21:00")


def test_a_reminder_may_go_no_later_than_the_start_of_its_visit() -> None:
    reminders = {r.kind: r for r in plan([clinic_visit(VISIT_DAY)])}
    assert reminders["visit_morning"].not_after == local(VISIT_DAY, "14:00")


def test_due_times_are_aware_and_in_utc() -> None:
    for reminder in plan([clinic_visit(VISIT_DAY)], [shot(VISIT_DAY)]):
        assert reminder.due_at.utcoffset() == timedelta(0)
        assert reminder.due_at.tzinfo is UTC
        assert reminder.not_after.tzinfo is UTC


def test_the_evening_before_keeps_19_local_across_the_spring_clock_change_in_paris() -> None:
    before = plan([clinic_visit(date(2026, 3, 29), "09:00", PARIS)], tz=PARIS, now=MARCH)
    after = plan([clinic_visit(date(2026, 3, 30), "09:00", PARIS)], tz=PARIS, now=MARCH)
    assert due_times(before)["visit_eve"] == utc(2026, 3, 28, 18)  # 19:00 CET, UTC+1
    assert due_times(after)["visit_eve"] == utc(2026, 3, 29, 17)  # 19:00 CEST, UTC+2


def test_the_morning_of_the_spring_clock_change_ends_its_quiet_hours_at_8_summer_time() -> None:
    reminders = plan([clinic_visit(date(2026, 3, 29), "09:00", PARIS)], tz=PARIS, now=MARCH)
    assert due_times(reminders)["visit_morning"] == utc(2026, 3, 29, 6)


def test_the_evening_before_keeps_19_local_across_the_autumn_clock_change_in_paris() -> None:
    reminders = plan([clinic_visit(date(2026, 10, 26), "09:00", PARIS)], tz=PARIS, now=OCTOBER)
    assert due_times(reminders)["visit_eve"] == utc(2026, 10, 25, 18)  # 19:00 CET again


def test_home_shots_are_reminded_at_18_local_on_both_sides_of_a_clock_change() -> None:
    days = [date(2026, 3, 28), date(2026, 3, 30)]
    reminders = plan(doses=[shot(day, PARIS) for day in days], tz=PARIS, now=MARCH)
    assert [r.due_at for r in reminders] == [utc(2026, 3, 28, 17), utc(2026, 3, 30, 16)]


def test_a_home_shot_reminder_may_go_no_later_than_the_shot() -> None:
    (reminder,) = plan(doses=[shot(VISIT_DAY)])
    assert (reminder.due_at, reminder.not_after) == (
        local(VISIT_DAY, "18:00"),
        local(VISIT_DAY, "20:00"),
    )
    assert reminder.subject_key == "home_injection:2026-06-10"


def test_a_phone_check_in_gets_only_a_reminder_of_the_call_that_morning() -> None:
    reminders = plan([phone_visit(VISIT_DAY)])
    assert [(r.kind, r.due_at) for r in reminders] == [("check_in", local(VISIT_DAY, "08:00"))]


def test_a_rule_for_some_activities_leaves_out_visits_without_them() -> None:
    scans = rule("visit_eve", 1, "19:00", activities=("imaging",))
    assert plan([clinic_visit(VISIT_DAY)], rules=policy(scans)) == []


def test_nothing_is_planned_in_the_past() -> None:
    reminders = plan([clinic_visit(VISIT_DAY)], now=local(date(2026, 6, 9), "19:01"))
    assert set(due_times(reminders)) == {"visit_morning"}


def test_a_reminder_due_exactly_now_is_still_planned() -> None:
    reminders = plan([clinic_visit(VISIT_DAY)], now=local(date(2026, 6, 9), "19:00"))
    assert set(due_times(reminders)) == {"visit_eve", "visit_morning"}


def test_nothing_is_planned_beyond_the_horizon() -> None:
    far = clinic_visit(date(2026, 9, 1))
    assert plan([far], rules=policy(days=60)) == []
    assert len(plan([far], rules=policy(days=120))) == 2


@pytest.mark.parametrize("status", ["done", "missed", "cancelled"])
def test_a_visit_that_is_not_scheduled_gets_no_reminder(status: str) -> None:
    reminders = plan([clinic_visit(VISIT_DAY)], statuses={"c2d1": status})
    assert reminders == []


def test_a_scheduled_visit_among_others_keeps_its_reminders() -> None:
    visits = [clinic_visit(VISIT_DAY), clinic_visit(date(2026, 6, 20), key="restaging")]
    reminders = plan(visits, statuses={"c2d1": "cancelled", "restaging": "scheduled"})
    assert {r.subject_key for r in reminders} == {"restaging"}


def test_planning_twice_gives_the_same_keys() -> None:
    visits, doses = [clinic_visit(VISIT_DAY)], [shot(VISIT_DAY)]
    assert [r.key for r in plan(visits, doses)] == [r.key for r in plan(visits, doses)]


def test_a_moved_visit_gets_new_keys() -> None:
    before = {r.key for r in plan([clinic_visit(VISIT_DAY)])}
    after = {r.key for r in plan([clinic_visit(VISIT_DAY + timedelta(days=2))])}
    assert len(before) == len(after) == 2
    assert before.isdisjoint(after)


def test_a_key_names_the_subject_the_kind_and_the_due_time() -> None:
    reminders = {r.kind: r for r in plan([clinic_visit(VISIT_DAY)])}
    assert reminders["visit_eve"].key == "c2d1:visit_eve:20260609T1100Z"


def test_two_rules_landing_at_the_same_moment_give_one_reminder() -> None:
    early = rule("visit_early", 0, "06:00")
    reminders = plan([clinic_visit(VISIT_DAY)], rules=policy(early, MORNING))
    assert [r.kind for r in reminders] == ["visit_early"]


def test_a_reminder_carries_its_template_and_when_its_subject_is() -> None:
    (reminder,) = plan([clinic_visit(VISIT_DAY)], rules=policy(EVE))
    assert reminder.template == "visit_eve"
    assert reminder.params["at"] == local(VISIT_DAY, "14:00")


def test_reminders_come_in_time_order() -> None:
    visits = [clinic_visit(date(2026, 6, 20), key="restaging"), clinic_visit(VISIT_DAY)]
    reminders = plan(visits, [shot(date(2026, 6, 15))])
    assert [r.due_at for r in reminders] == sorted(r.due_at for r in reminders)


# The policy file.


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reminder_policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
quiet_hours: {start: "21:00", end: "08:00"}
least_notice_minutes: 30
plan_days_ahead: 60
reminders:
  - {kind: visit_eve, about: visit, places: [clinic], days_before: 1, time: "19:00",
     template: visit_eve}
  - {kind: home_shot, about: home_dose, days_before: 0, time: "18:00", template: home_shot}
"""


def test_the_shipped_policy_file_reads_and_names_known_templates() -> None:
    loaded = load_reminder_policy(SHIPPED_POLICY, templates=TEMPLATES)
    assert loaded.quiet_hours == QuietHours(time(21, 0), time(8, 0))
    assert set(loaded.kinds) == {"visit_eve", "visit_morning", "check_in", "home_shot"}


def test_a_good_policy_file_reads_into_rules(tmp_path: Path) -> None:
    loaded = load_reminder_policy(write(tmp_path, GOOD), templates=TEMPLATES)
    assert loaded.rules == (EVE, HOME_SHOT)
    assert (loaded.least_notice, loaded.horizon) == (timedelta(minutes=30), timedelta(days=60))


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (('start: "21:00"', 'start: "9pm"'), "quiet_hours start", "quoted local time"),
        (('end: "08:00"', 'end: "21:00"'), "quiet_hours", "start and end must differ"),
        (("least_notice_minutes: 30", "least_notice_minutes: -5"), "least_notice_minutes", "-5"),
        (("plan_days_ahead: 60", "plan_days_ahead: yes"), "plan_days_ahead", "'yes'"),
        (("places: [clinic]", "places: [home]"), "reminder 'visit_eve'", "places"),
        (("days_before: 1", "days_before: -1"), "reminder 'visit_eve' days_before", "-1"),
        (('time: "19:00"', "time: 19:00"), "reminder 'visit_eve'", "quoted local time"),
        (("template: visit_eve", "template: visit_party"), "reminder 'visit_eve'", "unknown"),
        (("about: home_dose", "about: pills"), "reminder 'home_shot'", "about 'pills'"),
        (("kind: home_shot", "kind: visit_eve"), "reminders", "more than once"),
        (("kind: home_shot", "kind: Home-Shot"), "reminder 'Home-Shot'", "lower-case"),
        (("about: home_dose,", "about: home_dose, places: [clinic],"), "'home_shot'", "places"),
        (
            ("plan_days_ahead: 60", "plan_days_ahead: 60\nsend_at_night: true"),
            "the file",
            "unknown",
        ),
        (("plan_days_ahead: 60", ""), "the file", "missing plan_days_ahead"),
    ],
)
def test_a_mistake_in_the_policy_file_is_named_with_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], field: str, problem: str
) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ReminderPolicyError) as raised:
        load_reminder_policy(path, templates=TEMPLATES)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert field in message, message
    assert problem in message, message


def test_a_policy_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "quiet_hours: [unclosed\n")
    with pytest.raises(ReminderPolicyError, match="cannot be read as YAML"):
        load_reminder_policy(path)


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReminderPolicyError, match=r"nowhere\.yaml"):
        load_reminder_policy(tmp_path / "nowhere.yaml")
