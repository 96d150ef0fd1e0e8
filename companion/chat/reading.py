"""Reading a patient's short reply to one question: text in, a value out, and whether we are sure.

Patients answer by web chat or SMS, in English or Simplified Chinese, the way people type on a
phone: "Yes!!", "nope", "５４", "fifty-four", "五十多", "not sure", "第二个". Every reader
returns a `Reading(value, sure)` or None. None means "we cannot read this": the dialogue asks
again; we never guess. `sure=False` means "we think so": the dialogue checks with the patient
("You mean: On the skin?") before it records anything.

Pure: imports only the standard library and the pure cores `matching` and `symptoms`; no Flask,
no database, no app module, no clock. Nothing here raises on odd input (empty, emoji, control
characters, 10,000 characters): the answer is None.

How a reply is read
-------------------
- Clean-up (`normalise`): NFKC (full-width letters and digits to plain ones), curly quotes
  straightened, case folded, control characters dropped, spaces collapsed, punctuation and
  symbols (emoji too) stripped from both ends.
- Words are matched as whole English words and, in Chinese, longest phrase first, so "know" is
  not "no", "没有" is not "有", "不是" is not "是" and "i don't know" is not "no".
- Yes / no / not sure (`read_yes_no`): a reply made only of known words (answers, fillers such
  as "please" or "谢谢", hedges such as "probably" or "应该") is read whole. Hedges make the
  reading unsure ("I think so", "应该没有"). "ok", "好", "行", "可以", "没问题" alone read as yes
  but unsure (they may just acknowledge the question); with another answer they are ignored
  ("ok, no" is no). A reply with words we do not know is read only when its first clause is an
  answer ("Yes, last week") or it holds an unmistakable answer word ("no chest pain"), and then
  always unsure; two different answers in one reply ("yes no", "是不是", "有没有") are None.
- Numbers (`read_number`): digits, English number words ("a hundred and two"), Chinese numerals
  ("一百零二", "三十八度五" = 38.5). Exactly one number must be in the reply: a range or two
  numbers ("50-55", "50 or 51", "五六十") is None. Hedges ("about", "~50", "50ish", "大概",
  "左右", "五十多") and words we do not know around the number make it unsure. A minus sign
  written against the number is kept ("-3"), for the bounds to refuse.
- Options (`read_option`), in this order:
  1. the exact label of an option, in any language, ignoring case and punctuation (also the part
     of a label before a colon or bracket: "Stage 3", "Mild", "轻微") -> sure;
  2. the option's value ("acral", "unsure", "IV", case-insensitive). A value that is an
     everyday word of its own label ("skin" of "On the skin", "one" of "One place") is only a
     hint, so unsure; values written in capitals in the trial file (I, II, III, IV) are codes,
     so sure;
  3. numbers. An explicit option number ("option 2", "#2", "(2)", "第二个", "选2", "2号",
     "the second one") -> that option, sure; out of range -> None. "stage 3", "3期", "三期",
     "III期", "stage IIIc" -> the stage option. "ecog 1", "grade 1" -> the option valued 1.
     "2 places", "两个地方" -> the option whose count covers 2 (none / one / more_than_one).
     A bare number ("2", "two", "二") is the option NUMBER as shown (numbered from 1), but when
     the options' values are themselves numbers or counts (ECOG 0-4; stage I-IV; none / one /
     more_than_one) the number may mean the value instead: when option number and value
     disagree the reading is unsure ("1" for ECOG is option 1, value 0, unsure, because value 1
     is option 2; "1" for the number of places is option 1 "None", unsure, because it may mean
     one place; "3" is "More than one place" either way, so sure); a number that is no option
     number but is a value ("0" for ECOG, "0" or "7" places) -> that value, unsure; otherwise
     out of range -> None. Stage "1".."4" agree with I..IV, so they are sure;
  4. a yes / no / not sure reply -> the option valued "yes" / "no" / "unsure" ("no" falls back
     to an option valued "none", as in "No, never"), as sure as the yes/no reading;
  5. distinctive words of one option only (from its labels, plus a few lay synonyms: "foot",
     "nail", "脚底" -> acral; "eye", "眼睛" -> eye; "nose", "口腔" -> mucosal), unsure; words of two
     options -> None. An unsure yes/no reading that words point elsewhere -> None.
- Symptom answers (`read_symptom_answer`): yes/no items take yes or no (not "not sure");
  severity items take option numbers 1-4, labels and severity words ("a little", "有点",
  "很严重"; vague ones such as "bad", "quite", "比较", "厉害" unsure); number and count items take
  one number within the item's bounds, or `SKIPPED` for "not measured", "没量", "不知道"; count
  items also read "none", "没有", "一次也没有" as 0; text items keep the text. A reply that only
  asks to skip ("skip", "pass", "跳过", "下一个") is `SKIPPED` for every kind of item, text too.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matching.bounded_numbers import written_whole_number
from matching.trial import Question
from symptoms.item_bank import COUNT, NUMBER, SEVERITY, TEXT, YES_NO, Item

__all__ = [
    "SKIPPED",
    "Reading",
    "normalise",
    "read_fact_answer",
    "read_number",
    "read_option",
    "read_symptom_answer",
    "read_yes_no",
]

SKIPPED = "skipped"
YES, NO, UNSURE = "yes", "no", "unsure"
MAX_DIGITS = 12  # a longer run of digits is not an answer to any question we ask


@dataclass(frozen=True, slots=True)
class Reading:
    value: Any  # a canonical value: an option's value, an int/float, "yes"/"no"/"unsure", text
    sure: bool = True  # False: ask the patient to confirm before recording


# --- clean-up ------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "´": "'", "`": "'"}
    | {"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'}
)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IS_HAN = re.compile(f"[{_HAN}]")


def _plain(text: Any) -> str:
    """NFKC, quotes straightened, case folded, control characters as spaces, spaces collapsed."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    return " ".join(text.split())


def _is_edge(char: str) -> bool:
    return unicodedata.category(char)[0] in "PSZ"


def normalise(text: str) -> str:
    """The reply as plain words: NFKC (full-width to half-width), curly quotes straightened,
    case folded, spaces collapsed, punctuation and symbols (incl. 。！？，、～ and emoji) stripped
    from both ends. Punctuation inside the reply is kept ("no. 2", "don't")."""
    text = _plain(text)
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


# --- phrase books: longest-match reading of words ---------------------------------------------

ANSWER, WEAK, SOFT, HEDGE, FILLER = "answer", "weak", "soft", "hedge", "filler"


@dataclass(frozen=True, slots=True)
class _Word:
    """What a known word or phrase says.

    role ANSWER: an answer, even amid words we do not know ("no chest pain");
    WEAK: an answer only in a reply made of known words ("i have", "是", "不": too common in
    free text); SOFT: an answer only when it is the only one ("ok"; "ok, no" is no);
    HEDGE: makes an answer unsure, and alone means `value` ("maybe" alone is not sure);
    FILLER: says nothing ("please", "谢谢").
    """

    value: Any = None
    sure: bool = True
    role: str = ANSWER


_BREAK = object()  # punctuation between clauses
_UNKNOWN = object()  # a word we do not know
_TOKEN = re.compile(rf"[a-z0-9]+(?:'[a-z0-9]+)*|[{_HAN}]|\w+|\S")


def _tokens(text: str) -> list[str]:
    """English words (with their apostrophes), single Chinese characters, other words, and one
    token per punctuation mark or symbol."""
    text = re.sub(r"\bn/a\b", "na", text)
    return _TOKEN.findall(text)


def _is_break(token: str) -> bool:
    return not (token[0].isalnum() or token[0] == "_")


def _squash(token: str) -> str:
    """A word with its repeated letters typed once ("yesss", "nooo", "okk")."""
    return re.sub(r"([a-z])\1+", r"\1", token)


class _PhraseBook:
    """Phrases ("|"-separated, English words or Chinese characters) and what each says."""

    def __init__(self, *sections: tuple[str, _Word]) -> None:
        self._phrases: dict[str, list[tuple[tuple[str, ...], _Word]]] = {}
        for phrases, word in sections:
            for phrase in phrases.split("|"):
                for variant in {phrase.strip(), phrase.strip().replace("'", "")}:
                    self._add(variant, word)
        for candidates in self._phrases.values():
            candidates.sort(key=lambda candidate: -len(candidate[0]))
        self._vocabulary = {
            token for entries in self._phrases.values() for t, _ in entries for token in t
        }

    def _add(self, phrase: str, word: _Word) -> None:
        tokens = tuple(token for token in _tokens(phrase) if not _is_break(token))
        if tokens:
            self._phrases.setdefault(tokens[0], []).append((tokens, word))

    def scan(self, text: str) -> list[Any]:
        """The reply as a list of _Word, _UNKNOWN and _BREAK, longest phrase first."""
        tokens = [self._known(token) for token in _tokens(text)]
        items: list[Any] = []
        position = 0
        while position < len(tokens):
            token = tokens[position]
            if _is_break(token):
                items.append(_BREAK)
                position += 1
                continue
            for phrase, word in self._phrases.get(token, ()):
                if tuple(tokens[position : position + len(phrase)]) == phrase:
                    items.append(word)
                    position += len(phrase)
                    break
            else:
                items.append(_UNKNOWN)
                position += 1
        return items

    def _known(self, token: str) -> str:
        if token in self._vocabulary or not token.isascii():
            return token
        squashed = _squash(token)
        return squashed if squashed in self._vocabulary else token

    def read(self, text: str) -> Reading | None:
        return _resolve(self.scan(normalise(text)))


def _split(words: str) -> tuple[str, ...]:
    """A "|"-separated word list as a tuple."""
    return tuple(words.split("|"))


def _resolve(items: list[Any]) -> Reading | None:
    """One reading from a scanned reply (see the module docstring), or None."""
    words = [item for item in items if isinstance(item, _Word)]
    if _UNKNOWN not in items:
        return _decide(words)
    first_clause: list[Any] = []
    for item in _strip_breaks(items):
        if item is _BREAK:
            break
        first_clause.append(item)
    lead = None if _UNKNOWN in first_clause else _decide(first_clause)
    strong = {word.value for word in words if word.role == ANSWER}
    if lead is not None:
        return None if strong - {lead.value} else Reading(lead.value, sure=False)
    if len(strong) == 1:
        return Reading(strong.pop(), sure=False)
    return None


def _strip_breaks(items: list[Any]) -> list[Any]:
    start = 0
    while start < len(items) and items[start] is _BREAK:
        start += 1
    return items[start:]


def _decide(words: Iterable[Any]) -> Reading | None:
    """The reading of a reply made only of known words."""
    words = [word for word in words if isinstance(word, _Word)]
    answers = [word for word in words if word.role in (ANSWER, WEAK)]
    hedges = [word for word in words if word.role == HEDGE]
    softs = [word for word in words if word.role == SOFT]
    if answers:
        values = {word.value for word in answers}
        if len(values) != 1:
            return None
        return Reading(values.pop(), sure=all(word.sure for word in answers) and not hedges)
    alone = hedges + softs
    values = {word.value for word in alone if word.value is not None}
    if len(values) != 1:
        return None
    return Reading(values.pop(), sure=all(word.sure for word in alone))


# --- yes / no / not sure ----------------------------------------------------------------------

YES_NO_BOOK = _PhraseBook(
    (
        "yes|yeah|yea|yeh|yah|yep|yup|yap|yeap|aye|affirmative|of course|ofc|definitely|"
        "absolutely|certainly|for sure|i'm sure|i am sure|that's right|that is right|"
        "that's correct|that is correct|that's true|you bet|i've had|i have had|yes please|"
        "i'd like to|i would like to|i want to|i'd love to|happy to|sure thing|yes yes|a little|"
        "a bit|a little bit|a tiny bit|agree|i agree|agreed|i consent|consent|i do agree",
        _Word(YES),
    ),
    (
        "y|ya|ye|correct|right|true|exactly|indeed|course|i do|i have|i did|i am|i'm|i was|"
        "i will|i would|i had|i've|i can|i could",
        _Word(YES, role=WEAK),
    ),
    ("sure", _Word(YES, role=SOFT)),
    (
        "ok|okay|okey|k|kk|alright|all right|mhm|mm|mmhmm|mm hmm|uh huh|no problem|why not",
        _Word(YES, sure=False, role=SOFT),
    ),
    (
        "i think so|i believe so|i guess so|i suppose so|think so|believe so|guess so|i hope so|"
        "i'm pretty sure|pretty sure yes|probably yes|yes i think|yes probably|sometimes|"
        "occasionally|on and off",
        _Word(YES, sure=False),
    ),
    (
        "no|nope|nah|naw|nay|nop|never|never ever|not at all|absolutely not|definitely not|"
        "certainly not|of course not|course not|no way|no thanks|no thank you|not me|negative|"
        "i don't|i do not|i haven't|i have not|i've not|i've never|i have never|i didn't|"
        "i did not|i'm not|i am not|i wasn't|i was not|i won't|i will not|i wouldn't|"
        "i would not|i never|i had not|i hadn't|i can't|i cannot|i can not|haven't|didn't|"
        "wasn't|don't|won't|not once|nothing like that|none at all|no never|no i haven't|"
        "disagree|i disagree|i don't agree|i do not agree",
        _Word(NO),
    ),
    ("n|none|nothing|nil|nada", _Word(NO, role=WEAK)),
    (
        "not really|not that i know of|not that i know|not as far as i know|not to my knowledge|"
        "not that i remember|not that i recall|i don't think so|don't think so|"
        "i do not think so|probably not|maybe not|likely not|i think not|i guess not|"
        "i believe not|i doubt it|doubt it|i doubt|i hope not|hopefully not|not likely|unlikely|"
        "pretty sure not|i'm pretty sure not|pretty sure no|i don't believe so|don't believe so|"
        "not that i'm aware of|not that i am aware of|i don't think|i dont think",
        _Word(NO, sure=False),
    ),
    (
        "not sure|i'm not sure|i am not sure|not so sure|not certain|i'm not certain|unsure|"
        "i'm unsure|uncertain|unclear|don't know|i don't know|i do not know|do not know|dunno|"
        "i dunno|idk|no idea|i have no idea|i've no idea|no clue|i have no clue|not a clue|"
        "can't remember|i can't remember|cannot remember|i cannot remember|can't recall|"
        "i can't recall|don't remember|i don't remember|do not remember|i do not remember|"
        "i forget|i forgot|forgot|hard to say|who knows|not sure yet|idr|i'm not really sure|"
        "not really sure|no sure",
        _Word(UNSURE),
    ),
    ("maybe|perhaps|possibly", _Word(UNSURE, role=HEDGE)),
    (
        "probably|likely|most likely|pretty sure|fairly sure|quite sure",
        _Word(YES, sure=False, role=HEDGE),
    ),
    ("i think|i believe|i guess|i suppose|i feel like", _Word(sure=False, role=HEDGE)),
    (
        "please|thanks|thank|you|thx|ty|sir|madam|maam|doctor|doc|dr|nurse|well|um|umm|uh|er|"
        "erm|oh|ah|hmm|hm|so|just|actually|honestly|really|it|that|had|been|ever|any|before|lol|"
        "haha|hi|hello|hey|dear|again|sorry|i|have|did|do|am|was|the answer is|my answer is|"
        "answer",
        _Word(role=FILLER),
    ),
    # Chinese
    (
        "是的|是啊|是呀|是滴|是是|对的|对啊|对呀|对对|有的|有啊|有呀|有过|有有|没错|当然|"
        "当然是|当然有|肯定|肯定是|肯定有|确实|确实是|确实有|愿意|是有|有点|有一点|有一些|有些|"
        "同意|我同意|同意的",
        _Word(YES),
    ),
    ("是|有|对|会|能|要", _Word(YES, role=WEAK)),
    ("嗯|嗯嗯|嗯嗯嗯|恩|恩恩|嗯呢|嗯啊", _Word(YES, role=SOFT)),
    ("好|好的|好啊|行|可以|没问题|ok", _Word(YES, sure=False, role=SOFT)),
    ("有可能|我想是的|我觉得是|算是|算有", _Word(YES, sure=False)),
    (
        "没有|从来没有|从没有|从来没|从没|从未|从来不|没有过|木有|没得|不是|不对|不会|不要|"
        "不用|不想|不愿意|不行|不可以|不能|不可能|绝对没有|完全没有|都没有|也没有|并没有|"
        "当然没有|当然不是|当然不|肯定没有|肯定不是|一次也没有|一次都没有|没这回事|不曾|"
        "未曾|还没有|还没|不同意|我不同意",
        _Word(NO),
    ),
    ("否|不|没|无", _Word(NO, role=WEAK)),
    ("没什么|不太有|不怎么|不好", _Word(NO, sure=False)),
    (
        "不知道|不确定|不清楚|说不准|说不清|说不清楚|说不好|不好说|难说|不记得|记不清|"
        "记不清楚|记不得|忘了|忘记了|不太清楚|不太确定|不太记得|不大清楚|不是很清楚|"
        "不是很确定|不是太清楚|不是太确定|不晓得|不了解|不太了解|不肯定|搞不清|搞不清楚|"
        "拿不准|吃不准|没把握|不敢确定|不敢肯定|我不确定",
        _Word(UNSURE),
    ),
    ("可能|也许|或许", _Word(UNSURE, role=HEDGE)),
    ("好像|应该|大概|似乎是", _Word(YES, sure=False, role=HEDGE)),
    ("估计|似乎|我想|我觉得|我感觉|吧", _Word(sure=False, role=HEDGE)),
    (
        "我|啊|呀|哦|噢|喔|呢|啦|了|嘛|哈|的|呃|额|谢谢|谢谢你|谢谢您|请|医生|您好|你好|过|也|"
        "都|哎|唉|那个|不过|不好意思|对不起|就是",
        _Word(role=FILLER),
    ),
)


def read_yes_no(text: str) -> Reading | None:
    """Yes, no or not sure: value "yes", "no" or "unsure", or None."""
    return YES_NO_BOOK.read(text)


_LEADING_NO = re.compile(
    r"^\s*(?:no+|nope|nah|not quite|wrong|不是|不对|错了|不)"
    r"(?:[\s,，.。!！:：;；、-]+|(?=\d))(?P<rest>.+)$",
    re.IGNORECASE,
)


def without_leading_no(text: str) -> str | None:
    """What follows a leading "no" ("no, 4", "nope it's 54", "不是，是三期"): the answer meant
    instead of the one checked; None when the reply does not start with a no and go on."""
    if not isinstance(text, str):
        return None
    match = _LEADING_NO.match(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    rest = match.group("rest").strip()
    rest = re.sub(r"^(?:it'?s|it is|i meant?|i said|是)\s*", "", rest, flags=re.IGNORECASE)
    return rest or None


# --- numbers ----------------------------------------------------------------------------------

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_TIMES = {"once": 1, "twice": 2, "thrice": 3}
_ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMERALS = "".join(_ZH_DIGITS) + "".join(_ZH_UNITS)

HALF, SUFFIX_HEDGE, VAGUE, NEGATIVE = "half", "suffix_hedge", "vague", "negative"

# Words around a number: what they say about it. Context words leave it sure, hedges do not.
NUMBER_BOOK = _PhraseBook(
    (
        "i|i'm|im|i am|am|me|my|is|it|it's|its|was|were|age|aged|years|year|yrs|yr|y|yo|o|old|"
        "of|the|a|just|turned|now|currently|today|tonight|yesterday|this morning|last night|"
        "degrees|degree|deg|c|celsius|centigrade|temp|temperature|fever|highest|max|times|time|"
        "x|per|day|daily|a day|stools|stool|loose|more|extra|bowel|movements|went|had|have|"
        "been|on|at|in|and|than|usual|then|reading|measured|checked|please|thanks|ok|okay|"
        "so|um|uh|well|thank|you|the answer is|years of age|years old|more than usual|"
        "more than normal|than usual|at night|in the morning|in the evening|this afternoon",
        _Word(role=FILLER),
    ),
    (
        "about|around|roughly|approximately|approx|abt|circa|maybe|probably|perhaps|possibly|"
        "ish|or so|give or take|something like|close to|nearly|almost|over|under|above|below|"
        "more than|less than|at least|at most|or more|or less|plus|like|guess|i guess|i think|"
        "think|estimate|not sure|unsure|some|something|i believe|not exactly|i'd say|i would say",
        _Word(sure=False, role=HEDGE),
    ),
    ("minus|negative", _Word(NEGATIVE, role=FILLER)),
    ("and a half|and half", _Word(HALF, role=FILLER)),
    ("一次也没有|一次都没有", _Word(0, role=ANSWER)),
    # Chinese
    (
        "我|今年|岁|周岁|了|已经|是|有|度|摄氏度|摄氏|体温|最高|最高是|发烧|发热|烧|烧到|到|量|"
        "量了|量到|测|测了|测到|次|回|趟|拉|拉了|多拉了|稀便|大便|拉稀|腹泻|每天|天|今天|昨天|"
        "的|啊|呀|呢|年龄|年纪|那天|最严重|一天|一共|总共|比平时|平时|早上|晚上|就|个|"
        "一下|一直|十分",
        _Word(role=FILLER),
    ),
    (
        "大概|大约|约|差不多|左右|上下|可能|也许|估计|应该|好像|将近|快|接近|不到|超过|以上|"
        "以下|吧|似乎|大致|起码|至少|最多|虚岁",
        _Word(sure=False, role=HEDGE),
    ),
    ("多|来|余", _Word(SUFFIX_HEDGE, role=FILLER)),  # after a number: "五十多" is about 50
    ("几", _Word(VAGUE, role=FILLER)),  # after a number: "五十几" is 51 to 59, no number
    ("度半|点半|个半", _Word(HALF, role=FILLER)),
)
# Chinese phrases that begin with a numeral but are no number ("一天" is "a day").
_ZH_NUMERAL_WORDS = _split(
    "一次也没有|一次都没有|一点点|一点|一天|一共|一下|一直|十分|一些|一样|一般|一起"
)
_NUMBER_TOKEN = re.compile(
    r"(?P<digits>\d+(?:[.,]\d+|[度点]\d+)?)"
    r"|(?P<word>[a-z]+(?:'[a-z]+)*)"
    rf"|(?P<han>[{_HAN}〇]+)"
    r"|(?P<other>\S)"
)


@dataclass(slots=True)
class _NumberScan:
    numbers: list[float]
    hedged: bool = False
    unknown: bool = False
    unreadable: bool = False  # something looked like a number but is none ("五四", 20 digits)


def read_number(text: str, *, whole: bool = False) -> Reading | None:
    """The one number in the reply: an int when `whole` (a fraction is then None), else a
    float; unsure when hedged or among words we do not know; None for no number, a range or two
    numbers."""
    scan = _scan_number(text)
    if scan.unreadable or len(scan.numbers) != 1:
        return None
    value = scan.numbers[0]
    if not math.isfinite(value):
        return None
    if whole:
        if not float(value).is_integer():
            return None
        value = int(value)
    else:
        value = float(value)
    return Reading(value, sure=not (scan.hedged or scan.unknown))


def _scan_number(text: str) -> _NumberScan:
    plain = _plain(text)
    plain = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", plain)  # fifty-four
    plain = re.sub(r"(?<=\d)-(?=[a-z])", " ", plain)  # 50-ish
    plain = re.sub(r"(\d)\s*point\s*(\d)", r"\1.\2", plain)  # 38 point 5
    plain = re.sub(r"\bnot (?:even )?once\b", " 0 ", plain)  # not once: 0 times
    scan = _NumberScan(numbers=[])
    items: list[Any] = []  # numbers (float) and _Word / _UNKNOWN, in order
    words: list[str] = []
    for match in _NUMBER_TOKEN.finditer(plain):
        kind, token = match.lastgroup, match.group()
        if kind != "word" and words:
            items += _english_items(words)
            words = []
        if kind == "digits":
            number = _digits(token)
            if number is None:
                scan.unreadable = True
                continue
            if _minus_before(plain, match.start()):
                number = -number
            items.append(number)
        elif kind == "word":
            words.append(token)
        elif kind == "han":
            items += _chinese_items(token, scan)
        elif token in "~≈+?":
            scan.hedged = True
        elif token.isalpha():
            items.append(_UNKNOWN)
        elif token == "-":
            items.append(_Word(role=FILLER))  # a dash between two numbers: still two numbers
    items += _english_items(words)
    _combine(items, scan)
    return scan


def _digits(token: str) -> float | None:
    token = token.replace("度", ".").replace("点", ".")
    if len(token) > MAX_DIGITS:
        return None
    if "," in token:
        whole, fraction = token.split(",")
        token = whole + fraction if len(fraction) == 3 else f"{whole}.{fraction}"  # 1,000 / 38,5
    return float(token)


def _minus_before(plain: str, start: int) -> bool:
    return start > 0 and plain[start - 1] == "-" and (start == 1 or not plain[start - 2].isalnum())


def _combine(items: list[Any], scan: _NumberScan) -> None:
    """Fold the scanned items into the scan: numbers, halves, signs, hedges, unknown words."""
    previous: Any = None
    negative = False
    for item in items:
        if isinstance(item, float | int) and not isinstance(item, bool):
            scan.numbers.append(-float(item) if negative else float(item))
            negative = False
        elif item is _UNKNOWN:
            scan.unknown = True
        elif isinstance(item, _Word):
            if item.role == ANSWER:  # "一次也没有" is 0
                scan.numbers.append(float(item.value))
            elif item.role == HEDGE:
                scan.hedged = True
            elif item.value == NEGATIVE:
                negative = True
            elif item.value == HALF:
                if not isinstance(previous, float | int) or not scan.numbers:
                    scan.unreadable = True
                else:
                    scan.numbers[-1] += 0.5 if scan.numbers[-1] >= 0 else -0.5
            elif item.value == SUFFIX_HEDGE and isinstance(previous, float | int):
                scan.hedged = True
            elif item.value == VAGUE and isinstance(previous, float | int):
                scan.unreadable = True
        previous = item


def _english_items(words: list[str]) -> list[Any]:
    """A run of English words as numbers and phrase-book words."""
    items: list[Any] = []
    position = 0
    while position < len(words):
        parsed = _english_number(words, position)
        if parsed is not None:
            value, position = parsed
            items.append(value)
            continue
        end = position + 1
        while end < len(words) and _english_number(words, end) is None:
            end += 1
        items += NUMBER_BOOK.scan(" ".join(words[position:end]))
        position = end
    return items


def _english_number(words: list[str], start: int) -> tuple[float, int] | None:
    """The number written in words from `start` ("a hundred and two", "thirty eight point
    five", "twice"), and where it ends; None when no number starts there."""
    if words[start] in _TIMES:
        return float(_TIMES[words[start]]), start + 1
    value, position = _below_hundred(words, start)
    if value is None and words[start] in ("a", "one") and _at(words, start + 1) == "hundred":
        value, position = 1, start + 1
    if _at(words, position) == "hundred":
        if value is None and position == start:
            value = 1
        if value is None or not 1 <= value <= 99:
            return None
        value *= 100
        position += 1
        after_and = position + 1 if _at(words, position) == "and" else position
        rest, end = _below_hundred(words, after_and)
        if rest is not None:
            value, position = value + rest, end
    if value is None:
        return None
    if _at(words, position) == "point":
        digits = []
        position += 1
        while _at(words, position) in _ONES and _ONES[words[position]] < 10:
            digits.append(str(_ONES[words[position]]))
            position += 1
        if not digits:
            return None
        return float(f"{value}.{''.join(digits)}"), position
    return float(value), position


def _below_hundred(words: list[str], start: int) -> tuple[int | None, int]:
    word = _at(words, start)
    if word in _TENS:
        unit = _at(words, start + 1)
        if unit in _ONES and 0 < _ONES[unit] < 10:
            return _TENS[word] + _ONES[unit], start + 2
        return _TENS[word], start + 1
    if word in _ONES:
        return _ONES[word], start + 1
    return None, start


def _at(words: list[str], position: int) -> str | None:
    return words[position] if position < len(words) else None


def _chinese_items(run: str, scan: _NumberScan) -> list[Any]:
    """A run of Chinese characters as numbers and phrase-book words."""
    items: list[Any] = []
    position, rest_start = 0, 0

    def flush(end: int) -> None:
        if end > rest_start:
            items.extend(NUMBER_BOOK.scan(run[rest_start:end]))

    while position < len(run):
        starts_numeral = run[position] in _ZH_NUMERALS and (
            position == 0 or run[position - 1] not in _ZH_NUMERALS
        )
        word = next((w for w in _ZH_NUMERAL_WORDS if run.startswith(w, position)), None)
        if word == "一点" and run[position + 2 : position + 3] in tuple(_ZH_DIGITS):
            word = None  # 一点五 is 1.5
        if starts_numeral and word is None:
            flush(position)
            end = _numeral_end(run, position)
            value = _chinese_number(run[position:end])
            if value is None:
                scan.unreadable = True
            else:
                items.append(value)
            position = rest_start = end
        elif starts_numeral and word is not None:
            flush(position)
            items.extend(NUMBER_BOOK.scan(word))
            position = rest_start = position + len(word)
        else:
            position += 1
    flush(len(run))
    return items


def _numeral_end(run: str, start: int) -> int:
    """Where the numeral from `start` ends; 点 and 度 followed by a digit are its decimal point."""
    end = start
    while end < len(run):
        char = run[end]
        decimal_point = char in "点度" and run[end + 1 : end + 2] in tuple(_ZH_DIGITS)
        if char not in _ZH_NUMERALS and not decimal_point:
            break
        end += 1
    return end


def _chinese_number(numeral: str) -> float | None:
    """五十四 -> 54, 一百零二 -> 102, 一百二 -> 120, 三十八度五 -> 38.5; None for "五四"."""
    whole, _, fraction = numeral.replace("度", "点").partition("点")
    value = _chinese_integer(whole)
    if value is None or len(numeral) > MAX_DIGITS * 2:
        return None
    if not fraction:
        return float(value)
    if any(char not in _ZH_DIGITS for char in fraction):
        return None
    return float(f"{value}.{''.join(str(_ZH_DIGITS[char]) for char in fraction)}")


def _chinese_integer(numeral: str) -> int | None:
    if not numeral:
        return None
    if not any(char in _ZH_UNITS for char in numeral):
        return _ZH_DIGITS[numeral] if len(numeral) == 1 else None  # 五四 may be 5 or 4, or 54
    total, digit, last_unit, zero = 0, None, 10_000, False
    for char in numeral:
        if char in _ZH_UNITS:
            unit = _ZH_UNITS[char]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
        elif _ZH_DIGITS[char] == 0:
            if digit is not None:
                return None
            zero = True
        elif digit is not None:
            return None
        else:
            digit = _ZH_DIGITS[char]
    if digit is not None:
        # 一百二 is 120 and 两千五 is 2500, but 一百零二 is 102 and 十二 is 12
        total += digit * last_unit // 10 if last_unit >= 100 and not zero else digit
    return total


# --- options ----------------------------------------------------------------------------------

Options = Sequence[tuple[Any, Mapping[str, str]]]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_COUNT_VALUES = {"none": (0, 0), "one": (1, 1), "more_than_one": (2, math.inf)}
_NUMBER = r"(\d{1,3}|[a-z]+|[" + _ZH_NUMERALS + r"]{1,4})"
_EXPLICIT = (
    re.compile(rf"(?:option|opt|choice|answer|number|num|nr\.?|no\.|n°|#)\s*{_NUMBER}"),
    re.compile(rf"(?:选项|选择|选|第)\s*第?\s*{_NUMBER}\s*(?:个|项|条|种|号|个选项)?"),
    re.compile(rf"{_NUMBER}\s*(?:号|项|号选项)"),
    re.compile(rf"\(\s*{_NUMBER}\s*\)"),
    re.compile(rf"{_NUMBER}\s*\)"),
)
_ORDINAL = re.compile(
    r"(?:the\s+)?(?:(\d{1,2})(?:st|nd|rd|th)|([a-z]+))(?:\s+(?:one|option|answer|choice))?"
)
_STAGE_NUMBER = r"(\d{1,2}|iv|v|i{1,3}|[" + _ZH_NUMERALS + r"]{1,4}|[a-z]+?)"
_STAGE = (
    re.compile(rf"(?:stage|stg)\s*{_STAGE_NUMBER}\s*[abcd]?"),
    re.compile(rf"第?\s*{_STAGE_NUMBER}\s*[abcd]?\s*期"),
    re.compile(r"(\d|iv|v|i{1,3})[abcd]"),
)
_GRADE = re.compile(rf"(?:ecog|ps|grade|score|level)\s*{_NUMBER}")
_COUNT = re.compile(
    rf"{_NUMBER}\s*(?:places?|sites?|spots?|areas?|parts?|organs?|个地方|处|个部位|个位置|个)"
)
_BARE = re.compile(_NUMBER)
_HEDGE_AROUND = re.compile(
    r"^(?:maybe|probably|i think|i guess|perhaps|"
    r"可能是|可能|应该是|应该|大概是|大概|好像是|好像)\s*"
    r"|\s*(?:maybe|probably|i think|吧)$"
)


def read_option(text: str, options: Options, language: str) -> Reading | None:
    """Which of `options` ((value, {language: label}) in the order shown, numbered from 1) the
    reply picks; see the module docstring for the order of the rules."""
    options = [(value, labels) for value, labels in options if isinstance(labels, Mapping)]
    if not options or not normalise(text):
        return None
    for rule in (_by_label, _by_value, _by_number):
        reading = rule(text, options, language)
        if reading is not None:
            return reading
    return _by_answer_or_words(text, options)


def _label_key(text: str) -> str:
    """A label or reply with case, punctuation and spacing ignored ("I'm not sure" = "im not
    sure")."""
    words = re.findall(rf"[a-z0-9]+|[{_HAN}]", normalise(text).replace("'", ""))
    return " ".join(words)


def _label_keys(label: str) -> set[str]:
    """The whole label, and its part before a colon or bracket ("Stage 3", "轻微", "1 期")."""
    head = re.split(r"[:：(（]", label, maxsplit=1)[0]
    return {key for key in (_label_key(label), _label_key(head)) if key}


def _by_label(text: str, options: Options, language: str) -> Reading | None:
    key = _label_key(text)
    others = sorted({lang for _, labels in options for lang in labels if isinstance(lang, str)})
    languages = [language, *(lang for lang in others if lang != language)]
    for lang in languages:
        hits = [
            value
            for value, labels in options
            if isinstance(labels.get(lang), str) and key in _label_keys(labels[lang])
        ]
        if len(hits) == 1:
            return Reading(hits[0])
        if len(hits) > 1:
            return None
    return None


def _by_value(text: str, options: Options, language: str) -> Reading | None:
    reply = " ".join(normalise(text).replace("_", " ").split())
    for value, labels in options:
        if not isinstance(value, str):
            continue
        if reply == " ".join(value.casefold().replace("_", " ").split()):
            everyday = not value.isupper() and any(
                re.search(rf"\b{re.escape(reply)}\b", _label_key(label))
                for label in labels.values()
                if isinstance(label, str)
            )
            return Reading(value, sure=not everyday)
    return None


def _by_number(text: str, options: Options, language: str) -> Reading | None:
    """Option numbers, stages, grades and counts; a hedge around them makes them unsure."""
    marked = _plain(text).strip(" .!?。,、~")  # keeps "#2" and "(2)"
    for form in (marked, normalise(text)):
        trimmed = _HEDGE_AROUND.sub("", form).strip()
        reading = _number_reference(trimmed, options)
        if reading is not None:
            return Reading(reading.value, sure=reading.sure and trimmed == form)
    return None


def _number_reference(reply: str, options: Options) -> Reading | None:
    values = [value for value, _ in options]
    for pattern in _EXPLICIT:
        match = pattern.fullmatch(reply)
        if match and (number := _small_number(match.group(1))) is not None:
            return _nth(values, number)
    if (match := _ORDINAL.fullmatch(reply)) and (number := _ordinal(match)) is not None:
        return _nth(values, number)
    for pattern in _STAGE:
        match = pattern.fullmatch(reply)
        if match and any(_roman(value) for value in values):
            number = _small_number(match.group(1), roman=True)
            return _one([v for v in values if number is not None and _roman(v) == number])
    match = _GRADE.fullmatch(reply)
    if match and any(_is_int(value) for value in values):
        number = _small_number(match.group(1))
        return _one([v for v in values if _is_int(v) and v == number])
    match = _COUNT.fullmatch(reply)
    if match and _counting(values):
        number = _small_number(match.group(1))
        return _one([v for v in values if number is not None and _counts(v, number)])
    match = _BARE.fullmatch(reply)
    if match and (number := _small_number(match.group(1))) is not None:
        return _bare_number(values, number)
    return None


def _small_number(token: str, *, roman: bool = False) -> int | None:
    """1-3 digits, a roman numeral (stages only), an English number word to nineteen, or a
    Chinese numeral."""
    if (number := written_whole_number(token)) is not None:
        return number
    if roman and token in _ROMAN:
        return _ROMAN[token]
    if token in _ONES:
        return _ONES[token]
    if all(char in _ZH_NUMERALS for char in token):
        return _chinese_integer(token)
    return None


def _ordinal(match: re.Match[str]) -> int | None:
    digits, word = match.groups()
    if digits:
        return int(digits)
    return _ORDINALS.get(word or "")


def _nth(values: list[Any], number: int) -> Reading | None:
    if number == -1:
        return Reading(values[-1])
    return Reading(values[number - 1]) if 1 <= number <= len(values) else None


def _one(values: list[Any]) -> Reading | None:
    return Reading(values[0]) if len(values) == 1 else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _roman(value: Any) -> int | None:
    return _ROMAN.get(value.casefold()) if isinstance(value, str) else None


def _counts(value: Any, number: int) -> bool:
    low, high = _COUNT_VALUES.get(value, (None, None)) if isinstance(value, str) else (None, None)
    return low is not None and low <= number <= high


def _means(value: Any, number: int, values: list[Any]) -> bool:
    """Whether an option's value itself says `number` (ECOG 1, stage III, "one" place)."""
    if _is_int(value):
        return value == number
    if _roman(value) is not None:
        return _roman(value) == number
    return _counting(values) and _counts(value, number)


def _counting(values: list[Any]) -> bool:
    """Whether the options count places (none / one / more_than_one)."""
    return any(value in ("one", "more_than_one") for value in values if isinstance(value, str))


def _bare_number(values: list[Any], number: int) -> Reading | None:
    """A bare number: the option number as shown, unsure when a value says otherwise."""
    by_number = values[number - 1] if 1 <= number <= len(values) else None
    by_meaning = [value for value in values if _means(value, number, values)]
    if 1 <= number <= len(values):
        return Reading(by_number, sure=by_meaning in ([], [by_number]))
    if len(by_meaning) == 1:
        return Reading(by_meaning[0], sure=False)
    return None


# Lay words for options, by option value; an option's own label words count as well.
OPTION_WORDS: Mapping[str, tuple[str, ...]] = {
    "skin": _split(
        "skin|cutaneous|mole|moles|back|arm|arms|leg|legs|face|scalp|shoulder|thigh|cheek|trunk|"
        "皮肤|痣|背上|背部|胳膊|手臂|腿上|大腿|小腿|脸上|头皮|肩膀"
    ),
    "acral": _split(
        "palm|palms|hand|hands|sole|soles|foot|feet|heel|nail|nails|fingernail|toenail|finger|"
        "fingers|toe|toes|thumb|acral|subungual|手掌|手心|手指|脚底|脚掌|脚心|脚趾|脚后跟|足底|"
        "指甲|趾甲|甲下|肢端|脚上"
    ),
    "mucosal": _split(
        "nose|nasal|sinus|mouth|oral|gum|gums|throat|gut|bowel|intestine|colon|rectum|rectal|"
        "anal|anus|vagina|vaginal|vulva|genital|genitals|penis|esophagus|mucosal|mucous|鼻子|"
        "鼻腔|口腔|嘴里|嘴巴|喉咙|咽喉|肠道|肠子|直肠|肛门|阴道|外阴|生殖器|黏膜|粘膜|食管|"
        "食道|消化道"
    ),
    "eye": _split(
        "eye|eyes|eyeball|uveal|ocular|retina|iris|choroid|眼睛|眼球|眼部|眼内|眼里|葡萄膜|脉络膜"
    ),
    "unknown_primary": _split(
        "unknown|never found|couldn't find|could not find|not found|找不到|没找到|不明"
    ),
    "III": _split("lymph|node|nodes|gland|glands|淋巴|淋巴结"),
    "IV": _split("lung|lungs|liver|bone|bones|brain|metastatic|肺|肝|骨头|大脑|脑子"),
    "more_than_one": _split(
        "several|many|multiple|lots|various|both|多处|多个|好几个|好几处|很多|不止"
    ),
    "one": _split("single|only one|just one|一处|只有一个|就一个"),
    "exception_only": _split("basal|bcc|cervical|in situ|基底细胞|原位癌|宫颈"),
    "exempt_only": _split(
        "vitiligo|diabetes|asthma|eczema|white patches|白癜风|糖尿病|哮喘|湿疹|白斑"
    ),
}
# Words of a label that do not tell one option from another.
_COMMON_WORDS = frozenset(
    _split(
        "a|an|the|of|on|in|or|and|to|it|its|i|im|my|me|is|was|can|cant|cannot|do|did|but|for|"
        "that|this|not|no|yes|only|like|such|as|with|at|by|from|has|have|had|be|been|are|am|"
        "than|more|half|day|days|any|some|other|up|all|could|would|where|what|when|which|who|"
        "how|there|then|still|so|very|just|sure|first|start|started|find|found|place|places|"
        "stage|part|parts|year|years|last|time|thing|things|got|get|before|after|over|under|out|"
        "into|about|because|come|back|came|doctor|doctors|said|told|think|one|two|inside|body|"
        "nearby|near|far|spread|usual|way|help|myself|little|every"
    )
)


def _by_answer_or_words(text: str, options: Options) -> Reading | None:
    values = [value for value, _ in options]
    answer = _by_yes_no(text, values)
    named = _named_options(text, options)
    if answer is not None and (answer.sure or not named or named == {answer.value}):
        return answer
    if answer is None and len(named) == 1:
        return Reading(next(iter(named)), sure=False)
    return None


def _by_yes_no(text: str, values: list[Any]) -> Reading | None:
    reading = read_yes_no(text)
    if reading is None:
        return None
    wanted = [reading.value] + (["none"] if reading.value == NO else [])
    for value in wanted:
        if value in values:
            return Reading(value, reading.sure)
    return None


def _named_options(text: str, options: Options) -> set[Any]:
    """The options a reply names by a distinctive word of their labels or a lay synonym."""
    key = _label_key(text)
    reply_words = {_singular(word) for word in key.split() if word.isascii()}
    reply_han = "".join(re.findall(f"[{_HAN}]", key))
    named: set[Any] = set()
    index = _label_word_index(options)
    for word in reply_words:
        named |= index.get(word, set())
    for value, labels in options:
        for lay_word in OPTION_WORDS.get(value, ()) if isinstance(value, str) else ():
            if _IS_HAN.search(lay_word):
                if lay_word in reply_han:
                    named.add(value)
            elif re.search(rf"\b{re.escape(_label_key(lay_word))}\b", key):
                named.add(value)
        if len(reply_han) >= 2 and reply_han == key.replace(" ", ""):
            for label in labels.values():
                if isinstance(label, str) and reply_han in _label_key(label).replace(" ", ""):
                    named.add(value)
    return named


def _label_word_index(options: Options) -> dict[str, set[Any]]:
    """English label words found in one option's labels only -> that option."""
    index: dict[str, set[Any]] = {}
    for value, labels in options:
        for label in labels.values():
            if not isinstance(label, str):
                continue
            for word in _label_key(label).split():
                distinctive = word.isascii() and word.isalpha() and len(word) >= 3
                if distinctive and word not in _COMMON_WORDS:
                    index.setdefault(_singular(word), set()).add(value)
    return {word: values for word, values in index.items() if len(values) == 1}


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# --- facts and symptoms -----------------------------------------------------------------------


def read_fact_answer(text: str, question: Question, language: str) -> Reading | None:
    """An answer to a pre-screen question, as the fact's canonical value (bounds checked)."""
    fact = question.fact
    if fact.type == "choice":
        options = [(option.value, option.label) for option in question.options]
        reading = read_option(text, options, language)
    else:
        reading = read_number(text, whole=fact.type == "integer")
    if reading is None:
        return None
    value = fact.canonical(reading.value)
    return None if value is None else Reading(value, reading.sure)


SEVERITY_BOOK = _PhraseBook(
    (
        "none|no|nope|nothing|not at all|no pain|not any|none at all|nil|never|没有|没|无|不|"
        "一点也没有|一点都没有|完全没有|都没有|一点也不|一点都不",
        _Word("none"),
    ),
    (
        "mild|mildly|a little|a little bit|a bit|little|slight|slightly|light|minor|a tiny bit|"
        "tiny bit|barely|just a little|轻微|轻|轻度|一点点|一点|有一点|有点|有一点点|稍微|"
        "稍微有点|有些|轻的|很轻",
        _Word("mild"),
    ),
    (
        "not much|not bad|not too bad|not that bad|manageable|不严重|还好|还行|不太严重|比较轻|"
        "不是很严重",
        _Word("mild", sure=False),
    ),
    ("moderate|moderately|medium|middle|中等|中度|中", _Word("moderate")),
    (
        "quite|quite bad|fairly bad|so so|average|in between|一般|比较|比较严重|有点严重|挺严重",
        _Word("moderate", sure=False),
    ),
    (
        "severe|severely|very bad|really bad|so bad|terrible|terribly|awful|horrible|extreme|"
        "extremely|unbearable|worst|very severe|really severe|严重|很严重|非常严重|特别严重|"
        "太严重|重度|很厉害|非常厉害|特别厉害|太厉害|受不了|很重|非常重|特别重",
        _Word("severe"),
    ),
    ("bad|pretty bad|厉害|重", _Word("severe", sure=False)),
    (
        "maybe|probably|i think|i guess|可能|大概|应该|好像|吧|算是",
        _Word(sure=False, role=HEDGE),
    ),
    (
        "very|really|it's|it is|it was|its|is|was|my|the|i'd say|i would say|i feel|feels|feel|"
        "yes|yeah|only|just|i|it|been|has|have|pain|please|thanks|ok|有|是|很|非常|特别|我|的|"
        "了|啊|呢|吧|是的|还是|感觉|觉得",
        _Word(role=FILLER),
    ),
)

# Asking to skip a question, whatever its kind ("Reply SKIP to skip one").
_SKIP_COMMANDS = (
    "skip|skipped|skip it|skip this|skip this one|skip question|skip this question|pass|next|"
    "next question|prefer not to say|rather not say|i'd rather not say|don't want to answer|"
    "i don't want to answer|跳过|略过|下一个|下一题|不想回答|不想说"
)
_SKIP_PHRASES = (
    _SKIP_COMMANDS + "|not measured|"
    "didn't measure|did not measure|haven't measured|have not measured|didn't check|"
    "did not check|haven't checked|have not checked|not checked|didn't take|did not take|"
    "haven't taken|no thermometer|don't have a thermometer|i don't have a thermometer|"
    "didn't count|did not count|not counted|don't know|i don't know|do not know|dunno|idk|"
    "not sure|i'm not sure|unsure|no idea|unknown|na|can't remember|don't remember|forgot|"
    "i forgot|forgot to check|forgot to measure|prefer not to say|rather not say|"
    "don't want to answer|not taken|没量|没有量|没测|没有测|没量过|没测过|没有量过|没有测过|"
    "还没量|不知道|跳过|不清楚|不确定|没有体温计|没体温计|忘了|忘记了|忘了量|忘记量了|没数|"
    "没有数|没数过|不记得|不记得了|记不清|记不清了|下一个|略过|不量|不想回答"
)
_SKIP_FILLERS = (
    "i|my|temperature|temp|it|them|sorry|yet|today|please|the|this|question|one|体温|我|了|"
    "还|过|呢|啊|对不起|不好意思|请|吧"
)
SKIP_COMMAND_BOOK = _PhraseBook(
    (_SKIP_COMMANDS, _Word(SKIPPED)), (_SKIP_FILLERS, _Word(role=FILLER))
)
SKIP_BOOK = _PhraseBook((_SKIP_PHRASES, _Word(SKIPPED)), (_SKIP_FILLERS, _Word(role=FILLER)))
COUNT_SKIP_BOOK = _PhraseBook(
    (_SKIP_PHRASES, _Word(SKIPPED)),
    (
        "none|no|nope|nothing|nil|not any|no more|no more than usual|no extra|none extra|never|"
        "no diarrhea|no diarrhoea|no loose stools|没有|没|无|一次也没有|一次都没有|都没有|没拉|"
        "没有拉|没有多|不拉|没拉肚子|没腹泻|没有腹泻",
        _Word(0),
    ),
    (
        "same as usual|normal|as usual|like usual|the same|正常|和平时一样|跟平时一样|和平常一样|"
        "跟平常一样|一样",
        _Word(0, sure=False),
    ),
    (_SKIP_FILLERS, _Word(role=FILLER)),
)


def read_symptom_answer(text: str, item: Item, language: str) -> Reading | None:
    """An answer to a symptom question, as the item's value (see the module docstring)."""
    if _asks_to_skip(text):
        return Reading(SKIPPED)
    if item.kind == YES_NO:
        reading = read_yes_no(text)
        return None if reading is None or reading.value == UNSURE else reading
    if item.kind == SEVERITY:
        return _read_severity(text, item, language)
    if item.kind in (NUMBER, COUNT):
        return _read_measure(text, item)
    if item.kind == TEXT:
        kept = text.strip() if isinstance(text, str) else ""
        if not kept or (item.max_length is not None and len(kept) > item.max_length):
            return None
        return Reading(kept)
    return None


def _asks_to_skip(text: str) -> bool:
    """Whether the whole reply asks to skip the question ("skip", "跳过", "next please")."""
    items = SKIP_COMMAND_BOOK.scan(normalise(text))
    return _UNKNOWN not in items and _decide(items) == Reading(SKIPPED)


def _read_severity(text: str, item: Item, language: str) -> Reading | None:
    options = [(choice.value, choice.text) for choice in item.choices]
    values = {value for value, _ in options}
    by_words = SEVERITY_BOOK.read(text)
    if by_words is not None and by_words.value not in values:
        by_words = None
    if by_words is not None and by_words.sure:
        return by_words
    by_option = read_option(text, options, language)
    if by_option is not None and by_option.sure:
        return by_option
    if by_words is not None and by_option is not None and by_words.value != by_option.value:
        return None
    return by_words or by_option


def _read_measure(text: str, item: Item) -> Reading | None:
    whole = item.kind == COUNT
    scan = _scan_number(text)
    if scan.numbers or scan.unreadable:
        reading = read_number(text, whole=whole)
        if reading is None or not _within(reading.value, item):
            return None
        return reading
    return (COUNT_SKIP_BOOK if whole else SKIP_BOOK).read(text)


def _within(value: float, item: Item) -> bool:
    return (item.minimum is None or value >= item.minimum) and (
        item.maximum is None or value <= item.maximum
    )
