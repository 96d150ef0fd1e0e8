"""What the audit API takes and gives."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from companion.audit.registry import AUDITED
from companion.record_ids import LARGEST_ID

MAX_PAGE = 500
ENTITY_TYPES = sorted(audited.entity_type for audited in AUDITED.values())


class AuditQuery(Schema):
    entity_type = fields.String(
        validate=validate.OneOf(ENTITY_TYPES),
        metadata={"description": "Only events about this kind of record."},
    )
    entity_id = fields.Integer(
        validate=validate.Range(min=1, max=LARGEST_ID),
        metadata={"description": "Only events about this record."},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"Events per page, newest first (at most {MAX_PAGE})."},
    )
    before_id = fields.Integer(
        validate=validate.Range(min=1, max=LARGEST_ID),
        metadata={"description": "Only events older than this one: pass `next_before_id`."},
    )


class AuditEventOut(Schema):
    id = fields.Integer()
    at = fields.DateTime(metadata={"description": "When the change was committed (UTC)."})
    actor_type = fields.String(
        metadata={"description": "staff (signed in), public (a web visitor) or system (CLI)."}
    )
    actor_id = fields.Integer(allow_none=True, metadata={"description": "The staff member's id."})
    actor_label = fields.String(
        metadata={"description": "The staff member's email, or public/cli."}
    )
    action = fields.String(metadata={"description": "create, update or delete."})
    entity_type = fields.String(metadata={"description": f"One of {', '.join(ENTITY_TYPES)}."})
    entity_id = fields.Integer(allow_none=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw(allow_none=True)),
        metadata={
            "description": "{field: [old, new]}. Names, contact details and notes are masked "
            '("J•••e"); answers show only which questions changed; secrets only "set" or '
            '"changed".'
        },
    )
    reason = fields.String(allow_none=True, metadata={"description": "Why, when one was given."})


class AuditPage(Schema):
    events = fields.List(fields.Nested(AuditEventOut))
    next_before_id = fields.Integer(
        allow_none=True,
        metadata={"description": "Pass as before_id for older events; null on the last page."},
    )
