"""Every staff operation in the OpenAPI document, called as the wrong people.

Generated from the document, so a new staff route is checked without anyone remembering to:
anonymous -> 401, a colleague of another site -> 404 for a record of this site, a role the
route does not admit -> 403. A route whose path names a record kind that no provider below
knows, or a write without an example body, fails the walk until one is added.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.access.models import ROLES
from companion.access.policy import policy_for
from tests.api.conftest import answer_until_done
from tests.enrolments import enrol, enrollment_body
from tests.profiles import eligible_patient

PARAMETER = re.compile(r"\{(\w+)\}")
METHODS = ("get", "post", "put", "patch", "delete")

# A valid body for each write, so that refusals are about who asks, not about what is sent.
EXAMPLE_BODIES: dict[str, Any] = {
    "POST /api/v1/auth/logout": None,
    "POST /api/v1/staff": {
        "email": "new@example.org",
        "password": "a long enough password",
        "role": "coordinator",
    },
    "PATCH /api/v1/staff/{staff_id}": {"role": "investigator", "reason": "matrix"},
    "POST /api/v1/leads/{lead_id}/contact-attempts": {"outcome": "no_answer"},
    "POST /api/v1/leads/{lead_id}/status": {"status": "contacted"},
    "POST /api/v1/enrollments": enrollment_body(phone="+8613900139000"),
    "POST /api/v1/patients/{patient_id}/calendar-link": None,
    "POST /api/v1/patients/{patient_id}/page-link": None,
    "POST /api/v1/visits/{visit_id}/reschedule": {"date": "2030-01-02", "reason": "matrix"},
    "POST /api/v1/visits/{visit_id}/status": {"status": "cancelled", "reason": "matrix"},
    "POST /api/v1/closed-days": {"day": "2030-01-01", "label": "matrix"},
    "DELETE /api/v1/closed-days/{closed_day_id}": None,
    "PATCH /api/v1/site": {"phone": "+86 21 5555 0100", "reason": "matrix"},
}


@pytest.fixture
def world(client: FlaskClient, make_staff, bearer) -> dict[str, Any]:
    """Two sites, every role at the first, a colleague of each role at the second, and a lead,
    a patient with visits and a closed day at the first."""
    token = client.post("/api/v1/trials/NCT07586904/prescreen/sessions", json={}).get_json()[
        "token"
    ]
    answer_until_done(client, token, eligible_patient())
    client.post(
        f"/api/v1/prescreen/sessions/{token}/contact",
        json={"name": "Matrix Lead", "phone": "+8613800138000", "language": "en", "consent": True},
    )
    here = {role: bearer(make_staff(role, "SITE01")) for role in ROLES}
    there = {role: bearer(make_staff(role, "SITE02")) for role in ROLES}
    coordinator_id = client.get("/api/v1/auth/me", headers=here["coordinator"]).get_json()["id"]
    leads = client.get("/api/v1/leads", headers=here["coordinator"]).get_json()
    enrolled = enrol(client, here["coordinator"])
    closed = client.post(
        "/api/v1/closed-days",
        json={"day": "2030-06-01", "label": "Matrix"},
        headers=here["coordinator"],
    ).get_json()
    return {
        "here": here,
        "there": there,
        "records": {
            "staff_id": coordinator_id,
            "lead_id": leads[0]["id"] if leads else None,
            "patient_id": enrolled["patient_id"],
            "visit_id": enrolled["visits"][1]["id"],
            "closed_day_id": closed["id"],
        },
    }


def staff_operations(app: Flask, client: FlaskClient) -> list[tuple[str, str, Any]]:
    """(METHOD, path template, policy) of every staff operation the OpenAPI document lists."""
    document = client.get("/api/openapi.json").get_json()
    adapter = app.url_map.bind("localhost")
    operations = []
    for template, entries in document["paths"].items():
        concrete = PARAMETER.sub("1", template)
        for method in METHODS:
            if method not in entries:
                continue
            endpoint, _ = adapter.match(concrete, method=method.upper())
            policy = policy_for(app, endpoint, method.upper())
            if policy is not None and policy.kind == "staff":
                operations.append((method.upper(), template, policy))
    return operations


def call(client: FlaskClient, method: str, template: str, records: dict, headers=None):
    missing = [name for name in PARAMETER.findall(template) if records.get(name) is None]
    assert not missing, f"{method} {template}: no record provider for {missing}"
    key = f"{method} {template}"
    if method != "GET":
        assert key in EXAMPLE_BODIES, f"{key}: add an example body to EXAMPLE_BODIES"
    path = PARAMETER.sub(lambda match: str(records[match.group(1)]), template)
    return client.open(path, method=method, headers=headers, json=EXAMPLE_BODIES.get(key))


def test_the_walk_covers_the_staff_operations(app: Flask, client: FlaskClient) -> None:
    walked = {f"{method} {template}" for method, template, _ in staff_operations(app, client)}
    assert {
        "GET /api/v1/auth/me",
        "POST /api/v1/staff",
        "PATCH /api/v1/staff/{staff_id}",
        "GET /api/v1/leads/{lead_id}",
        "POST /api/v1/leads/{lead_id}/status",
        "GET /api/v1/audit",
    } <= walked


def test_anonymous_callers_get_401_everywhere(app: Flask, client: FlaskClient, world) -> None:
    wrong = {
        f"{method} {template}": status
        for method, template, _ in staff_operations(app, client)
        if (status := call(client, method, template, world["records"]).status_code) != 401
    }
    assert wrong == {}


def test_staff_of_another_site_get_404_for_this_site_s_records(
    app: Flask, client: FlaskClient, world
) -> None:
    wrong = {}
    for method, template, policy in staff_operations(app, client):
        if not PARAMETER.search(template):
            continue
        role = sorted(policy.roles)[0]
        response = call(client, method, template, world["records"], world["there"][role])
        if response.status_code != 404:
            wrong[f"{method} {template} as {role}"] = response.status_code
    assert wrong == {}


def test_a_role_the_route_does_not_admit_gets_403(app: Flask, client: FlaskClient, world):
    wrong = {}
    for method, template, policy in staff_operations(app, client):
        for role in sorted(set(ROLES) - policy.roles):
            response = call(client, method, template, world["records"], world["here"][role])
            if response.status_code != 403:
                wrong[f"{method} {template} as {role}"] = response.status_code
    assert wrong == {}
