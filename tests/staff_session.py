"""A staff member signed in through the login form, and the staff pages read as HTML."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import STAFF_PASSWORD, csrf_token_from


def sign_in(client: FlaskClient, email: str) -> None:
    """Sign `client` in as `email` through the login form (with its CSRF token)."""
    token = csrf_token_from(client.get("/staff/login").data)
    response = client.post(
        "/staff/login", data={"csrf_token": token, "email": email, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 303


def html_of(client: FlaskClient, path: str, status: int = 200) -> str:
    """The page at `path`, which must answer `status`."""
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)
