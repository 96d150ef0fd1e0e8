"""The flask-smorest API object and the Blueprint class every API slice uses.

Validation failures answer 400 (not webargs' default 422), and JSON bodies reject unknown keys;
a JSON body is the one `companion.request_text` read once, within limits, before the route.
The document states who may call each operation, read from the routes' declared access policies
(companion/openapi_security.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, jsonify, send_from_directory
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from swagger_ui_bundle import swagger_ui_path
from webargs.flaskparser import FlaskParser

from companion.access.policy import public
from companion.openapi_security import (
    BEARER_SCHEME,
    BEARER_SECURITY_SCHEME,
    AccessPolicyPlugin,
)
from companion.request_text import NOT_READ, parsed_json_body

SWAGGER_ASSETS = "/api/docs/assets/"


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Request) -> Any:
        """The body as `companion.request_text` read it at the door, not parsed a second time;
        one that is not JSON is parsed here again, so webargs answers it in its usual words."""
        body = parsed_json_body()
        return super()._raw_load_json(req) if body is NOT_READ else body


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = _Parser()


def json_response(body: dict[str, Any] | list[Any], status: int = 200) -> Response:
    """A body built in its documented shape, sent as is.

    `@blp.response` still documents the schema; skipping its second pass through marshmallow
    saves a third of the evaluate endpoint's time (see docs/performance.md).
    """
    response = jsonify(body)
    response.status_code = status
    return response


def init_api(app: Flask) -> Api:
    """A fresh Api per application, so that tests may build many apps in one process."""
    app.config.update(
        API_TITLE="Trial companion",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_ASSETS,
        API_SPEC_OPTIONS={
            "info": {
                "description": "Pre-screening, calendars, messages and symptom reports for "
                "trial NCT07586904. Errors share one shape: "
                "`{code, status, message, errors}`."
            }
        },
    )
    api = Api(app, spec_kwargs={"extra_plugins": [AccessPolicyPlugin(app)]})
    api.spec.components.security_scheme(BEARER_SCHEME, BEARER_SECURITY_SCHEME)

    @app.get(SWAGGER_ASSETS + "<path:filename>")
    @public
    def swagger_ui_asset(filename: str):  # served locally: the docs work offline
        return send_from_directory(swagger_ui_path, filename)

    return api
