"""Rate limits per address on sign-in and on the public pre-screen, in memory and in Redis.

The suite's shared app runs without limits (every test request comes from 127.0.0.1); these
tests build apps of their own with tiny limits. The Redis variant counts in the `redis_url`
fixture's server (a private redis-server, unless TEST_REDIS_URL names one).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from companion.rate_limits import PRESCREEN_ENDPOINTS, SIGN_IN_ENDPOINTS
from tests.api.conftest import EVALUATE, SESSIONS
from tests.conftest import csrf_token_from

TOKEN_URL = "/api/v1/auth/token"
SIGN_IN_LIMIT = 3
PRESCREEN_LIMIT = 4
WRONG = {"email": "nobody@example.org", "password": "wrong password 123"}
FACTS = {"facts": {"age_years": 54}, "language": "en"}


@pytest.fixture(params=["memory", "redis"])
def limited(
    request: pytest.FixtureRequest, another_app, clean_database: None, redis_url: str
) -> Iterator[Flask]:
    """An app with tiny limits, counting in memory or in Redis (which must answer)."""
    prefix = f"companion-test-{uuid.uuid4().hex}"
    yield another_app(
        **with_limits(
            RATELIMIT_STORAGE_URI="memory://" if request.param == "memory" else redis_url,
            RATELIMIT_KEY_PREFIX=prefix,
            RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False,  # no Redis: fail, do not fall back
        )
    )
    if request.param == "redis":
        forget(redis_url, prefix)


def with_limits(**config: Any) -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "RATE_LIMIT_SIGN_IN": f"{SIGN_IN_LIMIT}/minute",
        "RATE_LIMIT_PRESCREEN": f"{PRESCREEN_LIMIT}/minute",
        **config,
    }


def forget(url: str, prefix: str) -> None:
    server = redis.Redis.from_url(url)
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def client_at(application: Flask, address: str = "192.0.2.1") -> FlaskClient:
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_sign_in_is_refused_with_429_after_the_limit_in_the_json_error_shape(
    limited: Flask,
) -> None:
    client = client_at(limited)
    statuses = [client.post(TOKEN_URL, json=WRONG).status_code for _ in range(SIGN_IN_LIMIT)]
    assert statuses == [401] * SIGN_IN_LIMIT
    refused = client.post(TOKEN_URL, json=WRONG)
    assert refused.status_code == 429
    body = refused.get_json()
    assert (body["code"], body["status"]) == (429, "Too Many Requests")
    assert "Too many sign-in attempts" in body["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "no-store"


def test_the_staff_sign_in_page_shares_the_sign_in_budget(limited: Flask) -> None:
    client = client_at(limited)
    for _ in range(SIGN_IN_LIMIT):
        client.post(TOKEN_URL, json=WRONG)
    csrf = csrf_token_from(client.get("/staff/login").data)
    page = client.post("/staff/login", data={"csrf_token": csrf, **WRONG})
    assert page.status_code == 429
    assert page.mimetype == "text/html"


def test_each_address_has_its_own_budget(limited: Flask) -> None:
    first, second = client_at(limited, "192.0.2.1"), client_at(limited, "192.0.2.2")
    for _ in range(SIGN_IN_LIMIT + 1):
        first.post(TOKEN_URL, json=WRONG)
    assert first.post(TOKEN_URL, json=WRONG).status_code == 429
    assert second.post(TOKEN_URL, json=WRONG).status_code == 401


def test_the_public_pre_screen_endpoints_share_one_budget(limited: Flask) -> None:
    client = client_at(limited)
    assert client.post(SESSIONS, json={"language": "en"}).status_code == 201
    for _ in range(PRESCREEN_LIMIT - 1):
        assert client.post(EVALUATE, json=FACTS).status_code == 200
    refused = client.post(EVALUATE, json=FACTS)
    assert refused.status_code == 429
    assert refused.get_json()["code"] == 429
    assert "Too many answers" in refused.get_json()["message"]


def test_the_questionnaire_pages_answer_429_with_the_friendly_page(limited: Flask) -> None:
    client = client_at(limited)
    csrf = csrf_token_from(client.get("/").data)
    for _ in range(PRESCREEN_LIMIT):
        assert client.post("/prescreen", data={"csrf_token": csrf}).status_code == 303
    refused = client.post("/prescreen", data={"csrf_token": csrf})
    assert refused.status_code == 429
    assert "Please wait a moment" in refused.get_data(as_text=True)


def test_reading_is_not_limited_and_the_budgets_are_separate(limited: Flask) -> None:
    client = client_at(limited)
    for _ in range(PRESCREEN_LIMIT + 1):
        client.post(EVALUATE, json=FACTS)
    for _ in range(PRESCREEN_LIMIT * 3):
        assert client.get("/api/v1/trials/NCT07586904/questionnaire").status_code == 200
    assert client.post(TOKEN_URL, json=WRONG).status_code == 401


def test_redis_holds_the_counts_so_that_workers_share_them(
    another_app, clean_database: None, redis_url: str
) -> None:
    prefix = f"companion-test-{uuid.uuid4().hex}"
    config = with_limits(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False,
    )
    workers = [another_app(**config), another_app(**config)]
    server = redis.Redis.from_url(redis_url)
    try:
        statuses = [
            client_at(workers[attempt % 2]).post(TOKEN_URL, json=WRONG).status_code
            for attempt in range(SIGN_IN_LIMIT + 1)
        ]
        assert statuses == [401] * SIGN_IN_LIMIT + [429]
        assert list(server.scan_iter(f"*{prefix}*")), "no rate-limit counter was stored in Redis"
    finally:
        server.close()
        forget(redis_url, prefix)


def test_when_redis_stops_answering_the_limits_fall_back_to_memory(
    another_app, clean_database: None
) -> None:
    unreachable = another_app(**with_limits(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1"))
    client = client_at(unreachable)
    statuses = [client.post(TOKEN_URL, json=WRONG).status_code for _ in range(SIGN_IN_LIMIT + 1)]
    assert statuses == [401] * SIGN_IN_LIMIT + [429]


def test_behind_a_proxy_the_forwarded_address_is_believed_only_when_configured(
    another_app, clean_database: None
) -> None:
    def build(proxies: int) -> FlaskClient:
        config = with_limits(RATE_LIMIT_SIGN_IN="1/minute", TRUSTED_PROXIES=proxies)
        return client_at(another_app(**config), "10.0.0.1")

    def attempt(client: FlaskClient, forwarded_for: str) -> int:
        return client.post(
            TOKEN_URL, json=WRONG, headers={"X-Forwarded-For": forwarded_for}
        ).status_code

    direct = build(0)  # a client cannot dodge the limit by claiming another address
    assert [attempt(direct, "198.51.100.1"), attempt(direct, "198.51.100.2")] == [401, 429]
    proxied = build(1)  # behind one proxy, each real client has its own budget
    assert [attempt(proxied, "198.51.100.1"), attempt(proxied, "198.51.100.2")] == [401, 401]
    assert attempt(proxied, "198.51.100.1") == 429


def test_every_limited_endpoint_exists(app: Flask) -> None:
    limited = SIGN_IN_ENDPOINTS | PRESCREEN_ENDPOINTS
    assert limited - set(app.view_functions) == set()
