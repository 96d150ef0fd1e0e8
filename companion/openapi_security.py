"""Who may call each operation, stated in the OpenAPI document from the routes' declared policies.

The access policy a view declares (`@public`, `@staff(...)`) is the one source of truth: the
document reads it here, as each operation is added, so a new route is documented the way it is
enforced without anyone keeping a list. Clients and the fuzzer (schemathesis's `ignored_auth`
check) then know which operations need `Authorization: Bearer <token>`.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask import Flask
from werkzeug.routing import Rule

from companion.access.models import ROLES
from companion.access.policy import Policy, policy_for

BEARER_SCHEME = "bearerAuth"
BEARER_SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A staff access token from `POST /api/v1/auth/token`, sent as "
    "`Authorization: Bearer <token>`. Without a valid one a staff operation answers 401.",
}
HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options", "trace"})


def documented_access(policy: Policy | None, *, names_a_record: bool) -> dict[str, Any]:
    """The `security` requirement and the refusals (status → flask-smorest response name) an
    operation documents, given its declared policy and whether its path names a record.

    Staff operations need the bearer token (401 without a valid one) and answer 403 to a role
    the route does not admit; a record that is missing, or of another site, answers 404.
    """
    refusals: dict[str, str] = {}
    security: list[dict[str, list[str]]] = []
    if policy is not None and policy.kind == "staff":
        security = [{BEARER_SCHEME: []}]
        refusals["401"] = "UNAUTHORIZED"
        if policy.roles != frozenset(ROLES):
            refusals["403"] = "FORBIDDEN"
    if names_a_record:
        refusals["404"] = "NOT_FOUND"
    return {"security": security, "responses": refusals}


class AccessPolicyPlugin(BasePlugin):
    """An apispec plugin: flask-smorest hands it each operation with its URL rule, and it adds
    what the rule's view declares. One per application, since policies are read from its views."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        rule: Rule | None = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            access = documented_access(
                policy_for(self.app, rule.endpoint, method.upper()),
                names_a_record=bool(rule.arguments),
            )
            operation["security"] = access["security"]
            responses = operation.setdefault("responses", {})
            for status, name in access["responses"].items():
                responses.setdefault(status, name)
