"""`flask --app wsgi sms replan`: plan every patient's reminders again (run it daily).

Reminders are planned a limited number of days ahead (the policy's `plan_days_ahead`), so a
daily run puts in the outbox the ones that have come into reach; it also applies a changed
reminder policy or wording. Changes to visits replan at once and do not wait for it.

`replan` is a command to add to the `sms` group: `sms.add_command(replan)`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from companion.db import db
from companion.messaging.reminders import replan_all
from companion.timestamps import utcnow


def _moment(_ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 date and time with a UTC offset; "
            "write it like 2026-12-01T02:00:00+08:00 or 2026-12-01T00:00:00Z.",
            param=param,
        )
    return moment.astimezone(UTC)


@click.command(
    "replan",
    help="Plan every enrolled patient's text reminders again: add those now within reach, "
    "cancel those no longer wanted. Safe to run twice. Run it once a day (cron).",
)
@click.option(
    "--now",
    "as_of",
    default=None,
    callback=_moment,
    metavar="ISO-8601",
    help="Plan as if it were this time (with its UTC offset); default: the current time.",
)
@with_appcontext
def replan(as_of: datetime | None) -> None:
    replans = replan_all(db.session, as_of or utcnow())
    click.echo(
        f"replanned {len(replans)} patient(s): "
        f"{sum(r.added for r in replans)} reminder(s) added, "
        f"{sum(r.cancelled for r in replans)} cancelled, "
        f"{sum(len(r.planned) for r in replans)} in the plan"
    )
