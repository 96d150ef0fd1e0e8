"""No phone numbers, email addresses or link tokens in logs.

The application logs record ids, never personal details; this filter is the second line: whatever
reaches the service's loggers has E.164-like numbers, email addresses and long tokens in paths
replaced before any handler writes it. Names and free text cannot be recognised by pattern, so
they must never be logged at all (a test walks the pre-screen and sign-in with canary values);
SQLAlchemy's DEBUG records of result rows, which hold them decrypted, are dropped. SQL statements
are logged without their parameters (`hide_parameters`, set in the app factory).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

PHONE_NUMBER = re.compile(r"(?<![\w+])\+\d[\d ().-]{5,20}\d(?!\w)|(?<![\w.+-])\d{8,15}(?![\w.-])")
# Tried only where a run of the characters before "@" starts: from every position inside a long
# run, the search would read the rest of the run again (a path of 20,000 digits took seconds).
EMAIL_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Link tokens (secrets.token_urlsafe(32) gives 43 characters) and digests, after "/" or "=".
TOKEN = re.compile(r"(?<=[/=])[A-Za-z0-9_-]{32,}")
SQLALCHEMY_ROW = "Row %r"

# Loggers whose records are redacted even before they reach a handler; "companion" is the app's.
SERVICE_LOGGERS = (
    "companion",
    "werkzeug",
    "gunicorn.error",
    "gunicorn.access",
    "sqlalchemy.engine.Engine",
    "alembic",
    "flask-limiter",
)


def redact(text: str) -> str:
    """`text` with phone numbers, email addresses and path tokens replaced by placeholders."""
    text = EMAIL_ADDRESS.sub("[email]", text)
    text = TOKEN.sub("<token>", text)
    return PHONE_NUMBER.sub("[phone]", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback) with `redact`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class NoResultRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records of result rows: they are decrypted personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != SQLALCHEMY_ROW


def install_log_redaction(app: Flask) -> None:
    """Put the filter on the service's loggers, their handlers and the root logger's handlers.

    A logger's filter sees only records logged to that very logger, and a handler's filter every
    record it writes, so both are needed for `companion.*` records to be redacted wherever they
    end up. Safe to call for every app of the process.
    """
    app.logger  # noqa: B018  (creates Flask's default handler when none is configured)
    loggers = [logging.getLogger(name) for name in (app.logger.name, *SERVICE_LOGGERS)]
    loggers += [
        logger
        for name, logger in list(logging.Logger.manager.loggerDict.items())
        if name.startswith(f"{app.logger.name}.") and isinstance(logger, logging.Logger)
    ]
    targets: list[logging.Filterer] = [*loggers, *logging.getLogger().handlers]
    targets += [handler for logger in loggers for handler in logger.handlers]
    _add_once(logging.getLogger("sqlalchemy.engine.Engine"), NoResultRows)  # before redaction
    for target in targets:
        _add_once(target, RedactingFilter)


def _add_once(target: logging.Filterer, kind: type[logging.Filter]) -> None:
    if not any(isinstance(existing, kind) for existing in target.filters):
        target.addFilter(kind())
