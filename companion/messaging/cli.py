"""`flask --app wsgi sms dispatch`: send what the outbox holds, once or as a worker."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from companion.config import ConfigurationError
from companion.messaging.backends import SmsBackend, backend_from_config
from companion.messaging.dispatcher import SEND_MARGIN_IN_TIME_OUTS, Summary, dispatch_once
from companion.messaging.planning_cli import replan
from companion.messaging.rate_cap import SendingRateCap, rate_cap_from_config
from companion.timestamps import utcnow

POLL_SECONDS = 1.0
log = logging.getLogger(__name__)

sms = AppGroup("sms", help="Text messages.")
sms.add_command(replan)


class IsoMoment(click.ParamType):
    """An ISO-8601 date and time with its UTC offset, e.g. 2026-12-01T08:00:00+08:00."""

    name = "ISO-8601"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                f"{value!r} is not an ISO-8601 date and time; "
                "write it like 2026-12-01T08:00:00+08:00 or 2026-12-01T00:00:00Z.",
                param,
                ctx,
            )
        if moment.tzinfo is None:
            self.fail(
                f"{value!r} has no UTC offset; add one, like Z or +08:00.",
                param,
                ctx,
            )
        return moment.astimezone(UTC)


@sms.command(
    "dispatch",
    help="Send the text messages that are due. With --once: send what is due (at --now, "
    "default the current time) and exit. Without it: run as a worker, looking every second, "
    "until stopped (SIGTERM or Ctrl-C). Several workers may run against PostgreSQL.",
)
@click.option("--once", is_flag=True, help="Send what is due, print the counts and exit.")
@click.option(
    "--now",
    "as_of",
    type=IsoMoment(),
    default=None,
    help="With --once: send what is due at this time (ISO-8601 with offset).",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 500),
    default=20,
    show_default=True,
    help="Messages claimed at a time.",
)
def dispatch(once: bool, as_of: datetime | None, batch: int) -> None:
    if as_of is not None and not once:
        raise click.BadParameter(
            "a worker always runs at the current time; add --once.", param_hint="'--now'"
        )
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    # A send can take about twice the time-out (connecting, then reading): the lease each send
    # starts with must outlast it with room to spare.
    margin = SEND_MARGIN_IN_TIME_OUTS
    if app.config["SMS_LEASE_SECONDS"] < margin * app.config["SMS_SEND_TIMEOUT_SECONDS"]:
        raise click.ClickException(
            "SMS_LEASE_SECONDS must be at least three times SMS_SEND_TIMEOUT_SECONDS, or a slow "
            "send could be taken over by another dispatcher and sent twice."
        )
    try:
        backend = backend_from_config(app.config)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    rate_cap = rate_cap_from_config(app.config, backend.sender)
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"
    if once:
        summary = dispatch_once(
            app, backend, as_of or utcnow(), worker_id, batch=batch, rate_cap=rate_cap
        )
        click.echo(f"dispatched: {summary}")
        return
    if not rate_cap.shared:
        click.echo(
            "note: the rate cap is counted in this process only (SMS_RATE_STORAGE_URI is "
            "memory://); point it at Redis when several dispatchers share a sender.",
            err=True,
        )
    total = run_worker(app, backend, rate_cap, worker_id, batch)
    click.echo(f"stopped: {total}")


def run_worker(
    app: Flask, backend: SmsBackend, rate_cap: SendingRateCap, worker_id: str, batch: int
) -> Summary:
    """Dispatch until SIGTERM or SIGINT; the message in hand is finished, the rest handed back."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    total = Summary()
    while not stop.is_set():
        try:
            summary = dispatch_once(
                app,
                backend,
                utcnow(),
                worker_id,
                batch=batch,
                rate_cap=rate_cap,
                should_stop=stop.is_set,
            )
        except Exception as error:  # the database away for a moment: try again shortly
            log.exception("dispatch pass failed (%s); trying again", type(error).__name__)
            summary = Summary()
        total += summary
        if summary.handled:
            click.echo(f"dispatched: {summary}")
        else:
            stop.wait(POLL_SECONDS)
    return total
