"""Hostile values in every field of every route: never a 5xx, and every refusal of one names the
field (design.md, "Errors").

The API's operations and the places each takes a value (path, query, JSON body, and the keys
its free-form objects know) come from the OpenAPI document; the pages and their inputs from the
URL map and from the forms and links the seeded site's pages show, with the route matrix's
example bodies for the rest. Each value of `hostile_values.JSON_VALUES` (API bodies) or
`hostile_values.TEXT_VALUES` (paths, queries, forms) goes into one place at a time, the rest of the
request real: API staff operations are called both with a token of the role they admit and
anonymously; staff pages signed in as a coordinator; public and patient-link routes with real
tokens. After a write was accepted (it may have changed what later cases rely on), the site is
seeded afresh before the next operation; for pages, before the next route that names a record
in its path, or a staff page once the coordinator is signed out. Nothing is random: a failure
names the route, the value and the field, which is all it takes to send the request again.

The JSON check: a 400 or 422 must name the field (the key, or the parameter's name) in its
body, unless the same request without the hostile value is refused too (the refusal is then
about the site's state, not the value). Pages answer a form with its problem by the field, or
their area's 400 page; neither names the field in a way a test can read, so for pages the check
is the status.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask

from tests.fuzz.conftest import SUMMARIES
from tests.fuzz.hostile_api import api_cases, api_operations, credentials_for
from tests.fuzz.hostile_pages import client_for, page_cases, page_routes, read_page_inputs
from tests.fuzz.hostile_site import HostileWorld
from tests.fuzz.hostile_values import REFUSALS_NAMING_A_FIELD

# Floors: the cases each phase sent when this file was written, so the phase cannot shrink
# unnoticed (an operation, page or field no longer found). New routes raise the counts.
MINIMUM_API_CASES = 3000
MINIMUM_PAGE_CASES = 1300


def summarise(
    request: pytest.FixtureRequest, phase: str, cases: int, world: HostileWorld, started: float
) -> None:
    line = (
        f"hostile values, {phase}: {cases} cases in {time.monotonic() - started:.1f} s "
        f"(the site seeded {world.seeds} times, {world.seeding_seconds:.1f} s of it)"
    )
    request.config.stash.setdefault(SUMMARIES, []).append(line)


def test_no_hostile_value_in_an_api_field_is_a_5xx_or_a_refusal_naming_no_field(
    app: Flask, clean_database: None, request: pytest.FixtureRequest
) -> None:
    started = time.monotonic()
    world = HostileWorld.build(app)
    client = world.fuzz.client
    failures: list[str] = []
    cases, dirty = 0, True
    for operation in api_operations(app, client):
        if dirty:
            world.seed(pages=False)
            dirty = False
        credentials = credentials_for(world, operation)
        unchanged, hostile = api_cases(operation, world, credentials)
        for case in hostile:
            for sent in (case, case.anonymous()) if credentials else (case,):
                response = sent.send(client)
                cases += 1
                dirty |= operation.method != "GET" and response.status_code < 400
                if response.status_code >= 500:
                    failures.append(f"{sent.describe()}: {response.status_code}")
                elif (
                    response.status_code in REFUSALS_NAMING_A_FIELD
                    and sent.field not in response.get_data(as_text=True)
                    and unchanged.send(client).status_code < 400
                ):
                    body = response.get_data(as_text=True)[:300]
                    failures.append(f"{sent.describe()}: {response.status_code} {body}")
    summarise(request, "API", cases, world, started)
    assert not failures, "\n".join(failures)
    assert cases >= MINIMUM_API_CASES


def test_no_hostile_value_in_a_page_s_path_query_or_form_is_a_5xx(
    app: Flask, clean_database: None, request: pytest.FixtureRequest
) -> None:
    started = time.monotonic()
    world = HostileWorld.build(app)
    world.seed(pages=True)
    inputs = read_page_inputs(app, world)
    failures: list[str] = []
    cases, dirty = 0, False
    attacked: set[str] = set()
    routes = page_routes(app)
    for method, rule, policy in routes:
        if dirty and world.needs_fresh_site(rule, policy):
            world.seed(pages=True)
            dirty = False
        for case in page_cases(world, inputs, method, rule, policy):
            response = case.send(client_for(world, policy)[0])
            cases += 1
            attacked.add(case.route)
            dirty |= method != "GET" and response.status_code < 400
            if response.status_code >= 500:
                failures.append(f"{case.describe()}: {response.status_code}")
    summarise(request, "pages", cases, world, started)
    assert not failures, "\n".join(failures)
    assert {f"{method} {rule}" for method, rule, _ in routes} == attacked
    assert cases >= MINIMUM_PAGE_CASES
