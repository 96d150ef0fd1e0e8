"""A method a route does not take is refused with 405 and the methods it does take (RFC 9110)."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_405_lists_the_methods_the_route_takes_in_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/trials/NCT07586904/prescreen/evaluate")

    assert response.status_code == 405
    assert {method.strip() for method in response.headers["Allow"].split(",")} >= {"POST"}
    assert response.get_json()["code"] == 405
