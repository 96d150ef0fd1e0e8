"""Triage of one symptom report: each rule, each boundary, and the worsening raise."""

from __future__ import annotations

from typing import Any

import pytest

from symptoms import Triage, TriageRules, Urgency, check_answers, load_item_bank, triage

GREEN, AMBER, RED, EMERGENCY = Urgency.GREEN, Urgency.AMBER, Urgency.RED, Urgency.EMERGENCY
BANK = load_item_bank()
SEVERITY_ITEMS = [item.key for item in BANK.items if item.kind == "severity"]
YES_NO_ITEMS = [item.key for item in BANK.items if item.kind == "yes_no"]
ALL_FINE: dict[str, Any] = {
    "temperature_c": 36.8,
    "extra_stools_per_day": 0,
    "other": "I feel well this week. I went for a walk with my dog.",
    **dict.fromkeys(SEVERITY_ITEMS, "none"),
    **dict.fromkeys(YES_NO_ITEMS, "no"),
}


def grade(
    earlier: dict[str, Any] | None = None, rules: TriageRules | None = None, **answers: Any
) -> Triage:
    return triage(check_answers(BANK, answers), rules or TriageRules(), earlier)


# --- the answers on their own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "urgency"),
    [(30, GREEN), (37.9, GREEN), (38.0, AMBER), (38.9, AMBER), (38.95, AMBER), (39.0, RED)],
)
def test_temperature_is_banded_at_38_and_39(temperature: float, urgency: Urgency) -> None:
    assert grade(temperature_c=temperature).urgency == urgency


@pytest.mark.parametrize(
    ("stools", "urgency"), [(0, GREEN), (3, GREEN), (4, AMBER), (6, AMBER), (7, RED), (30, RED)]
)
def test_extra_stools_are_banded_at_4_and_7(stools: int, urgency: Urgency) -> None:
    assert grade(extra_stools_per_day=stools).urgency == urgency


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"temperature_c": 38.0}, "fever_amber"),
        ({"temperature_c": 39.0}, "fever_red"),
        ({"extra_stools_per_day": 4}, "extra_stools_amber"),
        ({"extra_stools_per_day": 7}, "extra_stools_red"),
    ],
)
def test_measured_findings_carry_their_reason(answers: dict[str, Any], reason: str) -> None:
    assert grade(**answers).reasons == (reason,)


@pytest.mark.parametrize(
    ("key", "answer", "reason"),
    [
        ("chest_pain", "yes", "chest_pain"),
        ("shortness_of_breath", "severe", "shortness_of_breath_severe"),
        ("fainting", "yes", "fainting"),
        ("confusion", "yes", "confusion"),
        ("self_harm_thoughts", "yes", "self_harm_thoughts"),
    ],
)
def test_each_emergency_answer_makes_an_emergency(key: str, answer: str, reason: str) -> None:
    result = grade(**{key: answer})
    assert (result.urgency, result.reasons) == (EMERGENCY, (reason,))


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("blood_in_stool", "blood_in_stool"),
        ("yellow_skin_or_eyes", "yellow_skin_or_eyes"),
        ("rash_blistering", "rash_blistering"),
    ],
)
def test_each_red_yes_answer_makes_a_red(key: str, reason: str) -> None:
    result = grade(**{key: "yes"})
    assert (result.urgency, result.reasons) == (RED, (reason,))


@pytest.mark.parametrize(
    ("key", "answer", "reason"),
    [
        ("new_cough", "yes", "new_cough"),
        ("shortness_of_breath", "moderate", "shortness_of_breath_moderate"),
        ("vomiting_over_24h", "yes", "vomiting_over_24h"),
        ("headache", "severe", "headache_severe"),
        ("vision_change", "yes", "vision_change"),
        ("dark_urine", "yes", "dark_urine"),
        ("rash", "severe", "rash_severe"),
        ("itching", "severe", "itching_severe"),
        ("fatigue", "severe", "fatigue_severe"),
        ("nausea", "severe", "nausea_severe"),
        ("abdominal_pain", "severe", "abdominal_pain_severe"),
        ("abdominal_pain", "moderate", "abdominal_pain_moderate"),
        ("joint_or_muscle_pain", "severe", "joint_or_muscle_pain_severe"),
        ("injection_site_reaction", "severe", "injection_site_reaction_severe"),
        ("low_mood", "severe", "low_mood_severe"),
    ],
)
def test_each_amber_answer_makes_an_amber(key: str, answer: str, reason: str) -> None:
    result = grade(**{key: answer})
    assert (result.urgency, result.reasons) == (AMBER, (reason,))


@pytest.mark.parametrize(
    ("key", "answer"),
    [(key, "mild") for key in SEVERITY_ITEMS]
    + [
        (key, "moderate")
        for key in SEVERITY_ITEMS
        if key not in ("abdominal_pain", "shortness_of_breath")
    ],
)
def test_mild_and_moderate_symptoms_are_green_but_for_belly_pain_and_breathing(
    key: str, answer: str
) -> None:
    assert grade(**{key: answer}) == Triage(GREEN, ())


@pytest.mark.parametrize("key", YES_NO_ITEMS)
def test_every_no_answer_is_green(key: str) -> None:
    assert grade(**{key: "no"}) == Triage(GREEN, ())


def test_a_report_where_all_is_fine_is_green_with_no_reasons() -> None:
    assert grade(**ALL_FINE) == Triage(GREEN, ())


@pytest.mark.parametrize(
    ("text", "urgency", "reason"),
    [
        ("I had chest pain last night", EMERGENCY, "text_mentions_chest_pain"),
        ("昨天晕倒了一次", EMERGENCY, "text_mentions_fainting"),
        ("my stools are black", RED, "text_mentions_blood_in_stool"),
        ("家人说我眼睛发黄", RED, "text_mentions_jaundice"),
    ],
)
def test_free_text_is_read_for_urgent_words(text: str, urgency: Urgency, reason: str) -> None:
    result = grade(other=text)
    assert (result.urgency, result.reasons) == (urgency, (reason,))
    assert result.findings[0].item == "other"


# --- several findings ---------------------------------------------------------------------


def test_one_amber_finding_is_amber() -> None:
    assert grade(new_cough="yes").reasons == ("new_cough",)


@pytest.mark.parametrize(
    "answers",
    [
        {"new_cough": "yes", "dark_urine": "yes"},
        {"temperature_c": 38.2, "extra_stools_per_day": 5},
        {"fatigue": "severe", "low_mood": "severe", "headache": "severe"},
    ],
)
def test_two_or_more_amber_findings_make_a_red(answers: dict[str, Any]) -> None:
    result = grade(**answers)
    assert result.urgency == RED
    assert result.reasons[0] == "two_or_more_amber"


def test_a_red_with_one_amber_is_red_without_the_two_amber_reason() -> None:
    result = grade(blood_in_stool="yes", new_cough="yes")
    assert (result.urgency, result.reasons) == (RED, ("blood_in_stool", "new_cough"))


def test_an_emergency_with_two_ambers_stays_an_emergency_and_lists_every_finding() -> None:
    result = grade(chest_pain="yes", new_cough="yes", dark_urine="yes")
    assert result.urgency == EMERGENCY
    assert result.reasons == ("chest_pain", "two_or_more_amber", "new_cough", "dark_urine")


def test_findings_are_listed_most_urgent_first() -> None:
    result = grade(new_cough="yes", temperature_c=39.5, fainting="yes")
    urgencies = [finding.urgency for finding in result.findings]
    assert urgencies == sorted(urgencies, reverse=True)
    assert result.reasons[0] == "fainting"


def test_a_finding_names_the_item_it_came_from() -> None:
    assert [f.item for f in grade(temperature_c=39.1, new_cough="yes").findings] == [
        "temperature_c",
        "new_cough",
    ]


def test_the_same_word_twice_in_free_text_is_one_finding() -> None:
    assert grade(other="chest pain, chest pain, my chest hurts").reasons == (
        "text_mentions_chest_pain",
    )


# --- worsening since the earlier report ---------------------------------------------------


def test_fatigue_from_mild_to_severe_raises_amber_to_red() -> None:
    result = grade(earlier={"fatigue": "mild"}, fatigue="severe")
    assert (result.urgency, result.reasons) == (RED, ("worsened_fatigue", "fatigue_severe"))


def test_nausea_from_none_to_moderate_raises_green_to_amber() -> None:
    result = grade(earlier={"nausea": "none"}, nausea="moderate")
    assert (result.urgency, result.reasons) == (AMBER, ("worsened_nausea",))


def test_a_worsening_of_one_level_does_not_raise() -> None:
    assert grade(earlier={"nausea": "none"}, nausea="mild") == Triage(GREEN, ())


def test_a_symptom_that_got_better_does_not_raise() -> None:
    assert grade(earlier={"nausea": "severe"}, nausea="none") == Triage(GREEN, ())


@pytest.mark.parametrize("earlier", [None, {}, {"headache": "none"}])
def test_with_no_earlier_answer_to_the_item_there_is_no_raise(
    earlier: dict[str, Any] | None,
) -> None:
    assert grade(earlier=earlier, fatigue="severe").urgency == AMBER


@pytest.mark.parametrize("before", ["sometimes", 7, None, "", True])
def test_an_earlier_answer_that_cannot_be_read_is_ignored(before: Any) -> None:
    assert grade(earlier={"fatigue": before}, fatigue="severe").urgency == AMBER


def test_two_worsened_items_raise_the_report_only_once() -> None:
    result = grade(
        earlier={"nausea": "none", "headache": "none"}, nausea="moderate", headache="moderate"
    )
    assert (result.urgency, result.reasons) == (AMBER, ("worsened_nausea", "worsened_headache"))


def test_a_red_report_that_also_worsened_stays_red() -> None:
    result = grade(earlier={"fatigue": "mild"}, fatigue="severe", blood_in_stool="yes")
    assert result.urgency == RED
    assert "worsened_fatigue" in result.reasons


@pytest.mark.parametrize(
    "answers",
    [
        {"fatigue": "severe", "nausea": "severe", "low_mood": "severe"},  # red by two ambers
        {"fatigue": "severe", "blood_in_stool": "yes"},  # red by a red answer
        {"fatigue": "severe", "temperature_c": 39.4},  # red by a measurement
    ],
)
def test_worsening_never_raises_a_red_to_an_emergency(answers: dict[str, Any]) -> None:
    earlier = {"fatigue": "none", "nausea": "none", "low_mood": "none"}
    assert grade(earlier=earlier, **answers).urgency == RED


def test_an_emergency_that_also_worsened_stays_an_emergency() -> None:
    result = grade(earlier={"fatigue": "none"}, fatigue="severe", chest_pain="yes")
    assert result.urgency == EMERGENCY
    assert result.reasons[0] == "chest_pain"


def test_worsening_does_not_count_as_an_amber_finding() -> None:
    result = grade(earlier={"nausea": "none"}, nausea="moderate", new_cough="yes")
    assert result.urgency == RED  # one amber, raised once
    assert "two_or_more_amber" not in result.reasons


@pytest.mark.parametrize(
    ("before", "now", "worsened"),
    [
        ({"temperature_c": 36.9}, {"temperature_c": 39.2}, True),  # band 0 -> 2
        ({"temperature_c": 36.9}, {"temperature_c": 38.5}, False),  # band 0 -> 1
        ({"temperature_c": 38.1}, {"temperature_c": 39.0}, False),  # band 1 -> 2
        ({"temperature_c": 38.9}, {"temperature_c": 37.0}, False),
        ({"extra_stools_per_day": 0}, {"extra_stools_per_day": 7}, True),  # band 0 -> 2
        ({"extra_stools_per_day": 3}, {"extra_stools_per_day": 6}, False),  # band 0 -> 1
        ({"shortness_of_breath": "none"}, {"shortness_of_breath": "moderate"}, True),
        ({"shortness_of_breath": "mild"}, {"shortness_of_breath": "moderate"}, False),
    ],
)
def test_measurements_worsen_by_their_bands(
    before: dict[str, Any], now: dict[str, Any], worsened: bool
) -> None:
    (key,) = now
    assert (f"worsened_{key}" in grade(earlier=before, **now).reasons) is worsened


def test_a_temperature_from_normal_to_high_stays_red() -> None:
    result = grade(earlier={"temperature_c": 36.9}, temperature_c=39.2)
    assert (result.urgency, result.reasons) == (RED, ("fever_red", "worsened_temperature_c"))


@pytest.mark.parametrize("key", YES_NO_ITEMS)
def test_a_yes_no_answer_cannot_worsen_by_two_levels(key: str) -> None:
    assert not any(
        reason.startswith("worsened_")
        for reason in grade(earlier={key: "no"}, **{key: "yes"}).reasons
    )


def test_a_site_that_raises_on_one_level_sees_a_new_cough_as_red() -> None:
    rules = TriageRules().with_overrides({"worsening_levels": 1})
    result = grade(earlier={"new_cough": "no"}, rules=rules, new_cough="yes")
    assert (result.urgency, result.reasons) == (RED, ("worsened_new_cough", "new_cough"))


def test_a_site_that_raises_on_one_level_sees_temperature_band_0_to_1_as_red() -> None:
    rules = TriageRules().with_overrides({"worsening_levels": 1})
    assert grade(earlier={"temperature_c": 37.0}, rules=rules, temperature_c=38.4).urgency == RED


# --- site thresholds ----------------------------------------------------------------------


def test_a_site_fever_threshold_of_37_5_makes_37_6_amber() -> None:
    rules = TriageRules().with_overrides({"fever_amber_c": 37.5})
    assert grade(rules=rules, temperature_c=37.6).reasons == ("fever_amber",)


def test_a_site_red_fever_threshold_of_38_5_makes_38_6_red() -> None:
    rules = TriageRules().with_overrides({"fever_red_c": 38.5})
    assert grade(rules=rules, temperature_c=38.6).urgency == RED


def test_a_site_stools_threshold_of_3_makes_3_amber() -> None:
    rules = TriageRules().with_overrides({"stools_amber": 3})
    assert grade(rules=rules, extra_stools_per_day=3).urgency == AMBER


def test_a_site_that_needs_three_ambers_for_red_keeps_two_ambers_amber() -> None:
    rules = TriageRules().with_overrides({"ambers_for_red": 3})
    assert grade(rules=rules, new_cough="yes", dark_urine="yes").urgency == AMBER


def test_a_site_that_needs_one_amber_for_red_makes_any_amber_red() -> None:
    rules = TriageRules().with_overrides({"ambers_for_red": 1})
    assert grade(rules=rules, new_cough="yes").urgency == RED
