"""Security headers on every response; nothing with patient or staff data may be cached."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from companion.access.policy import policy_for
from companion.config import load_config
from companion.security_headers import CONTENT_SECURITY_POLICY
from tests.api.conftest import SESSIONS
from tests.api.test_encryption import leave_lead
from tests.conftest import STAFF_PASSWORD, csrf_token_from

ALWAYS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
CACHEABLE = ("/static/", "/api/docs/assets/")


def assert_secured(path: str, response: TestResponse) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (path, name)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, path
    if path != "/api/docs":
        assert policy == CONTENT_SECURITY_POLICY, path
    if not path.startswith(CACHEABLE):
        assert response.headers.get("Cache-Control") == "no-store", path


@pytest.fixture
def signed_in(client: FlaskClient, make_staff, bearer) -> dict[str, str]:
    """Bearer headers of an admin who is also signed in to the pages (cookie in `client`)."""
    email = make_staff("admin")
    csrf = csrf_token_from(client.get("/staff/login").data)
    response = client.post(
        "/staff/login", data={"csrf_token": csrf, "email": email, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 303
    return bearer(email)


def get(client: FlaskClient, path: str, headers: dict[str, str]) -> TestResponse:
    return client.get(path, headers=headers if path.startswith("/api/") else {})


def test_every_get_route_without_parameters_sends_the_security_headers(
    app: Flask, client: FlaskClient, signed_in: dict[str, str]
) -> None:
    rules = [
        rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments
    ]
    not_for_admins = {  # the clinical pages refuse the signed-in admin, headers and all
        rule.rule
        for rule in rules
        if (policy := policy_for(app, rule.endpoint, "GET")) is not None
        and policy.kind == "staff"
        and "admin" not in policy.roles
    }
    answered = {}
    for path in sorted(rule.rule for rule in rules):
        response = get(client, path, signed_in)
        answered[path] = response.status_code
        assert_secured(path, response)
    ok = {path for path, status in answered.items() if status == 200}
    assert {"/", "/healthz", "/api/openapi.json", "/api/docs", "/api/v1/leads"} <= ok
    assert {"/staff/leads", "/staff/audit"} <= ok
    assert all(
        status == 200 or 300 <= status < 400 or (status == 403 and path in not_for_admins)
        for path, status in answered.items()
    ), answered


def test_routes_with_patient_data_in_their_path_send_them_too(
    app: Flask, client: FlaskClient, signed_in: dict[str, str]
) -> None:
    leave_lead(client)
    lead_id = client.get("/api/v1/leads", headers=signed_in).get_json()[0]["id"]
    token = client.post(SESSIONS, json={"language": "en"}).get_json()["token"]
    for path in (
        f"/prescreen/{token}",
        f"/prescreen/{token}/result",
        f"/api/v1/prescreen/sessions/{token}",
        "/api/v1/trials/NCT07586904/questionnaire",
        f"/staff/leads/{lead_id}",
        f"/api/v1/leads/{lead_id}",
        "/prescreen/no-such-token-at-all",
        "/api/v1/no-such-thing",
        "/no-such-page",
    ):
        assert_secured(path, get(client, path, signed_in))


def test_responses_to_posts_and_redirects_send_them_too(client: FlaskClient) -> None:
    csrf = csrf_token_from(client.get("/").data)
    started = client.post("/prescreen", data={"csrf_token": csrf})
    assert started.status_code == 303
    assert_secured("/prescreen", started)
    created = client.post(SESSIONS, json={"language": "en"})
    assert created.status_code == 201
    assert_secured(SESSIONS, created)


def test_static_files_may_be_cached(client: FlaskClient) -> None:
    for path in ("/static/site.css", "/api/docs/assets/swagger-ui-bundle.js"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert_secured(path, response)
            assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_api_docs_may_run_their_own_inline_script_and_nothing_else(
    client: FlaskClient,
) -> None:
    response = client.get("/api/docs")
    page = response.get_data(as_text=True)
    (script,) = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    directives = response.headers["Content-Security-Policy"].split(";")
    policy = dict(part.strip().split(" ", 1) for part in directives)
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"


def test_the_session_cookie_is_http_only_and_same_site_lax(client: FlaskClient) -> None:
    client.get("/")  # the start form's CSRF token lives in the session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


def test_with_an_https_public_address_the_session_cookie_is_secure_and_host_prefixed(
    app: Flask, another_app
) -> None:
    config = load_config(Path(app.instance_path), {"PUBLIC_BASE_URL": "https://trial.example.org"})
    secure = another_app(**{k: v for k, v in config.items() if k.startswith("SESSION_COOKIE")})
    set_cookie = secure.test_client().get("/", base_url="https://localhost").headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-session=")
    assert "; Secure" in set_cookie
    assert "; HttpOnly" in set_cookie
    assert "; SameSite=Lax" in set_cookie
    assert "Domain=" not in set_cookie


@pytest.mark.parametrize(
    ("environ", "secure"),
    [
        ({}, False),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, False),
        ({"PUBLIC_BASE_URL": "https://trial.example.org"}, True),
        (
            {
                "COMPANION_ENV": "production",
                "SECRET_KEY": "s" * 48,
                "DATA_ENCRYPTION_KEYS": "dGVzdC1kYXRhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=",
                "PHONE_HASH_KEY": "p" * 40,
            },
            True,
        ),
    ],
)
def test_session_cookies_are_secure_in_production_or_behind_https(
    tmp_path: Path, environ: dict[str, str], secure: bool
) -> None:
    assert load_config(tmp_path, environ)["SESSION_COOKIE_SECURE"] is secure
