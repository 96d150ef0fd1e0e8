"""What the pre-screen asks next: knock-out questions first, branches only for those concerned."""

from __future__ import annotations

from statistics import mean
from typing import Any

import pytest

from matching import Trial, Verdict, evaluate, next_question
from tests.profiles import (
    INELIGIBLE_PROFILES,
    MISSING,
    eligible_patient,
    questions_until_verdict,
    resectable_stage_iv_patient,
    walk,
)

# Measured 6.06 on 2026-11-24 over INELIGIBLE_PROFILES. No order can go below 85/16 = 5.3 for
# that table (each profile is stopped by a fact of its own), so this guards the knock-out-first
# order against regressions; docs/performance.md reports the figure.
MEAN_QUESTIONS_TO_NOT_ELIGIBLE = 6.5


def asked_next(trial: Trial, facts: dict[str, Any]) -> str | None:
    question = next_question(trial, facts)
    return question.fact.key if question else None


def unsure_about_everything(trial: Trial, age: int = 50) -> dict[str, Any]:
    """A person who answers "I'm not sure" wherever they can (age cannot be unsure)."""
    return {
        key: "unsure" if fact.canonical("unsure") is not None else age
        for key, fact in trial.facts.items()
        if fact.asked
    }


def test_the_first_question_is_where_the_melanoma_started(trial: Trial) -> None:
    assert asked_next(trial, {}) == "melanoma_origin"


def test_the_first_questions_for_stage_iii_follow_the_knock_out_priorities(trial: Trial) -> None:
    assert walk(trial, eligible_patient()).asked[:7] == (
        "melanoma_origin",
        "stage",
        "regional_spread",
        "recent_cancer_treatment",
        "age_years",
        "melanoma_confirmed",
        "ecog",
    )


def test_the_first_questions_for_stage_iv_follow_the_knock_out_priorities(trial: Trial) -> None:
    assert walk(trial, resectable_stage_iv_patient()).asked[:7] == (
        "melanoma_origin",
        "stage",
        "distant_spread_sites",
        "brain_spread",
        "distant_spread_removable",
        "recent_cancer_treatment",
        "age_years",
    )


def test_questions_are_asked_by_falling_priority_apart_from_branches(trial: Trial) -> None:
    priorities = [trial.question_for(key).priority for key in walk(trial, eligible_patient()).asked]
    assert priorities == sorted(priorities, reverse=True)


@pytest.mark.parametrize(
    ("stage", "asked"),
    [
        pytest.param("III", True, id="stage_iii_is_asked"),
        pytest.param("unsure", True, id="stage_unsure_is_asked"),
        pytest.param("IV", False, id="stage_iv_is_not_asked"),
    ],
)
def test_regional_spread_is_asked_only_for_stage_iii_or_unsure(
    trial: Trial, stage: str, asked: bool
) -> None:
    profile = resectable_stage_iv_patient(stage=stage, regional_spread="yes")
    assert ("regional_spread" in walk(trial, profile).asked) is asked


@pytest.mark.parametrize("stage", ["I", "II"])
def test_nothing_about_spread_is_asked_for_stage_i_or_ii(trial: Trial, stage: str) -> None:
    profile = resectable_stage_iv_patient(stage=stage, regional_spread="yes")
    assert walk(trial, profile).asked == ("melanoma_origin", "stage")


@pytest.mark.parametrize("fact", ["distant_spread_sites", "brain_spread"])
@pytest.mark.parametrize(
    ("stage", "asked"),
    [
        pytest.param("IV", True, id="stage_iv_is_asked"),
        pytest.param("unsure", True, id="stage_unsure_is_asked"),
        pytest.param("III", False, id="stage_iii_is_not_asked"),
    ],
)
def test_distant_spread_is_asked_only_for_stage_iv_or_unsure(
    trial: Trial, fact: str, stage: str, asked: bool
) -> None:
    profile = resectable_stage_iv_patient(stage=stage, regional_spread="yes")
    assert (fact in walk(trial, profile).asked) is asked


@pytest.mark.parametrize(
    ("stage", "sites", "asked"),
    [
        pytest.param("IV", "one", True, id="stage_iv_one_site_is_asked"),
        pytest.param("IV", "unsure", True, id="stage_iv_sites_unsure_is_asked"),
        pytest.param("unsure", "one", True, id="stage_unsure_one_site_is_asked"),
        pytest.param("unsure", "more_than_one", False, id="stage_unsure_several_sites_not_asked"),
        pytest.param("unsure", "none", False, id="stage_unsure_no_distant_site_not_asked"),
        pytest.param("IV", "more_than_one", False, id="stage_iv_several_sites_not_asked"),
    ],
)
def test_removability_is_asked_only_for_a_single_or_unsure_distant_site(
    trial: Trial, stage: str, sites: str, asked: bool
) -> None:
    profile = resectable_stage_iv_patient(
        stage=stage, distant_spread_sites=sites, regional_spread="yes"
    )
    assert ("distant_spread_removable" in walk(trial, profile).asked) is asked


@pytest.mark.parametrize("sites", ["one", "unsure"])
def test_removability_is_asked_after_the_number_of_distant_sites(trial: Trial, sites: str) -> None:
    asked = walk(trial, resectable_stage_iv_patient(distant_spread_sites=sites)).asked
    assert asked.index("distant_spread_sites") < asked.index("distant_spread_removable")


def test_removability_is_not_asked_before_the_number_of_sites_is_known(trial: Trial) -> None:
    facts = {
        "melanoma_origin": "skin",
        "stage": "IV",
        "brain_spread": "no",
        "recent_cancer_treatment": "no",
    }
    assert asked_next(trial, facts) == "distant_spread_sites"


@pytest.mark.parametrize(
    ("can_become_pregnant", "asked"),
    [
        pytest.param("yes", True, id="yes_is_asked"),
        pytest.param("unsure", True, id="unsure_is_asked"),
        pytest.param("no", False, id="no_is_not_asked"),
    ],
)
def test_contraception_is_asked_only_of_someone_who_may_become_pregnant(
    trial: Trial, can_become_pregnant: str, asked: bool
) -> None:
    profile = eligible_patient(
        can_become_pregnant=can_become_pregnant, will_use_contraception="yes"
    )
    assert ("will_use_contraception" in walk(trial, profile).asked) is asked


def test_contraception_is_asked_after_whether_she_can_become_pregnant(trial: Trial) -> None:
    asked = walk(
        trial, eligible_patient(can_become_pregnant="yes", will_use_contraception="yes")
    ).asked
    assert asked.index("can_become_pregnant") < asked.index("will_use_contraception")


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({"melanoma_origin": "mucosal"}, id="after_the_first_answer"),
        pytest.param(
            {"melanoma_origin": "skin", "stage": "III", "regional_spread": "yes", "hiv": "yes"},
            id="with_questions_left",
        ),
        pytest.param(
            eligible_patient(ecog=MISSING, autoimmune_disease="yes"), id="with_one_question_left"
        ),
    ],
)
def test_nothing_is_asked_once_the_person_is_not_eligible(
    trial: Trial, facts: dict[str, Any]
) -> None:
    assert evaluate(trial, facts).verdict is Verdict.NOT_ELIGIBLE
    assert next_question(trial, facts) is None


def test_nothing_is_asked_once_only_site_checks_remain(trial: Trial) -> None:
    assert next_question(trial, eligible_patient()) is None


def test_nothing_is_asked_once_every_question_is_answered_unsure(trial: Trial) -> None:
    assert next_question(trial, unsure_about_everything(trial)) is None


def test_a_question_answered_unsure_is_asked_no_more(trial: Trial) -> None:
    assert asked_next(trial, {"melanoma_origin": "unsure"}) == "stage"


def test_someone_unsure_about_everything_is_asked_each_question_once(trial: Trial) -> None:
    asked = walk(trial, unsure_about_everything(trial)).asked
    assert len(asked) == len(set(asked))


def test_someone_unsure_about_everything_ends_needing_review(trial: Trial) -> None:
    assert walk(trial, unsure_about_everything(trial)).verdict is Verdict.NEEDS_REVIEW


def test_a_full_walk_for_an_eligible_person_ends_likely_eligible(trial: Trial) -> None:
    assert walk(trial, eligible_patient()).verdict is Verdict.LIKELY_ELIGIBLE


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(eligible_patient(), id="stage_iii"),
        pytest.param(resectable_stage_iv_patient(), id="resectable_stage_iv"),
        pytest.param(
            eligible_patient(can_become_pregnant="yes", will_use_contraception="yes"),
            id="could_become_pregnant",
        ),
    ],
)
def test_a_full_walk_asks_every_question_once(trial: Trial, profile: dict[str, Any]) -> None:
    asked = walk(trial, profile).asked
    assert sorted(asked) == sorted(set(profile))


@pytest.mark.parametrize("name", INELIGIBLE_PROFILES)
def test_every_ineligible_profile_is_told_so(trial: Trial, name: str) -> None:
    assert walk(trial, INELIGIBLE_PROFILES[name]).verdict is Verdict.NOT_ELIGIBLE


def test_an_ineligible_person_is_told_so_within_six_and_a_half_questions_on_average(
    trial: Trial,
) -> None:
    counts = {
        name: questions_until_verdict(trial, profile)
        for name, profile in INELIGIBLE_PROFILES.items()
    }
    assert mean(counts.values()) <= MEAN_QUESTIONS_TO_NOT_ELIGIBLE, counts
