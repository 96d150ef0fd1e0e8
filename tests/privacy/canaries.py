"""Canary values: personal data made up to be unique, so finding one anywhere is a leak.

Each canary is searched in every form it could take: a name whole and by its unique first word,
a phone number as typed, in E.164 and as bare digits (national and with the country code).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class Canary:
    """One made-up personal value; `forms` are the strings that betray it."""

    label: str
    value: str
    forms: tuple[str, ...]


def name(label: str, value: str) -> Canary:
    """A person's name: found whole, or by its first word (the unique "Canary…" part)."""
    return Canary(label, value, (value, value.split()[0]))


def phone(label: str, typed: str) -> Canary:
    """A phone number: in E.164 (first), as typed, as digits with the country and national."""
    parsed = phonenumbers.parse(typed, "CN")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = str(parsed.national_number)
    return Canary(label, typed, (e164, typed, e164[1:], national))


def text(label: str, value: str) -> Canary:
    """Free text: found whole, or by its unique "canary-…" word."""
    return Canary(label, value, (value, value.split()[0]))


def e164(canary: Canary) -> str:
    """The E.164 form of a phone canary (its first form)."""
    return canary.forms[0]


def found_in(haystack: str, canaries: Iterable[Canary]) -> list[str]:
    """`label: form` of each canary form that occurs in `haystack` (case-insensitive)."""
    lowered = haystack.casefold()
    return [
        f"{canary.label}: {form}"
        for canary in canaries
        for form in canary.forms
        if form.casefold() in lowered
    ]


def found_in_bytes(haystack: bytes, canaries: Iterable[Canary]) -> list[str]:
    """`label: form` of each canary form stored in `haystack` as UTF-8 or UTF-16 text."""
    return [
        f"{canary.label}: {form}"
        for canary in canaries
        for form in canary.forms
        if any(form.encode(codec) in haystack for codec in ("utf-8", "utf-16-le", "utf-16-be"))
    ]
