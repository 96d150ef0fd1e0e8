"""The pages, from the URL map, and where each takes a value: its path arguments, the query names
its links and forms use or its view reads, and its form's fields."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from companion.access.policy import Policy, policy_for
from companion.request_text import OWN_READERS
from tests.api.test_route_matrix import ARGUMENT, WRITE_BODIES
from tests.fuzz.hostile_site import HostileWorld
from tests.fuzz.hostile_values import TEXT_VALUES, Case, form_with


class _FormsAndLinks(HTMLParser):
    """The forms (action, method, fields with what they hold) and links of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self.links: list[str] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = {}
            self.forms.append(
                (attributes.get("action", ""), attributes.get("method", "get").upper(), self._form)
            )
        elif self._form is not None and tag in ("input", "textarea", "select", "button"):
            name = attributes.get("name")
            if not name or name == "csrf_token":
                return
            kind = attributes.get("type", "text")
            if tag == "select":
                self._select = name
                self._form.setdefault(name, "")
            elif kind not in ("radio", "checkbox") or "checked" in attributes:
                self._form[name] = attributes.get("value", "")
            else:
                self._form.setdefault(name, attributes.get("value", ""))
        elif (
            tag == "option"
            and self._form is not None
            and self._select
            and (not self._form.get(self._select) or "selected" in attributes)
        ):
            self._form[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class PageInputs:
    """What each page route was seen to take: query names (GET) and form fields (POST)."""

    query: dict[str, set[str]] = field(default_factory=dict)  # "GET /rule" -> names
    forms: dict[str, dict[str, str]] = field(default_factory=dict)  # "POST /rule" -> defaults


def page_routes(app: Flask) -> list[tuple[str, str, Policy]]:
    """(method, rule, policy) of every page route: not the API, static files or a route that
    reads its own fields (Twilio's signed webhooks)."""
    own = app.extensions.get(OWN_READERS, set())
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static/")) or rule.endpoint.split(".")[0] in own:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule, policy_for(app, rule.endpoint, method)))
    return sorted(routes, key=lambda route: (route[1], route[0]))


def client_for(world: HostileWorld, policy: Policy) -> tuple[FlaskClient, str]:
    if policy.kind == "staff":
        return world.staff_pages, world.csrf
    return world.anonymous, world.anonymous_csrf


def concrete_path(world: HostileWorld, rule: str, policy: Policy, overrides: dict[str, str]) -> str:
    return ARGUMENT.sub(
        lambda match: overrides.get(match.group(1)) or world.value_of(rule, match.group(1), policy),
        rule,
    )


_READS = re.compile(r"""request\.(args|form)(?:\.get\(|\[)\s*["'](\w+)["']""")


def names_read_by(app: Flask, endpoint: str, where: str) -> set[str]:
    """The query names (`where="args"`) or form fields (`"form"`) a view reads itself, from its
    source (`request.args.get("from")`): those no page of the seeded site shows (`?lead=` once
    a lead is booked, `?before=` past a page of events) are tried too."""
    source = inspect.getsource(app.view_functions[endpoint])
    return {name for found, name in _READS.findall(source) if found == where}


def read_page_inputs(app: Flask, world: HostileWorld) -> PageInputs:
    """Open every GET page of the seeded site and note each form and link: which route it
    reaches, with which query names or form fields; and the query names each view reads."""
    inputs = PageInputs()
    adapter = app.url_map.bind("localhost")
    for method, rule, policy in page_routes(app):
        endpoint = adapter.match(concrete_path(world, rule, policy, {}), method=method)[0]
        if method == "GET":
            inputs.query.setdefault(f"GET {rule}", set()).update(
                names_read_by(app, endpoint, "args")
            )
        else:
            fields = inputs.forms.setdefault(f"{method} {rule}", {})
            fields |= dict.fromkeys(names_read_by(app, endpoint, "form"), "")
    for method, rule, policy in page_routes(app):
        if method != "GET" or rule.endswith(".ics"):
            continue
        client, _ = client_for(world, policy)
        response = client.get(concrete_path(world, rule, policy, {}))
        if response.mimetype != "text/html":
            continue
        page = _FormsAndLinks()
        page.feed(response.get_data(as_text=True))
        here = concrete_path(world, rule, policy, {})
        for action, form_method, fields in page.forms:
            target = urlsplit(action or here).path
            found = _rule_of(adapter, target, form_method)
            if found is None:
                continue
            if form_method == "GET":
                inputs.query.setdefault(f"GET {found}", set()).update(fields)
            else:
                inputs.forms.setdefault(f"{form_method} {found}", {}).update(fields)
        for link in page.links:
            parts = urlsplit(link)
            if parts.netloc or not parts.query:
                continue
            found = _rule_of(adapter, parts.path or here, "GET")
            if found is not None:
                names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
                inputs.query.setdefault(f"GET {found}", set()).update(names)
    return inputs


def _rule_of(adapter: Any, path: str, method: str) -> str | None:
    try:
        rule, _ = adapter.match(path, method=method, return_rule=True)
    except HTTPException:
        return None
    return rule.rule


def page_cases(
    world: HostileWorld, inputs: PageInputs, method: str, rule: str, policy: Policy
) -> Iterator[Case]:
    """Every hostile value in every place of one page route: its path arguments, the query
    names pages link to it with (GET), or its form's fields (POST, with the CSRF token)."""
    key = f"{method} {rule}"
    _, csrf = client_for(world, policy)
    arguments = [name for name in ARGUMENT.findall(rule) if name not in ("filename",)]
    if method == "GET":
        fields = sorted(inputs.query.get(key, set()) | {"lang"})
        base: dict[str, str] = {}
    else:
        base = {**inputs.forms.get(key, {}), **(WRITE_BODIES.get(key) or {})}
        fields = sorted(base) or ["unexpected"]
    path = concrete_path(world, rule, policy, {})
    for label, encoded in TEXT_VALUES.items():
        common = {"route": key, "method": method, "value": label}
        for name in arguments:
            yield Case(
                **common,
                path=concrete_path(world, rule, policy, {name: encoded}),
                field=name,
                form=None if method == "GET" else form_with(base, csrf),
            )
        for name in fields:
            if method == "GET":
                yield Case(**common, path=path, field=name, query=f"{quote(name)}={encoded}")
            else:
                yield Case(
                    **common, path=path, field=name, form=form_with(base, csrf, name, encoded)
                )
