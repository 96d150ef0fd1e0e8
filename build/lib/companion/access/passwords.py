"""Staff passwords: argon2id hashes; unknown accounts cost the same time as known ones."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MINIMUM_LENGTH = 12


class _Hashing:
    """The hasher in use, and a hash to verify against when the account does not exist."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.dummy_hash = hasher.hash("no account has this password")


_hashing = _Hashing(PasswordHasher())


def configure(time_cost: int | None, memory_cost_kib: int | None) -> None:
    """argon2id cost (library defaults unless given; the test suite makes it cheap)."""
    global _hashing
    defaults = PasswordHasher()
    hasher = PasswordHasher(
        time_cost=time_cost or defaults.time_cost,
        memory_cost=memory_cost_kib or defaults.memory_cost,
    )
    if (hasher.time_cost, hasher.memory_cost) != (
        _hashing.hasher.time_cost,
        _hashing.hasher.memory_cost,
    ):
        _hashing = _Hashing(hasher)


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash (unknown account) it still does the work."""
    try:
        matched = _hashing.hasher.verify(password_hash or _hashing.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hashing.hasher.check_needs_rehash(password_hash)
