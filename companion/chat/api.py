"""The web chat API: one message in, the bot's replies out (`POST /api/v1/chat`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from companion.access.policy import public
from companion.chat import schemas, service
from companion.db import db
from companion.openapi import Blueprint, json_response
from companion.timestamps import utcnow

blp = Blueprint(
    "chat",
    __name__,
    url_prefix="/api/v1",
    description="Chat: the pre-screen as a conversation, in plain words.",
)


@blp.route("/chat")
class Chat(MethodView):
    @public
    @blp.arguments(schemas.ChatRequest())
    @blp.response(200, schemas.ChatReply)
    def post(self, body: dict[str, Any]) -> Any:
        """Send one message; a null conversation_id starts a pre-screen conversation."""
        outcome = service.chat_on_web(
            db.session, body["conversation_id"], body["text"], body["language"], utcnow()
        )
        db.session.commit()
        return json_response(reply_body(outcome))


def reply_body(outcome: service.Outcome) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation_id": outcome.token,
        "replies": outcome.replies,
        "emergency": outcome.emergency,
    }
    if outcome.prescreen is not None:
        body["prescreen"] = outcome.prescreen
    return body
