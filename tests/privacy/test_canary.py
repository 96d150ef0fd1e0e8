"""The privacy canary: unique names, phone numbers and free text walked through every flow (see
`journey.py`) must surface in no log record, error response, text message or calendar event, and
once the retention purges have run, the purged ones must be gone from the database itself.

What is purged: leads not enrolled (name, phone, answers, staff notes on contact attempts) and
lapsed web chats of people we do not know (their transcript). What is kept by design: an enrolled
patient's record, reports, texts and text conversations stay with the trial, encrypted at rest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from companion.app import create_app
from companion.chat.models import WEB, Conversation, ConversationTurn
from companion.db import db
from companion.enrolment.models import Patient
from companion.prescreen.models import Lead, LeadContactAttempt, PrescreenSession
from tests.conftest import database_of_its_own
from tests.privacy import journey, stored_bytes
from tests.privacy.canaries import found_in, found_in_bytes
from tests.twilio_standin import ACCOUNT_SID, StandinControl
from tests.twilio_standin import AUTH_TOKEN as STANDIN_TOKEN

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
RETENTION_DAYS = 180
ILLNESS_AND_STUDY_WORDS = (
    "melanoma",
    "cancer",
    "tumour",
    "tumor",
    "oncology",
    "cadonilimab",
    "interferon",
    "NCT0",
    "黑色素瘤",
    "癌",
    "干扰素",
    "卡度尼利",
)


@dataclass
class Walked:
    app: Flask
    seen: journey.Seen
    lead_ids: list[int]
    patient_id: int
    web_chat_id: int


@pytest.fixture(scope="module")
def walked(
    tmp_path_factory: pytest.TempPathFactory,
    _standin_server: tuple[str, StandinControl],
) -> Iterator[Walked]:
    """The journey walked once, on a database of its own, with every log record kept."""
    standin_url, standin = _standin_server
    standin.reset()
    seen = journey.Seen()
    sqlite_file = tmp_path_factory.mktemp("canary") / "canary.sqlite3"
    with database_of_its_own(sqlite_file, "canary") as (url, engine_options):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": STANDIN_TOKEN,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_MESSAGING_SERVICE_SID": None,
            "TWILIO_API_BASE": standin_url,
            "PUBLIC_BASE_URL": None,
            "SMS_MESSAGES_PER_SECOND": 1000,
            "SMS_RATE_STORAGE_URI": "memory://",
            "LEAD_RETENTION_DAYS": RETENTION_DAYS,
        }
        # Migrations first: Alembic's env.py re-reads its logging configuration, which would
        # take the capturing handler off again (`flask db upgrade` runs as a process of its own).
        migrated = create_app(config)
        with migrated.app_context():
            upgrade(directory=str(MIGRATIONS))
            db.engine.dispose()
        with journey.every_log_record(seen.log_lines):
            app = create_app(config)
            walk = journey.Journey(app, standin, seen)
            walk.walk()
        try:
            yield Walked(
                app,
                seen,
                [walk.ids["web lead"], walk.ids["chat lead"]],
                walk.ids["patient"],
                walk.ids["web chat"],
            )
        finally:
            standin.reset()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# ---------- what leaves the service ----------


def test_the_journey_was_logged_at_debug_with_sql_statements(walked: Walked) -> None:
    logged = "\n".join(walked.seen.log_lines)
    assert "sqlalchemy.engine.Engine INFO SELECT" in logged
    assert "companion" in logged


def test_no_canary_appears_in_any_log_record_at_debug(walked: Walked) -> None:
    logged = "\n".join(walked.seen.log_lines)
    assert found_in(logged, journey.EVERY_CANARY) == []


def test_error_responses_do_not_echo_the_personal_data_they_were_given(walked: Walked) -> None:
    assert set(walked.seen.error_responses) == {
        "bad JSON to the chat",
        "a phone that is no phone",
        "a note on a lead that does not exist",
        "a report for a patient who does not exist",
    }
    for label, body in walked.seen.error_responses.items():
        assert found_in(body, journey.EVERY_CANARY) == [], label


def test_a_bad_phone_is_refused_naming_the_field(walked: Walked) -> None:
    assert '"phone"' in walked.seen.error_responses["a phone that is no phone"]


def test_texts_went_out_through_the_dispatcher_to_the_twilio_standin(walked: Walked) -> None:
    assert len(walked.seen.texts) >= 4  # reminders, the on-call alert, replies, STOP's answer
    assert any(journey.STAFF_SMS_CHAT.value in body for body in walked.seen.texts)


def test_no_text_message_carries_a_name_a_phone_or_what_someone_wrote(walked: Walked) -> None:
    not_by_design = [c for c in journey.EVERY_CANARY if c not in journey.SENT_BY_DESIGN]
    for body in walked.seen.texts:
        assert found_in(body, not_by_design) == [], body


def test_no_calendar_names_the_patient(walked: Walked) -> None:
    assert set(walked.seen.calendars) == {
        "feed",
        "all visits",
        "patient's invite",
        "staff invite",
    }
    for label, body in walked.seen.calendars.items():
        assert found_in(body, journey.EVERY_CANARY) == [], label


def test_no_calendar_event_names_the_illness_the_medicines_or_the_study(walked: Walked) -> None:
    fields = walked.seen.calendar_fields()
    assert len(fields) >= 3 * 4  # every event's summary, description and place were read
    for value in fields:
        for word in ILLNESS_AND_STUDY_WORDS:
            assert word.casefold() not in value.casefold(), (word, value)


# ---------- what the retention purges leave in the database ----------


def count(app: Flask, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


PURGED_TABLES = (
    "leads",
    "lead_contact_attempts",
    "prescreen_sessions",
    "conversations",
    "conversation_turns",
    "chat_tasks",
)


@dataclass
class Purged:
    walked: Walked
    found_before: list[str]
    found_after: list[str]


def stored(app: Flask) -> bytes:
    """What the database keeps on disk: the whole file on SQLite; the purged tables' files on
    PostgreSQL, written anew by VACUUM FULL (dead tuples stay in them until a VACUUM)."""
    if not ON_POSTGRES:
        return stored_bytes.sqlite_bytes(app)
    stored_bytes.vacuum_full(app, PURGED_TABLES)
    return stored_bytes.postgres_bytes(app, PURGED_TABLES)


@pytest.fixture(scope="module")
def purged(walked: Walked) -> Purged:
    """The journey's records aged past retention and every retention command run, with the
    purged canaries searched in the stored bytes before and after."""
    with walked.app.app_context():  # in clear, in a plain column of rows the purge deletes
        db.session.execute(
            text("UPDATE prescreen_sessions SET trial_version = :control"),
            {"control": journey.PLAIN_CONTROL.value},
        )
        db.session.commit()
    found_before = found_in_bytes(stored(walked.app), journey.PURGED)
    journey.age_purgeable_records(walked.app, walked.lead_ids, RETENTION_DAYS + 1)
    journey.purge_everything_due(walked.app)
    found_after = found_in_bytes(stored(walked.app), journey.PURGED)
    return Purged(walked, found_before, found_after)


def test_the_purges_delete_the_leads_their_notes_answers_and_the_lapsed_web_chat(
    purged: Purged,
) -> None:
    app, walked = purged.walked.app, purged.walked
    assert count(app, Lead, Lead.id.in_(walked.lead_ids)) == 0
    assert count(app, LeadContactAttempt) == 0
    assert count(app, PrescreenSession) == 0
    assert count(app, Conversation, Conversation.channel == WEB) == 0
    turns = ConversationTurn.conversation_id == walked.web_chat_id
    assert count(app, ConversationTurn, turns) == 0


def test_the_enrolled_patient_and_their_text_conversation_are_kept(purged: Purged) -> None:
    app, patient_id = purged.walked.app, purged.walked.patient_id
    assert count(app, Patient, Patient.id == patient_id) == 1
    assert count(app, Conversation, Conversation.patient_id == patient_id) == 1


def test_the_byte_search_finds_only_the_plain_text_control_before_the_purge(
    purged: Purged,
) -> None:
    # Everything personal is encrypted at rest, so its plain text is never on disk; the control
    # written in clear into a purged row shows that the search sees what is there.
    control = journey.PLAIN_CONTROL
    assert f"{control.label}: {control.value}" in purged.found_before
    assert all(found.startswith(f"{control.label}: ") for found in purged.found_before)


def test_after_the_purges_no_purged_canary_is_left_in_the_stored_bytes(purged: Purged) -> None:
    assert purged.found_after == []


if not ON_POSTGRES:  # a SQLite setting: the test exists only in the SQLite run

    def test_every_sqlite_connection_overwrites_what_it_deletes(walked: Walked) -> None:
        with walked.app.app_context(), db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
