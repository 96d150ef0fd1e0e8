"""The questionnaire pages through HTTP, without JavaScript (browser tests walk them for real)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.prescreen.models import Lead
from tests.conftest import csrf_token_from
from tests.profiles import eligible_patient


def start(client: FlaskClient, **headers: str) -> tuple[str, str]:
    """(question page URL, CSRF token) of a new pre-screen started from the landing page."""
    token = csrf_token_from(client.get("/", headers=headers).data)
    response = client.post("/prescreen", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 303
    return response.headers["Location"], token


def answer_all(client: FlaskClient, url: str, token: str, profile: dict) -> None:
    for _ in range(len(profile) + 1):
        page = client.get(url)
        if page.status_code == 303:
            return
        fact = page.get_data(as_text=True).split('name="fact" value="')[1].split('"')[0]
        client.post(url, data={"csrf_token": token, "fact": fact, "value": str(profile[fact])})
    raise AssertionError("the questionnaire did not end")


def lead_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Lead))


def test_the_landing_page_speaks_the_browser_s_language(client: FlaskClient) -> None:
    english = client.get("/", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    chinese = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Could this study be for you?" in english
    assert "这项研究适合您吗？" in chinese
    assert '<html lang="zh-Hans">' in chinese


def test_the_language_switch_is_remembered(client: FlaskClient) -> None:
    response = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    assert "lang=zh" in response.headers["Set-Cookie"]
    assert "这项研究适合您吗？" in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_a_form_posted_without_its_csrf_token_is_refused(client: FlaskClient) -> None:
    assert client.post("/prescreen").status_code == 400


def test_the_first_page_asks_where_the_melanoma_started(client: FlaskClient) -> None:
    url, _ = start(client)
    page = client.get(url).get_data(as_text=True)
    assert "Where did your melanoma first start?" in page
    assert "Question 1 of about" in page


def test_an_empty_answer_shows_the_question_again_with_an_error(client: FlaskClient) -> None:
    url, token = start(client)
    response = client.post(url, data={"csrf_token": token, "fact": "melanoma_origin"})
    assert response.status_code == 400
    assert "Please answer the question" in response.get_data(as_text=True)


def test_an_age_that_is_not_a_number_is_asked_again(client: FlaskClient) -> None:
    url, token = start(client)
    for fact, value in (
        ("melanoma_origin", "skin"),
        ("stage", "III"),
        ("regional_spread", "yes"),
        ("recent_cancer_treatment", "no"),
    ):
        client.post(url, data={"csrf_token": token, "fact": fact, "value": value})
    assert "How old are you?" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token, "fact": "age_years", "value": "fifty"})
    assert response.status_code == 400
    assert "Type a whole number from 0 to 120." in response.get_data(as_text=True)


def test_a_knock_out_answer_leads_to_a_kind_result_naming_the_reason(client: FlaskClient) -> None:
    url, token = start(client)
    client.post(url, data={"csrf_token": token, "fact": "melanoma_origin", "value": "eye"})
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "This study may not be right for you" in page
    assert "did not start inside the body" in page
    assert 'name="phone"' not in page


def test_a_hopeful_result_offers_the_contact_form_and_stores_a_lead(
    client: FlaskClient, app: Flask
) -> None:
    url, token = start(client)
    answer_all(client, url, token, eligible_patient())
    result = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "This study may be a fit for you" in result
    response = client.post(
        f"{url}/contact",
        data={
            "csrf_token": token,
            "name": "Mei Chen",
            "phone": "+86 138 0013 8000",
            "language": "zh",
            "best_time_to_call": "morning",
            "consent": "yes",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/thanks")
    assert lead_count(app) == 1


def test_a_contact_form_with_mistakes_names_each_and_stores_nothing(
    client: FlaskClient, app: Flask
) -> None:
    url, token = start(client)
    answer_all(client, url, token, eligible_patient())
    response = client.post(
        f"{url}/contact", data={"csrf_token": token, "name": "", "phone": "123", "language": "en"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please type your name." in page
    assert "Please tick the box if you agree to be contacted." in page
    assert lead_count(app) == 0


def test_contact_details_posted_after_a_not_eligible_result_are_not_taken(
    client: FlaskClient, app: Flask
) -> None:
    url, token = start(client)
    client.post(url, data={"csrf_token": token, "fact": "melanoma_origin", "value": "eye"})
    response = client.post(
        f"{url}/contact",
        data={
            "csrf_token": token,
            "name": "Mei",
            "phone": "+8613800138000",
            "language": "zh",
            "consent": "yes",
        },
    )
    assert response.headers["Location"].endswith("/result")
    assert lead_count(app) == 0


def test_the_thank_you_page_is_shown_only_once_details_were_sent(client: FlaskClient) -> None:
    url, token = start(client)
    answer_all(client, url, token, eligible_patient())
    response = client.get(f"{url}/thanks")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/result")


def test_fields_the_contact_form_does_not_have_are_ignored(client: FlaskClient, app: Flask) -> None:
    url, token = start(client)
    answer_all(client, url, token, eligible_patient())
    response = client.post(
        f"{url}/contact",
        data={
            "csrf_token": token,
            "name": "Mei Chen",
            "phone": "+8613800138000",
            "language": "zh",
            "consent": "yes",
            "site_id": "2",
            "status": "enrolled",
        },
    )
    assert response.headers["Location"].endswith("/thanks")
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.status == "new"


def test_after_a_form_error_the_language_switch_links_to_a_page_not_the_form_action(
    client: FlaskClient,
) -> None:
    url, token = start(client)
    answer_all(client, url, token, eligible_patient())
    page = client.post(f"{url}/contact", data={"csrf_token": token, "language": "en"})
    assert f'href="{url}/result?lang=zh"' in page.get_data(as_text=True)
