"""The four verdicts of the contract, and "not sure" never excluding anyone on its own."""

from __future__ import annotations

from typing import Any

import pytest

from matching import Status, Trial, Verdict, evaluate
from tests.profiles import (
    CAN_BECOME_PREGNANT,
    MISSING,
    eligible_everywhere,
    eligible_patient,
    passing_site_checks,
    resectable_stage_iv_patient,
)


def test_one_failing_criterion_makes_not_eligible(trial: Trial) -> None:
    assert evaluate(trial, eligible_everywhere(hiv="yes")).verdict is Verdict.NOT_ELIGIBLE


def test_a_failing_site_check_makes_not_eligible(trial: Trial) -> None:
    facts = eligible_everywhere(platelets_10e9_per_l=50)
    assert evaluate(trial, facts).verdict is Verdict.NOT_ELIGIBLE


def test_a_failure_outweighs_open_questions(trial: Trial) -> None:
    assert evaluate(trial, {"melanoma_origin": "eye"}).verdict is Verdict.NOT_ELIGIBLE


def test_a_missing_patient_answer_needs_review(trial: Trial) -> None:
    facts = eligible_everywhere(ecog=MISSING)
    assert evaluate(trial, facts).verdict is Verdict.NEEDS_REVIEW


def test_an_unsure_patient_answer_needs_review(trial: Trial) -> None:
    facts = eligible_everywhere(hepatitis_b_active="unsure")
    assert evaluate(trial, facts).verdict is Verdict.NEEDS_REVIEW


def test_empty_facts_need_review(trial: Trial) -> None:
    assert evaluate(trial, {}).verdict is Verdict.NEEDS_REVIEW


def test_empty_facts_leave_every_patient_criterion_unknown_and_fail_none(trial: Trial) -> None:
    statuses = {result.status for result in evaluate(trial, {}).results}
    assert statuses == {Status.UNKNOWN, Status.SITE_CHECK}


def test_every_patient_answer_passing_without_site_facts_is_likely_eligible(trial: Trial) -> None:
    assessment = evaluate(trial, eligible_patient())
    assert assessment.verdict is Verdict.LIKELY_ELIGIBLE
    assert assessment.with_status(Status.UNKNOWN, Status.FAIL) == ()


def test_a_missing_site_fact_keeps_an_otherwise_eligible_person_likely_eligible(
    trial: Trial,
) -> None:
    facts = eligible_everywhere(investigator_approves=MISSING)
    assert evaluate(trial, facts).verdict is Verdict.LIKELY_ELIGIBLE


def eligible_on_a_blood_thinner() -> dict[str, Any]:
    return eligible_everywhere(inr_x_uln=2.2, on_anticoagulant="yes", anticoagulant_in_range="yes")


def eligible_woman_who_could_become_pregnant() -> dict[str, Any]:
    return eligible_everywhere(**CAN_BECOME_PREGNANT, pregnancy_test_negative="yes")


def eligible_stage_iv() -> dict[str, Any]:
    return {**resectable_stage_iv_patient(), **passing_site_checks()}


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(eligible_everywhere, id="stage_iii_no_blood_thinner"),
        pytest.param(eligible_on_a_blood_thinner, id="on_a_blood_thinner_in_range"),
        pytest.param(eligible_woman_who_could_become_pregnant, id="could_become_pregnant"),
        pytest.param(eligible_stage_iv, id="resectable_stage_iv"),
    ],
)
def test_every_criterion_passing_with_site_facts_supplied_is_eligible(
    trial: Trial, profile: Any
) -> None:
    assert evaluate(trial, profile()).verdict is Verdict.ELIGIBLE


def test_the_blood_thinner_profile_supplies_every_site_fact(trial: Trial) -> None:
    site_facts = {key for key, fact in trial.facts.items() if not fact.asked}
    assert site_facts <= set(eligible_on_a_blood_thinner())


UNSURE_PROFILES = [
    pytest.param(eligible_everywhere, id="stage_iii"),
    pytest.param(eligible_stage_iv, id="resectable_stage_iv"),
    pytest.param(eligible_woman_who_could_become_pregnant, id="could_become_pregnant"),
    pytest.param(eligible_patient, id="stage_iii_before_site_checks"),
]


@pytest.mark.parametrize("profile", UNSURE_PROFILES)
def test_no_single_unsure_answer_makes_an_eligible_person_not_eligible(
    trial: Trial, profile: Any
) -> None:
    unsure_facts = [
        key
        for key, fact in trial.facts.items()
        if fact.asked and fact.canonical("unsure") is not None
    ]
    excluded = [
        key
        for key in unsure_facts
        if evaluate(trial, {**profile(), key: "unsure"}).verdict is Verdict.NOT_ELIGIBLE
    ]
    assert excluded == []


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(eligible_everywhere, id="stage_iii"),
        pytest.param(eligible_stage_iv, id="resectable_stage_iv"),
        pytest.param(eligible_patient, id="stage_iii_before_site_checks"),
    ],
)
def test_a_single_unsure_answer_to_an_asked_question_needs_review(
    trial: Trial, profile: Any
) -> None:
    answered = [
        key
        for key, value in profile().items()
        if trial.facts[key].asked
        and trial.facts[key].canonical("unsure") is not None
        and value != "unsure"
    ]
    not_reviewed = [
        key
        for key in answered
        if evaluate(trial, {**profile(), key: "unsure"}).verdict is not Verdict.NEEDS_REVIEW
    ]
    assert not_reviewed == []


def test_every_asked_fact_except_age_takes_unsure(trial: Trial) -> None:
    refusing = {
        key for key, fact in trial.facts.items() if fact.asked and fact.canonical("unsure") is None
    }
    assert refusing == {"age_years"}


def test_unsure_whether_she_can_become_pregnant_does_not_matter_once_both_answers_pass(
    trial: Trial,
) -> None:
    """Contraception agreed and a negative test satisfy both readings: nothing is left to review."""
    facts = {**eligible_woman_who_could_become_pregnant(), "can_become_pregnant": "unsure"}
    assert evaluate(trial, facts).verdict is Verdict.ELIGIBLE
