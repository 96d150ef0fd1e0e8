"""What a message asks the bot to do, when it is not an answer: go back, start over, have the
team call, and (for patients on the study) their next visit, changing a visit, reporting a
symptom, logging a home shot. Pure: text in, an intent out.

Commands (back, start over, call me) count only when they are the whole message, give or take
a "please" ("go back please", "请返回"): "the pain is in my back" is an answer, not a command.
What a patient asks for (next visit, change a visit, ...) is found anywhere in the message, on
whole English words after the reader's clean-up (`reading.normalise`: "visit" is not found in
"visitor") and anywhere in Chinese text. A message that asks for two different things is read as
neither: the bot shows its menu instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from companion.chat.reading import normalise


class Intent(StrEnum):
    BACK = "back"
    RESTART = "restart"
    CALL_ME = "call_me"
    NEXT_VISIT = "next_visit"
    RESCHEDULE = "reschedule"
    SYMPTOM = "symptom"
    INJECTION = "injection"
    GREETING = "greeting"
    THANKS = "thanks"


# Words that steer the conversation itself; checked before a reply is read as an answer.
COMMANDS: Mapping[Intent, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Intent.BACK: (
        (
            "back",
            "go back",
            "previous",
            "previous question",
            "undo",
            "change my answer",
            "change my last answer",
            "wrong answer",
            "i made a mistake",
        ),
        ("返回", "上一题", "上一个", "上一步", "退回", "改答案", "改一下答案", "答错了", "选错了"),
    ),
    Intent.RESTART: (
        (
            "start over",
            "start again",
            "restart",
            "begin again",
            "from the beginning",
            "start from the beginning",
            "reset",
        ),
        ("重新开始", "重来", "从头开始", "重新来", "再来一次", "重新做"),
    ),
    Intent.CALL_ME: (
        (
            "call",
            "call me",
            "please call",
            "phone me",
            "ring me",
            "call back",
            "talk to a person",
            "talk to someone",
            "speak to someone",
            "speak to a person",
            "real person",
            "human",
            "talk to a human",
            "can someone call me",
            "i want to talk to someone",
        ),
        (
            "打电话给我",
            "给我打电话",
            "请打电话",
            "来电话",
            "回电话",
            "找人工",
            "人工",
            "真人",
            "跟人说",
            "和人说话",
            "想和工作人员说",
            "找工作人员",
            "打给我",
        ),
    ),
}

# What a patient on the study asks for, when no question is waiting for an answer.
REQUESTS: Mapping[Intent, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Intent.NEXT_VISIT: (
        (
            "next visit",
            "next appointment",
            "next appt",
            "when is my visit",
            "when is my appointment",
            "when do i come",
            "when should i come",
            "my appointment",
            "my next visit",
            "when is my next",
            "what time is my",
            "when am i due",
            "visit date",
            "appointment time",
        ),
        (
            "下次",
            "下一次",
            "什么时候来",
            "什么时候去",
            "几号来",
            "几点来",
            "哪天来",
            "复诊时间",
            "预约时间",
            "看诊时间",
            "下次来医院",
            "下次就诊",
        ),
    ),
    Intent.RESCHEDULE: (
        (
            "reschedule",
            "change my next appointment",
            "change my next visit",
            "move my next appointment",
            "change appointment",
            "change visit",
            "new appointment time",
            "change my appointment",
            "change my visit",
            "change the appointment",
            "change the date",
            "change the time",
            "move my appointment",
            "move my visit",
            "another day",
            "different day",
            "different time",
            "cant make it",
            "cant come",
            "cannot come",
            "wont make it",
            "need to cancel",
            "postpone",
            "rebook",
        ),
        (
            "改期",
            "改时间",
            "改个时间",
            "换个时间",
            "换一天",
            "改日期",
            "改一天",
            "来不了",
            "去不了",
            "不能来",
            "推迟",
            "延期",
            "换时间",
            "改预约",
            "取消预约",
        ),
    ),
    Intent.SYMPTOM: (
        (
            "symptom",
            "symptoms",
            "not feeling well",
            "dont feel well",
            "feel unwell",
            "feeling unwell",
            "feel sick",
            "feeling sick",
            "feel ill",
            "feeling ill",
            "feel bad",
            "feeling bad",
            "side effect",
            "side effects",
            "report",
            "unwell",
            "i am sick",
            "im sick",
        ),
        ("不舒服", "难受", "不太好", "副作用", "症状", "身体不好", "生病", "不好受", "报告症状"),
    ),
    Intent.INJECTION: (
        (
            "took my injection",
            "took my shot",
            "had my shot",
            "had my injection",
            "did my shot",
            "did my injection",
            "done my shot",
            "done my injection",
            "shot done",
            "injection done",
            "injected",
            "gave myself the shot",
            "gave my injection",
            "took the shot",
        ),
        ("打完针", "打了针", "打针了", "已打针", "针打了", "注射了", "已注射", "打过针"),
    ),
    Intent.GREETING: (
        ("hi", "hello", "hey", "good morning", "good afternoon", "good evening", "hiya"),
        ("你好", "您好", "早上好", "下午好", "晚上好", "在吗", "哈喽"),
    ),
    Intent.THANKS: (
        ("thanks", "thank you", "thx", "ty", "cheers", "many thanks", "thank u"),
        ("谢谢", "多谢", "感谢", "谢了"),
    ),
}

# Words around a command that do not change it: "please go back", "我想重新开始吧".
FILLER_EN = (
    "please",
    "pls",
    "plz",
    "ok",
    "okay",
    "can we",
    "can you",
    "can i",
    "i want to",
    "i would like to",
    "id like to",
    "lets",
    "let me",
    "now",
    "thanks",
    "thank you",
)
FILLER_ZH = ("请", "我要", "我想", "吧", "一下", "好的", "可以", "麻烦", "谢谢")

_HAN = re.compile(r"[\u3400-\u9fff]")


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted((_clean(phrase) for phrase in phrases), key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])")


def _clean(text: str) -> str:
    """Lower case words with apostrophes dropped and other punctuation as single spaces."""
    text = normalise(text).replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_COMPILED = {
    intent: (_pattern(english), tuple(chinese)) for intent, (english, chinese) in REQUESTS.items()
}


_COMMAND_WORDS = {
    intent: frozenset(_clean(phrase) for phrase in english)
    for intent, (english, _chinese) in COMMANDS.items()
}


def _found(intent: Intent, cleaned: str) -> bool:
    english, chinese = _COMPILED[intent]
    joined = cleaned.replace(" ", "")
    return bool(english.search(cleaned)) or any(phrase in joined for phrase in chinese)


def read_command(text: str) -> Intent | None:
    """BACK, RESTART or CALL_ME when that is the whole message (give or take a "please")."""
    if not isinstance(text, str):
        return None
    bare = _without_filler(_clean(text[:200]))
    for intent, (_english, chinese) in COMMANDS.items():
        if bare in _COMMAND_WORDS[intent] or bare.replace(" ", "") in chinese:
            return intent
    return None


def _without_filler(cleaned: str) -> str:
    words = f" {cleaned} "
    changed = True
    while changed:
        before = words
        for filler in FILLER_EN:
            words = words.replace(f" {filler} ", " ")
        joined = words.strip()
        for filler in FILLER_ZH:
            if joined.startswith(filler) and len(joined) > len(filler):
                joined = joined[len(filler) :]
            if joined.endswith(filler) and len(joined) > len(filler):
                joined = joined[: -len(filler)]
        words = f" {joined.strip()} "
        changed = words != before
    return words.strip()


def read_request(text: str) -> Intent | None:
    """What a patient on the study asks for (a command included), when it is one thing."""
    return read_command(text) or _only(text, REQUESTS)


def _only(text: str, table: Mapping[Intent, object]) -> Intent | None:
    if not isinstance(text, str):
        return None
    cleaned = _clean(text[:500])
    if not cleaned:
        return None
    found = [intent for intent in table if _found(intent, cleaned)]
    if Intent.GREETING in found and len(found) > 1:
        found.remove(Intent.GREETING)  # "hi, when is my next visit": the visit is the point
    if Intent.THANKS in found and len(found) > 1:
        found.remove(Intent.THANKS)
    if Intent.RESCHEDULE in found and Intent.NEXT_VISIT in found:
        found.remove(Intent.NEXT_VISIT)  # "change my next appointment" names the visit too
    return found[0] if len(found) == 1 else None


def looks_chinese(text: str) -> bool:
    return bool(_HAN.search(text or ""))
