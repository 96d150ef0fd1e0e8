"""Which passwords a staff account may have: long enough, and not one a guesser tries first.

Length alone lets through twelve spaces or `aaaaaaaaaaaa`. Beyond the minimum length, a password
is refused when it is only whitespace, one character repeated, or too easy to guess by zxcvbn's
estimate (fewer than 10^8 guesses, its score below 3): that covers its shipped list of 30,000
passwords leaked from other services, common words and names, and their variants with digits,
capitals, l33t, repeats, keyboard rows, sequences and dates, and the account's own email. The
lists ship with the package, so nothing is fetched at run time. No rule asks for a digit or a
capital: a few unrelated words make a good password.

Pure: a password in, a reason code (or None) out; the callers word it for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from zxcvbn import zxcvbn

MINIMUM_LENGTH = 12
LEAST_SCORE = 3  # zxcvbn: "safely unguessable", at least 10^8 guesses
JUDGED_LENGTH = 72  # zxcvbn reads no more (its time grows with the length)

PasswordProblem = Literal["too_short", "only_spaces", "one_character", "too_common"]


def password_problem(password: str, related: Iterable[str] = ()) -> PasswordProblem | None:
    """Why `password` may not be used, or None when it may.

    `related`: what a guesser knows of the account (its email, its site), which the password
    must not be built from.
    """
    if len(password) < MINIMUM_LENGTH:
        return "too_short"
    if not password.strip():
        return "only_spaces"
    if len(set(password)) == 1:
        return "one_character"
    judged = password[:JUDGED_LENGTH]
    if zxcvbn(judged, user_inputs=list(_guessable_parts(related)))["score"] < LEAST_SCORE:
        return "too_common"
    return None


def _guessable_parts(related: Iterable[str]) -> Iterable[str]:
    """Each value, and the words of an email: `wang.fang@site01.example.org` gives `wang`,
    `fang`, `site01`, `example`, `org` too."""
    for value in related:
        yield value
        for separator in "@.-_+":
            value = value.replace(separator, " ")
        yield from value.split()
