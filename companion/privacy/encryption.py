"""Names and contact details encrypted at rest, and a keyed hash to find a person by phone.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, a fresh IV per value) under
`DATA_ENCRYPTION_KEYS`: the first key encrypts, every key decrypts, so a new key is put first,
`flask --app wsgi keys rotate` re-encrypts the stored values, and then the old key can go.
Ciphertext differs each time, so the database cannot compare encrypted columns: a phone number is
found through its HMAC-SHA256 under `PHONE_HASH_KEY` (a blind index), and names are never
searched in SQL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app, has_app_context
from sqlalchemy import Text, literal, select, type_coerce
from sqlalchemy.orm import Session, validates
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from companion.db import db

EXTENSION = "privacy.keyring"


class UndecryptableValue(RuntimeError):
    """A stored value that none of the configured keys can decrypt."""


@dataclass(frozen=True)
class Keyring:
    """The keys of one application: Fernet keys for values, an HMAC key for phone lookups."""

    fernets: tuple[Fernet, ...]
    hash_key: bytes

    @classmethod
    def from_keys(cls, data_keys: Sequence[str], hash_key: str) -> Keyring:
        return cls(tuple(Fernet(key) for key in data_keys), hash_key.encode())

    @cached_property
    def fernet(self) -> MultiFernet:
        return MultiFernet(list(self.fernets))

    def encrypt(self, text: str) -> str:
        return self.fernet.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as error:
            raise UndecryptableValue(
                "A stored value cannot be decrypted with any key in DATA_ENCRYPTION_KEYS. "
                "Was a key removed before `flask --app wsgi keys rotate` re-encrypted everything?"
            ) from error

    def rotate(self, token: str) -> str:
        """The same value encrypted under the first key (unchanged if it already is)."""
        try:
            return self.fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise UndecryptableValue(
                "A stored value cannot be decrypted with any key in DATA_ENCRYPTION_KEYS."
            ) from error

    def is_current(self, token: str) -> bool:
        """Whether `token` is encrypted under the first key (the one that encrypts)."""
        try:
            self.fernets[0].decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def phone_hash(self, e164: str) -> str:
        return hmac.new(self.hash_key, e164.strip().encode(), hashlib.sha256).hexdigest()


def init_encryption(app: Flask) -> None:
    app.extensions[EXTENSION] = Keyring.from_keys(
        app.config["DATA_ENCRYPTION_KEYS"], app.config["PHONE_HASH_KEY"]
    )


def keyring() -> Keyring:
    """The running application's keys."""
    if not has_app_context():
        raise RuntimeError(
            "Encrypted columns are read and written inside the application context "
            "(a request, a `flask` command or `with app.app_context():`), where the keys are."
        )
    return current_app.extensions[EXTENSION]


def phone_hash(e164: str) -> str:
    """The blind index of an E.164 number: equal numbers, equal hashes; useless without the key."""
    return keyring().phone_hash(e164)


def indexed_phone(number: str, index: str) -> Callable[..., Any]:
    """A model's validator that keeps the blind index column `index` in step with `number`:
    `_index_phone = indexed_phone("phone_e164", "phone_hash")` in the class body."""

    def keep_index(model: Any, _key: str, e164: str) -> str:
        setattr(model, index, phone_hash(e164))
        return e164

    return validates(number)(keep_index)


class EncryptedText(TypeDecorator[str]):
    """Text stored encrypted; reads back in clear. SQL can neither compare nor sort it."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):  # SQLAlchemy's name for the hook
        """Only `IS [NOT] NULL`: comparing ciphertexts would silently find nothing."""

        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op in (operators.is_, operators.is_not) or (
                op in (operators.eq, operators.ne) and other == (None,)
            ):
                return super().operate(op, *other, **kwargs)
            raise TypeError(
                "Encrypted columns cannot be compared or sorted in SQL (each value is encrypted "
                "differently); look a person up by a keyed hash such as Lead.phone_hash."
            )

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().decrypt(value)


class EncryptedJSON(EncryptedText):
    """A JSON document stored encrypted (a chat's state: the answers and contact details it
    holds while a conversation goes on); reads back as the document."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:  # type: ignore[override]
        return None if value is None else super().process_bind_param(json.dumps(value), dialect)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:  # type: ignore[override]
        clear = super().process_result_value(value, dialect)
        return None if clear is None else json.loads(clear)


def rotate_encrypted_values(session: Session | None = None) -> int:
    """Re-encrypt under the first key every stored value that is not yet; returns how many.

    Reads and writes the ciphertext directly: the values themselves do not change, so this is
    not an edit of anyone's data and leaves no audit event.
    """
    session = session or db.session
    ring = keyring()
    rewritten = 0
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, EncryptedText)]
        if not columns:
            continue
        (key,) = table.primary_key.columns
        stored = select(key, *(type_coerce(column, Text).label(column.name) for column in columns))
        for row in session.execute(stored).all():
            stale = {
                column.name: literal(ring.rotate(token), Text)
                for column in columns
                if (token := row._mapping[column.name]) is not None and not ring.is_current(token)
            }
            if stale:
                session.execute(table.update().where(key == row[0]).values(stale))
                rewritten += len(stale)
    return rewritten
