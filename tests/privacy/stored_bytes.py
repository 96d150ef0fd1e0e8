"""The bytes a database keeps on disk, to search them for personal data after a purge.

SQLite: the database file and its write-ahead log, after a checkpoint has moved every committed
page into the file (`secure_delete=ON` zeroes deleted content as it goes). PostgreSQL: the files
of the named tables, their TOAST tables and indexes, after a CHECKPOINT has written them out;
the server must be on this machine (the test suite's is). A DELETE leaves dead tuples in those
files until VACUUM; `VACUUM FULL` writes each table anew, so its files then hold live rows only.
The server's own write-ahead log (pg_wal) and any backup keep what was written until they are
recycled: that is outside what a purge can reach, and documented.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from companion.db import db


def sqlite_bytes(app: Flask) -> bytes:
    """The SQLite file and its -wal, after closing the app's connections and a checkpoint."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        path = Path(db.engine.url.database)
    with sqlite3.connect(path) as connection:
        busy, _frames, _moved = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "the checkpoint could not finish: a connection is still open"
    connection.close()
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def postgres_bytes(app: Flask, tables: Iterable[str]) -> bytes:
    """The on-disk files of `tables` (with their TOAST tables and indexes), after a CHECKPOINT."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("CHECKPOINT"))
        data_directory = Path(connection.execute(text("SHOW data_directory")).scalar_one())
        files = connection.execute(
            text(
                "SELECT pg_relation_filepath(relation) FROM ("
                " SELECT c.oid AS relation FROM pg_class c WHERE c.oid = ANY(:tables)"
                " UNION SELECT c.reltoastrelid FROM pg_class c"
                "  WHERE c.oid = ANY(:tables) AND c.reltoastrelid <> 0"
                " UNION SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = ANY(:tables)"
                ") AS relations"
            ),
            {"tables": _oids(connection, tables)},
        ).scalars()
        found = b""
        for name in files:
            segment, number = data_directory / name, 0
            while segment.exists():  # a relation is split into 1 GB segments: N, N.1, N.2, ...
                found += segment.read_bytes()
                number += 1
                segment = data_directory / f"{name}.{number}"
        return found


def vacuum_full(app: Flask, tables: Iterable[str]) -> None:
    """Write each table anew (outside a transaction, as VACUUM must run)."""
    with app.app_context():
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for table in tables:
                connection.execute(text(f'VACUUM FULL "{table}"'))


def _oids(connection, tables: Iterable[str]) -> list[int]:
    return [
        connection.execute(text("SELECT CAST(:name AS regclass)::oid"), {"name": t}).scalar_one()
        for t in tables
    ]
