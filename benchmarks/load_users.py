"""The three kinds of people the load test plays, each as one pass through what they do.

- A prospective patient walks the web questionnaire: the start page, a new pre-screen, one
  page per question answered from a profile of `tests/profiles.py`, then the result page.
- A prospective patient chats: a new conversation, then replies to what the bot asks.
- A coordinator works the triage queue through the API: a report phoned in for a patient, the
  open reports, one of the first taken in hand (a colleague may have been quicker: 409), a note.

Each pass adds to a `Tally` what it has seen stored (the service's successful answers), which
the harness compares with the database afterwards.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from load_client import UnexpectedAnswer, Visitor

Tally = Counter[str]
Flow = Callable[[Visitor, Tally, random.Random], None]

CHAT = "/api/v1/chat"
QUEUE = "/api/v1/symptom-reports"
MAX_QUESTIONS = 60
CHAT_TURNS = 8
PHONED_IN = (
    {"fatigue": "mild"},
    {"nausea": "moderate"},
    {"temperature_c": 38.2},
    {"rash": "mild", "itching": "moderate"},
)
NOTES = (
    "Called the patient; symptoms are settling.",
    "Left a message; will call again this afternoon.",
    "Spoke with the patient and advised rest and fluids.",
)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FACT = re.compile(r'name="fact" value="([^"]+)"')
_OPTION = re.compile(r'name="value" value="([^"]*)"')


def questionnaire(profiles: Sequence[Mapping[str, Any]]) -> Flow:
    """A new person each pass (no cookies yet), answering as one of `profiles`."""

    def walk(visitor: Visitor, tally: Tally, rng: random.Random) -> None:
        profile = rng.choice(profiles)
        visitor.cookies.clear()
        page = visitor.get("start page", "/")
        started = visitor.post_form("start", "/prescreen", {"csrf_token": _csrf(page.text)})
        tally["web pre-screens started"] += 1
        path = started.location
        for _ in range(MAX_QUESTIONS):
            page = visitor.get("question", path, expect=(200, 303))
            if page.status == 303:  # nothing left to ask: on to the result
                break
            fact = _one(_FACT, page.text, "fact")
            form = {
                "csrf_token": _csrf(page.text),
                "fact": fact,
                "value": _answer_on_page(profile, fact, _OPTION.findall(page.text)),
            }
            visitor.post_form("answer", path, form)
            tally["web answers"] += 1
        else:
            raise UnexpectedAnswer(f"still asking after {MAX_QUESTIONS} questions")
        visitor.get("result", page.location)
        tally["passes"] += 1

    return walk


def chat(profiles: Sequence[Mapping[str, Any]]) -> Flow:
    """A new conversation each pass, `CHAT_TURNS` messages long."""

    def converse(visitor: Visitor, tally: Tally, rng: random.Random) -> None:
        profile = rng.choice(profiles)
        body = {"conversation_id": None, "text": "Hello", "language": "en"}
        reply = visitor.post_json("new conversation", CHAT, body).json()
        tally["chat conversations started"] += 1
        asked_before = None
        for _ in range(CHAT_TURNS - 1):
            _count_chat_reply(tally, reply)
            asking = (reply.get("prescreen") or {}).get("asking")
            body = {
                "conversation_id": reply["conversation_id"],
                "text": _chat_answer(profile, asking, confirming=asking == asked_before),
                "language": "en",
            }
            asked_before = asking
            reply = visitor.post_json("message", CHAT, body).json()
        _count_chat_reply(tally, reply)
        tally["passes"] += 1

    return converse


def triage(patient_ids: Sequence[int]) -> Flow:
    """A coordinator signed in (the visitor carries the bearer token) working the queue."""

    def work_the_queue(visitor: Visitor, tally: Tally, rng: random.Random) -> None:
        patient = rng.choice(patient_ids)
        visitor.post_json(
            "report phoned in",
            f"/api/v1/patients/{patient}/symptom-reports",
            {"answers": rng.choice(PHONED_IN)},
            expect=(201,),
        )
        tally["reports phoned in"] += 1
        waiting = visitor.get("open queue", f"{QUEUE}?status=open").json()
        if waiting:
            report = rng.choice(waiting[:3])["id"]
            taken = visitor.post_json(
                "acknowledge", f"{QUEUE}/{report}/acknowledge", {}, expect=(200, 409)
            )
            if taken.status == 200:
                tally["reports acknowledged"] += 1
            note = {"text": rng.choice(NOTES)}
            visitor.post_json("note", f"{QUEUE}/{report}/notes", note, expect=(201,))
            tally["notes"] += 1
        tally["passes"] += 1

    return work_the_queue


def _count_chat_reply(tally: Tally, reply: Mapping[str, Any]) -> None:
    """One person's line and one bot line per non-empty reply are stored for each message."""
    tally["chat messages"] += 1
    tally["chat bot lines"] += sum(1 for line in reply["replies"] if line)


def _chat_answer(profile: Mapping[str, Any], asking: str | None, *, confirming: bool) -> str:
    """What the person types: their answer in words, or "yes" when the bot checks a reading."""
    if asking is None or confirming:
        return "yes"
    value = profile.get(asking)
    return str(value).replace("_", " ") if isinstance(value, str | int) else "not sure"


def _answer_on_page(profile: Mapping[str, Any], fact: str, options: list[str]) -> str:
    """The profile's answer; the first choice when it has none (or 50 for a number)."""
    value = profile.get(fact)
    if isinstance(value, str | int):
        return str(value)
    return options[0] if options else "50"


def _csrf(html: str) -> str:
    return _one(_CSRF, html, "CSRF token")


def _one(pattern: re.Pattern[str], html: str, what: str) -> str:
    found = pattern.search(html)
    if found is None:
        raise UnexpectedAnswer(f"the page has no {what}")
    return found.group(1)
