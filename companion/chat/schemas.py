"""What the chat API takes and gives (marshmallow; also the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from companion.prescreen.schemas import language_field

MAX_MESSAGE = 1000


class ChatRequest(Schema):
    conversation_id = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,64}$", error="Must be an id this API gave."),
        metadata={"description": "null to start a conversation, or the id a reply gave."},
    )
    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_MESSAGE),
        metadata={"description": "What the person wrote (1 to 1000 characters)."},
    )
    language = language_field()


class PrescreenProgress(Schema):
    asking = fields.String(allow_none=True, metadata={"description": "Fact being asked, or null."})
    facts = fields.Dict(metadata={"description": "Facts recorded so far, as in evaluate."})
    verdict = fields.String(allow_none=True)


class ChatReply(Schema):
    conversation_id = fields.String(required=True)
    replies = fields.List(fields.String(), required=True)
    emergency = fields.Boolean(required=True)
    prescreen = fields.Nested(PrescreenProgress)
