"""What a message asks the chat to do when it is not an answer: commands that steer the
conversation (only when they are the whole message) and what a patient on the study asks for
(found anywhere in the message), in English and Chinese."""

from __future__ import annotations

import pytest

from companion.chat.intents import Intent, read_command, read_request

BACK, RESTART, CALL_ME = Intent.BACK, Intent.RESTART, Intent.CALL_ME
VISIT, MOVE, SYMPTOM = Intent.NEXT_VISIT, Intent.RESCHEDULE, Intent.SYMPTOM
SHOT, HELLO, THANKS = Intent.INJECTION, Intent.GREETING, Intent.THANKS

COMMANDS = [
    ("back", BACK),
    ("Back", BACK),
    ("go back", BACK),
    ("go back please", BACK),
    ("please go back", BACK),
    ("BACK!", BACK),
    ("previous question", BACK),
    ("undo", BACK),
    ("I made a mistake", BACK),
    ("change my last answer", BACK),
    ("返回", BACK),
    ("上一题", BACK),
    ("请返回", BACK),
    ("答错了", BACK),
    ("选错了", BACK),
    ("start over", RESTART),
    ("Start again please", RESTART),
    ("restart", RESTART),
    ("can we start over", RESTART),
    ("lets start again", RESTART),
    ("重新开始", RESTART),
    ("重来", RESTART),
    ("我想重新开始", RESTART),
    ("从头开始吧", RESTART),
    ("call me", CALL_ME),
    ("Call me please", CALL_ME),
    ("please call me", CALL_ME),
    ("call", CALL_ME),
    ("talk to a person", CALL_ME),
    ("can someone call me", CALL_ME),
    ("打电话给我", CALL_ME),
    ("请给我打电话", CALL_ME),
    ("找人工", CALL_ME),
    ("人工", CALL_ME),
]
NOT_COMMANDS = [
    "the pain is in my back",
    "I went back to work",
    "back pain",
    "I had a call from the clinic",
    "who should I call about parking?",
    "start",
    "I want to start the study",
    "我背疼",
    "返回医院的路上",
    "yes",
    "1",
    "",
]
REQUESTS = [
    ("next visit", VISIT),
    ("When is my next appointment?", VISIT),
    ("when is my next visit", VISIT),
    ("what time is my scan on Thursday", VISIT),
    ("when should I come in", VISIT),
    ("hi, when is my next visit?", VISIT),
    ("下次什么时候来", VISIT),
    ("下一次复诊时间", VISIT),
    ("我几号来医院", VISIT),
    ("预约时间是几点", VISIT),
    ("I need to change my appointment", MOVE),
    ("can I reschedule", MOVE),
    ("I can't make it on Monday", MOVE),
    ("can we move my visit to another day", MOVE),
    ("I need to change my next appointment", MOVE),
    ("我想改时间", MOVE),
    ("周一来不了", MOVE),
    ("能不能换个时间", MOVE),
    ("我要改期", MOVE),
    ("I don't feel well", SYMPTOM),
    ("feeling unwell today", SYMPTOM),
    ("I have side effects", SYMPTOM),
    ("symptoms", SYMPTOM),
    ("I feel sick", SYMPTOM),
    ("我不舒服", SYMPTOM),
    ("今天很难受", SYMPTOM),
    ("好像有副作用", SYMPTOM),
    ("took my injection", SHOT),
    ("I had my shot this evening", SHOT),
    ("injection done", SHOT),
    ("打完针了", SHOT),
    ("我打了针", SHOT),
    ("今天已注射", SHOT),
    ("hello", HELLO),
    ("Good morning", HELLO),
    ("你好", HELLO),
    ("在吗", HELLO),
    ("thanks", THANKS),
    ("Thank you!", THANKS),
    ("谢谢", THANKS),
    ("多谢医生", THANKS),
    ("call me", CALL_ME),  # commands count for patients too
    ("返回", BACK),
]
UNCLEAR = [
    "Can I take paracetamol before my blood test?",
    "my visitor parking ticket",
    "I don't feel well, can I change my appointment?",  # two things: the menu, not a guess
    "ok",
    "是",
    "",
]


@pytest.mark.parametrize(("text", "intent"), COMMANDS, ids=[t for t, _ in COMMANDS])
def test_a_command_that_is_the_whole_message_is_read(text: str, intent: Intent) -> None:
    assert read_command(text) is intent


@pytest.mark.parametrize("text", NOT_COMMANDS)
def test_a_command_word_inside_an_answer_is_no_command(text: str) -> None:
    assert read_command(text) is None


@pytest.mark.parametrize(("text", "intent"), REQUESTS, ids=[t for t, _ in REQUESTS])
def test_what_a_patient_asks_for_is_found_in_their_words(text: str, intent: Intent) -> None:
    assert read_request(text) is intent


@pytest.mark.parametrize("text", UNCLEAR)
def test_a_message_that_asks_for_nothing_or_two_things_is_read_as_neither(text: str) -> None:
    assert read_request(text) is None


@pytest.mark.parametrize("odd", [None, 12, "\x00" * 10, "🙂" * 500, "a" * 10_000])
def test_odd_input_reads_as_nothing(odd: object) -> None:
    assert read_command(odd) is None  # type: ignore[arg-type]
    assert read_request(odd) is None  # type: ignore[arg-type]
