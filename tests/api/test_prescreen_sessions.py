"""Pre-screen sessions: start, answer, go back, resume, and leave contact details."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.prescreen.models import Lead, PrescreenSession
from companion.prescreen.service import CONTACT_CONSENT_VERSION
from companion.timestamps import utcnow
from tests.api.conftest import SESSIONS, answer_until_done, session_url
from tests.profiles import eligible_patient

CONTACT = {
    "name": "Ada  Lovelace",
    "phone": "138 0013 8000",
    "language": "zh",
    "best_time_to_call": "evening",
    "consent": True,
}


def answer(client: FlaskClient, token: str, fact: str, value) -> tuple[int, dict]:
    response = client.post(session_url(token, "/answers"), json={"fact": fact, "value": value})
    return response.status_code, response.get_json()


def stored_session(app: Flask) -> PrescreenSession:
    with app.app_context():
        return db.session.scalars(select(PrescreenSession)).one()


def lead_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Lead))


def test_a_new_session_asks_the_first_question_and_gives_a_resume_link(client: FlaskClient) -> None:
    response = client.post(SESSIONS, json={"language": "zh"})
    body = response.get_json()
    assert response.status_code == 201
    assert body["next_question"]["fact"] == "melanoma_origin"
    assert body["next_question"]["text"] == "您的黑色素瘤最早长在哪里？"
    assert body["resume_url"].endswith(f"/prescreen/{body['token']}")
    assert body["facts"] == {}
    assert body["can_leave_contact"] is False


def test_only_a_digest_of_the_token_is_stored(
    client: FlaskClient, app: Flask, started: str
) -> None:
    record = stored_session(app)
    assert started not in record.token_digest
    assert len(record.token_digest) == 64


def test_an_answer_moves_to_the_next_question(client: FlaskClient, started: str) -> None:
    status, body = answer(client, started, "melanoma_origin", "acral")
    assert status == 200
    assert body["facts"] == {"melanoma_origin": "acral"}
    assert body["next_question"]["fact"] == "stage"
    assert body["progress"]["answered"] == 1


def test_back_forgets_the_last_answer_and_asks_it_again(client: FlaskClient, started: str) -> None:
    answer(client, started, "melanoma_origin", "skin")
    answer(client, started, "stage", "III")
    body = client.post(session_url(started, "/back")).get_json()
    assert body["facts"] == {"melanoma_origin": "skin"}
    assert body["next_question"]["fact"] == "stage"


def test_a_session_resumes_from_its_token(client: FlaskClient, started: str) -> None:
    answer(client, started, "melanoma_origin", "skin")
    body = client.get(session_url(started)).get_json()
    assert body["facts"] == {"melanoma_origin": "skin"}
    assert body["next_question"]["fact"] == "stage"


def test_a_bad_answer_is_refused_and_changes_nothing(client: FlaskClient, started: str) -> None:
    answer(client, started, "melanoma_origin", "skin")
    for fact, value in (("stage", "V"), ("anc_10e9_per_l", 2.0), ("nonsense", "yes")):
        status, body = answer(client, started, fact, value)
        assert status == 400
        assert fact in body["message"]
    assert client.get(session_url(started)).get_json()["facts"] == {"melanoma_origin": "skin"}


def test_an_unknown_or_expired_token_is_404(client: FlaskClient, app: Flask, started: str) -> None:
    assert client.get(session_url("not-a-token")).status_code == 404
    with app.app_context():
        record = db.session.scalars(select(PrescreenSession)).one()
        record.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(session_url(started)).status_code == 404


def test_contact_details_become_a_lead_with_consent_recorded(
    client: FlaskClient, app: Flask, started: str
) -> None:
    state = answer_until_done(client, started, eligible_patient())
    assert (state["verdict"], state["can_leave_contact"]) == ("likely_eligible", True)
    response = client.post(session_url(started, "/contact"), json=CONTACT)
    assert response.status_code == 201
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.name, lead.phone_e164, lead.language) == (
            "Ada Lovelace",
            "+8613800138000",
            "zh",
        )
        assert lead.consent_to_contact
        assert lead.consent_text_version == CONTACT_CONSENT_VERSION
        assert lead.verdict == "likely_eligible"
        assert lead.facts == eligible_patient()
        assert lead.site.code == app.config["DEFAULT_SITE_CODE"]


def test_a_person_unsure_of_something_may_still_leave_contact_details(
    client: FlaskClient, app: Flask, started: str
) -> None:
    state = answer_until_done(client, started, eligible_patient(hepatitis_b_active="unsure"))
    assert state["verdict"] == "needs_review"
    assert client.post(session_url(started, "/contact"), json=CONTACT).status_code == 201
    assert lead_count(app) == 1


def test_contact_details_are_refused_before_the_end(
    client: FlaskClient, app: Flask, started: str
) -> None:
    answer(client, started, "melanoma_origin", "skin")
    response = client.post(session_url(started, "/contact"), json=CONTACT)
    assert response.status_code == 409
    assert lead_count(app) == 0


def test_contact_details_are_refused_after_a_not_eligible_result(
    client: FlaskClient, app: Flask, started: str
) -> None:
    answer(client, started, "melanoma_origin", "eye")
    assert client.post(session_url(started, "/contact"), json=CONTACT).status_code == 409
    assert lead_count(app) == 0


def test_without_consent_nothing_personal_is_stored(
    client: FlaskClient, app: Flask, started: str
) -> None:
    answer_until_done(client, started, eligible_patient())
    response = client.post(session_url(started, "/contact"), json={**CONTACT, "consent": False})
    assert response.status_code == 400
    assert "consent" in response.get_json()["message"]
    assert lead_count(app) == 0
    columns = set(PrescreenSession.__table__.columns.keys())
    assert not columns & {"name", "phone", "phone_e164", "email", "ip_address", "user_agent"}


def test_an_invalid_phone_number_is_refused_naming_the_phone(
    client: FlaskClient, app: Flask, started: str
) -> None:
    answer_until_done(client, started, eligible_patient())
    response = client.post(session_url(started, "/contact"), json={**CONTACT, "phone": "12345"})
    assert response.status_code == 400
    assert "phone" in response.get_json()["message"]
    assert lead_count(app) == 0


def test_a_second_submission_does_not_create_a_second_lead(
    client: FlaskClient, app: Flask, started: str
) -> None:
    answer_until_done(client, started, eligible_patient())
    client.post(session_url(started, "/contact"), json=CONTACT)
    assert client.post(session_url(started, "/contact"), json=CONTACT).status_code == 409
    assert lead_count(app) == 1


def test_leads_are_not_served_to_anonymous_callers(client: FlaskClient, started: str) -> None:
    answer_until_done(client, started, eligible_patient())
    client.post(session_url(started, "/contact"), json=CONTACT)
    response = client.get("/api/v1/leads")
    assert response.status_code == 401
    assert "Ada" not in response.get_data(as_text=True)
