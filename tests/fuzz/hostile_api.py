"""The API's operations, from its OpenAPI document, and where each takes a value: path and query
parameters, body fields, and the keys its free-form objects know."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from companion.access.policy import Policy, policy_for
from matching import load_trial
from symptoms import TriageRules, load_item_bank
from tests.api.test_route_matrix import ARGUMENT, WRITE_BODIES
from tests.fuzz.conftest import OPENAPI, TRIAL
from tests.fuzz.hostile_site import HostileWorld
from tests.fuzz.hostile_values import JSON_VALUES, TEXT_VALUES, Case, json_with

# Free-form objects of request bodies (`additionalProperties`) and the keys the service knows
# in each, from the domain's own data: a new trial fact, symptom item or threshold is covered.
FREE_OBJECT_KEYS = {
    "facts": lambda: sorted(load_trial(TRIAL).facts),
    "answers": lambda: list(load_item_bank().keys),
    "triage_overrides": lambda: sorted(TriageRules.OVERRIDABLE),
}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # the document's path, `{name}` form
    rule: str
    policy: Policy
    parameters: tuple[tuple[str, str], ...]  # (location, name): path and query
    body_fields: tuple[tuple[str, ...], ...]  # field paths of the JSON body
    base_body: dict[str, Any] | None


def api_operations(app: Flask, client: FlaskClient) -> list[Operation]:
    """Every operation of the OpenAPI document, with each place it takes a value."""
    document = client.get(OPENAPI).get_json()
    schemas = document["components"]["schemas"]
    rules = {
        ARGUMENT.sub(lambda m: "{" + m.group(1) + "}", rule.rule): rule
        for rule in app.url_map.iter_rules()
    }
    operations = []
    for template, entries in document["paths"].items():
        shared = entries.get("parameters", [])
        for method, operation in entries.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            rule = rules[template]
            key = f"{method.upper()} {rule.rule}"
            parameters = tuple(
                (parameter["in"], parameter["name"])
                for parameter in [*shared, *operation.get("parameters", [])]
                if parameter["in"] in ("path", "query")
            )
            schema = _resolved(
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema"),
                schemas,
            )
            base = WRITE_BODIES.get(key) if schema else None
            if schema and base is None:
                base = example_of(schema, schemas)
            operations.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    rule=rule.rule,
                    policy=policy_for(app, rule.endpoint, method.upper()),
                    parameters=parameters,
                    body_fields=tuple(body_fields(schema, schemas, base)) if schema else (),
                    base_body=base,
                )
            )
    return operations


def _resolved(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> dict[str, Any] | None:
    if schema and "$ref" in schema:
        return schemas[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_of(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """A body of a body schema no example is kept for: its required fields, each with a value of
    its type (the first of an enum)."""
    body = {}
    for name in schema.get("required", []):
        spec = _resolved(schema["properties"][name], schemas) or {}
        if "enum" in spec:
            body[name] = spec["enum"][0]
        else:
            body[name] = {
                "string": "2030-06-03" if spec.get("format") == "date" else "fuzz value",
                "integer": spec.get("minimum", 1),
                "number": spec.get("minimum", 1),
                "boolean": True,
                "object": {},
                "array": [],
            }.get(spec.get("type"), "fuzz value")
    return body


def body_fields(
    schema: dict[str, Any], schemas: dict[str, Any], base: dict[str, Any]
) -> Iterator[tuple[str, ...]]:
    """Every field of the body: each property of the schema, each key a free-form object is
    known to take, and each field of the example body."""
    seen: set[tuple[str, ...]] = set()
    for name, spec in schema.get("properties", {}).items():
        for where in [(name,), *_inside(name, _resolved(spec, schemas) or {}, base.get(name))]:
            if where not in seen:
                seen.add(where)
                yield where


def _inside(name: str, spec: dict[str, Any], example: Any) -> list[tuple[str, ...]]:
    if spec.get("type") == "object" and not spec.get("properties"):
        assert name in FREE_OBJECT_KEYS, (
            f"the free-form object {name!r} of a request body has no known keys: add them to "
            "FREE_OBJECT_KEYS"
        )
        return [(name, key) for key in FREE_OBJECT_KEYS[name]()]
    if isinstance(example, dict):
        return [(name, key) for key in example]
    return []


def api_cases(
    operation: Operation, world: HostileWorld, credentials: dict[str, str]
) -> tuple[Case, list[Case]]:
    """(the request with no hostile value, every hostile value in every place of `operation`
    with the rest of the request real)."""
    route = f"{operation.method} {operation.template}"
    real = {
        name: world.value_of(operation.rule, name, operation.policy)
        for location, name in operation.parameters
        if location == "path"
    }

    def case(field: str, value: str, path: dict[str, str], **request: Any) -> Case:
        values = {**real, **path}
        return Case(
            route=route,
            method=operation.method,
            path=re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], operation.template),
            field=field,
            value=value,
            headers=credentials,
            **request,
        )

    body = None if operation.base_body is None else json.dumps(operation.base_body)
    cases = []
    for label, encoded in TEXT_VALUES.items():
        for location, name in operation.parameters:
            if location == "path":
                cases.append(case(name, label, {name: encoded}, json_text=body))
            else:
                query = f"{quote(name)}={encoded}"
                cases.append(case(name, label, {}, query=query, json_text=body))
    for label, raw in JSON_VALUES.items():
        for where in operation.body_fields:
            text = json_with(operation.base_body or {}, where, raw)
            cases.append(case(where[-1], label, {}, json_text=text))
    return case("", "nothing hostile", {}, json_text=body), cases


def credentials_for(world: HostileWorld, operation: Operation) -> dict[str, str]:
    """The bearer token of the least powerful role the operation admits; a token of its own
    for signing out."""
    if operation.policy.kind != "staff":
        return {}
    role = next(r for r in ("coordinator", "investigator", "admin") if r in operation.policy.roles)
    if operation.template == "/api/v1/auth/logout":
        return world.fuzz.sign_in(f"{role}@site01.example.org")
    return world.fuzz.tokens[role]
