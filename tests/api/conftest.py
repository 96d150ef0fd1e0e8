"""Helpers for API and page tests: the contract's URLs and a way to finish a pre-screen."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.prescreen.models import Lead
from companion.sites.service import site_by_code
from tests.profiles import eligible_patient

EVALUATE = "/api/v1/trials/NCT07586904/prescreen/evaluate"
SESSIONS = "/api/v1/trials/NCT07586904/prescreen/sessions"


def session_url(token: str, suffix: str = "") -> str:
    return f"/api/v1/prescreen/sessions/{token}{suffix}"


def answer_until_done(client: FlaskClient, token: str, profile: dict[str, Any]) -> dict[str, Any]:
    """Answer each next question from `profile` until the pre-screen asks nothing more."""
    state = client.get(session_url(token)).get_json()
    while state["next_question"]:
        fact = state["next_question"]["fact"]
        response = client.post(
            session_url(token, "/answers"), json={"fact": fact, "value": profile[fact]}
        )
        assert response.status_code == 200, response.get_json()
        state = response.get_json()
    return state


@pytest.fixture
def started(client: FlaskClient) -> str:
    """The token of a freshly started English pre-screen."""
    response = client.post(SESSIONS, json={"language": "en"})
    assert response.status_code == 201
    return response.get_json()["token"]


def new_lead(
    app: Flask,
    client: FlaskClient,
    name: str = "Ada Lovelace",
    site: str = "SITE01",
    *,
    language: str = "en",
    best_time_to_call: str = "morning",
) -> int:
    """A lead left by a person who finished the pre-screen at `site` (made first, as its admin
    would, when new); returns its id."""
    with app.app_context():
        site_by_code(db.session, site, create_with_name=site)
        db.session.commit()
    token = client.post(SESSIONS, json={"language": "en", "site": site}).get_json()["token"]
    answer_until_done(client, token, eligible_patient())
    response = client.post(
        session_url(token, "/contact"),
        json={
            "name": name,
            "phone": "+8613800138000",
            "language": language,
            "best_time_to_call": best_time_to_call,
            "consent": True,
        },
    )
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        return db.session.scalar(select(func.max(Lead.id)))
