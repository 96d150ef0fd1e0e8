"""What the chaos tests share: a database of their own, the worker's environment, the ways to
start workers, and Twilio's inbound webhook served over real HTTP."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from companion.app import create_app
from companion.db import db
from companion.messaging.models import OutboundMessage
from tests.chaos.workers import REPO, ForkedWorkers
from tests.conftest import database_of_its_own
from tests.signed_webhooks import AUTH_TOKEN as WEBHOOK_AUTH_TOKEN
from tests.twilio_standin import ACCOUNT_SID, AUTH_TOKEN

LEASE_SECONDS = 5  # the least the configuration allows: crashed claims come back quickly


@pytest.fixture
def outbox_database(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """(app, DATABASE_URL for a subprocess) of a migrated database of its own."""
    with database_of_its_own(tmp_path / "chaos.sqlite3", "chaos") as (url, options):
        app = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
        )
        with app.app_context():
            upgrade(directory=str(REPO / "migrations"))
        search_path = options.get("connect_args", {}).get("options")
        yield app, url + (f"?options={quote(search_path)}" if search_path else "")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def forked_workers() -> ForkedWorkers:
    """Workers forked from a server with the heavy imports done (see tests/chaos/workers.py)."""
    return ForkedWorkers()


def worker_environment(database_url: str, standin_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE": standin_url,
        "SMS_MESSAGES_PER_SECOND": "1000",
        "SMS_SEND_TIMEOUT_SECONDS": "1",
        "SMS_LEASE_SECONDS": str(LEASE_SECONDS),
        "SMS_RATE_STORAGE_URI": "memory://",
        **extra,
    }


def count_messages(app: Flask, *statuses: str) -> int:
    """How many outbox rows have one of `statuses` (the workers are other processes)."""
    with app.app_context():
        found = db.session.scalar(select(func.count()).where(OutboundMessage.status.in_(statuses)))
        db.session.remove()
    return found or 0


def all_rows(app: Flask) -> list[OutboundMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        db.session.remove()
    return list(rows)


def poll_until(done, timeout: float, every: float = 0.2) -> bool:
    """Call `done()` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(every)
    return bool(done())


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the lines would carry phone numbers
        pass


@pytest.fixture
def inbound_webhook(outbox_database: tuple[Flask, str]) -> Iterator[str]:
    """The base URL of the service itself (a second app on the chaos database, knowing the
    Twilio auth token), served over HTTP on 127.0.0.1 in a thread, as production serves
    Twilio's webhooks: signature check, storage of the text and its effect in one transaction."""
    app, _ = outbox_database
    service = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "TWILIO_AUTH_TOKEN": WEBHOOK_AUTH_TOKEN,
        }
    )
    server = make_server("127.0.0.1", 0, service, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="inbound-webhook", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with service.app_context():
            db.session.remove()
            db.engine.dispose()
