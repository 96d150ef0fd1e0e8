"""Sending the outbox: the real twilio client against the Twilio stand-in, a real database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import db
from companion.enrolment.models import Patient
from companion.messaging.backends import backend_from_config
from companion.messaging.dispatcher import Summary, dispatch_once
from companion.messaging.models import (
    CANCELLED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
    DeliveryReport,
    OutboundMessage,
)
from companion.messaging.retry_policy import MAX_ATTEMPTS
from companion.timestamps import utcnow
from tests.outbox_rows import make_patient, make_visit, queue_message
from tests.signed_webhooks import post_signed
from tests.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, StandinControl

SENDER = "+15005550006"
PUBLIC = "https://companion.example.org"
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, where the patients live


@pytest.fixture
def sms_app(
    another_app: Callable[..., Flask],
    twilio_standin: tuple[str, StandinControl],
    clean_database: None,
) -> Flask:
    url, _control = twilio_standin
    return another_app(
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER=SENDER,
        TWILIO_MESSAGING_SERVICE_SID=None,
        TWILIO_API_BASE=url,
        PUBLIC_BASE_URL=PUBLIC,
        SMS_MESSAGES_PER_SECOND=1000,
        SMS_SEND_TIMEOUT_SECONDS=0.5,
        SMS_LEASE_SECONDS=60,
        SMS_RATE_STORAGE_URI="memory://",
    )


@pytest.fixture
def standin(twilio_standin: tuple[str, StandinControl]) -> StandinControl:
    return twilio_standin[1]


@pytest.fixture
def dispatch(sms_app: Flask, standin: StandinControl) -> Callable[[datetime], Summary]:
    """`dispatch(at)`: one pass as of `at` (Twilio's clock shows `at` too)."""

    def run(at: datetime) -> Summary:
        standin.clock = lambda: at
        return dispatch_once(sms_app, backend_from_config(sms_app.config), at, "test-dispatcher")

    return run


@pytest.fixture
def in_db(sms_app: Flask) -> Callable[..., object]:
    """`in_db(build)`: run `build(session)` in a committed transaction; returns its id(s)."""

    def run(build: Callable) -> object:
        with sms_app.app_context():
            built = build(db.session)
            db.session.commit()
            return built

    return run


def message(app: Flask, message_id: int) -> OutboundMessage:
    with app.app_context():
        return db.session.get(OutboundMessage, message_id)


def queued(in_db: Callable, **options: object) -> tuple[int, str, str]:
    """(message id, phone, body) of a message to a new patient."""

    def build(session):
        patient = make_patient(session)
        row = queue_message(session, patient, due_at=options.pop("due_at", NOW), **options)
        return row.id, row.to_e164, row.body

    return in_db(build)


def test_a_due_message_is_sent_once_and_marked_sent_with_its_sid(sms_app, dispatch, in_db, standin):
    message_id, phone, body = queued(in_db)

    assert dispatch(NOW).sent == 1
    assert dispatch(NOW + timedelta(minutes=5)) == Summary()

    assert standin.count(phone, body) == 1
    accepted = standin.accepted[0]
    row = message(sms_app, message_id)
    assert (row.status, row.provider_sid, row.delivery_status) == (SENT, accepted.sid, "queued")
    assert row.attempts == 1
    assert row.sent_at is not None


def test_a_message_says_where_to_report_delivery_and_expires_after_an_hour(
    dispatch, in_db, standin
):
    queued(in_db)

    dispatch(NOW)

    accepted = standin.accepted[0]
    assert accepted.from_ == SENDER
    assert accepted.status_callback == f"{PUBLIC}/twilio/status"
    assert accepted.validity_period == 3600


def test_a_message_not_yet_due_waits(sms_app, dispatch, in_db, standin):
    message_id, _phone, _body = queued(in_db, due_at=NOW + timedelta(hours=1))

    assert dispatch(NOW) == Summary()
    assert message(sms_app, message_id).status == PENDING
    assert standin.create_attempts == 0

    assert dispatch(NOW + timedelta(hours=1)).sent == 1


def test_an_invalid_number_fails_and_is_never_tried_again(sms_app, dispatch, in_db, standin):
    message_id, phone, _body = queued(in_db)
    standin.invalid_numbers.add(phone)

    assert dispatch(NOW).failed == 1
    dispatch(NOW + timedelta(days=1))

    row = message(sms_app, message_id)
    assert (row.status, row.error_code) == (FAILED, 21211)
    assert phone not in row.error_message
    assert standin.create_attempts == 1


def test_an_unsubscribed_number_fails_opts_the_patient_out_and_cancels_their_other_messages(
    sms_app, dispatch, in_db, standin
):
    def build(session):
        patient, neighbour = make_patient(session), make_patient(session)
        now_due = queue_message(session, patient, due_at=NOW)
        later = [queue_message(session, patient, due_at=NOW + timedelta(days=d)) for d in (1, 2)]
        other = queue_message(session, neighbour, due_at=NOW + timedelta(days=1))
        return patient.id, patient.phone_e164, now_due.id, [row.id for row in later], other.id

    patient_id, phone, first_id, later_ids, other_id = in_db(build)
    standin.unsubscribed_numbers.add(phone)

    assert dispatch(NOW).failed == 1

    first = message(sms_app, first_id)
    assert (first.status, first.error_code) == (FAILED, 21610)
    assert [message(sms_app, row_id).status for row_id in later_ids] == [CANCELLED, CANCELLED]
    assert message(sms_app, other_id).status == PENDING
    with sms_app.app_context():
        assert db.session.get(Patient, patient_id).sms_opted_out_at is not None


def test_a_rate_limited_message_is_retried_later_with_backoff_and_then_sent(
    sms_app, dispatch, in_db, standin
):
    message_id, phone, body = queued(in_db)
    standin.rate_limit_next(1)

    assert dispatch(NOW).retried == 1
    row = message(sms_app, message_id)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert row.next_attempt_at > NOW
    assert dispatch(NOW) == Summary()

    assert dispatch(row.next_attempt_at).sent == 1
    assert standin.count(phone, body) == 1
    assert message(sms_app, message_id).attempts == 2


def test_a_message_rate_limited_on_every_attempt_fails_with_the_last_error(
    sms_app, dispatch, in_db, standin
):
    message_id, _phone, _body = queued(in_db)
    standin.rate_limit_next(MAX_ATTEMPTS)

    at = NOW
    for _ in range(MAX_ATTEMPTS - 1):
        assert dispatch(at).retried == 1
        at = message(sms_app, message_id).next_attempt_at
    assert dispatch(at).failed == 1

    row = message(sms_app, message_id)
    assert (row.status, row.attempts) == (FAILED, MAX_ATTEMPTS)
    assert "429" in row.error_message


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_after_acceptance_is_found_in_twilios_list_and_not_sent_again(
    sms_app, dispatch, in_db, standin, status
):
    message_id, phone, body = queued(in_db)
    standin.fail_next(1, status, accepted=True)

    assert dispatch(NOW).unknown == 1
    assert message(sms_app, message_id).status == UNKNOWN

    assert dispatch(NOW + timedelta(hours=1)).reconciled == 1
    row = message(sms_app, message_id)
    assert (row.status, row.provider_sid) == (SENT, standin.accepted[0].sid)
    assert standin.count(phone, body) == 1


def test_a_time_out_after_acceptance_is_found_in_twilios_list_and_not_sent_again(
    sms_app, dispatch, in_db, standin
):
    message_id, phone, body = queued(in_db)
    standin.answer_late_next(1, seconds=10)  # the client gives up after 0.5 s

    assert dispatch(NOW).unknown == 1
    assert dispatch(NOW + timedelta(hours=1)).reconciled == 1

    assert message(sms_app, message_id).provider_sid == standin.accepted[0].sid
    assert standin.count(phone, body) == 1


def test_a_server_error_before_acceptance_is_sent_again_after_looking(
    sms_app, dispatch, in_db, standin
):
    message_id, phone, body = queued(in_db)
    standin.fail_next(1, 503, accepted=False)

    assert dispatch(NOW).unknown == 1
    assert dispatch(NOW + timedelta(hours=1)).sent == 1

    assert message(sms_app, message_id).status == SENT
    assert standin.count(phone, body) == 1
    assert standin.list_requests == 1


def report_delivered(app: Flask, sid: str) -> None:
    """Twilio's status callback for `sid`: delivered."""
    report = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    response = post_signed(
        app.test_client(),
        "/twilio/status",
        report,
        signed_url=f"{PUBLIC}/twilio/status",
        token=AUTH_TOKEN,
    )
    assert response.status_code == 204, response.get_data(as_text=True)


def test_a_delivery_report_that_beats_twilios_answer_is_applied_when_the_sid_is_recorded(
    sms_app, dispatch, in_db, standin
):
    message_id, _phone, _body = queued(in_db)
    standin.on_accept = lambda accepted: report_delivered(sms_app, accepted.sid)

    assert dispatch(NOW).sent == 1

    row = message(sms_app, message_id)
    assert (row.provider_sid, row.delivery_status) == (standin.accepted[0].sid, "delivered")


def test_delivery_reports_that_came_while_a_message_was_in_doubt_are_applied_once_found(
    sms_app, dispatch, in_db, standin
):
    message_id, _phone, _body = queued(in_db)
    standin.fail_next(1, 500, accepted=True)
    assert dispatch(NOW).unknown == 1
    sid = standin.accepted[0].sid
    report_delivered(sms_app, sid)

    assert dispatch(NOW + timedelta(hours=1)).reconciled == 1
    row = message(sms_app, message_id)
    assert (row.status, row.provider_sid, row.delivery_status) == (SENT, sid, "delivered")


def test_a_report_stored_after_its_message_was_recorded_is_applied_by_the_next_pass(
    sms_app, dispatch, in_db
):
    """The webhook and the dispatcher at once: the report commits just after the dispatcher
    folded in the reports it could see."""
    message_id, _phone, _body = queued(in_db)
    dispatch(NOW)
    sid = message(sms_app, message_id).provider_sid
    in_db(
        lambda session: session.add(
            DeliveryReport(provider_sid=sid, status="delivered", received_at=utcnow())
        )
    )
    assert message(sms_app, message_id).delivery_status == "queued"

    dispatch(NOW + timedelta(minutes=1))

    assert message(sms_app, message_id).delivery_status == "delivered"


def test_a_message_whose_outcome_cannot_be_looked_up_fails_for_staff_and_is_never_resent(
    sms_app, dispatch, in_db, standin
):
    message_id, phone, body = queued(in_db)
    standin.fail_next(1, 503, accepted=True)
    assert dispatch(NOW).unknown == 1
    standin.list_failures = MAX_ATTEMPTS

    at, passes = NOW, 0
    while message(sms_app, message_id).status == UNKNOWN and passes < 3 * MAX_ATTEMPTS:
        at, passes = at + timedelta(hours=1), passes + 1
        dispatch(at)

    row = message(sms_app, message_id)
    assert (row.status, row.attempts) == (FAILED, MAX_ATTEMPTS)
    assert "not resent" in row.error_message
    assert standin.list_requests == MAX_ATTEMPTS - 1
    assert standin.count(phone, body) == 1


def test_a_lookup_refused_by_twilio_waits_at_least_as_long_as_asked(
    sms_app, dispatch, in_db, standin
):
    message_id, _phone, _body = queued(in_db)
    standin.fail_next(1, 503, accepted=True)
    dispatch(NOW)
    standin.list_failures = 1
    look_at = message(sms_app, message_id).next_attempt_at

    assert dispatch(look_at).unknown == 1

    assert message(sms_app, message_id).next_attempt_at >= look_at + timedelta(seconds=30)


def test_two_texts_alike_to_one_number_both_found_in_twilios_list_are_not_sent_again(
    sms_app, dispatch, in_db, standin
):
    def build(session):
        patient = make_patient(session)
        rows = [queue_message(session, patient, due_at=NOW, body="Same words") for _ in "ab"]
        session.flush()
        return [row.id for row in rows]

    first, second = in_db(build)
    standin.fail_next(2, 500, accepted=True)
    assert dispatch(NOW).unknown == 2

    assert dispatch(NOW + timedelta(hours=1)).reconciled == 2

    sids = {message(sms_app, first).provider_sid, message(sms_app, second).provider_sid}
    assert sids == {accepted.sid for accepted in standin.accepted}
    assert len(standin.accepted) == 2


def test_refused_credentials_do_not_use_up_a_messages_attempts(sms_app, dispatch, in_db, standin):
    message_id, phone, body = queued(in_db)
    standin.fail_next(2 * MAX_ATTEMPTS, 401, 20003, message="Authenticate")

    at = NOW
    for _ in range(2 * MAX_ATTEMPTS):
        dispatch(at)
        at = message(sms_app, message_id).next_attempt_at or at

    row = message(sms_app, message_id)
    assert (row.status, row.attempts) == (PENDING, 0)
    assert dispatch(at).sent == 1
    assert standin.count(phone, body) == 1


class TakenOverWhileWaiting:
    """A rate cap whose turn comes only after this dispatcher's lease ran out and another
    dispatcher took the message over."""

    def __init__(self, app: Flask, message_id: int, wait: timedelta) -> None:
        self.app, self.message_id, self.wait, self.per_second = app, message_id, wait, 1000

    def wait_for_turn(self, segments: int = 1, stop: Callable[[], bool] = lambda: False) -> bool:
        time.sleep(self.wait.total_seconds())
        with self.app.app_context():
            row = db.session.get(OutboundMessage, self.message_id)
            row.claimed_by, row.lease_until = "another-dispatcher", NOW + timedelta(minutes=5)
            db.session.commit()
        return True


def test_a_dispatcher_that_lost_its_message_while_waiting_for_its_turn_does_not_send_it(
    another_app, twilio_standin, in_db, standin
):
    message_id, phone, body = queued(in_db)
    lease = timedelta(seconds=2)
    app = another_app(
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER=SENDER,
        TWILIO_API_BASE=twilio_standin[0],
        SMS_SEND_TIMEOUT_SECONDS=0.5,
        SMS_LEASE_SECONDS=lease.total_seconds(),
    )
    cap = TakenOverWhileWaiting(app, message_id, wait=lease + timedelta(milliseconds=100))

    summary = dispatch_once(app, backend_from_config(app.config), NOW, "slow-one", rate_cap=cap)

    assert summary == Summary()
    assert standin.count(phone, body) == 0
    assert message(app, message_id).claimed_by == "another-dispatcher"


def claimed_by_a_dispatcher_that_died(app: Flask, message_id: int, claimed_at: datetime) -> None:
    with app.app_context():
        row = db.session.get(OutboundMessage, message_id)
        row.status, row.claimed_by = SENDING, "dead-dispatcher"
        row.claimed_at, row.lease_until = claimed_at, claimed_at + timedelta(seconds=60)
        db.session.commit()


def test_a_message_whose_dispatcher_died_after_twilio_took_it_is_not_sent_again(
    sms_app, dispatch, in_db, standin
):
    message_id, phone, body = queued(in_db)
    standin.clock = lambda: NOW
    sid = backend_from_config(sms_app.config).send(phone, body).sid  # then the crash
    claimed_by_a_dispatcher_that_died(sms_app, message_id, NOW)

    assert dispatch(NOW + timedelta(seconds=30)) == Summary()  # its lease still runs
    assert dispatch(NOW + timedelta(minutes=2)).reconciled == 1

    assert message(sms_app, message_id).provider_sid == sid
    assert standin.count(phone, body) == 1


def test_a_message_whose_dispatcher_died_before_sending_is_sent_once(
    sms_app, dispatch, in_db, standin
):
    message_id, phone, body = queued(in_db)
    claimed_by_a_dispatcher_that_died(sms_app, message_id, NOW)

    assert dispatch(NOW + timedelta(minutes=2)).sent == 1
    assert standin.count(phone, body) == 1


def test_no_message_goes_to_a_patient_who_opted_out(sms_app, dispatch, in_db, standin):
    def build(session):
        patient = make_patient(session, opted_out_at=NOW - timedelta(days=1))
        return queue_message(session, patient, due_at=NOW).id

    message_id = in_db(build)

    assert dispatch(NOW).cancelled == 1
    assert message(sms_app, message_id).status == CANCELLED
    assert standin.create_attempts == 0


def test_no_message_goes_to_a_patient_without_sms_consent(sms_app, dispatch, in_db, standin):
    def build(session):
        return queue_message(session, make_patient(session, sms_consent=False), due_at=NOW).id

    message_id = in_db(build)

    assert dispatch(NOW).cancelled == 1
    assert message(sms_app, message_id).status == CANCELLED
    assert standin.create_attempts == 0


@pytest.mark.parametrize("visit_status", ["cancelled", "done"])
def test_no_reminder_goes_for_a_visit_that_no_longer_needs_it(
    sms_app, dispatch, in_db, standin, visit_status
):
    def build(session):
        patient = make_patient(session)
        visit = make_visit(session, patient, status=visit_status)
        return queue_message(session, patient, due_at=NOW, visit=visit).id

    message_id = in_db(build)

    assert dispatch(NOW).skipped == 1
    assert message(sms_app, message_id).status == SKIPPED
    assert standin.create_attempts == 0


def test_a_message_held_up_past_its_last_useful_moment_is_skipped(
    sms_app, dispatch, in_db, standin
):
    message_id, _phone, _body = queued(in_db, not_after=NOW + timedelta(hours=1))

    assert dispatch(NOW + timedelta(hours=2)).skipped == 1
    assert message(sms_app, message_id).status == SKIPPED
    assert standin.create_attempts == 0


def test_a_reminder_due_at_22_local_time_is_sent_at_08_the_next_morning(
    sms_app, dispatch, in_db, standin
):
    ten_pm_in_shanghai = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    eight_am_next_day = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    message_id, phone, body = queued(in_db, due_at=ten_pm_in_shanghai)

    assert dispatch(ten_pm_in_shanghai).deferred == 1
    row = message(sms_app, message_id)
    assert (row.status, row.next_attempt_at) == (PENDING, eight_am_next_day)
    assert dispatch(eight_am_next_day - timedelta(minutes=1)) == Summary()
    assert standin.create_attempts == 0

    assert dispatch(eight_am_next_day).sent == 1
    assert standin.count(phone, body) == 1


def test_a_reply_to_the_patients_own_text_is_not_held_by_quiet_hours(dispatch, in_db):
    ten_pm_in_shanghai = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    queued(in_db, due_at=ten_pm_in_shanghai, kind="reply")

    assert dispatch(ten_pm_in_shanghai).sent == 1


def test_the_cli_sends_what_is_due_at_now_and_prints_counts_only(sms_app, in_db, standin):
    due_id, _phone, _body = queued(in_db, due_at=NOW)
    later_id, _phone, _body = queued(in_db, due_at=NOW + timedelta(hours=2))
    standin.clock = lambda: NOW

    result = sms_app.test_cli_runner().invoke(
        args=["sms", "dispatch", "--once", "--now", "2026-12-01T10:00:00+08:00"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "dispatched: sent 1, failed 0, retried 0, unknown 0, skipped 0, cancelled 0, "
        "deferred 0, reconciled 0"
    )
    assert message(sms_app, due_id).status == SENT
    assert message(sms_app, later_id).status == PENDING


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T10:00:00Z", "2026-12-01T10:00:00"])
def test_the_cli_refuses_a_now_it_cannot_read_and_names_the_option(sms_app, value):
    result = sms_app.test_cli_runner().invoke(args=["sms", "dispatch", "--once", "--now", value])

    assert result.exit_code == 2
    assert "'--now'" in result.output


@pytest.mark.parametrize("lease", [10, 29])
def test_the_cli_refuses_a_lease_shorter_than_three_send_time_outs(
    another_app, in_db, standin, lease
):
    message_id, _phone, _body = queued(in_db)
    app = another_app(SMS_BACKEND="outbox", SMS_SEND_TIMEOUT_SECONDS=10, SMS_LEASE_SECONDS=lease)

    result = app.test_cli_runner().invoke(args=["sms", "dispatch", "--once"])

    assert result.exit_code == 1
    assert (
        "SMS_LEASE_SECONDS must be at least three times SMS_SEND_TIMEOUT_SECONDS" in result.output
    )
    assert message(app, message_id).status == PENDING


def test_the_logs_carry_no_phone_number_and_no_message_body(
    sms_app, dispatch, in_db, standin, caplog
):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="companion")
    sent = queued(in_db)
    invalid = queued(in_db)
    lost = queued(in_db)
    standin.invalid_numbers.add(invalid[1])
    standin.fail_next(1, 500, accepted=True)

    dispatch(NOW)
    dispatch(NOW + timedelta(hours=1))

    assert {message(sms_app, row[0]).status for row in (sent, invalid, lost)} == {SENT, FAILED}
    assert caplog.records, "the dispatcher logs what it does"
    for _message_id, phone, body in (sent, invalid, lost):
        assert phone not in caplog.text
        assert phone.lstrip("+") not in caplog.text
        assert body not in caplog.text


def test_the_rate_cap_holds_across_dispatchers_sharing_redis_and_makes_them_wait(
    another_app, twilio_standin, clean_database, redis_url
):
    url, standin = twilio_standin
    app = another_app(
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER="+15005550007",
        TWILIO_API_BASE=url,
        SMS_MESSAGES_PER_SECOND=2,
        SMS_RATE_STORAGE_URI=redis_url,
    )
    now = datetime.now(UTC)
    with app.app_context():
        patient = make_patient(db.session)
        for _ in range(5):
            queue_message(db.session, patient, due_at=now, kind="reply")
        db.session.commit()

    def one_dispatcher(name: str) -> None:
        dispatch_once(app, backend_from_config(app.config), now, name, batch=1)

    dispatchers = [threading.Thread(target=one_dispatcher, args=(f"d{i}",)) for i in range(2)]
    for thread in dispatchers:
        thread.start()
    for thread in dispatchers:
        thread.join(timeout=30)

    times = sorted(message.date_created for message in standin.accepted)
    assert len(times) == 5
    assert all(
        later - earlier >= timedelta(seconds=1)
        for earlier, later in zip(times, times[2:], strict=False)
    )
    with app.app_context():
        statuses = db.session.scalars(select(OutboundMessage.status)).all()
    assert set(statuses) == {SENT}
