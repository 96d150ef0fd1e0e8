"""What a text message asks for when it is one keyword: stop, start, help or confirm.

A keyword counts only when it is the whole message, as carriers and Twilio read them ("STOP"
stops texts, "Stop please" does not). Case does not matter; full-width letters (ＳＴＯＰ, as
Chinese keyboards type them) read as their plain forms, and spaces and punctuation around the
word are ignored ("C." confirms, "stop!" stops: for stopping, erring towards it is the safe side).

Chinese: 退订, TD and T are the opt-out replies Chinese senders advertise and carriers expect
(回复TD退订), so all three stop texts, as do 取消订阅 (unsubscribe) and 停止 (stop); 订阅 and
恢复 start them again, 帮助 asks for help, 确认, 是 and 是的 confirm a visit. Twilio itself acts
only on the English words; the Chinese ones are honoured by this service alone.

YES both confirms a visit (our reminders ask for C or YES) and, at Twilio, re-subscribes a
number that had replied STOP; `resubscribes_at_twilio` tells the caller so that it can mirror
Twilio when the sender is opted out.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Keyword = Literal["stop", "start", "help", "confirm"]

STOP_WORDS = frozenset(
    {"STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "REVOKE", "OPTOUT", "CANCEL"}
    | {"退订", "TD", "T", "取消订阅", "停止"}
)
START_WORDS = frozenset({"START", "UNSTOP", "订阅", "恢复"})
HELP_WORDS = frozenset({"HELP", "INFO", "帮助"})
CONFIRM_WORDS = frozenset({"C", "YES", "Y", "CONFIRM", "确认", "是", "是的"})
TWILIO_OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})

KEYWORDS: tuple[tuple[Keyword, frozenset[str]], ...] = (
    ("stop", STOP_WORDS),
    ("start", START_WORDS),
    ("help", HELP_WORDS),
    ("confirm", CONFIRM_WORDS),
)


def read_keyword(body: str | None) -> Keyword | None:
    """The keyword the whole message is, or None when it is anything else (free text)."""
    word = bare_word(body)
    for keyword, words in KEYWORDS:
        if word in words:
            return keyword
    return None


def resubscribes_at_twilio(body: str | None) -> bool:
    """Whether Twilio's default opt-out handling takes this message as "send me texts again"."""
    return bare_word(body) in TWILIO_OPT_IN_WORDS


def bare_word(body: str | None) -> str:
    """The message in plain upper-case letters, without the spaces and punctuation around it."""
    text = unicodedata.normalize("NFKC", body or "").strip()
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end].upper()


def _is_edge(character: str) -> bool:
    return character.isspace() or unicodedata.category(character).startswith("P")
