"""Sending what the outbox holds: claim, check again, send, record what happened.

Each message goes through short transactions of its own and never holds one open while Twilio
is asked anything:

1. `claim_due` marks a batch `sending` for this dispatcher (`companion.messaging.claims`).
2. A message that may already be at Twilio (its dispatcher died, or the last answer was lost)
   is looked for in Twilio's message list first: found, it is `sent` and not sent again.
3. Checked again just before sending: the patient still consents and has not opted out, the
   visit still needs it, it is not too late (`not_after`), and it is not night where the
   patient lives (`quiet_hours`). The lease is renewed if a wait has worn it down.
4. Sent when the sender's rate cap allows; the outcome is recorded in a transaction of its own.

What remains between Twilio accepting a message and step 4's commit is the duplicate window
described in docs/messaging.md. Phone numbers and message bodies are never logged.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from companion.audit.recorder import audit_reason
from companion.db import db
from companion.enrolment.models import Patient, Visit
from companion.messaging import quiet_hours
from companion.messaging.backends import (
    UNSUBSCRIBED,
    AmbiguousSend,
    PermanentFailure,
    RetryLater,
    Sent,
    SmsBackend,
)
from companion.messaging.claims import Claim, claim_due, release
from companion.messaging.delivery import apply_recent_reports, apply_stored_reports
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
from companion.messaging.outbox import cancel_pending
from companion.messaging.rate_cap import SendingRateCap, rate_cap_from_config
from companion.messaging.reminders import reminder_policy
from companion.messaging.retry_policy import gives_up, retry_delay
from companion.sites.models import Site
from companion.timestamps import utcnow
from schedules.reminder_policy import QuietHours

log = logging.getLogger(__name__)

# Twilio's clock and ours may differ; look this much earlier than the first attempt in doubt.
CLOCK_SKEW_MARGIN = timedelta(seconds=60)
# After an unseen outcome, give Twilio's message list time to show the message before looking.
FIRST_LOOK_AFTER_SECONDS = 10
VISIT_NO_LONGER_NEEDS_MESSAGES = frozenset({"cancelled", "done"})
# A send can take about two client time-outs (connecting, then reading); one starts only with at
# least this many time-outs of lease left. `sms dispatch` requires leases at least this long.
SEND_MARGIN_IN_TIME_OUTS = 3


@dataclass(frozen=True)
class Summary:
    """How many messages ended each way in one pass (counts only, never contents)."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    unknown: int = 0
    skipped: int = 0
    cancelled: int = 0
    deferred: int = 0
    reconciled: int = 0

    def __add__(self, other: Summary) -> Summary:
        return Summary(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def handled(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def __str__(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self))


SENT_ONE, FAILED_ONE, RETRIED_ONE, UNKNOWN_ONE = (
    Summary(sent=1),
    Summary(failed=1),
    Summary(retried=1),
    Summary(unknown=1),
)
NOTHING = Summary()


@dataclass
class _Pass:
    """What one pass shares: the backend, the cap, who we are and the pass's clock."""

    backend: SmsBackend
    rate_cap: SendingRateCap
    worker_id: str
    clock: Callable[[], datetime]
    lease: timedelta
    send_timeout: timedelta
    should_stop: Callable[[], bool]
    rng: random.Random
    quiet: QuietHours


def dispatch_once(
    app: Flask,
    backend: SmsBackend,
    now: datetime,
    worker_id: str,
    *,
    batch: int = 20,
    rate_cap: SendingRateCap | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    rng: random.Random | None = None,
    quiet: QuietHours | None = None,
) -> Summary:
    """Send every message due at `now` (claiming `batch` at a time) and return the counts.

    `now` is the pass's start; time moves on from it as the pass goes (so a pass can be run
    "as of" a given time). Stops early, handing back what it holds, when `should_stop()`.
    `quiet` replaces the reminder policy's quiet hours.
    """
    started = time.monotonic()
    config = app.config
    lease = timedelta(seconds=config["SMS_LEASE_SECONDS"])
    cap = rate_cap or rate_cap_from_config(config, backend.sender)
    work = _Pass(
        backend=backend,
        rate_cap=cap,
        worker_id=worker_id,
        clock=lambda: now + timedelta(seconds=time.monotonic() - started),
        lease=lease,
        send_timeout=timedelta(seconds=config["SMS_SEND_TIMEOUT_SECONDS"]),
        should_stop=should_stop,
        rng=rng or random.Random(),
        quiet=quiet or reminder_policy().quiet_hours,
    )
    # Claim no more than can be sent, under the cap, well within the lease.
    batch = max(1, min(batch, cap.per_second * int(lease.total_seconds()) // 2))
    summary = NOTHING
    with app.app_context():
        session = db.session
        try:
            apply_recent_reports(session, utcnow())  # Twilio's clock: the real one
            session.commit()
            while not should_stop():
                claims = claim_due(
                    session,
                    now=now,
                    worker_id=worker_id,
                    lease_until=work.clock() + lease,
                    limit=batch,
                )
                if not claims:
                    break
                contents = _read_contents(session, claims)
                for position, claim in enumerate(claims):
                    if should_stop():
                        release(session, claims[position:], worker_id=worker_id, now=work.clock())
                        break
                    summary += _dispatch(session, work, claim, contents[claim.message_id])
        finally:
            session.rollback()
            db.session.remove()
    return summary


def _dispatch(session: Session, work: _Pass, claim: Claim, content: _Content) -> Summary:
    if claim.in_doubt_since is not None:
        settled = _reconcile(session, work, claim, content)
        if settled is not None:
            return settled
    lease_until = _check_before_sending(session, work, claim, content)
    if isinstance(lease_until, Summary):
        return lease_until
    deadline = lease_until - SEND_MARGIN_IN_TIME_OUTS * work.send_timeout / 2
    if not work.rate_cap.wait_for_turn(
        content.segments, stop=lambda: work.should_stop() or work.clock() >= deadline
    ):
        release(session, [claim], worker_id=work.worker_id, now=work.clock())
        return NOTHING
    # The row was ours when checked, and stays ours while its lease runs: send at once when the
    # lease outlasts the longest a send can take, else renew it (checked) first.
    if lease_until - work.clock() < SEND_MARGIN_IN_TIME_OUTS * work.send_timeout and (
        _renew_lease(session, work, claim) is None
    ):
        log.warning("message %s: lease lost before sending; not sent", claim.message_id)
        return NOTHING
    try:
        outcome: Sent | Exception = work.backend.send(content.to_e164, content.body)
    except (PermanentFailure, RetryLater, AmbiguousSend) as error:
        outcome = error
    except Exception as error:  # a fault of ours or of the client: the outcome is unseen
        log.exception("message %s: send raised %s", claim.message_id, type(error).__name__)
        outcome = AmbiguousSend(f"unexpected {type(error).__name__}")
    return _record(session, work, claim, content, outcome)


@dataclass(frozen=True)
class _Content:
    """What does not change while a message is claimed: whom, what, and how late it may go."""

    message_id: int
    to_e164: str
    body: str
    kind: str
    segments: int
    attempts: int
    not_after: datetime | None
    patient_id: int | None
    timezone: str


def _read_contents(session: Session, claims: list[Claim]) -> dict[int, _Content]:
    """The claimed messages' contents, read once for the batch."""
    message = OutboundMessage
    rows = session.execute(
        select(
            message.id,
            message.to_e164,
            message.body,
            message.kind,
            message.segments,
            message.attempts,
            message.not_after,
            message.patient_id,
            func.coalesce(Patient.timezone, Site.timezone),
        )
        .join(Site, Site.id == message.site_id)
        .outerjoin(Patient, Patient.id == message.patient_id)
        .where(message.id.in_([claim.message_id for claim in claims]))
    ).all()
    session.commit()
    return {row[0]: _Content(*row) for row in rows}


_MESSAGES, _PATIENTS, _VISITS = (
    OutboundMessage.__table__,
    Patient.__table__,
    Visit.__table__,
)
# Just before sending: is the message still ours, and does its patient and visit still want it?
_STILL_WANTED = (
    select(
        _MESSAGES.c.lease_until,
        _PATIENTS.c.sms_opted_out_at,
        _PATIENTS.c.sms_consent,
        _VISITS.c.status,
    )
    .select_from(
        _MESSAGES.outerjoin(_PATIENTS, _PATIENTS.c.id == _MESSAGES.c.patient_id).outerjoin(
            _VISITS, _VISITS.c.id == _MESSAGES.c.visit_id
        )
    )
    .where(
        _MESSAGES.c.id == bindparam("message_id"),
        _MESSAGES.c.status == SENDING,
        _MESSAGES.c.claimed_by == bindparam("worker_id"),
    )
)


def _reconcile(session: Session, work: _Pass, claim: Claim, content: _Content) -> Summary | None:
    """Look in Twilio's list for a message that may have gone; None: it has not, go on."""
    # Twilio's clock is the real one, even when this pass runs "as of" another time.
    since = min(claim.in_doubt_since, utcnow()) - CLOCK_SKEW_MARGIN
    try:
        found = work.backend.find_sent(content.to_e164, since, content.body)
    except (RetryLater, AmbiguousSend) as error:
        return _lookup_failed(session, work, claim, content, error)
    now = work.clock()
    sid = next((sid for sid in found if not _sid_taken(session, sid, claim.message_id)), None)
    if sid is not None:
        log.info("message %s: found at Twilio (%s), not sent again", claim.message_id, sid)
        # Its status callbacks may have come while it was in doubt: folded in on settling.
        return _settle(
            session, work, claim, Summary(reconciled=1), status=SENT, provider_sid=sid, sent_at=now
        )
    if gives_up(content.attempts):
        log.warning(
            "message %s: failed, no answer after %s attempts", claim.message_id, content.attempts
        )
        return _fail(
            session, work, claim, f"no answer from Twilio after {content.attempts} attempts"
        )
    session.commit()
    return None


def _lookup_failed(
    session: Session, work: _Pass, claim: Claim, content: _Content, error: Exception
) -> Summary:
    """Twilio's list could not be read: look again later, each look counted as an attempt;
    after the last, the message is failed for staff to check (it is never resent unseen)."""
    attempts = content.attempts + 1
    if gives_up(attempts):
        log.warning(
            "message %s: failed, Twilio's list could not be read after %s attempts",
            claim.message_id,
            attempts,
        )
        return _fail(
            session,
            work,
            claim,
            "outcome unknown: Twilio's message list could not be read; not resent",
            attempts=attempts,
        )
    log.warning("message %s: cannot look at Twilio's list yet (%s)", claim.message_id, error)
    after = error.after_seconds if isinstance(error, RetryLater) else 0
    return _settle(
        session,
        work,
        claim,
        UNKNOWN_ONE,
        attempts=attempts,
        **_in_doubt(work, claim, attempts, at_least_seconds=after),
    )


def _check_before_sending(
    session: Session, work: _Pass, claim: Claim, content: _Content
) -> Summary | datetime:
    """Finish a message no longer wanted; else its lease's end (renewed if need be)."""
    state = session.execute(
        _STILL_WANTED, {"message_id": claim.message_id, "worker_id": work.worker_id}
    ).one_or_none()
    if state is None:  # another dispatcher holds it now
        session.commit()
        return NOTHING
    lease_until, opted_out_at, sms_consent, visit_status = state
    now = work.clock()
    if content.patient_id is not None and (opted_out_at is not None or not sms_consent):
        log.info("message %s: cancelled, the patient does not take texts", claim.message_id)
        return _settle(session, work, claim, Summary(cancelled=1), status=CANCELLED)
    if visit_status in VISIT_NO_LONGER_NEEDS_MESSAGES:
        log.info("message %s: skipped, the visit is %s", claim.message_id, visit_status)
        return _settle(session, work, claim, Summary(skipped=1), status=SKIPPED)
    if content.not_after is not None and content.not_after <= now:
        log.info("message %s: skipped, too late to be useful", claim.message_id)
        return _settle(session, work, claim, Summary(skipped=1), status=SKIPPED)
    if quiet_hours.held_by_quiet_hours(content.kind) and quiet_hours.in_quiet_hours(
        now, content.timezone, work.quiet
    ):
        morning = quiet_hours.end_of_quiet_hours(now, content.timezone, work.quiet)
        log.info(
            "message %s: held until the quiet hours end where the patient lives", claim.message_id
        )
        if claim.in_doubt_since is not None:
            wait = _in_doubt(work, claim, wait=morning - now)
            return _settle(session, work, claim, Summary(deferred=1), **wait)
        return _settle(session, work, claim, Summary(deferred=1), **_back_to_pending(morning))
    session.commit()
    if lease_until - now < work.lease / 2:  # batch-mates took their time: renew it first
        renewed = _renew_lease(session, work, claim)
        if renewed is None:
            log.warning("message %s: lease lost while waiting; not sent", claim.message_id)
            return NOTHING
        lease_until = renewed
    return lease_until


def _renew_lease(session: Session, work: _Pass, claim: Claim) -> datetime | None:
    """A whole lease from now (its new end), if the message is still ours and its lease has not
    run out (else None); commits. The statement that renews is the one that checks, so a
    dispatcher whose lease ran out while it waited never sends what another may have claimed.
    """
    now = work.clock()
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == claim.message_id,
            OutboundMessage.status == SENDING,
            OutboundMessage.claimed_by == work.worker_id,
            OutboundMessage.lease_until > now,
        )
        .values(lease_until=now + work.lease, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return now + work.lease if result.rowcount == 1 else None


def _record(
    session: Session, work: _Pass, claim: Claim, content: _Content, outcome: Sent | Exception
) -> Summary:
    """Write down what Twilio said, in a transaction of its own."""
    now = work.clock()
    attempts = content.attempts + 1
    if isinstance(outcome, Sent):
        log.info("message %s: sent (%s)", claim.message_id, outcome.sid)
        return _settle(
            session,
            work,
            claim,
            SENT_ONE,
            attempts=attempts,
            status=SENT,
            provider_sid=outcome.sid,
            delivery_status=outcome.status[:24],
            sent_at=now,
            error_code=None,
            error_message=None,
        )
    if isinstance(outcome, PermanentFailure):
        log.info("message %s: failed, Twilio code %s", claim.message_id, outcome.code)
        if outcome.code == UNSUBSCRIBED and content.patient_id is not None:
            _treat_as_opted_out(session, content.patient_id, now)
        return _fail(
            session, work, claim, outcome.message, attempts=attempts, error_code=outcome.code
        )
    if isinstance(outcome, RetryLater):
        if not outcome.counted:  # our fault (credentials), not the message's: it keeps its tries
            attempts = content.attempts
            log.error(
                "message %s: not sent, %s; check the Twilio settings",
                claim.message_id,
                outcome.reason,
            )
        if gives_up(attempts):
            log.info("message %s: failed after %s attempts", claim.message_id, attempts)
            return _fail(session, work, claim, outcome.reason, attempts=attempts)
        delay = retry_delay(attempts, at_least_seconds=outcome.after_seconds, rng=work.rng)
        log.info(
            "message %s: retry in %.0f s (%s)",
            claim.message_id,
            delay.total_seconds(),
            outcome.reason,
        )
        return _settle(
            session,
            work,
            claim,
            RETRIED_ONE,
            attempts=attempts,
            error_message=outcome.reason[:300],
            **_back_to_pending(now + delay),
        )
    reason = outcome.reason if isinstance(outcome, AmbiguousSend) else type(outcome).__name__
    log.info(
        "message %s: outcome unknown (%s); will look at Twilio's list", claim.message_id, reason
    )
    return _settle(
        session,
        work,
        claim,
        UNKNOWN_ONE,
        attempts=attempts,
        error_message=reason[:300],
        **_in_doubt(work, claim, attempts, at_least_seconds=FIRST_LOOK_AFTER_SECONDS),
    )


def _settle(
    session: Session, work: _Pass, claim: Claim, summary: Summary, **values: Any
) -> Summary:
    """Give the claimed message these values and release it; commits.

    A message settled with its sid also takes the status callbacks that beat the sid to the
    database, in the same transaction (a report committed just after is left to the next pass's
    `apply_recent_reports`)."""
    values.setdefault("lease_until", None)
    values.setdefault("updated_at", work.clock())
    if not _update_claimed(session, claim, work.worker_id, **values):
        log.warning("message %s: lease lost; outcome not recorded", claim.message_id)
        summary = NOTHING
    elif values.get("provider_sid") and _has_reports(session, values["provider_sid"]):
        message = session.get(OutboundMessage, claim.message_id, populate_existing=True)
        if message is not None:
            apply_stored_reports(session, message, values["updated_at"])
    session.commit()
    return summary


def _fail(session: Session, work: _Pass, claim: Claim, reason: str, **values: Any) -> Summary:
    """Settle the message as failed for good, with `reason` for staff; commits."""
    return _settle(
        session, work, claim, FAILED_ONE, status=FAILED, error_message=reason[:300], **values
    )


def _has_reports(session: Session, sid: str) -> bool:
    return (
        session.scalar(select(DeliveryReport.id).where(DeliveryReport.provider_sid == sid).limit(1))
        is not None
    )


def _update_claimed(session: Session, claim: Claim, worker_id: str, **values: Any) -> bool:
    """One UPDATE of the message, if this dispatcher still holds it (not committed)."""
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == claim.message_id,
            OutboundMessage.status == SENDING,
            OutboundMessage.claimed_by == worker_id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _back_to_pending(next_attempt_at: datetime) -> dict[str, Any]:
    return {
        "status": PENDING,
        "next_attempt_at": next_attempt_at,
        "claimed_by": None,
        "claimed_at": None,
    }


def _in_doubt(
    work: _Pass,
    claim: Claim,
    attempts: int = 1,
    *,
    wait: timedelta | None = None,
    at_least_seconds: float = 0,
) -> dict[str, Any]:
    """Back to `unknown`, to be looked for at Twilio later, doubt starting as before."""
    if wait is None:
        wait = retry_delay(attempts, at_least_seconds=at_least_seconds, rng=work.rng)
    values: dict[str, Any] = {
        "status": UNKNOWN,
        "next_attempt_at": work.clock() + wait,
        "claimed_by": None,
    }
    if claim.in_doubt_since is not None:
        values["claimed_at"] = claim.in_doubt_since
    return values


def _sid_taken(session: Session, sid: str, message_id: int) -> bool:
    """Whether another message already has this id (the same text went to the same number)."""
    return (
        session.scalar(
            select(OutboundMessage.id).where(
                OutboundMessage.provider_sid == sid, OutboundMessage.id != message_id
            )
        )
        is not None
    )


def _treat_as_opted_out(session: Session, patient_id: int, now: datetime) -> None:
    """Twilio says the number sent STOP: record the opt-out and cancel what waits to be sent."""
    patient = session.get(Patient, patient_id)
    if patient is not None and patient.sms_opted_out_at is None:
        audit_reason("Twilio refused a text: the number has opted out (error 21610)", session)
        patient.sms_opted_out_at = now
    cancelled = cancel_pending(session, patient_id=patient_id, now=now)
    log.info(
        "patient %s: opted out at Twilio; %s pending message(s) cancelled", patient_id, cancelled
    )
