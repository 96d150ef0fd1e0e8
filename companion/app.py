"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, make_response, render_template
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from companion import cli, models, pages  # noqa: F401  (models: every table registered)
from companion.access import api as access_api
from companion.access import passwords
from companion.access.policy import enforce_access_policy, public
from companion.audit import api as audit_api
from companion.audit.recorder import init_audit
from companion.chat import api as chat_api
from companion.chat import pages as chat_pages
from companion.config import load_config
from companion.db import configure_engine, db
from companion.enrolment import api as enrolment_api
from companion.enrolment import pages as patient_pages
from companion.errors import register_error_handlers
from companion.i18n import init_i18n
from companion.json_provider import OrjsonProvider
from companion.leads import api as leads_api
from companion.messaging import webhooks as twilio_webhooks
from companion.openapi import init_api
from companion.prescreen import api as prescreen_api
from companion.prescreen import pages as prescreen_pages
from companion.privacy.access_log import register_access_log_path
from companion.privacy.encryption import init_encryption
from companion.privacy.redaction import install_log_redaction
from companion.rate_limits import init_rate_limits
from companion.record_ids import bound_record_ids
from companion.request_text import read_json_body, reads_its_own_fields, refuse_unstorable_fields
from companion.security_headers import register_security_headers
from companion.sites import api as sites_api
from companion.staff import pages as staff_pages
from companion.symptoms import api as symptoms_api

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

API_BLUEPRINTS = (
    access_api.blp,
    prescreen_api.blp,
    leads_api.blp,
    audit_api.blp,
    enrolment_api.blp,
    sites_api.blp,
    symptoms_api.blp,
    chat_api.blp,
)

migrate = Migrate()
csrf = CSRFProtect()


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the service: configuration, database, languages, API, pages and commands."""
    app = Flask(__name__, instance_relative_config=True)
    bound_record_ids(app)
    app.json = OrjsonProvider(app)
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if overrides:
        app.config.update(overrides)
    logging.getLogger("companion").setLevel(logging.INFO)
    install_log_redaction(app)
    # SQL logs and database errors never carry the values (names, answers) bound to a statement.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    init_encryption(app)

    passwords.configure(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_KIB"))
    db.init_app(app)
    init_audit(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    init_i18n(app)
    csrf.init_app(app)

    api = init_api(app)
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # JSON API: bearer tokens, not cookies, so no cross-site forgery
    init_rate_limits(app)  # before the access check: refused requests cost no password check
    app.before_request(enforce_access_policy)
    app.before_request(read_json_body)  # after the access check: strangers learn nothing
    app.before_request(refuse_unstorable_fields)
    app.register_blueprint(pages.bp)
    app.register_blueprint(prescreen_pages.bp)
    app.register_blueprint(chat_pages.bp)
    app.register_blueprint(staff_pages.bp)
    app.register_blueprint(patient_pages.bp)
    app.register_blueprint(twilio_webhooks.bp)
    csrf.exempt(twilio_webhooks.bp)  # Twilio signs its requests; no cookies, so no forgery
    reads_its_own_fields(app, twilio_webhooks.bp)  # each field checked after the signature
    register_error_handlers(app, render_page_error=_render_page_error)
    register_security_headers(app)
    register_access_log_path(app)
    cli.register(app)

    @app.get("/healthz")
    @public
    def healthz() -> tuple[dict[str, str], int]:
        """200 when the database answers; 503 otherwise."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as error:  # any driver error means "not healthy"
            raise ServiceUnavailable("The database does not answer.") from error
        return {"status": "ok"}, 200

    return app


def _render_page_error(error: HTTPException) -> Any:
    return make_response(render_template("error.html", error=error))
