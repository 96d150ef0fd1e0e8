"""A PostgreSQL schema of one's own: the suite, its helpers and the benchmarks each work in a
fresh schema of the database they are given, dropped after, so runs never collide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def schema_of_its_own(url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """(SQLAlchemy URL with the psycopg driver, schema name) of an empty schema in the database
    `url` names, dropped with everything in it when the block ends."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
