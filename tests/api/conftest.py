"""Helpers for API and page tests: the contract's URLs and a way to finish a pre-screen."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

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
