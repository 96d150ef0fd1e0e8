"""What the symptom-report API takes and gives (marshmallow; also the OpenAPI document).

Answers are checked by the `symptoms` core (the item bank), not here: the body schema only
requires an object, so that every path into a report (API, patient page, SMS) shares one check
and one error wording.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from companion.symptoms.models import ACTIONS, STATUSES
from companion.symptoms.service import NOTE_MAX_LENGTH
from symptoms import Urgency, load_item_bank

URGENCIES = ", ".join(urgency.name_lower for urgency in sorted(Urgency, reverse=True))
ALL = "all"


class NewSymptomReport(Schema):
    answers = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "At least one answer, by key: "
            + ", ".join(load_item_bank().keys)
            + " (see the contract's table for the values each takes)."
        },
    )


class SymptomReportNote(Schema):
    id = fields.Integer()
    staff_id = fields.Integer()
    text = fields.String()
    created_at = fields.DateTime()


class SymptomReport(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    source = fields.String(metadata={"description": "web, sms or staff"})
    urgency = fields.String(metadata={"description": URGENCIES})
    reasons = fields.List(fields.String(), metadata={"description": "Most urgent first."})
    answers = fields.Dict(metadata={"description": "The checked answers, by key."})
    status = fields.String(metadata={"description": ", ".join(STATUSES)})
    submitted_at = fields.DateTime()
    respond_by = fields.DateTime(
        allow_none=True, metadata={"description": "The deadline (none for green)."}
    )
    overdue = fields.Boolean(metadata={"description": "Still open after its deadline."})
    minutes_waiting = fields.Integer(
        metadata={"description": "From submission until acknowledged (or now)."}
    )
    on_call_alert = fields.String(
        allow_none=True,
        metadata={"description": "queued, no_on_call_phone (no one was texted), or null."},
    )
    entered_by_staff_id = fields.Integer(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.Integer(allow_none=True)
    action = fields.String(allow_none=True, metadata={"description": ", ".join(ACTIONS)})
    action_at = fields.DateTime(allow_none=True)
    action_by = fields.Integer(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.Integer(allow_none=True)
    notes = fields.List(
        fields.Nested(SymptomReportNote), metadata={"description": "On a single report only."}
    )


class SubmittedSymptomReport(SymptomReport):
    patient_reply = fields.String(
        allow_none=True, metadata={"description": "What the patient is told, in their language."}
    )


class QueueQuery(Schema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf((*STATUSES, ALL)),
        metadata={
            "description": "open, acknowledged, resolved or all; open and acknowledged "
            "when left out."
        },
    )


class NoteIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_MAX_LENGTH))


class ActionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=NOTE_MAX_LENGTH),
        metadata={"description": 'Required when action is "other".'},
    )


class ResolveIn(Schema):
    note = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX_LENGTH)
    )
