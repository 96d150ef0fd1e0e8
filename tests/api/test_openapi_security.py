"""The OpenAPI document says who may call each operation, exactly as the routes declare it.

Staff operations (`@staff(...)`) carry the `bearerAuth` requirement and document 401, and 403
when the route admits only some roles; public ones carry none; an operation whose path names a
record documents 404. The expectation is read from each view's declared policy (`policy_for`),
so these tests follow new routes without a list to keep.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from companion.access.models import ROLES
from companion.access.policy import Policy, policy_for, public, staff
from companion.openapi import Blueprint, init_api

OPENAPI = "/api/openapi.json"
BEARER = [{"bearerAuth": []}]
METHODS = {"get", "put", "post", "patch", "delete"}


def document_of(app: Flask) -> dict[str, Any]:
    response = app.test_client().get(OPENAPI)
    assert response.status_code == 200
    return response.get_json()


def operations_with_policies(app: Flask) -> list[tuple[str, dict[str, Any], Policy | None]]:
    """(`METHOD /path`, the operation's entry in the document, its view's declared policy)."""
    endpoints = {
        re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule): rule.endpoint
        for rule in app.url_map.iter_rules()
    }
    found = []
    for path, entries in document_of(app)["paths"].items():
        for method, operation in entries.items():
            if method in METHODS:
                policy = policy_for(app, endpoints[path], method.upper())
                found.append((f"{method.upper()} {path}", operation, policy))
    return found


def test_the_document_declares_the_bearer_token_as_an_http_security_scheme(app: Flask) -> None:
    schemes = document_of(app)["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"


def test_every_staff_operation_requires_the_bearer_token_and_no_public_one_does(
    app: Flask,
) -> None:
    operations = operations_with_policies(app)
    kinds = {policy.kind for _, _, policy in operations if policy is not None}
    undeclared = [label for label, _, policy in operations if policy is None]
    assert not undeclared, f"operations without a declared policy: {undeclared}"
    assert kinds == {"staff", "public"}, kinds  # both kinds are in the API, so both are checked
    wrong = [
        (label, operation.get("security"))
        for label, operation, policy in operations
        if operation.get("security", []) != (BEARER if policy.kind == "staff" else [])
    ]
    assert not wrong, f"security requirement differs from the declared policy: {wrong}"


def test_staff_operations_document_401_and_403_where_the_route_admits_only_some_roles(
    app: Flask,
) -> None:
    staff_operations = [
        (label, operation["responses"], policy)
        for label, operation, policy in operations_with_policies(app)
        if policy is not None and policy.kind == "staff"
    ]
    missing_401 = [label for label, responses, _ in staff_operations if "401" not in responses]
    assert not missing_401, f"staff operations without a documented 401: {missing_401}"
    restricted = [entry for entry in staff_operations if entry[2].roles != frozenset(ROLES)]
    assert restricted, "no route admits only some roles, so the 403 rule is untested"
    wrong_403 = [
        label
        for label, responses, policy in staff_operations
        if ("403" in responses) != (policy.roles != frozenset(ROLES))
    ]
    assert not wrong_403, f"403 documented where the role rule says otherwise: {wrong_403}"


def test_public_operations_document_no_401(app: Flask) -> None:
    wrongly = [
        label
        for label, operation, policy in operations_with_policies(app)
        if policy is not None and policy.kind == "public" and "401" in operation["responses"]
    ]
    assert not wrongly, wrongly


def test_an_operation_whose_path_names_a_record_documents_404(app: Flask) -> None:
    operations = operations_with_policies(app)
    with_record = [(label, operation) for label, operation, _ in operations if "{" in label]
    assert with_record
    missing = [label for label, operation in with_record if "404" not in operation["responses"]]
    assert not missing, f"operations naming a record without a documented 404: {missing}"


@pytest.mark.parametrize(
    ("declare", "security", "refusals"),
    [
        (staff("admin"), BEARER, {"401", "403", "404"}),
        (staff(), BEARER, {"401", "404"}),
        (public, [], {"404"}),
    ],
    ids=["admin-only staff route", "any-staff route", "public route"],
)
def test_a_new_route_is_documented_from_its_declared_policy_alone(
    declare: Any, security: list[dict[str, list[str]]], refusals: set[str]
) -> None:
    """A route added to a fresh blueprint, with nothing but its policy decorator to go on."""
    application = Flask("openapi_security_probe")
    api = init_api(application)
    blueprint = Blueprint("probe", __name__, url_prefix="/api/v1/probe")

    @blueprint.route("/things/<int:thing_id>", methods=["GET"])
    @blueprint.response(200)
    @declare
    def one_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    api.register_blueprint(blueprint)
    operation = document_of(application)["paths"]["/api/v1/probe/things/{thing_id}"]["get"]
    assert operation["security"] == security
    assert {status for status in operation["responses"] if status[0] == "4"} == refusals
