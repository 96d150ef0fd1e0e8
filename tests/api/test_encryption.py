"""Names, phone numbers and emails are encrypted at rest; a keyed hash finds a lead by phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from companion.app import create_app
from companion.chat.models import Conversation
from companion.config import ConfigurationError, load_config
from companion.db import db
from companion.prescreen.models import Lead, LeadContactAttempt
from companion.prescreen.service import lead_by_phone
from companion.privacy.encryption import UndecryptableValue
from tests.api.conftest import SESSIONS, answer_until_done, session_url
from tests.conftest import database_of_its_own
from tests.profiles import eligible_patient

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
NAME = "Canary Xiaoming Zhang"
PHONE = "+8613912345678"
EMAIL = "canary.zhang@example.org"


def leave_lead(client: FlaskClient, name: str = NAME, phone: str = PHONE) -> None:
    token = client.post(SESSIONS, json={"language": "en"}).get_json()["token"]
    answer_until_done(client, token, eligible_patient())
    response = client.post(
        session_url(token, "/contact"),
        json={
            "name": name,
            "phone": phone,
            "email": EMAIL,
            "language": "en",
            "best_time_to_call": "evening",
            "consent": True,
        },
    )
    assert response.status_code == 201, response.get_json()


def raw_leads(app: Flask) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM leads")).mappings().all()
        return [dict(row) for row in rows]


def keys(*fernet_keys: bytes) -> dict[str, tuple[str, ...]]:
    return {"DATA_ENCRYPTION_KEYS": tuple(key.decode() for key in fernet_keys)}


def test_names_phones_and_emails_are_not_stored_in_clear(app: Flask, client: FlaskClient) -> None:
    leave_lead(client)
    (row,) = raw_leads(app)
    stored = " ".join(str(value) for value in row.values())
    for clear in (NAME, PHONE, PHONE[1:], EMAIL, "Canary", "13912345678"):
        assert clear not in stored
    assert len(row["phone_hash"]) == 64


def test_the_app_reads_them_back_in_clear(app: Flask, client: FlaskClient) -> None:
    leave_lead(client)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.name, lead.phone_e164, lead.email) == (NAME, PHONE, EMAIL)


def test_the_same_value_is_encrypted_differently_each_time(app: Flask, client: FlaskClient) -> None:
    leave_lead(client)
    leave_lead(client)
    first, second = raw_leads(app)
    assert first["name"] != second["name"]
    assert first["phone_hash"] == second["phone_hash"]


def test_a_lead_is_found_by_phone_number(app: Flask, client: FlaskClient) -> None:
    leave_lead(client, name="Someone Else", phone="+8613800000001")
    leave_lead(client)
    with app.app_context():
        found = lead_by_phone(db.session, PHONE)
        assert found is not None
        assert found.name == NAME
        assert lead_by_phone(db.session, "+8613800000002") is None


def test_the_most_recent_lead_answers_for_a_number_used_twice(
    app: Flask, client: FlaskClient
) -> None:
    leave_lead(client, name="First Time")
    leave_lead(client, name="Second Time")
    with app.app_context():
        assert lead_by_phone(db.session, PHONE).name == "Second Time"


def test_encrypted_columns_refuse_comparisons_that_would_silently_find_nothing(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(TypeError, match="phone_hash"):
            select(Lead).where(Lead.name == NAME)
        with pytest.raises(TypeError):
            select(Lead).where(Lead.phone_e164.like("+86%"))
        with pytest.raises(TypeError):
            select(Lead).order_by(Lead.name.desc())
        select(Lead).where(Lead.email.is_(None), Lead.email.is_not(None), Lead.email == None)  # noqa: E711


def test_a_new_first_key_still_reads_old_values_and_rotation_moves_them_to_it(
    app: Flask, client: FlaskClient, another_app
) -> None:
    old_key = app.config["DATA_ENCRYPTION_KEYS"][0].encode()
    new_key = Fernet.generate_key()
    leave_lead(client)
    before = raw_leads(app)[0]["name"]

    both = another_app(**keys(new_key, old_key))
    with both.app_context():
        assert db.session.scalars(select(Lead)).one().name == NAME
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 3 value(s)" in result.output
    again = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "re-encrypted 0 value(s)" in again.output

    after = raw_leads(app)[0]["name"]
    assert after != before
    assert Fernet(new_key).decrypt(after.encode()).decode() == NAME
    only_new = another_app(**keys(new_key))
    with only_new.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.name, lead.phone_e164, lead.email) == (NAME, PHONE, EMAIL)
        assert lead_by_phone(db.session, PHONE).id == lead.id


def test_without_the_key_a_value_cannot_be_read_and_the_error_says_why(
    client: FlaskClient, another_app
) -> None:
    leave_lead(client)
    stranger = another_app(**keys(Fernet.generate_key()))
    with (
        stranger.app_context(),
        pytest.raises(UndecryptableValue, match="DATA_ENCRYPTION_KEYS"),
    ):
        db.session.scalars(select(Lead)).one()


def test_production_refuses_to_start_without_data_encryption_keys(tmp_path: Path) -> None:
    environ = {"COMPANION_ENV": "production", "SECRET_KEY": "x" * 48, "PHONE_HASH_KEY": "y" * 40}
    with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEYS is not set"):
        load_config(tmp_path, environ)
    assert not list(tmp_path.iterdir())


def test_production_refuses_to_start_without_a_phone_hash_key(tmp_path: Path) -> None:
    environ = {
        "COMPANION_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    with pytest.raises(ConfigurationError, match="PHONE_HASH_KEY is not set"):
        load_config(tmp_path, environ)


def test_development_generates_each_key_once_per_instance_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    first = load_config(tmp_path, {})
    second = load_config(tmp_path, {})
    assert first["DATA_ENCRYPTION_KEYS"] == second["DATA_ENCRYPTION_KEYS"]
    assert first["PHONE_HASH_KEY"] == second["PHONE_HASH_KEY"]
    Fernet(first["DATA_ENCRYPTION_KEYS"][0])
    for name in ("data_encryption_keys", "phone_hash_key"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0


def test_several_keys_are_read_in_order_the_first_one_encrypting(tmp_path: Path) -> None:
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    config = load_config(tmp_path, {"DATA_ENCRYPTION_KEYS": f" {keys[0]} , {keys[1]},"})
    assert config["DATA_ENCRYPTION_KEYS"] == tuple(keys)


def test_a_key_that_is_not_a_fernet_key_is_refused_by_position_without_showing_it(
    tmp_path: Path,
) -> None:
    environ = {"DATA_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},not-a-key-secret"}
    with pytest.raises(ConfigurationError, match="key number 2") as refused:
        load_config(tmp_path, environ)
    assert "not-a-key-secret" not in str(refused.value)


def test_a_short_phone_hash_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PHONE_HASH_KEY"):
        load_config(tmp_path, {"PHONE_HASH_KEY": "short"})


# Migration 0003 on a database of its own, with leads stored in clear by revision 0002.


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[tuple[str, dict]]:
    """(URL, engine options) of a database with no tables, on the engine the suite runs on."""
    with database_of_its_own(tmp_path / "migrate.sqlite3", "test_migrate") as found:
        yield found


def app_on(database: tuple[str, dict]) -> Flask:
    """An app on `database`, to migrate up and down by hand."""
    url, engine_options = database
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        }
    )


def run_script(script: str) -> None:
    """Each `;`-ended statement of `script`, as written (the rows an older revision stored)."""
    with db.engine.begin() as connection:
        for statement in script.strip().split(";\n"):
            connection.exec_driver_sql(statement.strip().rstrip(";"))


CLEAR_ROWS = """
INSERT INTO sites (id, code, name, created_at) VALUES (1, 'SITE01', 'Site', '2026-01-01 00:00:00');
INSERT INTO staff_users (id, site_id, email, password_hash, role, is_active, failed_logins,
  created_at) VALUES (1, 1, 'c@example.org', 'x', 'coordinator', true, 0, '2026-01-01 00:00:00');
INSERT INTO leads (id, site_id, trial_id, name, phone_e164, email, language, best_time_to_call,
  consent_to_contact, consent_text_version, consented_at, verdict, facts, status, created_at,
  contact_attempts)
  VALUES (1, 1, 'NCT07586904', 'Canary Old Row', '+8613700000007', NULL, 'en', 'any', true, 'v1',
  '2026-01-01 00:00:00', 'likely_eligible', '{}', 'contacted', '2026-01-01 00:00:00', 1);
INSERT INTO lead_contact_attempts (id, lead_id, staff_id, at, outcome, note)
  VALUES (1, 1, 1, '2026-01-02 00:00:00', 'no_answer', NULL);
"""


def test_migration_0003_encrypts_existing_leads_and_keeps_their_contact_attempts(
    empty_database: tuple[str, dict],
) -> None:
    migrating = app_on(empty_database)
    with migrating.app_context():
        upgrade(directory=MIGRATIONS, revision="0002")
        run_script(CLEAR_ROWS)
        upgrade(directory=MIGRATIONS)

        raw = db.session.execute(text("SELECT name, phone_e164, phone_hash FROM leads")).one()
        assert "Canary" not in raw.name
        assert "13700000007" not in raw.phone_e164
        lead = lead_by_phone(db.session, "+8613700000007")
        assert (lead.name, lead.email) == ("Canary Old Row", None)
        assert db.session.execute(text("SELECT count(*) FROM lead_contact_attempts")).scalar() == 1
        db.session.rollback()

        downgrade(directory=MIGRATIONS, revision="0002")
        clear = db.session.execute(text("SELECT name, phone_e164 FROM leads")).one()
        assert tuple(clear) == ("Canary Old Row", "+8613700000007")
        assert db.session.execute(text("SELECT count(*) FROM lead_contact_attempts")).scalar() == 1
        db.session.rollback()
        db.engine.dispose()


# Migration 0009: a chat's state and staff notes on contact attempts, stored in clear by 0008.

CHAT_ROWS_IN_CLEAR = """
INSERT INTO conversations (id, channel, site_id, language, state, started_at, last_message_at,
  expires_at)
  VALUES (1, 'web', 1, 'en',
  '{"kind": "prescreen", "step": "contact_phone", "contact": {"name": "Canary Mid Chat"}}',
  '2026-01-02 00:00:00', '2026-01-02 00:00:00', '2026-01-05 00:00:00');
UPDATE lead_contact_attempts SET note = 'Canary note: call her sister' WHERE id = 1;
"""


def test_migration_0009_encrypts_chat_states_and_contact_notes_and_reads_them_back(
    empty_database: tuple[str, dict],
) -> None:
    migrating = app_on(empty_database)
    with migrating.app_context():
        upgrade(directory=MIGRATIONS, revision="0002")
        run_script(CLEAR_ROWS)
        upgrade(directory=MIGRATIONS, revision="0008")
        run_script(CHAT_ROWS_IN_CLEAR)
        upgrade(directory=MIGRATIONS)

        raw_state = db.session.execute(text("SELECT state FROM conversations")).scalar_one()
        raw_note = db.session.execute(text("SELECT note FROM lead_contact_attempts")).scalar_one()
        assert "Canary" not in raw_state
        assert "Canary" not in raw_note
        conversation = db.session.get(Conversation, 1)
        assert conversation.state["contact"] == {"name": "Canary Mid Chat"}
        assert db.session.get(LeadContactAttempt, 1).note == "Canary note: call her sister"
        db.session.rollback()

        downgrade(directory=MIGRATIONS, revision="0008")
        clear_note = db.session.execute(text("SELECT note FROM lead_contact_attempts")).scalar()
        clear_state = db.session.execute(text("SELECT state FROM conversations")).scalar()
        assert clear_note == "Canary note: call her sister"
        assert "Canary Mid Chat" in str(clear_state)
        db.session.rollback()
        db.engine.dispose()


def test_a_chat_s_state_is_not_stored_in_clear(app: Flask, client: FlaskClient) -> None:
    conversation_id = None
    for said in ("hi", "1"):
        body = {"conversation_id": conversation_id, "text": said, "language": "en"}
        conversation_id = client.post("/api/v1/chat", json=body).get_json()["conversation_id"]
    with app.app_context():
        raw = db.session.execute(text("SELECT state FROM conversations")).scalar_one()
    assert "melanoma_origin" not in raw
    assert "skin" not in raw
