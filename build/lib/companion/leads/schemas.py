"""What the leads API takes and gives (marshmallow; also the OpenAPI document).

Request bodies name only what staff may set: any other key (a site, a status in an attempt, a
counter) is refused with 400, so nothing can be assigned by sending extra fields.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from companion.leads import workflow


class LeadsQuery(Schema):
    status = fields.String(
        validate=validate.OneOf(workflow.STATUSES),
        metadata={"description": f"Only leads with this status: {', '.join(workflow.STATUSES)}."},
    )


class LeadSummary(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    status = fields.String(metadata={"description": ", ".join(workflow.STATUSES)})
    status_changed_at = fields.DateTime(allow_none=True)
    verdict = fields.String(metadata={"description": "The pre-screen's verdict."})
    name = fields.String()
    phone = fields.String(attribute="phone_e164", metadata={"description": "E.164."})
    language = fields.String()
    best_time_to_call = fields.String()
    contact_attempts = fields.Integer(metadata={"description": "Contact attempts logged."})


class ContactAttempt(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    outcome = fields.String(metadata={"description": ", ".join(workflow.OUTCOMES)})
    note = fields.String(allow_none=True)
    staff_id = fields.Integer(metadata={"description": "The staff member who made it."})


class LeadDetail(LeadSummary):
    trial_id = fields.String()
    email = fields.String(allow_none=True)
    consented_at = fields.DateTime()
    facts = fields.Dict(metadata={"description": "The person's pre-screen answers."})
    attempts = fields.List(fields.Nested(ContactAttempt), metadata={"description": "Oldest first."})
    allowed_next_statuses = fields.List(
        fields.String(),
        metadata={
            "description": "Statuses the lead may move to now; "
            f"{', '.join(sorted(workflow.REASON_REQUIRED))} need a reason."
        },
    )


class NewContactAttempt(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(workflow.OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class StatusChange(Schema):
    status = fields.String(required=True, validate=validate.OneOf(workflow.STATUSES))
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={
            "description": "Why; required for "
            f"{', '.join(sorted(workflow.REASON_REQUIRED))}. Kept in the audit trail."
        },
    )
