"""A JSON body as the service reads it: once, within limits, or refused naming the field.

Python's reader takes what the service cannot: nesting thousands deep (a RecursionError in the
reader or in whatever walks the result), integers of thousands of digits (int() refuses past
4,300), NaN, Infinity and numbers too large for a float (JSON has none of them), and text no
database stores (a NUL, which PostgreSQL refuses, or a lone UTF-16 surrogate, which no UTF-8
encoder takes). Each is refused here with the path of the first field at fault ("facts.age_years",
"answers.0"; "body" for the whole document), before a route sees the body.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 32  # arrays and objects inside one another; the deepest body the API takes is 3
MAX_NUMBER_LENGTH = 1000  # characters of one number: past any use, well short of int()'s limit

TOO_DEEP = f"is nested too deep: at most {MAX_DEPTH} levels of arrays and objects are allowed."
TOO_LONG = f"must be a number of at most {MAX_NUMBER_LENGTH} characters."
NOT_FINITE = "must be a finite number (JSON has no NaN or Infinity, and this one is too large)."
UNSTORABLE = (
    "must be plain text: it holds a character that cannot be stored (a NUL or a lone surrogate)."
)

# One lexical token of JSON: a string, a structural character, or a bare word (number, literal).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}:,]|[^\s\[\]{}:,"]+')
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")
# Characters a number is written with, more of them in a row than a number may have (tried
# only where a run of them starts, so a body of many long numbers is read in linear time).
_LONG_NUMBER = re.compile(f"(?<![-+.0-9eE])[-+.0-9eE]{{{MAX_NUMBER_LENGTH + 1}}}")
_NOT_FINITE_WORDS = {"NaN", "Infinity", "-Infinity"}


class JsonRefused(ValueError):
    """A JSON document the service does not take: `field` is where, `problem` what is allowed."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class _NotFinite(ValueError):
    pass


def read_json_document(raw: bytes) -> Any:
    """The document in `raw`; JsonRefused when it breaks a limit, a plain ValueError when it is
    not JSON at all (left to the route's own parser, which answers it in its usual words)."""
    text = raw.decode("utf-8")
    if _LONG_NUMBER.search(text) or _too_deep(text):
        _check_shape(text)  # walked token by token, to name the field at fault
    try:  # as webargs reads it (orjson would refuse a lone surrogate, not name it)
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotFinite:
        _check_shape(text)  # finds the number, and names its field
        raise JsonRefused("body", NOT_FINITE) from None
    if "\\u" in text:  # NUL and surrogates can only arrive escaped: valid UTF-8 holds neither
        for path, value in _strings(document, ""):
            if not storable(value):
                raise JsonRefused(path or "body", UNSTORABLE)
    return document


def storable(text: str) -> bool:
    """Whether a database can keep `text`: no NUL, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_name(name: str) -> str:
    """A field name as an error message may quote it: characters no database keeps escaped."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


def _check_shape(text: str) -> None:
    """Nesting and numbers, token by token, with the path of each value; what is not JSON is
    passed over here and refused by the reader after."""
    frames: list[list[Any]] = []  # per open container: [is_object, key or index, awaiting_key]
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in "[{":
            if len(frames) == MAX_DEPTH:
                raise JsonRefused(_path(frames), TOO_DEEP)
            frames.append([first == "{", None if first == "{" else 0, first == "{"])
        elif first in "]}":
            if frames:
                frames.pop()
        elif first == ",":
            if frames and frames[-1][0]:
                frames[-1][2] = True
            elif frames:
                frames[-1][1] += 1
        elif first == ":":
            if frames:
                frames[-1][2] = False
        elif first == '"':
            if frames and frames[-1][0] and frames[-1][2]:
                frames[-1][1] = _key(token)
        elif problem := _number_problem(token):
            raise JsonRefused(_path(frames), problem)


def _too_deep(text: str) -> bool:
    """Whether the arrays and objects may nest deeper than MAX_DEPTH (also when they do not
    pair up: the walk and the reader then say what is wrong); at the speed of `re`, as most
    bodies pass here."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(MAX_DEPTH):  # each pass takes away the innermost pairs
        reduced = _INNERMOST_PAIR.sub("", brackets)
        if not reduced:
            return False
        if reduced == brackets:
            return True
        brackets = reduced
    return True


def _refuse_constant(word: str) -> Any:
    raise _NotFinite(word)


def _finite_float(written: str) -> float:
    number = float(written)
    if not math.isfinite(number):
        raise _NotFinite(written)
    return number


def _number_problem(token: str) -> str | None:
    if token in _NOT_FINITE_WORDS:
        return NOT_FINITE
    if not (token[0].isdigit() or token[0] == "-"):
        return None  # true, false, null, or not JSON
    if len(token) > MAX_NUMBER_LENGTH:
        return TOO_LONG
    if any(char in token for char in ".eE"):
        try:
            if not math.isfinite(float(token)):
                return NOT_FINITE
        except ValueError:
            return None  # not a number: the reader refuses it
    return None


def _key(token: str) -> str:
    try:
        return printable_name(json.loads(token))
    except ValueError:
        return token.strip('"')


def _path(frames: list[list[Any]]) -> str:
    return ".".join(str(label) for _, label, _ in frames if label is not None) or "body"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document, keys included, with the path of the field it is in."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{printable_name(key)}" if path else printable_name(key)
            yield where, str(key)
            yield from _strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))
