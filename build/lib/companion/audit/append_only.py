"""The database itself refuses to change or remove audit events, on SQLite and PostgreSQL."""

from __future__ import annotations

MESSAGE = "audit_events is append-only"


def forbid_statements(dialect: str) -> list[str]:
    """SQL that makes UPDATE and DELETE (and TRUNCATE) on audit_events fail."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for event in ("UPDATE", "DELETE")
        ]
    return [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ]


def allow_statements(dialect: str) -> list[str]:
    """SQL that lifts the protection (for a downgrade, or emptying a test database)."""
    if dialect == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS audit_events_no_update",
            "DROP TRIGGER IF EXISTS audit_events_no_delete",
        ]
    return ["DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"]
