"""Every route of the URL map, called by the wrong people, and every JSON write with forged fields.

The matrix is generated from `app.url_map` (pages, API, feeds, webhooks, static files) and each
route's declared policy (`policy_for`), so a new route is checked the day it is added:

- a route without a policy, or of a kind this walk does not know, fails the walk, named;
- the public routes must be exactly the reviewed set below, so one made public by mistake fails;
- staff routes: anonymous callers get 401 (API) or are sent to sign in (pages), and so does a
  patient's link used as credentials; a role the route does not admit gets 403; a colleague of
  another site gets, for this site's records, the very 404 a missing record gets;
- patient-link routes: a made-up link, a link for another purpose, a link the patient was given
  before a new one, and another patient's link on this patient's records are all refused;
- Twilio's webhooks: unsigned, wrongly signed or tampered requests get 403 and store nothing;
- JSON writes (from the OpenAPI document): `site_id`, `role`, `status`, `id`, `patient_id` and
  `created_at`, where the schema does not take them, are refused with 400 naming the field.

It replaces tests/api/test_access_matrix.py (the staff operations of the OpenAPI document and
a hand-kept table of symptom and chat pages): every check of that file is a cell here.

Every refusal must leave the database as it was (each test compares every table, row by row).
Each test counts its cells and asserts a floor, so the matrix cannot shrink without a reviewed
change to the floor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from companion.access.models import ROLES, StaffUser
from companion.access.policy import Policy, policy_for
from companion.chat.models import ChatTask, Conversation
from companion.db import db
from companion.enrolment import service as enrolment_service
from companion.enrolment.models import ClosedDay, Patient
from companion.messaging import inbound
from companion.messaging.models import InboundMessage
from companion.messaging.webhooks import require_twilio_signature
from companion.sites.models import Site
from companion.timestamps import utcnow
from tests.api.conftest import SESSIONS, answer_until_done
from tests.conftest import csrf_token_from
from tests.enrolments import enrol, enrollment_body, in_days, path_of
from tests.profiles import eligible_patient
from tests.signed_webhooks import AUTH_TOKEN, INTERNAL_ORIGIN, new_sid, signature

ARGUMENT = re.compile(r"<(?:[^<>:]+:)?(\w+)>")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
KNOWN_KINDS = {"public", "staff", "patient_link"}
LINK_PURPOSES = {enrolment_service.PAGE, enrolment_service.FEED}
MISSING_ID = 987_654_321
MADE_UP_TOKEN = "made-up-token-" + "x" * 30
PHONE_A, PHONE_B = "+8613912340021", "+8613912340022"

# Public on purpose, each with why. A route that becomes public must be added here by a person.
REVIEWED_PUBLIC = {
    "GET /": "the home page of the pre-screen",
    "GET /healthz": "the load balancer's health check",
    "GET /static/<path:filename>": "stylesheets and scripts",
    "GET /api/openapi.json": "the API's description",
    "GET /api/docs": "the API's interactive docs",
    "GET /api/docs/assets/<path:filename>": "the docs' scripts, served locally",
    "POST /api/v1/auth/token": "staff exchange a password for a token",
    "GET /staff/login": "the sign-in form",
    "POST /staff/login": "signing in",
    "GET /api/v1/trials/<trial_id>/questionnaire": "the pre-screen's questions",
    "POST /api/v1/trials/<trial_id>/prescreen/evaluate": "an anonymous pre-screen",
    "POST /api/v1/trials/<trial_id>/prescreen/sessions": "starting a pre-screen",
    "GET /api/v1/prescreen/sessions/<token>": "a pre-screen, by its unguessable token",
    "POST /api/v1/prescreen/sessions/<token>/answers": "answering, by the token",
    "POST /api/v1/prescreen/sessions/<token>/back": "going back, by the token",
    "POST /api/v1/prescreen/sessions/<token>/contact": "leaving contact details, by the token",
    "POST /prescreen": "starting a pre-screen (page)",
    "GET /prescreen/<token>": "a pre-screen's question (page)",
    "POST /prescreen/<token>": "answering (page)",
    "POST /prescreen/<token>/back": "going back (page)",
    "POST /prescreen/<token>/contact": "leaving contact details (page)",
    "GET /prescreen/<token>/result": "the pre-screen's result (page)",
    "GET /prescreen/<token>/thanks": "after leaving contact details (page)",
    "POST /api/v1/chat": "the pre-screen as a chat (API)",
    "GET /chat": "the chat's first page",
    "POST /chat": "starting a chat",
    "GET /chat/<token>": "a chat, by its unguessable token",
    "POST /chat/<token>": "writing in a chat, by the token",
    "POST /twilio/sms": "Twilio's webhook: public to the policy, Twilio's signature checked",
    "POST /twilio/status": "Twilio's webhook: public to the policy, Twilio's signature checked",
}
SIGNED_WEBHOOKS = {"POST /twilio/sms", "POST /twilio/status"}

# A valid request body for each write, so that refusals are about who asks, not what is sent:
# JSON for the API, form fields for pages (the CSRF token is added), None for no body.
WRITE_BODIES: dict[str, dict[str, Any] | None] = {
    # API, staff
    "POST /api/v1/auth/logout": None,
    "POST /api/v1/staff": {
        "email": "new@example.org",
        "password": "a long enough password",
        "role": "coordinator",
    },
    "PATCH /api/v1/staff/<int:staff_id>": {"role": "investigator", "reason": "matrix"},
    "POST /api/v1/staff/<int:staff_id>/unlock": {"reason": "matrix"},
    "POST /api/v1/auth/password": {
        "current_password": "not the password",
        "new_password": "a long enough password",
    },
    "POST /api/v1/leads/<int:lead_id>/contact-attempts": {"outcome": "no_answer"},
    "POST /api/v1/leads/<int:lead_id>/status": {"status": "contacted", "reason": "matrix"},
    "POST /api/v1/enrollments": enrollment_body(phone="+8613900139000"),
    "POST /api/v1/patients/<int:patient_id>/calendar-link": None,
    "POST /api/v1/patients/<int:patient_id>/page-link": None,
    "POST /api/v1/visits/<int:visit_id>/reschedule": {"date": "2030-01-02", "reason": "matrix"},
    "POST /api/v1/visits/<int:visit_id>/status": {"status": "cancelled", "reason": "matrix"},
    "POST /api/v1/closed-days": {"day": "2030-01-01", "label": "matrix"},
    "DELETE /api/v1/closed-days/<int:closed_day_id>": None,
    "PATCH /api/v1/site": {"phone": "+86 21 5555 0100", "reason": "matrix"},
    "POST /api/v1/patients/<int:patient_id>/symptom-reports": {"answers": {"fatigue": "mild"}},
    "POST /api/v1/symptom-reports/<int:report_id>/acknowledge": None,
    "POST /api/v1/symptom-reports/<int:report_id>/notes": {"text": "matrix"},
    "POST /api/v1/symptom-reports/<int:report_id>/action": {"action": "called_patient"},
    "POST /api/v1/symptom-reports/<int:report_id>/resolve": {"note": "matrix"},
    # API, public
    "POST /api/v1/auth/token": {"email": "nobody@example.org", "password": "not the password"},
    "POST /api/v1/chat": {"conversation_id": None, "text": "hello", "language": "en"},
    "POST /api/v1/trials/<trial_id>/prescreen/evaluate": {"facts": {}, "language": "en"},
    "POST /api/v1/trials/<trial_id>/prescreen/sessions": {"language": "en"},
    "POST /api/v1/prescreen/sessions/<token>/answers": {"fact": "age_years", "value": 54},
    "POST /api/v1/prescreen/sessions/<token>/back": None,
    "POST /api/v1/prescreen/sessions/<token>/contact": {
        "name": "Matrix",
        "phone": "+8613800138001",
        "language": "en",
        "consent": True,
    },
    # Staff pages
    "POST /staff/logout": {},
    "POST /staff/account/password": {
        "current_password": "not the password",
        "new_password": "a long enough password",
        "new_password_again": "a long enough password",
    },
    "POST /staff/leads/<int:lead_id>/attempts": {"outcome": "no_answer", "note": "matrix"},
    "POST /staff/leads/<int:lead_id>/status": {"status": "contacted", "reason": "matrix"},
    "POST /staff/patients/new": {
        "anchor_date": in_days(14).isoformat(),
        "phone": "+8613900139001",
        "language": "en",
        "timezone": "Asia/Shanghai",
        "sms_consent": "yes",
    },
    "POST /staff/patients/<int:patient_id>/links/<purpose>": {},
    "POST /staff/visits/<int:visit_id>/reschedule": {"date": "2030-01-02", "reason": "matrix"},
    "POST /staff/visits/<int:visit_id>/status": {"status": "cancelled", "reason": "matrix"},
    "POST /staff/closed-days": {"day": "2030-01-01", "label": "matrix"},
    "POST /staff/closed-days/<int:closed_day_id>/delete": {},
    "POST /staff/messages/<int:message_id>/answered": {},
    "POST /staff/symptoms/<int:report_id>/acknowledge": {},
    "POST /staff/symptoms/<int:report_id>/notes": {"text": "matrix"},
    "POST /staff/symptoms/<int:report_id>/action": {"action": "called_patient"},
    "POST /staff/symptoms/<int:report_id>/resolve": {"note": "matrix"},
    "POST /staff/chats/<int:conversation_id>/take-over": {},
    "POST /staff/chats/<int:conversation_id>/release": {},
    "POST /staff/chats/<int:conversation_id>/write": {"text": "matrix"},
    "POST /staff/chats/tasks/<int:task_id>/done": {},
    # Patient pages
    "POST /my/<token>/shots": {"day": in_days(0).isoformat(), "outcome": "taken"},
    "POST /my/<token>/symptoms": {"temperature_c": "37.0"},
    # Public pages
    "POST /staff/login": {"email": "nobody@example.org", "password": "not the password"},
    "POST /prescreen": {},
    "POST /prescreen/<token>": {"fact": "age_years", "value": "54"},
    "POST /prescreen/<token>/back": {},
    "POST /prescreen/<token>/contact": {
        "name": "Matrix",
        "phone": "+8613800138001",
        "language": "en",
        "consent": "yes",
    },
    "POST /chat": {"text": "hello"},
    "POST /chat/<token>": {"text": "hello"},
}

# Twilio's form fields of each webhook (MessageSid and AccountSid are added).
WEBHOOK_PARAMS = {
    "POST /twilio/sms": {"From": PHONE_A, "To": "+8613100000000", "Body": "HELP"},
    "POST /twilio/status": {"MessageStatus": "delivered", "To": PHONE_A},
}


# Made-up values of the arguments of public routes: each must be answered 404.
MADE_UP_PUBLIC_ARGUMENTS = {
    "token": MADE_UP_TOKEN,
    "trial_id": "NCT00000000",
    "filename": "no-such-file.css",
}

# Fields a caller might forge into a JSON body, with the value a forger would send.
FORGED_FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "site_id": lambda world: world["there_site_id"],
    "role": lambda world: "admin",
    "status": lambda world: "enrolled",
    "id": lambda world: MISSING_ID,
    "patient_id": lambda world: world["patient_b"],
    "created_at": lambda world: "2000-01-01T00:00:00Z",
}

# Floors: the number of cells each check made when this file was written. Adding routes raises
# the count; a count below its floor means the matrix shrank, and a person must say why.
MINIMUM_CELLS = {
    "anonymous": 156,
    "wrong_role": 86,
    "another_site": 101,
    "patient_links": 35,
    "webhooks": 12,
    "forged_fields": 110,
}


@dataclass(frozen=True)
class Route:
    """One method of one rule of the URL map, with the policy its view declares."""

    method: str
    rule: str
    endpoint: str
    policy: Policy | None

    @property
    def key(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def arguments(self) -> list[str]:
        return ARGUMENT.findall(self.rule)

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")

    @property
    def template(self) -> str:
        """The rule in the OpenAPI document's `{name}` form."""
        return ARGUMENT.sub(lambda match: "{" + match.group(1) + "}", self.rule)

    def path(self, values: dict[str, Any]) -> str:
        missing = [name for name in self.arguments if values.get(name) is None]
        assert not missing, f"{self.key}: no value for {missing}; add one to the world"
        return ARGUMENT.sub(lambda match: str(values[match.group(1)]), self.rule)


def every_route(app: Flask) -> list[Route]:
    """Every rule of the URL map and every method it answers (HEAD and OPTIONS aside)."""
    return sorted(
        (
            Route(method, rule.rule, rule.endpoint, policy_for(app, rule.endpoint, method))
            for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED_METHODS
        ),
        key=lambda route: route.key,
    )


def unknown_to_the_walk(route: Route) -> str | None:
    """Why the walk cannot check `route`, or None when it can."""
    if route.policy is None:
        return "no declared policy"
    if route.policy.kind not in KNOWN_KINDS:
        return f"policy kind {route.policy.kind!r} unknown to the walk"
    if route.policy.kind == "patient_link" and route.policy.purpose not in LINK_PURPOSES:
        return f"patient-link purpose {route.policy.purpose!r} unknown to the walk"
    if route.policy.kind == "patient_link" and "token" not in route.arguments:
        return "a patient-link route without <token> in its path"
    if route.key in SIGNED_WEBHOOKS:
        return None if route.key in WEBHOOK_PARAMS else "a webhook without WEBHOOK_PARAMS"
    if route.method != "GET" and route.key not in WRITE_BODIES:
        return "a write without an example body in WRITE_BODIES"
    return None


def routes_of(app: Flask, kind: str) -> list[Route]:
    """The routes of a policy kind, after checking that the walk knows every route."""
    unknown = {route.key: why for route in every_route(app) if (why := unknown_to_the_walk(route))}
    assert unknown == {}, "routes the matrix cannot check"
    return [route for route in every_route(app) if route.policy.kind == kind]


def signature_checked(app: Flask, route: Route) -> bool:
    """Whether Twilio's signature is checked before this route's view runs: by the app, by
    the route's blueprint or by a blueprint it is nested in."""
    parts = route.endpoint.split(".")[:-1]
    scopes = [None, *(".".join(parts[: depth + 1]) for depth in range(len(parts)))]
    return any(
        require_twilio_signature in app.before_request_funcs.get(scope, []) for scope in scopes
    )


def database_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: what a refusal must leave untouched."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


class Caller:
    """Sends a route's request: its example body as JSON (API) or as a form with a CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._csrf: str | None = None

    def csrf(self) -> str:
        if self._csrf is None:
            self._csrf = csrf_token_from(self.client.get("/staff/login").data)
        return self._csrf

    def __call__(
        self,
        route: Route,
        values: dict[str, Any],
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> TestResponse:
        path = route.path(values)
        if body is None:
            body = WRITE_BODIES.get(route.key)
        if route.method == "GET":
            return self.client.get(path, headers=headers)
        if route.is_api:
            return self.client.open(path, method=route.method, headers=headers, json=body)
        form = {"csrf_token": self.csrf(), **(body or {})}
        return self.client.open(path, method=route.method, headers=headers, data=form)


def sent_to_sign_in(response: TestResponse) -> bool:
    return response.status_code in (302, 303) and response.headers.get("Location", "").startswith(
        "/staff/login"
    )


def refused_as_anonymous(route: Route, response: TestResponse) -> bool:
    if route.is_api:
        return response.status_code == 401
    return sent_to_sign_in(response)


def token_of(url: str) -> str:
    """The token in a patient's link (`/my/<token>` or `/calendar/<token>.ics`)."""
    return path_of(url).split("/")[2].removesuffix(".ics")


@pytest.fixture
def world(app: Flask, client: FlaskClient, make_staff, bearer) -> dict[str, Any]:
    """Two sites with every role at each; at the first: a lead, patients A and B (each with a
    page and a feed link, A with a page link given before the present one), a symptom report
    and a text from A, a closed day, and a chat with a task for the team."""
    session_token = client.post(SESSIONS, json={"language": "en"}).get_json()["token"]
    answer_until_done(client, session_token, eligible_patient())
    client.post(
        f"/api/v1/prescreen/sessions/{session_token}/contact",
        json={"name": "Matrix Lead", "phone": "+8613800138000", "language": "en", "consent": True},
    )
    emails = {role: make_staff(role, "SITE01") for role in ROLES}
    here = {role: bearer(email) for role, email in emails.items()}
    there = {role: bearer(make_staff(role, "SITE02")) for role in ROLES}
    lead_id = client.get("/api/v1/leads", headers=here["coordinator"]).get_json()[0]["id"]
    patient_a = enrol(client, here["coordinator"], phone=PHONE_A, name="Patient A")
    patient_b = enrol(client, here["coordinator"], phone=PHONE_B, name="Patient B")
    superseded_page = token_of(patient_a["patient_page_url"])
    page_link = client.post(
        f"/api/v1/patients/{patient_a['patient_id']}/page-link", headers=here["coordinator"]
    )
    assert page_link.status_code in (200, 201), page_link.get_json()
    closed = client.post(
        "/api/v1/closed-days",
        json={"day": "2030-06-01", "label": "Matrix"},
        headers=here["coordinator"],
    ).get_json()
    report = client.post(
        f"/api/v1/patients/{patient_a['patient_id']}/symptom-reports",
        json={"answers": {"temperature_c": 38.4}},
        headers=here["coordinator"],
    ).get_json()
    chat: dict[str, Any] = {"conversation_id": None, "language": "en"}
    for text in ("hello", "banana", "pear", "call me", "13800138000"):
        chat["conversation_id"] = client.post(
            "/api/v1/chat", json={**chat, "text": text}
        ).get_json()["conversation_id"]
    with app.app_context():
        inbound.receive_text(
            db.session,
            inbound.InboundText(new_sid(), PHONE_A, "Can my daughter come on Tuesday?"),
            utcnow(),
        )
        db.session.commit()
        records = {
            "staff_id": db.session.scalar(
                select(StaffUser.id).where(StaffUser.email == emails["coordinator"])
            ),
            "conversation_id": db.session.scalar(select(func.max(Conversation.id))),
            "task_id": db.session.scalar(select(func.max(ChatTask.id))),
            "message_id": db.session.scalar(select(func.max(InboundMessage.id))),
        }
        site_ids = dict(db.session.execute(select(Site.code, Site.id)).all())
    return {
        "here": here,
        "there": there,
        "emails": emails,
        "records": {
            **records,
            "lead_id": lead_id,
            "patient_id": patient_a["patient_id"],
            "visit_id": patient_a["visits"][1]["id"],
            "closed_day_id": closed["id"],
            "report_id": report["id"],
            "purpose": "page",
            "token": session_token,
            "trial_id": "NCT07586904",
        },
        "patient_a": {
            "page": page_link.get_json()["url"],
            "feed": token_of(patient_a["calendar_url"]),
            "superseded_page": superseded_page,
        },
        "patient_b": patient_b["patient_id"],
        "patient_b_links": {
            "page": token_of(patient_b["patient_page_url"]),
            "feed": token_of(patient_b["calendar_url"]),
        },
        "here_site_id": site_ids["SITE01"],
        "there_site_id": site_ids["SITE02"],
    }


@pytest.fixture
def caller(client: FlaskClient) -> Caller:
    return Caller(client)


def record_ids(route: Route) -> list[str]:
    """The arguments of a staff route that name a record of a site (not `purpose`)."""
    return [name for name in route.arguments if name.endswith("_id")]


# ---------- The walk itself ----------


def test_every_route_has_a_policy_the_matrix_knows(app: Flask) -> None:
    unknown = {route.key: why for route in every_route(app) if (why := unknown_to_the_walk(route))}
    assert unknown == {}


def test_a_route_without_a_policy_fails_the_walk_by_name() -> None:
    undeclared = Route("GET", "/new-and-forgotten", "forgotten", None)
    odd = Route("GET", "/odd", "odd", Policy("device"))  # type: ignore[arg-type]
    assert unknown_to_the_walk(undeclared) == "no declared policy"
    assert unknown_to_the_walk(odd) == "policy kind 'device' unknown to the walk"


def test_the_walk_covers_pages_api_feeds_webhooks_and_static_files(app: Flask) -> None:
    walked = {route.key for route in every_route(app)}
    assert {
        "GET /staff/leads/<int:lead_id>",
        "GET /api/v1/leads/<int:lead_id>",
        "PATCH /api/v1/staff/<int:staff_id>",
        "GET /calendar/<token>.ics",
        "POST /my/<token>/symptoms",
        "POST /twilio/sms",
        "GET /static/<path:filename>",
        "POST /staff/chats/tasks/<int:task_id>/done",
        "GET /api/v1/auth/me",
        "POST /api/v1/staff",
        "POST /api/v1/leads/<int:lead_id>/status",
        "GET /api/v1/audit",
        "POST /api/v1/patients/<int:patient_id>/symptom-reports",
        "GET /api/v1/symptom-reports",
        "GET /api/v1/symptom-reports/<int:report_id>",
        "POST /api/v1/symptom-reports/<int:report_id>/resolve",
    } <= walked


def test_the_public_routes_are_exactly_the_reviewed_ones(app: Flask) -> None:
    public = {route.key for route in routes_of(app, "public")}
    assert public == set(REVIEWED_PUBLIC)


def test_the_public_routes_guarded_by_twilio_s_signature_are_the_webhooks(app: Flask) -> None:
    guarded = {route.key for route in every_route(app) if signature_checked(app, route)}
    assert guarded == SIGNED_WEBHOOKS


# ---------- Anonymous callers ----------


def test_anonymous_callers_are_refused_on_every_route_that_is_not_public(
    app: Flask, caller: Caller, world: dict[str, Any]
) -> None:
    """Staff routes: 401 (API) or sign in first (pages), also with a patient's link as a bearer
    token. Patient-link and public routes with a made-up token or name: 404."""
    before = database_rows(app)
    wrong, cells = {}, 0
    patient_token = {"Authorization": f"Bearer {token_of(world['patient_a']['page'])}"}
    for route in routes_of(app, "staff"):
        for who, headers in (("anonymous", None), ("a patient's link", patient_token)):
            response = caller(route, world["records"], headers)
            cells += 1
            if not refused_as_anonymous(route, response):
                wrong[f"{route.key} as {who}"] = response.status_code
    made_up = {**world["records"], **MADE_UP_PUBLIC_ARGUMENTS}
    for route in routes_of(app, "patient_link") + routes_of(app, "public"):
        if not route.arguments or route.key in SIGNED_WEBHOOKS:
            continue
        response = caller(route, made_up)
        cells += 1
        if response.status_code != 404:
            wrong[f"{route.key} with a made-up {'/'.join(route.arguments)}"] = response.status_code
    assert wrong == {}
    assert changed_tables(before, database_rows(app)) == []
    print(f"anonymous: {cells} cells")
    assert cells >= MINIMUM_CELLS["anonymous"]


# ---------- Staff: roles and sites ----------


def test_a_role_the_route_does_not_admit_gets_403_at_either_site(
    app: Flask, caller: Caller, world: dict[str, Any]
) -> None:
    before = database_rows(app)
    wrong, cells = {}, 0
    for route in routes_of(app, "staff"):
        for role in sorted(set(ROLES) - route.policy.roles):
            for where in ("here", "there"):
                response = caller(route, world["records"], world[where][role])
                cells += 1
                if response.status_code != 403:
                    wrong[f"{route.key} as {role} ({where})"] = response.status_code
    assert wrong == {}
    assert changed_tables(before, database_rows(app)) == []
    print(f"wrong role: {cells} cells")
    assert cells >= MINIMUM_CELLS["wrong_role"]


def comparable(response: TestResponse) -> Any:
    """What a 404 says, without what differs between any two pages: CSRF tokens, nonces and
    the page's own address (in its language links)."""
    if response.is_json:
        return response.get_json()
    text = response.get_data(as_text=True).replace(response.request.path, "(this page)")
    return re.sub(r'(value|nonce)="[^"]*"', "", text)


def test_staff_of_another_site_get_the_same_404_as_for_a_missing_record(
    app: Flask, caller: Caller, world: dict[str, Any]
) -> None:
    """Every staff route naming a record of the first site, by every admitted role of the
    second; the answer must not tell a record of another site from no record at all. The
    first site's own staff read the same records (2xx), so the records do exist."""
    records = world["records"]
    before = database_rows(app)
    wrong, cells = {}, 0
    for route in routes_of(app, "staff"):
        ids = record_ids(route)
        if not ids:
            continue
        if route.method == "GET":
            own = caller(route, records, world["here"][sorted(route.policy.roles)[0]])
            cells += 1
            if own.status_code != 200:
                wrong[f"{route.key} by this site"] = own.status_code
        missing = {**records, **dict.fromkeys(ids, MISSING_ID)}
        for role in sorted(route.policy.roles):
            headers = world["there"][role]
            response = caller(route, records, headers)
            expected = caller(route, missing, headers)
            cells += 1
            if response.status_code != 404 or comparable(response) != comparable(expected):
                wrong[f"{route.key} as {role}"] = (response.status_code, expected.status_code)
    lead = {**enrollment_body(phone="+8613900139002"), "lead_id": records["lead_id"]}
    for role in ("coordinator", "investigator"):
        response = caller.client.post(
            "/api/v1/enrollments", json=lead, headers=world["there"][role]
        )
        cells += 1
        if response.status_code != 404:
            wrong[f"enrolling the first site's lead as {role}"] = response.status_code
    assert wrong == {}
    assert changed_tables(before, database_rows(app)) == []
    print(f"another site: {cells} cells")
    assert cells >= MINIMUM_CELLS["another_site"]


# ---------- Patients' links ----------


def test_a_patient_link_opens_only_its_own_patient_records_and_purpose(
    app: Flask, caller: Caller, world: dict[str, Any]
) -> None:
    """Patient A's routes: A's live link answers (GET 200); another patient's link on A's
    visit or report, A's link for the other purpose, A's earlier link (replaced, 410) and a
    staff token with a made-up link are refused."""
    records = world["records"]
    a, b = world["patient_a"], world["patient_b_links"]
    live_page = token_of(a["page"])
    before = database_rows(app)
    wrong, cells = {}, 0
    for route in routes_of(app, "patient_link"):
        feed = route.policy.purpose == enrolment_service.FEED
        own = a["feed"] if feed else live_page
        other_purpose = live_page if feed else a["feed"]
        cases = [
            ("A's link for the other purpose", other_purpose, None, 404),
            ("a made-up link with a staff token", MADE_UP_TOKEN, world["here"]["admin"], 404),
        ]
        if not feed:
            cases.append(("A's replaced link", a["superseded_page"], None, 410))
        if record_ids(route):
            cases.append(("B's link on A's record", b["page"], None, 404))
        if route.method == "GET":
            response = caller(route, {**records, "token": own})
            cells += 1
            if response.status_code != 200:
                wrong[f"{route.key} with A's own link"] = response.status_code
        for who, token, headers, status in cases:
            response = caller(route, {**records, "token": token}, headers)
            cells += 1
            if response.status_code != status:
                wrong[f"{route.key} with {who}"] = response.status_code
    assert wrong == {}
    assert changed_tables(before, database_rows(app)) == []
    print(f"patient links: {cells} cells")
    assert cells >= MINIMUM_CELLS["patient_links"]


# ---------- Twilio's webhooks ----------


def forged_webhooks(path: str, params: dict[str, str]) -> Iterator[tuple[str, dict, dict]]:
    """(what is wrong, form, headers) of requests Twilio did not sign."""
    url = INTERNAL_ORIGIN + path
    yield "unsigned", params, {}
    yield "an empty signature", params, {"X-Twilio-Signature": ""}
    yield (
        "signed with another token",
        params,
        {"X-Twilio-Signature": signature(url, params, "another-auth-token")},
    )
    yield (
        "signed for another URL",
        params,
        {"X-Twilio-Signature": signature(INTERNAL_ORIGIN + "/twilio/elsewhere", params)},
    )
    yield (
        "changed after signing",
        {**params, "Body": "STOP", "MessageStatus": "failed"},
        {"X-Twilio-Signature": signature(url, params)},
    )


def test_twilio_webhooks_refuse_what_twilio_did_not_sign_and_store_nothing(
    app: Flask, another_app, world: dict[str, Any]
) -> None:
    """403 for each forged request, and no table changed; the same request signed is taken,
    so the refusals are about the signature. An app without the auth token refuses all."""
    twilio = another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN).test_client()
    unconfigured = app.test_client()
    wrong, cells = {}, 0
    for route in routes_of(app, "public"):
        if route.key not in SIGNED_WEBHOOKS:
            continue
        assert route.key in WEBHOOK_PARAMS, f"{route.key}: add its form to WEBHOOK_PARAMS"
        path = route.path({})
        params = {
            **WEBHOOK_PARAMS[route.key],
            "MessageSid": new_sid(),
            "AccountSid": "AC" + "0" * 32,
        }
        before = database_rows(app)
        for what, form, headers in forged_webhooks(path, params):
            response = twilio.post(path, data=form, headers=headers)
            cells += 1
            if response.status_code != 403:
                wrong[f"{route.key} {what}"] = response.status_code
        signed = {"X-Twilio-Signature": signature(INTERNAL_ORIGIN + path, params)}
        response = unconfigured.post(path, data=params, headers=signed)
        cells += 1
        if response.status_code != 403:
            wrong[f"{route.key} to an app without TWILIO_AUTH_TOKEN"] = response.status_code
        if changed := changed_tables(before, database_rows(app)):
            wrong[f"{route.key} stored"] = changed
        taken = twilio.post(path, data=params, headers=signed)
        assert taken.status_code in (200, 204), (route.key, taken.status_code)
    assert wrong == {}
    print(f"webhooks: {cells} cells")
    assert cells >= MINIMUM_CELLS["webhooks"]


# ---------- Mass assignment ----------

BODYLESS_WRITES = {
    "POST /api/v1/auth/logout",
    "POST /api/v1/patients/<int:patient_id>/calendar-link",
    "POST /api/v1/patients/<int:patient_id>/page-link",
    "POST /api/v1/symptom-reports/<int:report_id>/acknowledge",
    "POST /api/v1/prescreen/sessions/<token>/back",
    "DELETE /api/v1/closed-days/<int:closed_day_id>",
}


def json_writes(app: Flask, client: FlaskClient) -> list[tuple[Route, set[str]]]:
    """Each API write of the URL map with the fields its JSON body may carry; a write that the
    OpenAPI document gives no JSON body must be one reviewed as taking none."""
    document = client.get("/api/openapi.json").get_json()
    writes, unexplained = [], []
    for route in routes_of(app, "staff") + routes_of(app, "public"):
        if not route.is_api or route.method == "GET" or route.rule == "/api/openapi.json":
            continue
        operation = document["paths"][route.template][route.method.lower()]
        media = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
        if media is None:
            if route.key not in BODYLESS_WRITES:
                unexplained.append(route.key)
            continue
        schema = media["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
        writable = {
            name
            for name, field in schema.get("properties", {}).items()
            if not field.get("readOnly")
        }
        writes.append((route, writable))
    assert unexplained == [], "API writes without a JSON body that no one reviewed"
    return writes


def caller_for(route: Route, world: dict[str, Any]) -> dict[str, str] | None:
    """Headers of a caller the route admits (none for a public route)."""
    if route.policy.kind == "public":
        return None
    return world["here"][sorted(route.policy.roles)[0]]


def test_forged_fields_in_json_bodies_are_refused_with_400_naming_them(
    app: Flask, caller: Caller, world: dict[str, Any]
) -> None:
    """Every JSON write, its valid body plus one field its schema does not take: 400 whose
    errors name exactly that field, and nothing stored or changed."""
    before = database_rows(app)
    wrong, cells = {}, 0
    for route, writable in json_writes(app, caller.client):
        for field, forged in FORGED_FIELDS.items():
            if field in writable:
                continue
            body = {**(WRITE_BODIES[route.key] or {}), field: forged(world)}
            response = caller(route, world["records"], caller_for(route, world), body)
            cells += 1
            answer = response.get_json(silent=True) or {}
            if (
                response.status_code != 400
                or set((answer.get("errors") or {}).get("json") or {}) != {field}
                or field not in answer.get("message", "")
            ):
                wrong[f"{route.key} with {field}"] = (response.status_code, answer)
    assert wrong == {}
    assert changed_tables(before, database_rows(app)) == []
    print(f"forged fields: {cells} cells")
    assert cells >= MINIMUM_CELLS["forged_fields"]


def test_a_coordinator_or_investigator_cannot_make_themselves_or_anyone_admin(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    before = database_rows(app)
    staff_id = world["records"]["staff_id"]
    for role in ("coordinator", "investigator"):
        headers = world["here"][role]
        changed = client.patch(
            f"/api/v1/staff/{staff_id}", json={"role": "admin", "reason": "me"}, headers=headers
        )
        created = client.post(
            "/api/v1/staff",
            json={
                "email": "boss@example.org",
                "password": "a long enough password",
                "role": "admin",
            },
            headers=headers,
        )
        assert (changed.status_code, created.status_code) == (403, 403), role
    assert changed_tables(before, database_rows(app)) == []


def test_an_admin_creates_staff_only_at_the_admin_s_own_site(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = client.post(
        "/api/v1/staff",
        json={
            "email": "colleague@example.org",
            "password": "a long enough password",
            "role": "coordinator",
        },
        headers=world["there"]["admin"],
    )
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        created = db.session.scalar(
            select(StaffUser).where(StaffUser.email == "colleague@example.org")
        )
        assert created.site_id == world["there_site_id"]


def test_forged_fields_in_staff_forms_are_ignored_and_the_records_stay_at_the_caller_s_site(
    app: Flask, caller: Caller, world: dict[str, Any]
) -> None:
    """Forms read only their own fields: a patient enrolled and a closed day added by a
    colleague of the second site with the first site's id forged in belong to the second."""
    forged = {
        "site_id": str(world["here_site_id"]),
        "site": "SITE01",
        "role": "admin",
        "status": "withdrawn",
        "id": str(MISSING_ID),
        "patient_id": str(world["records"]["patient_id"]),
        "created_at": "2000-01-01T00:00:00Z",
    }
    headers = world["there"]["coordinator"]
    pages = {route.key: route for route in routes_of(app, "staff")}
    enrolled = caller(
        pages["POST /staff/patients/new"],
        {},
        headers,
        {**WRITE_BODIES["POST /staff/patients/new"], **forged},
    )
    closed = caller(
        pages["POST /staff/closed-days"],
        {},
        headers,
        {"day": "2031-03-03", "label": "Forged", **forged},
    )
    assert (enrolled.status_code, closed.status_code) == (303, 303)
    with app.app_context():
        patient = db.session.scalar(select(Patient).order_by(Patient.id.desc()).limit(1))
        day = db.session.scalar(select(ClosedDay).where(ClosedDay.label == "Forged"))
        assert patient.phone_e164 == "+8613900139001"
        assert (patient.site_id, day.site_id) == (world["there_site_id"],) * 2
        assert patient.id != MISSING_ID
