"""Migration 0010 on a database of its own: staff accounts stored by revision 0009, with the old
lock columns, come through; the lock gives way to sign-in throttles, and back on downgrade."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from companion.db import db
from tests.api.test_encryption import CLEAR_ROWS, MIGRATIONS, app_on, run_script
from tests.conftest import database_of_its_own

LOCKED_AT_0009 = """
UPDATE staff_users SET failed_logins = 4, locked_until = '2026-01-02 00:00:00' WHERE id = 1;
"""


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[tuple[str, dict]]:
    """(URL, engine options) of a database with no tables, on the engine the suite runs on."""
    with database_of_its_own(tmp_path / "migrate.sqlite3", "test_migrate") as found:
        yield found


def columns_of(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.session.connection()).get_columns(table)}


def test_migration_0010_keeps_staff_accounts_and_trades_the_lock_for_throttles(
    empty_database: tuple[str, dict],
) -> None:
    migrating = app_on(empty_database)
    with migrating.app_context():
        upgrade(directory=MIGRATIONS, revision="0002")
        run_script(CLEAR_ROWS)
        upgrade(directory=MIGRATIONS, revision="0009")
        run_script(LOCKED_AT_0009)
        upgrade(directory=MIGRATIONS)

        account = db.session.execute(
            text("SELECT email, role, is_active, sign_in_throttled_at FROM staff_users")
        ).one()
        assert tuple(account) == ("c@example.org", "coordinator", True, None)
        assert {"failed_logins", "locked_until"} & columns_of("staff_users") == set()
        assert db.session.execute(text("SELECT count(*) FROM sign_in_throttles")).scalar() == 0
        assert db.session.execute(text("SELECT count(*) FROM lead_contact_attempts")).scalar() == 1
        db.session.rollback()

        downgrade(directory=MIGRATIONS, revision="0009")
        account = db.session.execute(
            text("SELECT email, failed_logins, locked_until FROM staff_users")
        ).one()
        assert tuple(account) == ("c@example.org", 0, None)
        assert "sign_in_throttled_at" not in columns_of("staff_users")
        assert "sign_in_throttles" not in inspect(db.session.connection()).get_table_names()
        db.session.rollback()
        db.engine.dispose()
