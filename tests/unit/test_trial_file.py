"""The shipped trial file: faithful to the registration, translated, and matching the contract."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from matching import Fact, Trial, load_trial
from matching.loader import TRIALS_DIR

from .conftest import TRIAL_ID

REGISTRATION = (TRIALS_DIR / f"{TRIAL_ID}.registration.txt").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")
ITEM = re.compile(r"^(?:\* |\d+\.)\s*(?P<text>.+)$")

YES_NO_UNSURE = ("yes", "no", "unsure")
YES_NO = ("yes", "no")

# The contract's table "Facts a patient can answer" (shared/contract.md): it is the spec.
CONTRACT_PATIENT_FACTS: dict[str, Any] = {
    "age_years": ("integer", 0, 120),
    "willing_to_consent": YES_NO_UNSURE,
    "melanoma_confirmed": YES_NO_UNSURE,
    "melanoma_origin": ("skin", "acral", "mucosal", "eye", "unknown_primary", "unsure"),
    "stage": ("I", "II", "III", "IV", "unsure"),
    "regional_spread": YES_NO_UNSURE,
    "distant_spread_sites": ("none", "one", "more_than_one", "unsure"),
    "distant_spread_removable": YES_NO_UNSURE,
    "brain_spread": YES_NO_UNSURE,
    "recent_cancer_treatment": YES_NO_UNSURE,
    "ecog": (0, 1, 2, 3, 4, "unsure"),
    "other_trial_recent": YES_NO_UNSURE,
    "steroids_or_immunosuppressants_recent": YES_NO_UNSURE,
    "other_cancer_history": (
        "none",
        "exception_only",
        "cured_over_5_years",
        "within_5_years",
        "unsure",
    ),
    "mab_allergy": YES_NO_UNSURE,
    "autoimmune_disease": ("none", "exempt_only", "yes", "unsure"),
    "serious_heart_condition": YES_NO_UNSURE,
    "recent_stroke": YES_NO_UNSURE,
    "lung_condition": YES_NO_UNSURE,
    "uncontrolled_diabetes": YES_NO_UNSURE,
    "active_infection": YES_NO_UNSURE,
    "hiv": YES_NO_UNSURE,
    "hepatitis_c": YES_NO_UNSURE,
    "hepatitis_b_active": YES_NO_UNSURE,
    "tuberculosis_history": YES_NO_UNSURE,
    "live_vaccine_recent": YES_NO_UNSURE,
    "growth_factor_recent": YES_NO_UNSURE,
    "major_surgery_recent": YES_NO_UNSURE,
    "psychiatric_or_substance_barrier": YES_NO_UNSURE,
    "pregnant_or_breastfeeding": YES_NO_UNSURE,
    "planning_pregnancy": YES_NO_UNSURE,
    "can_become_pregnant": YES_NO_UNSURE,
    "will_use_contraception": YES_NO_UNSURE,
}

# The contract's table "Site facts (supplied by staff, never asked of a patient)".
CONTRACT_SITE_FACTS: dict[str, Any] = {
    "measurable_lesion": YES_NO,
    "life_expectancy_6_months": YES_NO,
    "anc_10e9_per_l": "number",
    "platelets_10e9_per_l": "number",
    "hemoglobin_g_per_l": "number",
    "transfusion_last_14_days": YES_NO,
    "creatinine_x_uln": "number",
    "bilirubin_x_uln": "number",
    "ast_x_uln": "number",
    "alt_x_uln": "number",
    "liver_metastases": YES_NO,
    "inr_x_uln": "number",
    "aptt_x_uln": "number",
    "on_anticoagulant": YES_NO,
    "anticoagulant_in_range": YES_NO,
    "pregnancy_test_negative": ("yes", "no", "not_applicable"),
    "investigator_approves": YES_NO,
}


def normalised(text: str) -> str:
    """Registry text without its markdown escapes, every run of whitespace one space."""
    return " ".join(re.sub(r"\\([\[\]>])", r"\1", text).split())


def registration_items() -> list[tuple[str, str]]:
    """(section, item) for every bullet and numbered item of the eligibility sections.

    A bullet ending in ":" introduces the numbered items below it and is not an item itself.
    """
    items: list[tuple[str, str]] = []
    section = None
    for line in REGISTRATION.splitlines():
        if line.strip() in ("Inclusion Criteria:", "Exclusion Criteria:"):
            section = line.split()[0].lower()
            continue
        if section is None:
            continue
        match = ITEM.match(line)
        if match is None:
            if section == "exclusion":
                break
            continue
        text = normalised(match["text"])
        if not text.endswith(":"):
            items.append((section, text))
    return items


ITEMS = registration_items()


def local_texts(trial: Trial) -> list[tuple[str, dict[str, str]]]:
    """Every text shown to people, with where it comes from."""
    texts: list[tuple[str, Any]] = [("title", trial.title)]
    for criterion in trial.criteria:
        texts.append((f"criterion {criterion.id}", criterion.lay_text))
    for question in trial.questions:
        key = question.fact.key
        texts.append((f"question {key}", question.text))
        if question.help is not None:
            texts.append((f"question {key} help", question.help))
        texts.extend(
            (f"question {key} option {option.value}", option.label) for option in question.options
        )
    for key, fact in trial.facts.items():
        if fact.label is not None:
            texts.append((f"site fact {key}", fact.label))
    return texts


def test_the_shipped_trial_file_loads() -> None:
    assert load_trial(TRIAL_ID).id == TRIAL_ID


def test_the_registration_has_both_eligibility_sections() -> None:
    sections = [section for section, _ in ITEMS]
    assert (sections.count("inclusion"), sections.count("exclusion")) == (19, 12)


def test_every_registered_text_occurs_verbatim_in_the_registration(trial: Trial) -> None:
    registration = normalised(REGISTRATION)
    missing = [c.id for c in trial.criteria if c.registered_text not in registration]
    assert missing == []


def test_every_criterion_kind_matches_its_registration_section(trial: Trial) -> None:
    misplaced = [
        c.id
        for c in trial.criteria
        if not any(c.registered_text in item and c.kind == section for section, item in ITEMS)
    ]
    assert misplaced == []


@pytest.mark.parametrize(
    ("section", "item"),
    [
        pytest.param(section, item, id=f"{section}_{number}")
        for number, (section, item) in enumerate(ITEMS, start=1)
    ],
)
def test_every_registration_item_is_covered_by_a_criterion(
    trial: Trial, section: str, item: str
) -> None:
    assert any(c.registered_text in item for c in trial.criteria), item


def test_every_text_has_english_and_chinese(trial: Trial) -> None:
    untranslated = [
        where
        for where, text in local_texts(trial)
        if not (text.get("en", "").strip() and text.get("zh", "").strip())
    ]
    assert untranslated == []


def test_every_chinese_text_has_chinese_characters(trial: Trial) -> None:
    not_chinese = [where for where, text in local_texts(trial) if not CJK.search(text["zh"])]
    assert not_chinese == []


def test_the_patient_facts_are_exactly_the_contract_table(trial: Trial) -> None:
    def allowed(fact: Fact) -> Any:
        return (fact.type, fact.minimum, fact.maximum) if fact.type == "integer" else fact.values

    facts = {key: allowed(fact) for key, fact in trial.facts.items() if fact.asked}
    assert facts == CONTRACT_PATIENT_FACTS


def test_the_site_facts_are_exactly_the_contract_table(trial: Trial) -> None:
    facts = {
        key: fact.values if fact.type == "choice" else fact.type
        for key, fact in trial.facts.items()
        if not fact.asked
    }
    assert facts == CONTRACT_SITE_FACTS


def test_every_patient_fact_is_asked_by_one_question(trial: Trial) -> None:
    asked = [question.fact.key for question in trial.questions]
    assert sorted(asked) == sorted(CONTRACT_PATIENT_FACTS)


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        pytest.param("age_years", True, id="age_true"),
        pytest.param("ecog", True, id="ecog_true_is_not_1"),
        pytest.param("ecog", False, id="ecog_false_is_not_0"),
        pytest.param("hiv", True, id="yes_no_true"),
        pytest.param("anc_10e9_per_l", False, id="number_false"),
    ],
)
def test_canonical_rejects_booleans(trial: Trial, fact: str, value: bool) -> None:
    assert trial.facts[fact].canonical(value) is None


@pytest.mark.parametrize("fact", ["age_years", "anc_10e9_per_l", "inr_x_uln"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_canonical_rejects_numbers_that_are_not_finite(
    trial: Trial, fact: str, value: float
) -> None:
    assert trial.facts[fact].canonical(value) is None


@pytest.mark.parametrize("age", [-1, 121, 54.5, 17.9, "54"])
def test_canonical_rejects_ages_out_of_range_or_not_whole(trial: Trial, age: Any) -> None:
    assert trial.facts["age_years"].canonical(age) is None


def test_canonical_reads_a_whole_float_age_as_an_integer(trial: Trial) -> None:
    age = trial.facts["age_years"].canonical(54.0)
    assert (age, type(age)) == (54, int)


def test_canonical_reads_ecog_text_as_its_number(trial: Trial) -> None:
    assert trial.facts["ecog"].canonical("1") == 1


@pytest.mark.parametrize("value", ["5", 5, "one", 1.0])
def test_canonical_rejects_other_ecog_values(trial: Trial, value: Any) -> None:
    assert trial.facts["ecog"].canonical(value) is None


def test_canonical_rejects_a_negative_lab_value(trial: Trial) -> None:
    assert trial.facts["anc_10e9_per_l"].canonical(-0.1) is None


def test_canonical_rejects_a_choice_not_listed(trial: Trial) -> None:
    assert trial.facts["stage"].canonical("V") is None


def test_site_facts_do_not_take_unsure(trial: Trial) -> None:
    assert trial.facts["investigator_approves"].canonical("unsure") is None
