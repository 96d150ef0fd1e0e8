"""Command-line tools: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from companion.access.models import ROLES, StaffUser
from companion.access.service import create_staff, normalise_email, unlock, unlock_address
from companion.audit.recorder import audit_reason
from companion.chat.service import purge_lapsed_web_chats
from companion.db import db
from companion.demo import load_demo_data
from companion.errors import DomainError
from companion.leads.service import leads_for_site
from companion.messaging.backends import OutboxBackend
from companion.messaging.cli import sms
from companion.messaging.dispatcher import dispatch_once
from companion.messaging.rate_cap import SendingRateCap
from companion.prescreen.service import purge_expired_sessions
from companion.privacy.encryption import rotate_encrypted_values
from companion.privacy.retention import purge_old_leads
from companion.sites.models import Site
from companion.timestamps import utcnow
from matching import TrialDefinitionError, available_trials, load_trial


def register(app: Flask) -> None:
    for group in (demo, keys, leads, prescreen, sms, staff, trials):
        app.cli.add_command(group)


demo = AppGroup("demo", help="Demonstration data.")


@demo.command("load", help="Add a demo site, pre-screens and leads (safe to run twice).")
def demo_load() -> None:
    app = current_app._get_current_object()
    if app.config["COMPANION_ENV"] == "production":
        # The demo coordinator's password is printed in the README: never on a real service.
        raise click.ClickException(
            "demo data is refused with COMPANION_ENV=production: its staff password is public"
        )
    # The demo's past reminders go through the dispatcher with a backend that sends nothing.
    cap = SendingRateCap(1000, "memory://", OutboxBackend.sender)

    def dispatch_as_of(moment: datetime) -> object:
        return dispatch_once(app, OutboxBackend(), moment, "demo-loader", rate_cap=cap)

    summary = load_demo_data(db.session, utcnow(), dispatch_as_of)
    db.session.commit()
    click.echo(summary)


leads = AppGroup("leads", help="Leads from the pre-screen.")


@leads.command("list", help="List a site's leads, oldest first (shows contact details).")
@click.option("--site", "site_code", required=True, help="Site code, e.g. SITE01.")
@click.option("--status", default=None, help="Only leads with this status.")
def leads_list(site_code: str, status: str | None) -> None:
    site = db.session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise click.BadParameter(f"no site with code {site_code!r}", param_hint="--site")
    rows = leads_for_site(db.session, site.id, status)
    for lead in rows:
        click.echo(
            f"{lead.id}\t{lead.created_at:%Y-%m-%d %H:%M}\t{lead.status}\t{lead.verdict}\t"
            f"{lead.name}\t{lead.phone_e164}\t{lead.language}\t{lead.best_time_to_call}"
        )
    click.echo(f"{len(rows)} lead(s) at {site.code}", err=True)


@leads.command(
    "purge",
    help="Delete leads not enrolled whose last change is older than LEAD_RETENTION_DAYS "
    "(default 180), with their contact attempts and answers. Run it daily.",
)
def leads_purge() -> None:
    days = current_app.config["LEAD_RETENTION_DAYS"]
    audit_reason(f"retention: not enrolled, no change for {days} days")
    purged = purge_old_leads(db.session, utcnow(), timedelta(days=days))
    db.session.commit()
    click.echo(f"purged {purged} lead(s) not enrolled and unchanged for {days} days")


keys = AppGroup("keys", help="Encryption keys of personal data.")


@keys.command(
    "rotate",
    help="Re-encrypt stored personal data under the first key of DATA_ENCRYPTION_KEYS; "
    "afterwards the other keys can be removed.",
)
def keys_rotate() -> None:
    rewritten = rotate_encrypted_values(db.session)
    db.session.commit()
    click.echo(f"re-encrypted {rewritten} value(s) under the first key")


prescreen = AppGroup("prescreen", help="Pre-screen sessions.")


@prescreen.command(
    "purge-expired",
    help="Delete expired sessions that did not become leads, and lapsed web chats.",
)
def prescreen_purge_expired() -> None:
    now = utcnow()
    chats = purge_lapsed_web_chats(db.session, now)
    removed = purge_expired_sessions(db.session, now)
    db.session.commit()
    click.echo(f"removed {removed} expired pre-screen session(s)")
    click.echo(f"removed {chats} lapsed web chat(s) with their transcripts")


staff = AppGroup("staff", help="Staff accounts.")


@staff.command("create", help="Create a staff account (and its site, if new).")
@click.option("--email", required=True)
@click.option(
    "--password",
    required=True,
    help="At least 12 characters; not only spaces, not one character repeated, not a common or "
    "leaked password, not built from the email.",
)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--site", "site_code", required=True, help="Site code, e.g. SITE01.")
def staff_create(email: str, password: str, role: str, site_code: str) -> None:
    try:
        user = create_staff(
            db.session, email=email, password=password, role=role, site_code=site_code
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email} at {site_code} (id {user.id})")


@staff.command(
    "unlock",
    help="Let an account sign in again at once: forget its failed sign-ins and the wait they "
    "built up (recorded in the audit trail). --address does the same for a client address.",
)
@click.option("--email", default=None, help="The account's email.")
@click.option("--address", default=None, help="A client address, as the service sees it.")
@click.option(
    "--reason",
    default="Unlocked on the server (flask staff unlock).",
    show_default=True,
    help="Why, for the audit trail.",
)
def staff_unlock(email: str | None, address: str | None, reason: str) -> None:
    if not email and not address:
        raise click.UsageError("give --email, --address or both")
    if email:
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
        if user is None:
            raise click.BadParameter("no staff account has this email", param_hint="--email")
        audit_reason(reason)
        unlock(db.session, user)
    forgot = unlock_address(db.session, address) if address else False
    db.session.commit()
    if email:
        click.echo(f"unlocked {normalise_email(email)}: it may sign in at once")
    if address:
        done = "forgot the failed sign-ins from" if forgot else "no failed sign-ins from"
        click.echo(f"{done} {address.strip()}")


trials = AppGroup("trials", help="Trial definitions.")


@trials.command("notes", help="Print the readings of ambiguous criteria the site must confirm.")
@click.argument("trial_id")
def trials_notes(trial_id: str) -> None:
    if trial_id not in available_trials():
        raise click.BadParameter(f"no trial file for {trial_id!r}", param_hint="TRIAL_ID")
    for criterion in load_trial(trial_id).criteria:
        if criterion.site_note:
            click.echo(
                f"{criterion.id} ({criterion.kind})\n  registered: "
                f"{criterion.registered_text}\n  our reading: {criterion.site_note}\n"
            )


@trials.command("check", help="Load and validate every trial file; exit 1 on the first error.")
def trials_check() -> None:
    for trial_id in available_trials():
        try:
            trial = load_trial(trial_id)
        except TrialDefinitionError as error:
            raise click.ClickException(str(error)) from error
        click.echo(
            f"{trial.id} {trial.version}: {len(trial.criteria)} criteria, "
            f"{len(trial.questions)} questions: OK"
        )
