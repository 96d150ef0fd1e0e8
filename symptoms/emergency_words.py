"""Spotting words that describe an emergency or a red flag in a patient's own text.

The same detector reads a symptom report's free text, the chat and incoming SMS, in English and
Simplified Chinese; the phrases are data (`symptoms/emergency_words.yaml`) a clinician extends.

Safety first, on purpose: negation is not understood, so "no chest pain" is flagged like
"chest pain". A false alarm costs a phone call; a missed emergency costs far more. English is
matched on whole words after a clean-up that forgives what a frightened patient types on a
phone (capitals, full-width letters, curly or missing apostrophes, punctuation between words);
Chinese, written without spaces, is matched anywhere in the text.

A phrase may leave a gap for the words a frightened patient puts in the middle: "..." between
two parts matches up to three other words there in English ("chest ... hurting": "my chest is
really hurting") and up to four characters in Chinese ("胸口...痛": 胸口好痛, 胸口突然很痛).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from symptoms.data_file import DataFileReader, read_document
from symptoms.urgency import Urgency

DEFAULT_WORDS = Path(__file__).resolve().parent / "emergency_words.yaml"
WILDCARD = "*"
GAP = "..."  # between two parts of a phrase: up to GAP_WORDS words (en) or GAP_CHARACTERS (zh)
GAP_WORDS = 3
GAP_CHARACTERS = 4
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\uff07": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
    }
)
_NOT_A_WORD = re.compile(r"[\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class TextFinding:
    code: str
    urgency: Urgency


@dataclass(frozen=True, slots=True)
class WordList:
    """The phrases, cleaned up as the text is, that raise `code` at `urgency`."""

    code: str
    urgency: Urgency
    en: tuple[str, ...]
    zh: tuple[str, ...]
    pattern: re.Pattern[str]
    zh_pattern: re.Pattern[str]

    def found_in(self, cleaned: str, joined: str) -> bool:
        """Whether a phrase occurs: English in the cleaned text, Chinese in it without spaces."""
        return bool(self.pattern.search(cleaned) or self.zh_pattern.search(joined))


@dataclass(frozen=True, slots=True)
class EmergencyWords:
    lists: tuple[WordList, ...]


def clean_up(text: str) -> str:
    """`text` as phrases are compared: lower case, half-width, straight apostrophes dropped
    ("can't" is "cant"), any other punctuation a single space."""
    text = unicodedata.normalize("NFKC", text.translate(_QUOTES)).translate(_QUOTES)
    text = text.casefold().replace("'", "")
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


def scan_text(text: str, words: EmergencyWords | None = None) -> tuple[TextFinding, ...]:
    """What `text` mentions, most urgent first, each code once (by default the packaged
    words)."""
    if not isinstance(text, str) or not text.strip():
        return ()
    cleaned = clean_up(text)
    joined = cleaned.replace(" ", "")
    found = [
        TextFinding(entry.code, entry.urgency)
        for entry in (words or load_emergency_words()).lists
        if entry.found_in(cleaned, joined)
    ]
    return tuple(sorted(found, key=lambda finding: -finding.urgency))


def describes_emergency(text: str, words: EmergencyWords | None = None) -> bool:
    """Whether `text` mentions anything that calls for the emergency answer."""
    return any(finding.urgency == Urgency.EMERGENCY for finding in scan_text(text, words))


def load_emergency_words(path: Path | None = None) -> EmergencyWords:
    """The word lists in `path`, by default the packaged ones; SymptomDataError names the file,
    the code and the phrase at fault."""
    if path is None:
        return _packaged_words()
    return _WordsReader(path).read(read_document(path))


@cache
def _packaged_words() -> EmergencyWords:
    return _WordsReader(DEFAULT_WORDS).read(read_document(DEFAULT_WORDS))


class _WordsReader(DataFileReader):
    def read(self, document: Any) -> EmergencyWords:
        self.require_keys("the file", document, {"codes"})
        if not isinstance(document["codes"], list) or not document["codes"]:
            raise self.fail("codes", "must be a non-empty list")
        lists: list[WordList] = []
        owner: dict[str, str] = {}  # phrase -> code, to refuse one phrase under two codes
        for index, spec in enumerate(document["codes"]):
            entry = self.word_list(index, spec)
            if entry.code in (seen.code for seen in lists):
                raise self.fail(f"code '{entry.code}'", "is listed more than once")
            for phrase in entry.en + entry.zh:
                if phrase in owner:
                    raise self.fail(
                        f"code '{entry.code}'", f"phrase {phrase!r} is also under {owner[phrase]}"
                    )
                owner[phrase] = entry.code
            lists.append(entry)
        return EmergencyWords(tuple(lists))

    def word_list(self, index: int, spec: Any) -> WordList:
        code = spec.get("code") if isinstance(spec, dict) else None
        where = f"code '{code}'" if isinstance(code, str) else f"code {index + 1}"
        self.require_keys(where, spec, {"code", "urgency", "en", "zh"})
        self.name(where, "code", code)
        urgencies = [u.name_lower for u in Urgency if u > Urgency.GREEN]
        if spec["urgency"] not in urgencies:
            raise self.fail(where, f"urgency {spec['urgency']!r} must be one of {urgencies}")
        english = self.phrases(where, "en", spec["en"])
        chinese = self.phrases(where, "zh", spec["zh"])
        for phrase in english:
            if _HAN.search(phrase) or not _LATIN.search(phrase):
                raise self.fail(where, f"en phrase {phrase!r} must be English words")
        for phrase in chinese:
            if not _HAN.search(phrase):
                raise self.fail(where, f"zh phrase {phrase!r} has no Chinese characters")
        chinese = tuple(phrase.replace(" ", "") for phrase in chinese)
        return WordList(
            code=code,
            urgency=Urgency.from_name(spec["urgency"]),
            en=english,
            zh=chinese,
            pattern=_english_pattern(english),
            zh_pattern=_chinese_pattern(chinese),
        )

    def phrases(self, where: str, language: str, spec: Any) -> tuple[str, ...]:
        if not isinstance(spec, list) or not spec:
            raise self.fail(where, f"{language} must be a non-empty list of phrases")
        phrases = []
        for phrase in spec:
            if not isinstance(phrase, str) or not phrase.strip():
                raise self.fail(where, f"{language} phrase {phrase!r} must be non-empty text")
            parts = phrase.strip().replace("\u2026", GAP).split(GAP)
            wildcard = WILDCARD if parts[-1].strip().endswith(WILDCARD) else ""
            if WILDCARD in phrase.strip()[:-1] or (wildcard and len(parts[-1].strip()) < 4):
                raise self.fail(
                    where, f"{language} phrase {phrase!r}: * only at the end, after 3 letters"
                )
            words = [clean_up(part.strip().removesuffix(WILDCARD)) for part in parts]
            if not any(words):
                raise self.fail(where, f"{language} phrase {phrase!r} has no words")
            if not all(words):
                raise self.fail(where, f"{language} phrase {phrase!r}: ... only between words")
            cleaned = f" {GAP} ".join(words) + wildcard
            if cleaned in phrases:
                raise self.fail(where, f"{language} phrase {phrase!r} is listed twice")
            phrases.append(cleaned)
        return tuple(phrases)


def _english_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all `phrases`, each a run of whole words (a trailing * a word start, a
    ... up to GAP_WORDS other words)."""
    gap = rf"(?: [^ ]+){{0,{GAP_WORDS}}} "
    alternatives = [
        gap.join(re.escape(part) for part in phrase.removesuffix(WILDCARD).split(f" {GAP} "))
        + ("" if phrase.endswith(WILDCARD) else "(?![a-z0-9])")
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + ")")


def _chinese_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all `phrases` (spaces already removed), anywhere in the text, a ... up to
    GAP_CHARACTERS other characters."""
    gap = f".{{0,{GAP_CHARACTERS}}}"
    return re.compile(
        "|".join(
            gap.join(re.escape(part) for part in phrase.removesuffix(WILDCARD).split(GAP))
            for phrase in sorted(phrases, key=len, reverse=True)
        )
    )
