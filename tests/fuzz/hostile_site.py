"""The site the hostile-values phase sends its requests to, seeded afresh when needed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.access.policy import Policy
from companion.chat.models import ChatTask, Conversation
from companion.db import db
from companion.messaging import inbound
from companion.messaging.models import InboundMessage
from companion.timestamps import utcnow
from tests.api.test_route_matrix import ARGUMENT, token_of
from tests.conftest import STAFF_PASSWORD, csrf_token_from
from tests.fuzz.conftest import FuzzWorld
from tests.signed_webhooks import new_sid


@dataclass
class HostileWorld:
    """FuzzWorld's site (staff, a lead, a patient with visits, a closed day, a report, a chat),
    with what pages need besides: a patient's page and feed links, a web chat, a chat task, a
    text from the patient, and a coordinator signed in to the staff pages."""

    app: Flask
    fuzz: FuzzWorld
    staff_pages: FlaskClient
    anonymous: FlaskClient
    records: dict[str, Any] = field(default_factory=dict)
    csrf: str = ""
    anonymous_csrf: str = ""
    seeds: int = 0
    seeding_seconds: float = 0.0

    @classmethod
    def build(cls, app: Flask) -> HostileWorld:
        return cls(
            app=app,
            fuzz=FuzzWorld(app=app, client=app.test_client()),
            staff_pages=app.test_client(),
            anonymous=app.test_client(),
        )

    def seed(self, *, pages: bool) -> None:
        """FuzzWorld's site afresh; with `pages`, what the pages need besides."""
        started = time.monotonic()
        self.fuzz.seed()
        self.records = {**self.fuzz.records}
        if pages:
            self._seed_for_pages()
        self.seeds += 1
        self.seeding_seconds += time.monotonic() - started

    def _seed_for_pages(self) -> None:
        client, coordinator = self.fuzz.client, self.fuzz.tokens["coordinator"]
        patient_id = self.fuzz.records["patient_id"]
        links = {
            purpose: client.post(
                f"/api/v1/patients/{patient_id}/{purpose}-link", headers=coordinator
            )
            for purpose in ("page", "calendar")
        }
        assert all(link.status_code in (200, 201) for link in links.values())
        self.anonymous = self.app.test_client()
        self.anonymous_csrf = csrf_token_from(self.anonymous.get("/chat").data)
        started = self.anonymous.post(
            "/chat", data={"csrf_token": self.anonymous_csrf, "text": "hello"}
        )
        chat = {"conversation_id": None, "language": "en"}
        for text in ("hello", "banana", "pear", "call me", "13800138000"):  # leaves a task
            chat["conversation_id"] = client.post(
                "/api/v1/chat", json={**chat, "text": text}
            ).get_json()["conversation_id"]
        with self.app.app_context():
            inbound.receive_text(
                db.session,
                inbound.InboundText(new_sid(), "+8613800138000", "Can I come on Tuesday?"),
                utcnow(),
            )
            db.session.commit()
            extra = {
                "conversation_id": db.session.scalar(select(func.max(Conversation.id))),
                "task_id": db.session.scalar(select(func.max(ChatTask.id))),
                "message_id": db.session.scalar(select(func.max(InboundMessage.id))),
            }
        self.records = {
            **self.fuzz.records,
            **extra,
            "purpose": "page",
            "page_token": token_of(links["page"].get_json()["url"]),
            "feed_token": token_of(links["calendar"].get_json()["url"]),
            "chat_token": token_of(started.headers["Location"]),
        }
        self.staff_pages = self.app.test_client()
        self.csrf = csrf_token_from(self.staff_pages.get("/staff/login").data)
        signed_in = self.staff_pages.post(
            "/staff/login",
            data={
                "csrf_token": self.csrf,
                "email": "coordinator@site01.example.org",
                "password": STAFF_PASSWORD,
            },
        )
        assert signed_in.status_code == 303, signed_in.status_code
        self.csrf = csrf_token_from(self.staff_pages.get("/staff/closed-days").data)

    def needs_fresh_site(self, rule: str, policy: Policy) -> bool:
        """Whether a route may miss what accepted writes changed: it names a record in its path,
        or it is a staff page and the coordinator was signed out."""
        if ARGUMENT.search(rule):
            return True
        return (
            policy.kind == "staff" and self.staff_pages.get("/staff/closed-days").status_code != 200
        )

    def value_of(self, rule: str, name: str, policy: Policy) -> str:
        """A real value for the argument `name` of `rule`."""
        if name != "token":
            return str(self.records[name])
        if policy.kind == "patient_link":
            return self.records["feed_token" if policy.purpose == "feed" else "page_token"]
        if rule.startswith("/chat"):
            return self.records["chat_token"]
        return self.records["token"]
