"""What the study team does with conversations: read them, take one over (the bot then stays
silent but for emergencies), write in it, hand it back, and do the tasks the bot left.

Every query is scoped to the staff member's site: another site's conversation is 404. Taking
over, releasing and writing are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.access.models import StaffUser
from companion.audit.recorder import audit_reason
from companion.chat.models import (
    DONE,
    OPEN,
    SMS,
    STAFF,
    ChatTask,
    Conversation,
    ConversationTurn,
)
from companion.enrolment.models import Patient
from companion.errors import Conflict, InvalidInput, NotFound
from companion.messaging import outbox, wording

RECENT = timedelta(days=14)  # the list shows conversations with a message this recent
MAX_STAFF_TEXT = 600
NOT_HERE = "There is no conversation with this id at your site."


@dataclass(frozen=True)
class ConversationLine:
    conversation: Conversation
    patient: Patient | None
    open_tasks: int


def recent_conversations(db: Session, site_id: int, now: datetime) -> list[ConversationLine]:
    """The site's conversations of the last two weeks: emergencies, then those taken over or
    with open tasks, then the latest first."""
    conversations = list(
        db.scalars(
            select(Conversation)
            .where(Conversation.site_id == site_id, Conversation.last_message_at > now - RECENT)
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
            .limit(200)
        )
    )
    tasks = open_tasks(db, site_id)
    counts: dict[int, int] = {}
    for task in tasks:
        counts[task.conversation_id] = counts.get(task.conversation_id, 0) + 1
    patient_ids = {c.patient_id for c in conversations if c.patient_id is not None}
    patients = {
        patient.id: patient
        for patient in db.scalars(select(Patient).where(Patient.id.in_(patient_ids)))
    }
    lines = [
        ConversationLine(c, patients.get(c.patient_id or 0), counts.get(c.id, 0))
        for c in conversations
    ]
    return sorted(
        lines,
        key=lambda line: (
            line.conversation.emergency_at is None,
            line.conversation.taken_over_by is None and not line.open_tasks,
        ),
    )


def open_tasks(db: Session, site_id: int) -> list[ChatTask]:
    return list(
        db.scalars(
            select(ChatTask)
            .where(ChatTask.site_id == site_id, ChatTask.status == OPEN)
            .order_by(ChatTask.created_at, ChatTask.id)
        )
    )


def conversation_at_site(db: Session, site_id: int, conversation_id: int) -> Conversation:
    conversation = db.get(Conversation, conversation_id)
    if conversation is None or conversation.site_id != site_id:
        raise NotFound(NOT_HERE)
    return conversation


def take_over(db: Session, conversation: Conversation, staff: StaffUser, now: datetime) -> None:
    """From now on the bot stays silent in this conversation (emergencies still answered)."""
    if conversation.taken_over_by is not None and conversation.taken_over_by != staff.id:
        raise Conflict("Someone else on the team has taken this conversation over.")
    audit_reason("A member of staff took the conversation over from the bot.", db)
    conversation.taken_over_by = staff.id
    conversation.taken_over_at = now


def release(db: Session, conversation: Conversation, staff: StaffUser, now: datetime) -> None:
    """The bot answers again."""
    if conversation.taken_over_by is None:
        raise Conflict("The bot already answers this conversation.")
    audit_reason("A member of staff handed the conversation back to the bot.", db)
    conversation.taken_over_by = None
    conversation.taken_over_at = None


def write(
    db: Session, conversation: Conversation, staff: StaffUser, text: str, now: datetime
) -> ConversationTurn:
    """A line from staff in a conversation they have taken over; by text message, it is sent."""
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_STAFF_TEXT:
        raise InvalidInput(
            f"text: write 1 to {MAX_STAFF_TEXT} characters.",
            {"form": {"text": [f"Write 1 to {MAX_STAFF_TEXT} characters."]}},
        )
    if conversation.taken_over_by != staff.id:
        raise Conflict("Take the conversation over before writing in it.")
    audit_reason("A member of staff wrote in the conversation.", db)
    turn = ConversationTurn(
        conversation_id=conversation.id, speaker=STAFF, text=text, at=now, staff_id=staff.id
    )
    db.add(turn)
    db.flush()
    if conversation.channel == SMS and conversation.patient_id is not None:
        _send_text(db, conversation, turn, now)
    return turn


def _send_text(
    db: Session, conversation: Conversation, turn: ConversationTurn, now: datetime
) -> None:
    patient = db.get(Patient, conversation.patient_id)
    if patient is None:
        return
    site = patient.site
    sms = wording.sms_from_team(
        turn.text, patient.language, site=site.sms_sender_label, phone=site.phone
    )
    outbox.enqueue(
        db,
        site_id=patient.site_id,
        business_key=f"chat-staff-reply:{turn.id}",
        kind="reply",
        to_e164=patient.phone_e164,
        body=sms.text,
        language=patient.language,
        due_at=now,
        segments=sms.segments,
        patient_id=patient.id,
        now=now,
    )


def complete_task(
    db: Session, site_id: int, task_id: int, staff: StaffUser, now: datetime
) -> ChatTask:
    task = db.get(ChatTask, task_id)
    if task is None or task.site_id != site_id:
        raise NotFound("There is no such task at your site.")
    if task.status == DONE:
        raise Conflict("This task is already done.")
    audit_reason("A member of staff marked a chat task done.", db)
    task.status = DONE
    task.done_at = now
    task.done_by = staff.id
    return task
