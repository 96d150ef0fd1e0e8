"""Dialogue tests as scripts: the person says something, the bot answers; no app, no database.

    chat = Script.prescreen("en")
    chat.says("hi").bot_asks("melanoma_origin")
    chat.says("skin").bot_checks("On the skin")

Each step runs the pure dialogue and keeps its state, as the service would between messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from companion.chat import dialogue
from companion.chat.dialogue import Context, Say, State, Turn
from matching import load_trial
from symptoms.survey import load_survey
from symptoms.triage_rules import load_triage_rules

TRIAL = load_trial("NCT07586904")
SURVEY = load_survey("text_check")
RULES = load_triage_rules()
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@dataclass
class Script:
    state: State
    context: Context
    now: datetime = START
    turn: Turn | None = None
    actions: list[Any] = field(default_factory=list)

    @classmethod
    def prescreen(cls, language: str = "en") -> Script:
        context = Context(language=language, trial=TRIAL, survey=SURVEY, triage_rules=RULES)
        script = cls(dialogue.new_prescreen(), context)
        script.turn = dialogue.opening(script.state, START, context)
        script.state = script.turn.state
        return script

    @classmethod
    def patient(cls, language: str = "en", **context: Any) -> Script:
        built = Context(language=language, survey=SURVEY, triage_rules=RULES, **context)
        return cls(dialogue.new_patient_chat(), built)

    # ---- the person ----

    def says(self, text: str, *, after: timedelta = timedelta(minutes=1)) -> Script:
        self.now += after
        self.turn = dialogue.respond(self.state, text, self.now, self.context)
        self.state = self.turn.state
        self.actions.extend(self.turn.actions)
        return self

    def taken_over(self) -> Script:
        self.context = Context(**{**_fields(self.context), "silenced": True})
        return self

    def released(self) -> Script:
        self.context = Context(**{**_fields(self.context), "silenced": False})
        return self

    # ---- the bot ----

    @property
    def replies(self) -> tuple[Say, ...]:
        assert self.turn is not None
        return self.turn.replies

    @property
    def keys(self) -> list[str]:
        return [say.key for say in self.replies]

    def bot_asks(self, fact: str) -> Script:
        """The last reply is the question for `fact` (a pre-screen fact or a symptom item)."""
        assert self.state.asking == fact, f"asking {self.state.asking!r}, replies {self.keys}"
        assert self.keys[-1] == "question", self.keys
        return self

    def bot_says(self, *keys: str) -> Script:
        assert self.keys == list(keys), self.keys
        return self

    def bot_checks(self, label: str) -> Script:
        assert self.keys == ["check_answer"], self.keys
        assert self.replies[0].params["answer"] == label
        return self

    def bot_flags_emergency(self) -> Script:
        assert self.turn is not None
        assert self.turn.emergency, self.keys
        return self

    def bot_is_silent(self) -> Script:
        assert self.replies == (), self.keys
        return self

    def said(self, key: str) -> Mapping[str, Any]:
        for say in self.replies:
            if say.key == key:
                return say.params
        raise AssertionError(f"no {key!r} in {self.keys}")

    def last_actions(self) -> tuple[Any, ...]:
        assert self.turn is not None
        return self.turn.actions

    @property
    def facts(self) -> Mapping[str, Any]:
        return self.state.facts


def _fields(context: Context) -> dict[str, Any]:
    return {name: getattr(context, name) for name in context.__dataclass_fields__}
