"""Staff pages of the chat: conversations with their transcripts, taking one over from the
bot and handing it back, writing in it, and the tasks the bot left (call back, new visit time).

A blueprint nested in the staff pages, so it shares their layout, error pages and helpers; every
query is scoped to the signed-in staff member's site (another site's conversation is 404). The
clinical roles act; forms post back and redirect (post/redirect/get) with a notice shown once.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from companion.access.policy import current_staff, staff
from companion.access.service import staff_emails
from companion.chat import handoff
from companion.chat.models import Conversation
from companion.db import db
from companion.enrolment.api import CLINICAL
from companion.enrolment.models import Patient
from companion.errors import DomainError, InvalidInput, NotFound
from companion.i18n import current_language
from companion.staff import chat_wording as wording
from companion.staff.symptom_rows import site_time
from companion.staff.visit_rows import patient_label
from companion.timestamps import utcnow

bp = Blueprint("chats", __name__)

NOTICE = "chats"


@bp.get("/chats")
@staff(*CLINICAL)
def chats() -> str:
    now = utcnow()
    site = current_staff().site
    zone, language = ZoneInfo(site.timezone), current_language()
    lines = handoff.recent_conversations(db.session, site.id, now)
    return render_template(
        "staff/chats.html",
        lines=lines,
        tasks=handoff.open_tasks(db.session, site.id),
        when=lambda moment: site_time(moment, zone, language),
        who=_who,
        words=wording,
        done=_notices(),
    )


@bp.get("/chats/<int:conversation_id>")
@staff(*CLINICAL)
def chat(conversation_id: int) -> str | tuple[str, int]:
    return _chat_page(conversation_id)


@bp.post("/chats/<int:conversation_id>/take-over")
@staff(*CLINICAL)
def take_over(conversation_id: int) -> Response | tuple[str, int]:
    return _act(conversation_id, "taken_over", handoff.take_over)


@bp.post("/chats/<int:conversation_id>/release")
@staff(*CLINICAL)
def release(conversation_id: int) -> Response | tuple[str, int]:
    return _act(conversation_id, "released", handoff.release)


@bp.post("/chats/<int:conversation_id>/write")
@staff(*CLINICAL)
def write(conversation_id: int) -> Response | tuple[str, int]:
    text = request.form.get("text", "")
    return _act(
        conversation_id,
        "written",
        lambda db_, conversation, member, now: handoff.write(db_, conversation, member, text, now),
        form_text=text,
    )


@bp.post("/chats/tasks/<int:task_id>/done")
@staff(*CLINICAL)
def task_done(task_id: int) -> Response:
    member = current_staff()
    handoff.complete_task(db.session, member.site_id, task_id, member, utcnow())
    db.session.commit()
    flash("task_done", NOTICE)
    return redirect(url_for(".chats", _anchor="notice"), code=303)


def _act(
    conversation_id: int, notice: str, do: Callable[..., object], form_text: str = ""
) -> Response | tuple[str, int]:
    member = current_staff()
    conversation = handoff.conversation_at_site(db.session, member.site_id, conversation_id)
    try:
        do(db.session, conversation, member, utcnow())
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, NotFound):
            raise
        problem = "text" if isinstance(error, InvalidInput) else notice + "_refused"
        return _chat_page(conversation_id, problem, form_text), error.http_status
    db.session.commit()
    flash(notice, NOTICE)
    return redirect(url_for(".chat", conversation_id=conversation_id, _anchor="notice"), code=303)


def _chat_page(conversation_id: int, problem: str | None = None, form_text: str = "") -> str:
    member = current_staff()
    site = member.site
    conversation = handoff.conversation_at_site(db.session, site.id, conversation_id)
    zone, language = ZoneInfo(site.timezone), current_language()
    staff_ids = {turn.staff_id for turn in conversation.turns} | {conversation.taken_over_by}
    names = staff_emails(db.session, site.id, staff_ids)
    return render_template(
        "staff/chat.html",
        conversation=conversation,
        who=_who(conversation),
        taken_by=names.get(conversation.taken_over_by),
        mine=conversation.taken_over_by == member.id,
        names=names,
        when=lambda moment: site_time(moment, zone, language),
        words=wording,
        problem=wording.PROBLEMS.get(problem or ""),
        form_text=form_text,
        done=_notices(),
    )


def _who(conversation: Conversation) -> str:
    patient = db.session.get(Patient, conversation.patient_id) if conversation.patient_id else None
    if patient is not None:
        return patient_label(patient)
    return str(wording.WEB_VISITOR % {"id": conversation.id})


def _notices() -> list[str]:
    return [
        str(wording.NOTICES[key])
        for key in get_flashed_messages(category_filter=[NOTICE])
        if key in wording.NOTICES
    ]
