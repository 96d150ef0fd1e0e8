"""How a change looks in the audit trail: `{field: [old, new]}`, masked as the registry says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from companion.audit.registry import Audited

MASK = "•••"
SHORTEST_PARTLY_SHOWN = 6
_ABSENT = object()


def masked(value: Any) -> str | None:
    """A hint that tells values apart ("J•••e") without giving them; short values stay hidden."""
    if value is None:
        return None
    text = str(value)
    if len(text) < SHORTEST_PARTLY_SHOWN:
        return MASK
    return f"{text[0]}{MASK}{text[-1]}"


def describe(audited: Audited, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list]:
    """The changed fields of one object, old and new, safe to keep for as long as the trial.

    `old` is empty for a created object and `new` for a deleted one; unchanged fields are left out.
    """
    changes: dict[str, list] = {}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if key in audited.ignored or before == after:
            continue
        if key in audited.secrets:
            changes[audited.secrets[key]] = _secret(before, after)
        elif key in audited.answers:
            changes[key] = _answer_keys(before, after)
        elif key in audited.masked:
            changes[key] = [masked(before), masked(after)]
        else:
            changes[key] = [_plain(before), _plain(after)]
    return changes


def _secret(before: Any, after: Any) -> list[str | None]:
    if after is None:
        return ["set", None]
    return [None, "set"] if before is None else ["set", "changed"]


def _answer_keys(before: Any, after: Any) -> list[dict[str, str] | None]:
    """Which answers were added, changed or removed; the answers themselves are hidden."""
    old, new = before or {}, after or {}
    changed = {
        key for key in old.keys() | new.keys() if old.get(key, _ABSENT) != new.get(key, _ABSENT)
    }
    return [
        None if before is None else dict.fromkeys(sorted(changed & old.keys()), MASK),
        None if after is None else dict.fromkeys(sorted(changed & new.keys()), MASK),
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value
