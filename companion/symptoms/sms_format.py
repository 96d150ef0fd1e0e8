"""Reading a symptom report written as a short text: `FEVER 38.6`, `STOOLS 5, BLOOD`, `发烧 38.6`.

A patient may text measured symptoms as a word and a number, and yes-symptoms as a word alone,
several in one text, separated by commas, spaces or new lines, in any case, in English or
Chinese (full-width letters and digits read as plain ones). The whole text must read this way:
one word we do not know and it is not a report but a message for the team (free text, where the
emergency words are looked for all the same).

Pure: text in, raw answers out (checked afterwards by `symptoms.check_answers`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Answer key -> the words that introduce its number, and the units that may follow the number.
NUMBER_WORDS: Mapping[str, tuple[str, ...]] = {
    "temperature_c": ("FEVER", "TEMP", "TEMPERATURE", "发烧", "发热", "体温"),
    "extra_stools_per_day": (
        "STOOLS",
        "STOOL",
        "DIARRHEA",
        "DIARRHOEA",
        "LOOSE STOOLS",
        "腹泻",
        "拉肚子",
    ),
}
UNITS: Mapping[str, tuple[str, ...]] = {
    "temperature_c": ("C", "°", "DEGREES", "DEG", "度", "摄氏度"),
    "extra_stools_per_day": ("TIMES", "X", "次"),
}
# Answer key -> the words that mean "yes" to it.
YES_WORDS: Mapping[str, tuple[str, ...]] = {
    "blood_in_stool": (
        "BLOOD",
        "BLOOD IN STOOL",
        "BLOODY STOOL",
        "BLOODY STOOLS",
        "BLACK STOOL",
        "BLACK STOOLS",
        "便血",
        "黑便",
        "大便带血",
    ),
    "chest_pain": ("CHEST PAIN", "胸痛", "胸口痛"),
    "new_cough": ("COUGH", "咳嗽"),
    "fainting": ("FAINTED", "FAINTING", "晕倒", "昏倒"),
    "confusion": ("CONFUSED", "CONFUSION", "意识模糊"),
    "yellow_skin_or_eyes": ("YELLOW SKIN", "YELLOW EYES", "JAUNDICE", "皮肤发黄", "眼睛发黄"),
    "dark_urine": ("DARK URINE", "尿色深"),
}

_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[A-Z]+|[\u3400-\u4dbf\u4e00-\u9fff]+|\S")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _phrases() -> dict[tuple[str, ...], tuple[str, str]]:
    """Each phrase as its tokens -> (answer key, "number" or "yes")."""
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    for kind, words in (("number", NUMBER_WORDS), ("yes", YES_WORDS)):
        for key, phrases in words.items():
            for phrase in phrases:
                table[tuple(phrase.split())] = (key, kind)
    return table


PHRASES = _phrases()
_LONGEST = max(len(tokens) for tokens in PHRASES)
_CHINESE_WORDS = sorted(
    {
        word
        for words in (*NUMBER_WORDS.values(), *YES_WORDS.values(), *UNITS.values())
        for word in words
        if _HAN.search(word)
    },
    key=len,
    reverse=True,
)


def read_symptom_format(body: str) -> dict[str, str] | None:
    """The answers a text written in the format gives (values as written: "38.6", "yes"), or
    None when the text is anything else. A symptom given twice keeps its highest number."""
    tokens = _tokens(body)
    if tokens is None or not tokens:
        return None
    answers: dict[str, str] = {}
    position = 0
    while position < len(tokens):
        found = _phrase_at(tokens, position)
        if found is None:
            return None
        length, (key, kind) = found
        position += length
        if kind == "yes":
            answers[key] = "yes"
            continue
        if position >= len(tokens) or not _NUMBER.fullmatch(tokens[position]):
            return None
        value = tokens[position]
        position += 1
        while position < len(tokens) and tokens[position] in UNITS[key]:
            position += 1
        if key not in answers or float(value) > float(answers[key]):
            answers[key] = value
    return answers


def _tokens(body: str) -> list[str] | None:
    """Words, numbers and Chinese words of the text, without punctuation; None when a run of
    Chinese characters is not made of the words we know."""
    text = unicodedata.normalize("NFKC", body or "").upper()
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if _HAN.match(token):
            words = _chinese_words(token)
            if words is None:
                return None
            tokens += words
        elif token == "°" or not unicodedata.category(token[0]).startswith("P"):
            tokens.append(token)
    return tokens


def _chinese_words(run: str) -> list[str] | None:
    words: list[str] = []
    while run:
        word = next((word for word in _CHINESE_WORDS if run.startswith(word)), None)
        if word is None:
            return None
        words.append(word)
        run = run[len(word) :]
    return words


def _phrase_at(tokens: list[str], position: int) -> tuple[int, tuple[str, str]] | None:
    """The longest known phrase starting at `position`: (its length in tokens, its meaning)."""
    for length in range(min(_LONGEST, len(tokens) - position), 0, -1):
        meaning = PHRASES.get(tuple(tokens[position : position + length]))
        if meaning is not None:
            return length, meaning
    return None
