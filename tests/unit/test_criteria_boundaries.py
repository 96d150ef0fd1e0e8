"""Every criterion of NCT07586904 at its boundaries, on the pure engine.

Each case starts from a person every criterion lets through and changes a few facts, so the
criterion under test decides the verdict on its own: pass keeps the person eligible, fail makes
them not eligible, an open patient answer needs review, and an open site check leaves them
likely eligible.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from matching import Status, Trial, Verdict, evaluate
from tests.profiles import CAN_BECOME_PREGNANT, MISSING, RESECTABLE_STAGE_IV, eligible_everywhere

PASS, SITE_CHECK, UNKNOWN, FAIL = Status.PASS, Status.SITE_CHECK, Status.UNKNOWN, Status.FAIL

VERDICT_WHEN_ALONE = {
    PASS: Verdict.ELIGIBLE,
    SITE_CHECK: Verdict.LIKELY_ELIGIBLE,
    UNKNOWN: Verdict.NEEDS_REVIEW,
    FAIL: Verdict.NOT_ELIGIBLE,
}


def outcome(trial: Trial, facts: dict[str, Any], criterion_id: str) -> tuple[Status, Verdict]:
    """The status of one criterion and the verdict of the whole screen."""
    assessment = evaluate(trial, facts)
    statuses = {result.criterion.id: result.status for result in assessment.results}
    return statuses[criterion_id], assessment.verdict


def case(criterion_id: str, status: Status, changes: dict[str, Any], id: str) -> Any:
    return pytest.param(criterion_id, status, changes, id=id)


def assert_alone(trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]) -> None:
    facts = eligible_everywhere(**changes)
    assert outcome(trial, facts, criterion_id) == (status, VERDICT_WHEN_ALONE[status])


def test_the_starting_person_passes_every_criterion(trial: Trial) -> None:
    assessment = evaluate(trial, eligible_everywhere())
    assert [r.criterion.id for r in assessment.results if r.status is not PASS] == []


# ------------------------------------------------------------------------------------ age


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case("inc_age", FAIL, {"age_years": 0}, "age_0_fails"),
        case("inc_age", FAIL, {"age_years": 17}, "age_17_fails"),
        case("inc_age", PASS, {"age_years": 18}, "age_18_passes"),
        case("inc_age", PASS, {"age_years": 75}, "age_75_passes"),
        case("inc_age", FAIL, {"age_years": 76}, "age_76_fails"),
        case("inc_age", FAIL, {"age_years": 120}, "age_120_fails"),
        case("inc_age", UNKNOWN, {"age_years": MISSING}, "age_missing_is_unknown"),
    ],
)
def test_age_boundaries(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


@pytest.mark.parametrize("age", [0, 120])
def test_the_extreme_ages_are_accepted_values(trial: Trial, age: int) -> None:
    assert trial.facts["age_years"].canonical(age) == age


# ------------------------------------------------------------------------------------ labs


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case("lab_anc", FAIL, {"anc_10e9_per_l": 1.49}, "anc_1.49_fails"),
        case("lab_anc", PASS, {"anc_10e9_per_l": 1.5}, "anc_1.5_passes"),
        case("lab_anc", SITE_CHECK, {"anc_10e9_per_l": MISSING}, "anc_missing_is_site_check"),
        case("lab_platelets", FAIL, {"platelets_10e9_per_l": 99.9}, "platelets_99.9_fail"),
        case("lab_platelets", PASS, {"platelets_10e9_per_l": 100}, "platelets_100_pass"),
        case(
            "lab_platelets",
            SITE_CHECK,
            {"platelets_10e9_per_l": MISSING},
            "platelets_missing_are_site_check",
        ),
        case("lab_hemoglobin", FAIL, {"hemoglobin_g_per_l": 89.9}, "hemoglobin_89.9_fails"),
        case("lab_hemoglobin", PASS, {"hemoglobin_g_per_l": 90}, "hemoglobin_90_passes"),
        case(
            "lab_hemoglobin",
            SITE_CHECK,
            {"hemoglobin_g_per_l": MISSING},
            "hemoglobin_missing_is_site_check",
        ),
        case(
            "lab_no_recent_transfusion",
            FAIL,
            {"transfusion_last_14_days": "yes"},
            "transfusion_yes_fails",
        ),
        case(
            "lab_no_recent_transfusion",
            PASS,
            {"transfusion_last_14_days": "no"},
            "transfusion_no_passes",
        ),
        case(
            "lab_no_recent_transfusion",
            SITE_CHECK,
            {"transfusion_last_14_days": MISSING},
            "transfusion_missing_is_site_check",
        ),
        case("lab_creatinine", PASS, {"creatinine_x_uln": 1.5}, "creatinine_1.5_passes"),
        case("lab_creatinine", FAIL, {"creatinine_x_uln": 1.51}, "creatinine_1.51_fails"),
        case(
            "lab_creatinine",
            SITE_CHECK,
            {"creatinine_x_uln": MISSING},
            "creatinine_missing_is_site_check",
        ),
        case("lab_bilirubin", PASS, {"bilirubin_x_uln": 1.5}, "bilirubin_1.5_passes"),
        case("lab_bilirubin", FAIL, {"bilirubin_x_uln": 1.51}, "bilirubin_1.51_fails"),
        case(
            "lab_bilirubin",
            SITE_CHECK,
            {"bilirubin_x_uln": MISSING},
            "bilirubin_missing_is_site_check",
        ),
    ],
)
def test_blood_count_and_organ_function_boundaries(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


@pytest.mark.parametrize("enzyme", ["ast", "alt"])
@pytest.mark.parametrize(
    ("liver_metastases", "value", "status"),
    [
        pytest.param("no", 2.5, PASS, id="2.5_without_liver_metastases_passes"),
        pytest.param("no", 2.51, FAIL, id="2.51_without_liver_metastases_fails"),
        pytest.param("yes", 2.51, PASS, id="2.51_with_liver_metastases_passes"),
        pytest.param("yes", 5, PASS, id="5_with_liver_metastases_passes"),
        pytest.param("yes", 5.01, FAIL, id="5.01_with_liver_metastases_fails"),
        pytest.param(MISSING, 2.5, PASS, id="2.5_with_liver_metastases_unknown_passes"),
        pytest.param(
            MISSING, 3.0, SITE_CHECK, id="3.0_with_liver_metastases_unknown_is_site_check"
        ),
        pytest.param(MISSING, 5.01, FAIL, id="5.01_with_liver_metastases_unknown_fails"),
    ],
)
def test_liver_enzyme_limit_depends_on_liver_metastases(
    trial: Trial, enzyme: str, liver_metastases: Any, value: float, status: Status
) -> None:
    changes = {"liver_metastases": liver_metastases, f"{enzyme}_x_uln": value}
    assert_alone(trial, f"lab_{enzyme}", status, changes)


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case(
            "lab_coagulation", PASS, {"inr_x_uln": 1.5, "aptt_x_uln": 1.5}, "inr_and_aptt_1.5_pass"
        ),
        case("lab_coagulation", FAIL, {"inr_x_uln": 1.51}, "inr_1.51_without_anticoagulant_fails"),
        case(
            "lab_coagulation", FAIL, {"aptt_x_uln": 1.51}, "aptt_1.51_without_anticoagulant_fails"
        ),
        case(
            "lab_coagulation",
            PASS,
            {"inr_x_uln": 2.0, "on_anticoagulant": "yes", "anticoagulant_in_range": "yes"},
            "inr_2.0_on_anticoagulant_in_range_passes",
        ),
        case(
            "lab_coagulation",
            FAIL,
            {"inr_x_uln": 2.0, "on_anticoagulant": "yes", "anticoagulant_in_range": "no"},
            "inr_2.0_on_anticoagulant_out_of_range_fails",
        ),
        case(
            "lab_coagulation",
            SITE_CHECK,
            {"inr_x_uln": 2.0, "on_anticoagulant": MISSING, "anticoagulant_in_range": "yes"},
            "inr_2.0_anticoagulant_unknown_is_site_check",
        ),
        case(
            "lab_coagulation",
            SITE_CHECK,
            {"inr_x_uln": 2.0, "on_anticoagulant": "yes"},
            "inr_2.0_on_anticoagulant_range_unknown_is_site_check",
        ),
        case(
            "lab_coagulation",
            SITE_CHECK,
            {"inr_x_uln": MISSING, "aptt_x_uln": MISSING, "on_anticoagulant": MISSING},
            "nothing_known_is_site_check",
        ),
    ],
)
def test_coagulation_boundaries(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


# ------------------------------------------------------------- pregnancy and contraception


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case(
            "pregnancy_test",
            PASS,
            {**CAN_BECOME_PREGNANT, "pregnancy_test_negative": "yes"},
            "negative_test_passes",
        ),
        case(
            "pregnancy_test",
            FAIL,
            {**CAN_BECOME_PREGNANT, "pregnancy_test_negative": "no"},
            "positive_test_fails",
        ),
        case(
            "pregnancy_test",
            PASS,
            {**CAN_BECOME_PREGNANT, "pregnancy_test_negative": "not_applicable"},
            "test_not_applicable_passes",
        ),
        case(
            "pregnancy_test",
            SITE_CHECK,
            {**CAN_BECOME_PREGNANT, "pregnancy_test_negative": MISSING},
            "no_test_yet_is_site_check_for_someone_who_can_become_pregnant",
        ),
        case(
            "pregnancy_test",
            PASS,
            {"can_become_pregnant": "no", "pregnancy_test_negative": MISSING},
            "cannot_become_pregnant_passes_without_a_test",
        ),
    ],
)
def test_pregnancy_test(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case(
            "contraception",
            PASS,
            {"can_become_pregnant": "no", "will_use_contraception": "no"},
            "cannot_become_pregnant_and_no_contraception_passes",
        ),
        case(
            "contraception",
            PASS,
            {"can_become_pregnant": "no", "will_use_contraception": MISSING},
            "cannot_become_pregnant_is_not_asked_about_contraception",
        ),
        case(
            "contraception",
            PASS,
            {"can_become_pregnant": "yes", "will_use_contraception": "yes"},
            "can_become_pregnant_and_contraception_passes",
        ),
        case(
            "contraception",
            FAIL,
            {"can_become_pregnant": "yes", "will_use_contraception": "no"},
            "can_become_pregnant_without_contraception_fails",
        ),
        case(
            "contraception",
            UNKNOWN,
            {"can_become_pregnant": "yes", "will_use_contraception": "unsure"},
            "can_become_pregnant_contraception_unsure_is_unknown",
        ),
        case(
            "contraception",
            UNKNOWN,
            {"can_become_pregnant": "yes", "will_use_contraception": MISSING},
            "can_become_pregnant_contraception_not_asked_is_unknown",
        ),
        case(
            "contraception",
            PASS,
            {
                "can_become_pregnant": "unsure",
                "will_use_contraception": "yes",
                "pregnancy_test_negative": "yes",
            },
            "unsure_about_pregnancy_and_contraception_passes",
        ),
        case(
            "contraception",
            UNKNOWN,
            {"can_become_pregnant": "unsure", "will_use_contraception": "no"},
            "unsure_about_pregnancy_without_contraception_is_unknown",
        ),
    ],
)
def test_contraception_only_matters_for_someone_who_may_become_pregnant(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


# ------------------------------------------------------------------------------ disease


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case("inc_stage", FAIL, {"stage": "I", "regional_spread": MISSING}, "stage_i_fails"),
        case("inc_stage", FAIL, {"stage": "II", "regional_spread": MISSING}, "stage_ii_fails"),
        case("inc_stage", PASS, {"stage": "III"}, "stage_iii_passes"),
        case("inc_stage", PASS, RESECTABLE_STAGE_IV, "stage_iv_passes"),
        case("inc_stage", UNKNOWN, {"stage": "unsure"}, "stage_unsure_is_unknown"),
        case(
            "inc_stage_iii_spread",
            PASS,
            {"stage": "III", "regional_spread": "yes"},
            "stage_iii_with_regional_spread_passes",
        ),
        case(
            "inc_stage_iii_spread",
            FAIL,
            {"stage": "III", "regional_spread": "no"},
            "stage_iii_without_regional_spread_fails",
        ),
        case(
            "inc_stage_iii_spread",
            UNKNOWN,
            {"stage": "III", "regional_spread": "unsure"},
            "stage_iii_regional_spread_unsure_is_unknown",
        ),
        case(
            "inc_stage_iii_spread",
            UNKNOWN,
            {"stage": "III", "regional_spread": MISSING},
            "stage_iii_regional_spread_not_asked_is_unknown",
        ),
        case(
            "inc_stage_iii_spread", PASS, RESECTABLE_STAGE_IV, "stage_iv_needs_no_regional_spread"
        ),
        case(
            "inc_stage_iv_resectable",
            PASS,
            RESECTABLE_STAGE_IV,
            "stage_iv_one_removable_site_without_brain_spread_passes",
        ),
        case(
            "inc_stage_iv_resectable",
            FAIL,
            {**RESECTABLE_STAGE_IV, "distant_spread_sites": "more_than_one"},
            "stage_iv_more_than_one_site_fails",
        ),
        case(
            "inc_stage_iv_resectable",
            FAIL,
            {**RESECTABLE_STAGE_IV, "distant_spread_sites": "none"},
            "stage_iv_without_distant_site_fails",
        ),
        case(
            "inc_stage_iv_resectable",
            FAIL,
            {**RESECTABLE_STAGE_IV, "distant_spread_removable": "no"},
            "stage_iv_not_removable_fails",
        ),
        case(
            "inc_stage_iv_resectable",
            FAIL,
            {**RESECTABLE_STAGE_IV, "brain_spread": "yes"},
            "stage_iv_with_brain_spread_fails",
        ),
        case(
            "inc_stage_iv_resectable",
            UNKNOWN,
            {**RESECTABLE_STAGE_IV, "distant_spread_sites": "unsure"},
            "stage_iv_number_of_sites_unsure_is_unknown",
        ),
        case(
            "inc_stage_iv_resectable",
            UNKNOWN,
            {**RESECTABLE_STAGE_IV, "distant_spread_removable": "unsure"},
            "stage_iv_removable_unsure_is_unknown",
        ),
        case(
            "inc_stage_iv_resectable", PASS, {"stage": "III"}, "stage_iii_needs_no_distant_answers"
        ),
        case(
            "exc_brain_metastases",
            FAIL,
            {**RESECTABLE_STAGE_IV, "brain_spread": "yes"},
            "stage_iv_brain_spread_is_excluded",
        ),
        case(
            "exc_brain_metastases",
            PASS,
            RESECTABLE_STAGE_IV,
            "stage_iv_without_brain_spread_passes",
        ),
        case(
            "exc_brain_metastases",
            UNKNOWN,
            {**RESECTABLE_STAGE_IV, "brain_spread": "unsure"},
            "stage_iv_brain_spread_unsure_is_unknown",
        ),
        case(
            "exc_brain_metastases",
            PASS,
            {"stage": "III", "brain_spread": MISSING},
            "stage_iii_is_not_asked_about_brain_spread",
        ),
    ],
)
def test_stage_and_spread(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


def test_stage_iv_with_brain_spread_fails_both_brain_criteria(trial: Trial) -> None:
    facts = eligible_everywhere(**{**RESECTABLE_STAGE_IV, "brain_spread": "yes"})
    assessment = evaluate(trial, facts)
    assert {r.criterion.id for r in assessment.with_status(FAIL)} == {
        "inc_stage_iv_resectable",
        "exc_brain_metastases",
    }


DISEASE_ANSWERS = {
    "regional_spread": ["yes", "no", "unsure", MISSING],
    "distant_spread_sites": ["none", "one", "more_than_one", "unsure", MISSING],
    "distant_spread_removable": ["yes", "no", "unsure", MISSING],
    "brain_spread": ["yes", "no", "unsure", MISSING],
}


def test_stage_unsure_never_makes_a_criterion_fail_whatever_the_spread(trial: Trial) -> None:
    failing = []
    for answers in itertools.product(*DISEASE_ANSWERS.values()):
        changes = dict(zip(DISEASE_ANSWERS, answers, strict=True))
        assessment = evaluate(trial, eligible_everywhere(stage="unsure", **changes))
        if assessment.verdict is not Verdict.NEEDS_REVIEW:
            failing.append((changes, [r.criterion.id for r in assessment.with_status(FAIL)]))
    assert failing == []


# ------------------------------------------------------------------------------ origin


@pytest.mark.parametrize(
    ("criterion_id", "status", "changes"),
    [
        case("inc_not_mucosal_or_eye", PASS, {"melanoma_origin": "skin"}, "skin_passes"),
        case("inc_known_primary", PASS, {"melanoma_origin": "skin"}, "skin_has_a_known_primary"),
        case("inc_not_mucosal_or_eye", PASS, {"melanoma_origin": "acral"}, "acral_passes"),
        case("inc_known_primary", PASS, {"melanoma_origin": "acral"}, "acral_has_a_known_primary"),
        case("inc_not_mucosal_or_eye", FAIL, {"melanoma_origin": "mucosal"}, "mucosal_fails"),
        case("inc_not_mucosal_or_eye", FAIL, {"melanoma_origin": "eye"}, "eye_fails"),
        case(
            "inc_known_primary",
            FAIL,
            {"melanoma_origin": "unknown_primary"},
            "unknown_primary_fails",
        ),
        case(
            "inc_not_mucosal_or_eye",
            UNKNOWN,
            {"melanoma_origin": "unsure"},
            "unsure_is_unknown_for_mucosal_or_eye",
        ),
        case(
            "inc_known_primary",
            UNKNOWN,
            {"melanoma_origin": "unsure"},
            "unsure_is_unknown_for_known_primary",
        ),
    ],
)
def test_melanoma_origin(
    trial: Trial, criterion_id: str, status: Status, changes: dict[str, Any]
) -> None:
    assert_alone(trial, criterion_id, status, changes)


# -------------------------------------------------------------------------------- ECOG


@pytest.mark.parametrize(
    ("ecog", "status"),
    [
        pytest.param(0, PASS, id="ecog_0_passes"),
        pytest.param(1, PASS, id="ecog_1_passes"),
        pytest.param(2, FAIL, id="ecog_2_fails"),
        pytest.param(3, FAIL, id="ecog_3_fails"),
        pytest.param(4, FAIL, id="ecog_4_fails"),
        pytest.param("unsure", UNKNOWN, id="ecog_unsure_is_unknown"),
    ],
)
def test_ecog(trial: Trial, ecog: Any, status: Status) -> None:
    assert_alone(trial, "inc_ecog", status, {"ecog": ecog})


# --------------------------------------------------------------- yes / no / unsure answers

EXCLUDING_ANSWERS = {
    "recent_cancer_treatment": ("inc_no_recent_therapy", "exc_recent_anticancer_therapy"),
    "other_trial_recent": ("exc_other_trial",),
    "steroids_or_immunosuppressants_recent": ("exc_steroids_immunosuppressants",),
    "mab_allergy": ("exc_mab_hypersensitivity",),
    "active_infection": ("exc_active_infection",),
    "uncontrolled_diabetes": ("exc_uncontrolled_diabetes",),
    "serious_heart_condition": ("exc_heart_disease",),
    "recent_stroke": ("exc_recent_stroke",),
    "lung_condition": ("exc_lung_disease",),
    "hiv": ("exc_hiv",),
    "hepatitis_c": ("exc_hepatitis_c",),
    "hepatitis_b_active": ("exc_hepatitis_b",),
    "tuberculosis_history": ("exc_tuberculosis",),
    "live_vaccine_recent": ("exc_live_vaccine",),
    "growth_factor_recent": ("exc_growth_factors",),
    "major_surgery_recent": ("exc_major_surgery",),
    "psychiatric_or_substance_barrier": ("exc_psychiatric_substance",),
    "pregnant_or_breastfeeding": ("exc_pregnant_or_breastfeeding",),
    "planning_pregnancy": ("exc_planning_pregnancy",),
}
REQUIRED_ANSWERS = {
    "willing_to_consent": ("inc_consent",),
    "melanoma_confirmed": ("inc_confirmed_melanoma",),
}


@pytest.mark.parametrize("fact", EXCLUDING_ANSWERS)
@pytest.mark.parametrize(
    ("answer", "status"),
    [
        pytest.param("yes", FAIL, id="yes_fails"),
        pytest.param("no", PASS, id="no_passes"),
        pytest.param("unsure", UNKNOWN, id="unsure_is_unknown"),
    ],
)
def test_yes_no_exclusion_answers(trial: Trial, fact: str, answer: str, status: Status) -> None:
    facts = eligible_everywhere(**{fact: answer})
    for criterion_id in EXCLUDING_ANSWERS[fact]:
        assert outcome(trial, facts, criterion_id) == (status, VERDICT_WHEN_ALONE[status])


@pytest.mark.parametrize("fact", REQUIRED_ANSWERS)
@pytest.mark.parametrize(
    ("answer", "status"),
    [
        pytest.param("yes", PASS, id="yes_passes"),
        pytest.param("no", FAIL, id="no_fails"),
        pytest.param("unsure", UNKNOWN, id="unsure_is_unknown"),
    ],
)
def test_yes_no_inclusion_answers(trial: Trial, fact: str, answer: str, status: Status) -> None:
    (criterion_id,) = REQUIRED_ANSWERS[fact]
    assert_alone(trial, criterion_id, status, {fact: answer})


def test_recent_cancer_treatment_fails_both_the_inclusion_and_the_exclusion(trial: Trial) -> None:
    assessment = evaluate(trial, eligible_everywhere(recent_cancer_treatment="yes"))
    assert {r.criterion.id for r in assessment.with_status(FAIL)} == {
        "inc_no_recent_therapy",
        "exc_recent_anticancer_therapy",
    }


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        pytest.param("none", PASS, id="none_passes"),
        pytest.param("exception_only", PASS, id="exception_only_passes"),
        pytest.param("cured_over_5_years", PASS, id="cured_over_5_years_passes"),
        pytest.param("within_5_years", FAIL, id="within_5_years_fails"),
        pytest.param("unsure", UNKNOWN, id="unsure_is_unknown"),
    ],
)
def test_other_cancer_history(trial: Trial, answer: str, status: Status) -> None:
    assert_alone(trial, "exc_other_cancer", status, {"other_cancer_history": answer})


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        pytest.param("none", PASS, id="none_passes"),
        pytest.param("exempt_only", PASS, id="exempt_only_passes"),
        pytest.param("yes", FAIL, id="yes_fails"),
        pytest.param("unsure", UNKNOWN, id="unsure_is_unknown"),
    ],
)
def test_autoimmune_disease(trial: Trial, answer: str, status: Status) -> None:
    assert_alone(trial, "exc_autoimmune", status, {"autoimmune_disease": answer})


# ----------------------------------------------------------------- site-only judgements


@pytest.mark.parametrize(
    ("criterion_id", "fact"),
    [
        ("inc_measurable_lesion", "measurable_lesion"),
        ("inc_life_expectancy", "life_expectancy_6_months"),
        ("exc_investigator_judgement", "investigator_approves"),
    ],
)
@pytest.mark.parametrize(
    ("answer", "status"),
    [
        pytest.param("yes", PASS, id="yes_passes"),
        pytest.param("no", FAIL, id="no_fails"),
        pytest.param(MISSING, SITE_CHECK, id="missing_is_site_check"),
    ],
)
def test_site_judgements(
    trial: Trial, criterion_id: str, fact: str, answer: Any, status: Status
) -> None:
    assert_alone(trial, criterion_id, status, {fact: answer})


def test_every_criterion_of_the_trial_is_covered_here(trial: Trial) -> None:
    tested = {
        "inc_consent",
        "inc_age",
        "inc_confirmed_melanoma",
        "inc_stage",
        "inc_stage_iii_spread",
        "inc_stage_iv_resectable",
        "inc_not_mucosal_or_eye",
        "inc_known_primary",
        "inc_life_expectancy",
        "inc_measurable_lesion",
        "inc_ecog",
        "lab_anc",
        "lab_platelets",
        "lab_hemoglobin",
        "lab_no_recent_transfusion",
        "lab_creatinine",
        "lab_bilirubin",
        "lab_ast",
        "lab_alt",
        "lab_coagulation",
        "pregnancy_test",
        "contraception",
        "exc_other_cancer",
        "exc_brain_metastases",
        "exc_autoimmune",
        "exc_investigator_judgement",
        *itertools.chain.from_iterable(EXCLUDING_ANSWERS.values()),
    }
    assert {criterion.id for criterion in trial.criteria} == tested
