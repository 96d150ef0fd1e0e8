"""One JSON error shape for every 4xx and 5xx of the API.

flask-smorest's shape, `{"code", "status", "message", "errors"}`, with a `message` a person can
act on: it names the offending field and what is allowed. A database that is out of reach for a
while (restarting, unreachable, locked) answers 503 with Retry-After, not 500: nothing of the
request was stored (its transaction was rolled back), and the same request can simply be sent
again.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    ServiceUnavailable,
)

from companion.db import RETRY_AFTER_SECONDS, database_unavailable, describe_failure

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (
    "The service cannot reach its database just now (it may be restarting or busy), so this "
    "request was not completed. Please try again in a few seconds."
)


class DomainError(Exception):
    """A request the domain refuses; services raise these, never HTTP errors."""

    http_status = 400

    def __init__(self, message: str, problems: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


class InvalidInput(DomainError):
    http_status = 400


class Unauthorized(DomainError):
    http_status = 401


class Forbidden(DomainError):
    http_status = 403


class NotFound(DomainError):
    http_status = 404


class Conflict(DomainError):
    http_status = 409


class TooManyAttempts(DomainError):
    """Refused for now, not for good: the same request may be sent again after a wait."""

    http_status = 429

    def __init__(
        self, message: str, retry_after_seconds: int, problems: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, problems)
        self.retry_after_seconds = retry_after_seconds


def describe_validation_errors(errors: Any, path: str = "") -> list[str]:
    """Flatten marshmallow's nested error dict into "field.path: problem" sentences."""
    if isinstance(errors, dict):
        sentences: list[str] = []
        for key, value in errors.items():
            if key in ("json", "query", "form", "path", "headers", "files") and not path:
                sentences += describe_validation_errors(value, path)
            else:
                sentences += describe_validation_errors(
                    value, f"{path}.{key}" if path else str(key)
                )
        return sentences
    if isinstance(errors, list | tuple):
        if all(isinstance(item, str) for item in errors):
            return [f"{path}: {' '.join(errors)}" if path else " ".join(errors)]
        sentences = []
        for item in errors:
            sentences += describe_validation_errors(item, path)
        return sentences
    return [f"{path}: {errors}" if path else str(errors)]


def error_body(error: HTTPException) -> dict[str, Any]:
    code = error.code or 500
    body: dict[str, Any] = {"code": code, "status": error.name}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        body["errors"] = _string_keys(messages)
        body["message"] = data.get("message_override") or (
            "Invalid input. " + "; ".join(describe_validation_errors(messages))
        )
    else:
        message = data.get("message") or (error.description if code < 500 else None)
        body["message"] = message or "Something went wrong on our side. Please try again later."
    return body


def _string_keys(errors: Any) -> Any:
    """Marshmallow numbers the items of a list it found wrong; JSON object keys are strings."""
    if isinstance(errors, dict):
        return {str(key): _string_keys(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [_string_keys(item) for item in errors]
    return errors


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path.startswith("/healthz")
        or (request.accept_mimetypes.best == "application/json")
    )


def register_error_handlers(app: Flask, render_page_error: Any) -> None:
    """JSON for the API, a friendly page for people; never a stack trace."""

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Any:
        response = jsonify(error_body(error)) if wants_json() else render_page_error(error)
        response.status_code = error.code or 500
        for name, value in ((getattr(error, "data", None) or {}).get("headers") or {}).items():
            response.headers[name] = value
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # RFC 9110 §15.5.6: a 405 lists the methods the resource does take.
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if response.status_code == 503:
            response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
        return response

    def handle_database_unavailable(error: Exception) -> Any:
        logger.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.url_rule,
            describe_failure(error),
        )
        unavailable = ServiceUnavailable(description=DATABASE_UNAVAILABLE)
        unavailable.data = {"message": DATABASE_UNAVAILABLE}  # type: ignore[attr-defined]
        return handle_http_error(unavailable)

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> Any:
        http_error = HTTPException(description=error.message)
        http_error.code = error.http_status
        http_error.data = {"message": error.message}  # type: ignore[attr-defined]
        if error.http_status == 401:
            http_error.data["headers"] = {"WWW-Authenticate": "Bearer"}  # type: ignore[attr-defined]
        if isinstance(error, TooManyAttempts):
            http_error.data["headers"] = {"Retry-After": str(error.retry_after_seconds)}  # type: ignore[attr-defined]
        if error.problems:
            http_error.data["messages"] = error.problems  # type: ignore[attr-defined]
            http_error.data["message_override"] = error.message  # type: ignore[attr-defined]
        return handle_http_error(http_error)

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception) -> Any:
        if database_unavailable(error):
            return handle_database_unavailable(error)
        logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        return handle_http_error(InternalServerError())
