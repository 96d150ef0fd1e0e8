"""Numbers from outside (a JSON body, a form, a text message), read only within bounds.

An answer of 400 digits is a value like any other outside the range, not an OverflowError
(`math.isfinite` and `float()` refuse ints past 1e308), and text of 5,000 digits is no number,
not int()'s ValueError past 4,300 digits. Digits are decimal digits only: "²" passes
`str.isdigit()` but int() refuses it. Every core reads numbers through here (the symptom core
shares it as it shares `matching.strict_yaml`), and so do the web forms.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_WRITTEN_DIGITS = 30  # more than any id, age, count or measurement needs

# `\d` is a decimal digit of any script and width (what int() and float() read); "²" is not one.
_WRITTEN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_WIDE_SIGNS = str.maketrans("＋－．", "+-.")  # as a Chinese input method types them


class OutOfRange(ValueError):
    """A value that is not a number inside the bounds; `allowed` says which numbers are."""

    def __init__(self, allowed: str) -> None:
        super().__init__(allowed)
        self.allowed = allowed


def describe_range(lowest: float | None, highest: float | None, *, whole: bool = False) -> str:
    """The numbers allowed, in words for an error message: "a whole number from 0 to 120"."""
    kind = "a whole number" if whole else "a number"
    if lowest is not None and highest is not None:
        return f"{kind} from {lowest:g} to {highest:g}"
    if lowest is not None:
        return f"{kind} of at least {lowest:g}"
    if highest is not None:
        return f"{kind} of at most {highest:g}"
    return kind


def bounded_number(
    value: Any, lowest: float | None, highest: float | None, *, whole: bool = False
) -> int | float:
    """`value` when it is a finite int or float inside the bounds (inclusive) and, if `whole`,
    a whole number (then as an int); OutOfRange naming the range otherwise.

    Ints are compared exactly, never turned into floats, so no size of int can overflow.
    """
    allowed = describe_range(lowest, highest, whole=whole)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OutOfRange(allowed)
    if isinstance(value, float) and not math.isfinite(value):
        raise OutOfRange(allowed)
    if (lowest is not None and value < lowest) or (highest is not None and value > highest):
        raise OutOfRange(allowed)
    if whole:
        if isinstance(value, float) and not value.is_integer():
            raise OutOfRange(allowed)
        return int(value)
    return value


def written_whole_number(text: Any) -> int | None:
    """The whole number `text` writes in decimal digits alone (spaces around allowed), or None:
    no sign, point or exponent, and at most MAX_WRITTEN_DIGITS digits."""
    if not isinstance(text, str):
        return None
    digits = text.strip()
    if not 0 < len(digits) <= MAX_WRITTEN_DIGITS or not digits.isdecimal():
        return None
    return int(digits)


def written_number(text: Any) -> int | float | None:
    """The number `text` writes in decimal notation (a sign and a point allowed; spaces around),
    an int when it has no point, or None: no exponent, no "nan", at most MAX_WRITTEN_DIGITS
    digits."""
    if not isinstance(text, str):
        return None
    written = text.strip().translate(_WIDE_SIGNS)
    if not _WRITTEN_NUMBER.fullmatch(written):
        return None
    if sum(char.isdecimal() for char in written) > MAX_WRITTEN_DIGITS:
        return None
    return float(written) if "." in written else int(written)
