"""Database fault tests: each module belongs to the database whose faults it injects.

The suite runs once on SQLite and once on PostgreSQL (TEST_DATABASE_URL). SQLite's faults (a
writer killed mid-commit, a lock held past the busy timeout) are collected in the SQLite run;
PostgreSQL's (a backend terminated mid-transaction, the server stopped or restarted under load, on
a private throwaway cluster) in the PostgreSQL run. The other module is not collected at all, so
nothing is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.faults.private_postgres import PrivateCluster, private_cluster

collect_ignore = (
    ["test_sqlite_faults.py"]
    if os.environ.get("TEST_DATABASE_URL")
    else ["test_postgres_faults.py"]
)


@pytest.fixture(scope="session")
def cluster() -> Iterator[PrivateCluster]:
    """A PostgreSQL cluster of this run's own, to stop, restart and kill (never the shared one)."""
    with private_cluster() as running:
        yield running
