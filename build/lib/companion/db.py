"""The one place that owns database engines and sessions.

SQLite is the embedded default and gets the settings that make it safe for a small production
site: WAL, a busy timeout, foreign keys, `synchronous=FULL`, `secure_delete=ON`, and
`BEGIN IMMEDIATE` for every transaction that may write (a deferred transaction that reads and
then writes fails at once with "database is locked" when another writer is active, whatever the
busy timeout). PostgreSQL is used through `DATABASE_URL`.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

SQLITE_BUSY_TIMEOUT_MS = 5000
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


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

_engines_to_reset_after_fork: weakref.WeakSet[Engine] = weakref.WeakSet()


def configure_engine(engine: Engine) -> None:
    """Attach the per-connection settings for the engine's dialect; reset pools after fork."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    _engines_to_reset_after_fork.add(engine)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event instead of pysqlite's own BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
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


def _reset_pools_in_child() -> None:
    # Connections inherited across fork() must never be used by the child (gunicorn --preload).
    for engine in list(_engines_to_reset_after_fork):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_reset_pools_in_child)
