"""POST /api/v1/trials/NCT07586904/prescreen/evaluate, as the contract fixes it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.prescreen.models import Lead, PrescreenSession
from tests.api.conftest import EVALUATE
from tests.profiles import eligible_patient, passing_site_checks


def evaluate(client: FlaskClient, facts: dict, **extra) -> tuple[int, dict]:
    response = client.post(EVALUATE, json={"facts": facts, **extra})
    return response.status_code, response.get_json()


def test_a_mucosal_melanoma_is_not_eligible_with_the_reason_named(client: FlaskClient) -> None:
    status, body = evaluate(client, {"melanoma_origin": "mucosal"})
    assert status == 200
    assert body["verdict"] == "not_eligible"
    failing = [c["id"] for c in body["criteria"] if c["status"] == "fail"]
    assert failing == ["inc_not_mucosal_or_eye"]
    assert body["next_question"] is None


def test_no_answers_yet_needs_review_and_asks_where_the_melanoma_started(
    client: FlaskClient,
) -> None:
    status, body = evaluate(client, {})
    assert (status, body["verdict"]) == (200, "needs_review")
    assert body["next_question"]["fact"] == "melanoma_origin"
    assert {
        "value": "acral",
        "label": "On the palm of the hand, the sole of the foot, or under a nail",
    } in body["next_question"]["options"]


def test_every_patient_answer_passing_leaves_only_site_checks(client: FlaskClient) -> None:
    status, body = evaluate(client, eligible_patient())
    assert (status, body["verdict"]) == (200, "likely_eligible")
    assert {c["status"] for c in body["criteria"]} == {"pass", "site_check"}
    assert body["next_question"] is None


def test_site_facts_from_staff_make_the_verdict_eligible(client: FlaskClient) -> None:
    status, body = evaluate(client, {**eligible_patient(), **passing_site_checks()})
    assert (status, body["verdict"]) == (200, "eligible")
    assert {c["status"] for c in body["criteria"]} == {"pass"}


def test_each_criterion_carries_the_contract_fields(client: FlaskClient) -> None:
    _, body = evaluate(client, {"age_years": 54})
    age = next(c for c in body["criteria"] if c["id"] == "inc_age")
    assert age == {
        "id": "inc_age",
        "kind": "inclusion",
        "status": "pass",
        "registered_text": "be between 18 and 75 years of age, regardless of gender.",
        "lay_text": "You are 18 to 75 years old. Men and women can both take part.",
    }
    assert {c["kind"] for c in body["criteria"]} == {"inclusion", "exclusion"}


def test_chinese_is_answered_in_chinese(client: FlaskClient) -> None:
    _, body = evaluate(client, {"age_years": 80}, language="zh")
    age = next(c for c in body["criteria"] if c["id"] == "inc_age")
    assert age["status"] == "fail"
    assert age["lay_text"] == "您的年龄在 18 到 75 岁之间。男性和女性都可以参加。"


def test_ecog_may_be_sent_as_a_number_or_as_its_digit(client: FlaskClient) -> None:
    assert evaluate(client, {"ecog": 1})[1]["verdict"] == "needs_review"
    assert evaluate(client, {"ecog": "1"})[1]["verdict"] == "needs_review"
    assert evaluate(client, {"ecog": 2})[1]["verdict"] == "not_eligible"


@pytest.mark.parametrize(
    ("facts", "named"),
    [
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"age_years": 121}, "age_years"),
        ({"age_years": "54"}, "age_years"),
        ({"age_years": 54.5}, "age_years"),
        ({"age_years": True}, "age_years"),
        ({"stage": "V"}, "stage"),
        ({"melanoma_origin": "Skin"}, "melanoma_origin"),
        ({"hiv": None}, "hiv"),
        ({"anc_10e9_per_l": "high"}, "anc_10e9_per_l"),
        ({"anc_10e9_per_l": -1}, "anc_10e9_per_l"),
    ],
)
def test_an_unknown_key_or_value_is_refused_naming_the_key(
    client: FlaskClient, facts: dict, named: str
) -> None:
    status, body = evaluate(client, facts)
    assert status == 400
    assert named in body["message"]
    assert named in body["errors"]["json"]["facts"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"facts": {}, "language": "fr"}, "language"),
        ({"language": "en"}, "facts"),
        ({"facts": ["age_years"]}, "facts"),
        ({"facts": {}, "extra": 1}, "extra"),
    ],
)
def test_a_malformed_body_is_refused_naming_the_field(
    client: FlaskClient, body: dict, named: str
) -> None:
    response = client.post(EVALUATE, json=body)
    assert response.status_code == 400
    assert named in response.get_json()["message"]


def test_a_body_that_is_not_json_is_a_400_not_a_500(client: FlaskClient) -> None:
    response = client.post(EVALUATE, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.get_json()) >= {"code", "status", "message"}


def test_an_unknown_trial_is_404(client: FlaskClient) -> None:
    response = client.post("/api/v1/trials/NCT00000000/prescreen/evaluate", json={"facts": {}})
    assert response.status_code == 404
    assert "NCT00000000" in response.get_json()["message"]


def test_evaluating_stores_nothing(client: FlaskClient, app) -> None:
    evaluate(client, eligible_patient())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PrescreenSession)) == 0
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_the_questionnaire_is_served_as_data_with_its_branching(client: FlaskClient) -> None:
    response = client.get("/api/v1/trials/NCT07586904/questionnaire?language=zh")
    body = response.get_json()
    assert response.status_code == 200
    questions = {q["fact"]: q for q in body["questions"]}
    assert body["questions"][0]["fact"] == "melanoma_origin"
    assert questions["will_use_contraception"]["ask_when"] == {
        "fact": "can_become_pregnant",
        "in": ["yes", "unsure"],
    }
    assert questions["age_years"]["type"] == "integer"
    assert questions["stage"]["text"] == "您的黑色素瘤现在是第几期？"
    assert len(questions) == 33
