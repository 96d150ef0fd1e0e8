"""People as the NCT07586904 pre-screen sees them, and a walker that answers its questions.

A profile holds what one person would answer to every question they could be asked; the walker
asks as a patient would be asked (always the engine's next question) and answers from the
profile. Shared by the unit tests and the benchmark of how quickly a screen ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from matching import Trial, Verdict, evaluate, next_question

Profile = Mapping[str, Any]

MISSING = object()
"""A change that removes a fact: the person was not asked, or staff have not supplied it."""

_ELIGIBLE_STAGE_III: Profile = MappingProxyType(
    {
        "melanoma_origin": "skin",
        "stage": "III",
        "regional_spread": "yes",
        "recent_cancer_treatment": "no",
        "age_years": 54,
        "melanoma_confirmed": "yes",
        "ecog": 0,
        "other_trial_recent": "no",
        "other_cancer_history": "none",
        "autoimmune_disease": "none",
        "steroids_or_immunosuppressants_recent": "no",
        "hepatitis_b_active": "no",
        "serious_heart_condition": "no",
        "lung_condition": "no",
        "recent_stroke": "no",
        "active_infection": "no",
        "uncontrolled_diabetes": "no",
        "hiv": "no",
        "hepatitis_c": "no",
        "tuberculosis_history": "no",
        "mab_allergy": "no",
        "major_surgery_recent": "no",
        "live_vaccine_recent": "no",
        "growth_factor_recent": "no",
        "psychiatric_or_substance_barrier": "no",
        "pregnant_or_breastfeeding": "no",
        "planning_pregnancy": "no",
        "can_become_pregnant": "no",
        "willing_to_consent": "yes",
    }
)

RESECTABLE_STAGE_IV: Profile = MappingProxyType(
    {
        "stage": "IV",
        "regional_spread": MISSING,
        "distant_spread_sites": "one",
        "distant_spread_removable": "yes",
        "brain_spread": "no",
    }
)

CAN_BECOME_PREGNANT: Profile = MappingProxyType(
    {
        "can_become_pregnant": "yes",
        "will_use_contraception": "yes",
    }
)

_PASSING_SITE_CHECKS: Profile = MappingProxyType(
    {
        "measurable_lesion": "yes",
        "life_expectancy_6_months": "yes",
        "anc_10e9_per_l": 3.2,
        "platelets_10e9_per_l": 210,
        "hemoglobin_g_per_l": 128,
        "transfusion_last_14_days": "no",
        "creatinine_x_uln": 0.8,
        "bilirubin_x_uln": 0.6,
        "ast_x_uln": 0.9,
        "alt_x_uln": 1.1,
        "liver_metastases": "no",
        "inr_x_uln": 1.0,
        "aptt_x_uln": 1.0,
        "on_anticoagulant": "no",
        "pregnancy_test_negative": "not_applicable",
        "investigator_approves": "yes",
    }
)


def changed(facts: Profile, changes: Mapping[str, Any]) -> dict[str, Any]:
    """`facts` with `changes` applied; a change to MISSING removes the fact."""
    result = {**facts, **changes}
    return {key: value for key, value in result.items() if value is not MISSING}


def eligible_patient(**changes: Any) -> dict[str, Any]:
    """Answers of a person with stage III melanoma who meets every criterion a patient answers."""
    return changed(_ELIGIBLE_STAGE_III, changes)


def resectable_stage_iv_patient(**changes: Any) -> dict[str, Any]:
    """The eligible person, but with a single removable distant metastasis outside the brain."""
    return eligible_patient(**{**RESECTABLE_STAGE_IV, **changes})


def passing_site_checks(**changes: Any) -> dict[str, Any]:
    """What staff supply for that person when every lab, scan and judgement is in order.

    `anticoagulant_in_range` is left out: it only matters for someone on a blood thinner.
    """
    return changed(_PASSING_SITE_CHECKS, changes)


def eligible_everywhere(**changes: Any) -> dict[str, Any]:
    """Patient answers and site checks of a person every criterion lets through."""
    return changed({**eligible_patient(), **passing_site_checks()}, changes)


INELIGIBLE_PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "mucosal_origin": eligible_patient(melanoma_origin="mucosal"),
        "eye_origin": eligible_patient(melanoma_origin="eye"),
        "unknown_primary": eligible_patient(melanoma_origin="unknown_primary"),
        "stage_i": eligible_patient(stage="I", regional_spread=MISSING),
        "stage_ii": eligible_patient(stage="II", regional_spread=MISSING),
        "stage_iv_more_than_one_site": resectable_stage_iv_patient(
            distant_spread_sites="more_than_one", distant_spread_removable=MISSING
        ),
        "stage_iv_not_removable": resectable_stage_iv_patient(distant_spread_removable="no"),
        "brain_spread": resectable_stage_iv_patient(brain_spread="yes"),
        "recent_pd1_treatment": eligible_patient(recent_cancer_treatment="yes"),
        "age_80": eligible_patient(age_years=80),
        "age_16": eligible_patient(age_years=16),
        "ecog_3": eligible_patient(ecog=3),
        "active_hepatitis_b": eligible_patient(hepatitis_b_active="yes"),
        "pregnant": eligible_patient(**{**CAN_BECOME_PREGNANT, "pregnant_or_breastfeeding": "yes"}),
        "autoimmune_disease": eligible_patient(autoimmune_disease="yes"),
        "other_cancer_within_5_years": eligible_patient(other_cancer_history="within_5_years"),
    }
)


@dataclass(frozen=True, slots=True)
class Walk:
    """One pass through the questionnaire: questions in the order asked, and where it ended."""

    asked: tuple[str, ...]
    facts: Mapping[str, Any]
    verdict: Verdict


def walk(trial: Trial, profile: Profile) -> Walk:
    """Ask until the engine has no question left, answering from `profile`.

    A question asked a second time ends the walk (it is recorded twice, so callers can see it).
    """
    facts: dict[str, Any] = {}
    asked: list[str] = []
    while (question := next_question(trial, facts)) is not None:
        key = question.fact.key
        asked.append(key)
        if key in facts:
            break
        if key not in profile:
            raise KeyError(f"the profile does not answer the question {key!r}")
        facts[key] = profile[key]
    return Walk(tuple(asked), facts, evaluate(trial, facts).verdict)


def questions_until_verdict(trial: Trial, profile: Profile) -> int:
    """How many questions an ineligible person answers before being told they cannot take part."""
    result = walk(trial, profile)
    if result.verdict is not Verdict.NOT_ELIGIBLE:
        raise ValueError(f"the walk ended {result.verdict.value}, not not_eligible")
    return len(result.asked)
