"""A broken trial file is refused with a message naming the file and the entry at fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from matching import Status, TrialDefinitionError, evaluate, load_trial_file


def text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def minimal_trial() -> dict[str, Any]:
    """The smallest useful trial: one choice question, one integer question, one site fact."""
    return {
        "trial": "TEST0001",
        "version": "1",
        "languages": ["en", "zh"],
        "title": text("A test trial", "测试试验"),
        "site_facts": {
            "creatinine_x_uln": {
                "type": "number",
                "minimum": 0,
                "label": text("Creatinine (× ULN)", "血肌酐"),
            },
        },
        "questions": [
            {
                "fact": "smoker",
                "priority": 0.5,
                "text": text("Do you smoke?", "您吸烟吗？"),
                "options": [
                    {"value": "yes", "label": text("Yes", "是")},
                    {"value": "no", "label": text("No", "否")},
                    {"value": "unsure", "label": text("I'm not sure", "我不确定")},
                ],
            },
            {
                "fact": "age_years",
                "type": "integer",
                "minimum": 0,
                "maximum": 120,
                "priority": 0.4,
                "text": text("How old are you?", "您多大年纪？"),
            },
        ],
        "criteria": [
            {
                "id": "exc_smoker",
                "kind": "exclusion",
                "registered_text": "Active smokers",
                "lay_text": text("You do not smoke.", "您不吸烟。"),
                "rule": {"fact": "smoker", "in": ["no"]},
            },
            {
                "id": "inc_age",
                "kind": "inclusion",
                "registered_text": "Aged 18 to 75",
                "lay_text": text("You are 18 to 75.", "您的年龄在 18 到 75 岁之间。"),
                "rule": {"fact": "age_years", "between": [18, 75]},
            },
            {
                "id": "lab_creatinine",
                "kind": "inclusion",
                "registered_text": "Creatinine ≤ 1.5 × ULN",
                "lay_text": text("Your kidneys work well.", "您的肾功能良好。"),
                "rule": {"fact": "creatinine_x_uln", "at_most": 1.5},
            },
        ],
    }


def criterion(document: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    return next(c for c in document["criteria"] if c["id"] == criterion_id)


def question(document: dict[str, Any], fact: str) -> dict[str, Any]:
    return next(q for q in document["questions"] if q["fact"] == fact)


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "TEST0001.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refusal(tmp_path: Path, document: dict[str, Any]) -> str:
    path = write(tmp_path, document)
    with pytest.raises(TrialDefinitionError) as error:
        load_trial_file(path)
    message = str(error.value)
    assert str(path) in message
    return message


def test_the_minimal_trial_loads(tmp_path: Path) -> None:
    trial = load_trial_file(write(tmp_path, minimal_trial()))
    assert [c.id for c in trial.criteria] == ["exc_smoker", "inc_age", "lab_creatinine"]


def test_an_unknown_fact_in_a_rule_names_the_criterion_and_the_fact(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "exc_smoker")["rule"] = {"fact": "smokes", "in": ["no"]}
    message = refusal(tmp_path, document)
    assert "'exc_smoker'" in message
    assert "'smokes'" in message


def test_a_bad_operator_names_the_criterion_and_the_operator(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "inc_age")["rule"] = {"fact": "age_years", "greater_than": 17}
    message = refusal(tmp_path, document)
    assert "'inc_age'" in message
    assert "greater_than" in message


def test_a_value_not_among_the_facts_values_names_the_criterion_and_the_value(
    tmp_path: Path,
) -> None:
    document = minimal_trial()
    criterion(document, "exc_smoker")["rule"] = {"fact": "smoker", "in": ["never"]}
    message = refusal(tmp_path, document)
    assert "'exc_smoker'" in message
    assert "'never'" in message


def test_a_lay_text_without_chinese_names_the_criterion_and_the_language(tmp_path: Path) -> None:
    document = minimal_trial()
    del criterion(document, "inc_age")["lay_text"]["zh"]
    message = refusal(tmp_path, document)
    assert "'inc_age'" in message
    assert "'zh'" in message


def test_a_blank_translation_counts_as_missing(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "inc_age")["lay_text"]["zh"] = "  "
    assert "'inc_age'" in refusal(tmp_path, document)


def test_an_option_label_without_chinese_names_the_question_and_the_option(tmp_path: Path) -> None:
    document = minimal_trial()
    del question(document, "smoker")["options"][1]["label"]["zh"]
    message = refusal(tmp_path, document)
    assert "question 'smoker'" in message
    assert "option 'no'" in message


def test_a_question_text_without_chinese_names_the_question(tmp_path: Path) -> None:
    document = minimal_trial()
    del question(document, "age_years")["text"]["zh"]
    assert "question 'age_years'" in refusal(tmp_path, document)


def test_a_fact_that_no_criterion_uses_is_named(tmp_path: Path) -> None:
    document = minimal_trial()
    document["questions"].append(
        {
            "fact": "coffee",
            "priority": 0.1,
            "text": text("Do you drink coffee?", "您喝咖啡吗？"),
            "options": question(document, "smoker")["options"],
        }
    )
    assert "'coffee'" in refusal(tmp_path, document)


def test_a_site_fact_that_no_criterion_uses_is_named(tmp_path: Path) -> None:
    document = minimal_trial()
    document["site_facts"]["bilirubin_x_uln"] = {
        "type": "number",
        "label": text("Bilirubin", "胆红素"),
    }
    assert "'bilirubin_x_uln'" in refusal(tmp_path, document)


@pytest.mark.parametrize(
    "bounds", [[18], 18, [18, 75, 80]], ids=["one_bound_in_a_list", "a_bare_number", "three_bounds"]
)
def test_between_without_exactly_two_bounds_names_the_criterion(
    tmp_path: Path, bounds: Any
) -> None:
    document = minimal_trial()
    criterion(document, "inc_age")["rule"] = {"fact": "age_years", "between": bounds}
    message = refusal(tmp_path, document)
    assert "'inc_age'" in message
    assert "between" in message


def test_a_kind_other_than_inclusion_or_exclusion_names_the_criterion(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "inc_age")["kind"] = "preference"
    message = refusal(tmp_path, document)
    assert "'inc_age'" in message
    assert "'preference'" in message


def test_an_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    document = minimal_trial()
    document["sponsor"] = "Someone"
    assert "sponsor" in refusal(tmp_path, document)


def test_a_numeric_bound_on_a_choice_fact_names_the_criterion(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "exc_smoker")["rule"] = {"fact": "smoker", "at_most": 1}
    assert "'exc_smoker'" in refusal(tmp_path, document)


def test_a_file_that_is_not_yaml_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("criteria: [unclosed\n", encoding="utf-8")
    with pytest.raises(TrialDefinitionError, match=r"broken\.yaml"):
        load_trial_file(path)


def test_unquoted_yes_and_no_stay_words_not_booleans(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_trial())
    unquoted = path.read_text(encoding="utf-8").replace("'yes'", "yes").replace("'no'", "no")
    assert "value: yes" in unquoted
    path.write_text(unquoted, encoding="utf-8")
    trial = load_trial_file(path)
    assert trial.facts["smoker"].values == ("yes", "no", "unsure")


def test_an_unquoted_no_in_a_rule_matches_the_answer_no(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_trial())
    unquoted = path.read_text(encoding="utf-8").replace("'yes'", "yes").replace("'no'", "no")
    path.write_text(unquoted, encoding="utf-8")
    trial = load_trial_file(path)
    statuses = {r.criterion.id: r.status for r in evaluate(trial, {"smoker": "no"}).results}
    assert statuses["exc_smoker"] is Status.PASS


def test_an_option_without_a_value_is_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    question(document, "smoker")["options"].append({"label": text("Maybe", "也许")})
    assert "question 'smoker': an option needs a value" in refusal(tmp_path, document)


def test_an_option_written_as_a_bare_word_is_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    question(document, "smoker")["options"].append("sometimes")
    assert "question 'smoker': an option needs a value" in refusal(tmp_path, document)


@pytest.mark.parametrize("section", ["criteria", "questions"])
def test_an_empty_section_is_refused(tmp_path: Path, section: str) -> None:
    document = minimal_trial()
    document[section] = None
    assert f"{section}: must be a non-empty list" in refusal(tmp_path, document)


def test_a_rule_naming_a_list_as_its_fact_is_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "exc_smoker")["rule"] = {"fact": ["smoker"], "in": ["no"]}
    assert "criterion 'exc_smoker': unknown fact" in refusal(tmp_path, document)


def test_a_priority_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    question(document, "smoker")["priority"] = "high"
    assert "question 'smoker': priority 'high' is not a number" in refusal(tmp_path, document)


def test_two_criteria_with_one_id_are_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    document["criteria"].append(dict(criterion(document, "inc_age")))
    assert "criterion 'inc_age': this id is used more than once" in refusal(tmp_path, document)


def test_between_with_its_bounds_reversed_is_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    criterion(document, "inc_age")["rule"] = {"fact": "age_years", "between": [75, 18]}
    assert "lowest above its highest" in refusal(tmp_path, document)


def test_a_minimum_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    document = minimal_trial()
    document["site_facts"]["creatinine_x_uln"]["minimum"] = "zero"
    assert "site fact 'creatinine_x_uln': minimum 'zero' is not a number" in refusal(
        tmp_path, document
    )
