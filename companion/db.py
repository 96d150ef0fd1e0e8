"""The one place that owns database engines and sessions.

SQLite is the embedded default and gets the settings that make it safe for a small production
site: WAL, a busy timeout, foreign keys, `synchronous=FULL`, `secure_delete=ON`, and
`BEGIN IMMEDIATE` for every transaction that may write (a deferred transaction that reads and
then writes fails at once with "database is locked" when another writer is active, whatever the
busy timeout). PostgreSQL is used through `DATABASE_URL`.

A database that is out of reach for a while (restarting, unreachable, a connection dropped
mid-transaction, SQLite still locked after the busy timeout) is no bug: `database_unavailable`
tells such failures apart, so that the error handlers answer 503 with Retry-After instead of 500.
Every pool pings a connection before handing it out, and SQLAlchemy invalidates the whole pool
when a statement finds its connection gone, so the app recovers by itself once the database is
back.
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from functools import partial
from typing import Any

from flask import current_app, has_app_context, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

SQLITE_BUSY_TIMEOUT_MS = 5000  # the app setting of the same name overrides it (tests shorten it)
# What a 503 for an unavailable database asks clients to wait (a restart takes a few seconds).
RETRY_AFTER_SECONDS = 5
# SQLite result codes (with their extended forms) that mean "another connection holds the lock".
SQLITE_LOCK_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(
    model_class=Base,
    session_options={"expire_on_commit": False},
    # A connection the server closed while it sat in the pool (restart, idle kill) is replaced
    # at checkout instead of failing the next request; the app's options may override it.
    engine_options={"pool_pre_ping": True},
)

_engines_to_reset_after_fork: weakref.WeakSet[Engine] = weakref.WeakSet()


def configure_engine(engine: Engine) -> None:
    """Attach the per-connection settings for the engine's dialect; reset pools after fork."""
    if engine.dialect.name == "sqlite":
        busy_timeout_ms = (
            current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS)
            if has_app_context()
            else SQLITE_BUSY_TIMEOUT_MS
        )
        event.listen(
            engine,
            "connect",
            partial(_configure_sqlite_connection, busy_timeout_ms=busy_timeout_ms),
        )
        event.listen(engine, "begin", _begin_sqlite_transaction)
    _engines_to_reset_after_fork.add(engine)


def _configure_sqlite_connection(
    dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event instead of pysqlite's own BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        f"busy_timeout = {int(busy_timeout_ms)}",
        "journal_mode = WAL",
        "foreign_keys = ON",
        "synchronous = FULL",
        "secure_delete = ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    """Requests that only read use a deferred transaction; everything else may write."""
    return not (has_request_context() and request.method in READ_ONLY_METHODS)


def database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database is out of reach for now, so a retry later may work.

    That is: the pool could not hand out a connection in time; the connection was lost (SQLAlchemy
    then invalidates the pool); a server database refused or dropped the connection, is shutting
    down or starting up, or cancelled the statement (every PostgreSQL OperationalError: classes
    08, 53, 57, 40 and the like); SQLite still locked after the busy timeout. SQLite reports
    programming errors ("no such table") as OperationalError too: those stay bugs, a 500.
    """
    if isinstance(error, exc.TimeoutError):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        return (getattr(error.orig, "sqlite_errorname", "") or "").startswith(SQLITE_LOCK_CODES)
    return isinstance(error, exc.OperationalError)


def describe_failure(error: BaseException) -> str:
    """The kind of a database failure for the log: driver class and code, never its message.

    Messages can quote the statement's values (a name in a constraint's detail, for instance).
    """
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
    kind = f"{type(original).__module__}.{type(original).__name__}"
    if code:
        kind += f" ({code})"
    if getattr(error, "connection_invalidated", False):
        kind += ", connection lost"
    return kind


def _reset_pools_in_child() -> None:
    # Connections inherited across fork() must never be used by the child (gunicorn --preload).
    for engine in list(_engines_to_reset_after_fork):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_reset_pools_in_child)
