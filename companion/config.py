"""Configuration from the environment, as the contract fixes it.

Every value comes from an environment variable (a `.env` file is read too); nothing secret has
a default that could reach production.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from dotenv import load_dotenv
from limits import parse_many

from matching.bounded_numbers import written_whole_number


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable service."""


def load_config(
    instance_path: Path, environ: os._Environ[str] | dict[str, str] | None = None
) -> dict[str, Any]:
    """Read the service's settings from `environ` (default: the process environment)."""
    if environ is None:
        load_dotenv()
        environ = os.environ
    production = environ.get("COMPANION_ENV", "development") == "production"
    database_url = environ.get("DATABASE_URL") or _default_sqlite_url(instance_path)
    public_base_url = (environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None
    secure_cookies = production or (public_base_url or "").startswith("https://")
    return {
        "COMPANION_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(environ, instance_path, production),
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(database_url),
        "SMS_BACKEND": _choice(environ, "SMS_BACKEND", ("outbox", "twilio"), "outbox"),
        "TWILIO_ACCOUNT_SID": environ.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": environ.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM_NUMBER": environ.get("TWILIO_FROM_NUMBER"),
        "TWILIO_MESSAGING_SERVICE_SID": environ.get("TWILIO_MESSAGING_SERVICE_SID"),
        "TWILIO_API_BASE": environ.get("TWILIO_API_BASE"),
        # Text-message dispatch: the most messages per second per sender (Twilio long codes
        # take about 1, short codes about 100), how long a send may take before its outcome is
        # "unknown", and how long a claimed message stays with one dispatcher.
        "SMS_MESSAGES_PER_SECOND": _whole_number(
            environ, "SMS_MESSAGES_PER_SECOND", 1, 1, 1000, unit="messages per second"
        ),
        "SMS_SEND_TIMEOUT_SECONDS": _whole_number(
            environ, "SMS_SEND_TIMEOUT_SECONDS", 10, 1, 120, unit="seconds"
        ),
        "SMS_LEASE_SECONDS": _whole_number(
            environ, "SMS_LEASE_SECONDS", 60, 5, 3600, unit="seconds"
        ),
        # Where dispatchers count their sends against that cap: Redis makes it hold across
        # processes; memory:// holds within one process only.
        "SMS_RATE_STORAGE_URI": environ.get("SMS_RATE_STORAGE_URI")
        or environ.get("RATELIMIT_STORAGE_URI")
        or "memory://",
        "PUBLIC_BASE_URL": public_base_url,
        "DEFAULT_SITE_CODE": environ.get("DEFAULT_SITE_CODE", "SITE01"),
        "PRESCREEN_TRIAL_ID": environ.get("PRESCREEN_TRIAL_ID", "NCT07586904"),
        # argon2id cost for staff passwords; unset: argon2-cffi's defaults (the tests lower it)
        "ARGON2_TIME_COST": _optional_whole_number(environ, "ARGON2_TIME_COST"),
        "ARGON2_MEMORY_KIB": _optional_whole_number(environ, "ARGON2_MEMORY_KIB"),
        "DEFAULT_PHONE_REGION": environ.get("DEFAULT_PHONE_REGION", "CN"),
        "PRESCREEN_SESSION_DAYS": _whole_number(environ, "PRESCREEN_SESSION_DAYS", 30, 1, 365),
        # A conversation with the bot lapses this long after its last message (then a new one
        # starts); after this long without a message, a reply that is no answer is greeted and
        # the open question asked again.
        "CHAT_CONVERSATION_HOURS": _whole_number(
            environ, "CHAT_CONVERSATION_HOURS", 72, 1, 24 * 90, unit="hours"
        ),
        "CHAT_RESUME_AFTER_HOURS": _whole_number(
            environ, "CHAT_RESUME_AFTER_HOURS", 6, 1, 72, unit="hours"
        ),
        "LEAD_RETENTION_DAYS": _whole_number(environ, "LEAD_RETENTION_DAYS", 180, 1, 3650),
        "DATA_ENCRYPTION_KEYS": _data_encryption_keys(environ, instance_path, production),
        "PHONE_HASH_KEY": _phone_hash_key(environ, instance_path, production),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "TRUSTED_PROXIES": _whole_number(environ, "TRUSTED_PROXIES", 0, 0, 5, unit="proxies"),
        "RATELIMIT_ENABLED": _yes_or_no(environ, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATE_LIMIT_SIGN_IN": _rate(environ, "RATE_LIMIT_SIGN_IN", "10/minute"),
        "RATE_LIMIT_PRESCREEN": _rate(environ, "RATE_LIMIT_PRESCREEN", "120/minute"),
    }


def _default_sqlite_url(instance_path: Path) -> str:
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'companion.sqlite3'}"


def _normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(environ: Any, instance_path: Path, production: bool) -> str:
    return environ.get("SECRET_KEY") or _generated_in_development(
        "SECRET_KEY",
        instance_path / "secret_key",
        lambda: secrets.token_urlsafe(48),
        production,
        "set SECRET_KEY to a long random value (e.g. `python -c "
        "'import secrets; print(secrets.token_urlsafe(48))'`)",
    )


def _data_encryption_keys(environ: Any, instance_path: Path, production: bool) -> tuple[str, ...]:
    """Fernet keys, comma-separated: the first encrypts, every one decrypts (key rotation)."""
    raw = environ.get("DATA_ENCRYPTION_KEYS") or _generated_in_development(
        "DATA_ENCRYPTION_KEYS",
        instance_path / "data_encryption_keys",
        lambda: Fernet.generate_key().decode(),
        production,
        "set DATA_ENCRYPTION_KEYS to one or more Fernet keys, comma-separated, the newest first "
        "(make one with `python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'`)",
    )
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigurationError(
                f"DATA_ENCRYPTION_KEYS: key number {position} is not a Fernet key "
                "(32 bytes in URL-safe base64, 44 characters)."
            ) from None
    if not keys:
        raise ConfigurationError("DATA_ENCRYPTION_KEYS holds no key.")
    return keys


def _phone_hash_key(environ: Any, instance_path: Path, production: bool) -> str:
    """The HMAC key of the phone-number index; changing it orphans every stored hash."""
    key = environ.get("PHONE_HASH_KEY") or _generated_in_development(
        "PHONE_HASH_KEY",
        instance_path / "phone_hash_key",
        lambda: secrets.token_urlsafe(32),
        production,
        "set PHONE_HASH_KEY to a long random value, kept apart from DATA_ENCRYPTION_KEYS "
        "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)",
    )
    if len(key) < 32:
        raise ConfigurationError("PHONE_HASH_KEY is too short: use at least 32 characters.")
    return key


def _generated_in_development(
    name: str, key_file: Path, generate: Any, production: bool, advice: str
) -> str:
    """A secret generated once per instance (file mode 0600); production must configure it."""
    if production:
        raise ConfigurationError(
            f"{name} is not set. With COMPANION_ENV=production the service refuses to start "
            f"without it: {advice}."
        )
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        draft = key_file.with_name(f".{key_file.name}.{os.getpid()}")
        draft.write_text(generate())
        draft.chmod(0o600)
        try:  # link() is atomic: when several workers start at once, the first key wins
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def _choice(environ: Any, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = environ.get(name, default)
    if value not in allowed:
        raise ConfigurationError(
            f"{name}={value!r} is not allowed; use one of {', '.join(allowed)}."
        )
    return value


def _whole_number(
    environ: Any, name: str, default: int, lowest: int, highest: int, unit: str = "days"
) -> int:
    raw = environ.get(name)
    if raw is None:
        return default
    number = written_whole_number(raw)
    if number is None or not lowest <= number <= highest:
        raise ConfigurationError(
            f"{name}={raw!r} is not allowed; "
            f"use a whole number of {unit} from {lowest} to {highest}."
        )
    return number


def _optional_whole_number(environ: Any, name: str) -> int | None:
    raw = environ.get(name)
    if raw is None:
        return None
    number = written_whole_number(raw)
    if number is None or number < 1:
        raise ConfigurationError(f"{name}={raw!r} is not allowed; use a whole number above 0.")
    return number


def _yes_or_no(environ: Any, name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name}={raw!r} is not allowed; use true or false.")


def _rate(environ: Any, name: str, default: str) -> str:
    """A Flask-Limiter rate such as "10/minute" or "5 per second; 100 per hour"."""
    raw = environ.get(name) or default
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name}={raw!r} is not a rate; write it like 10/minute or 100 per hour."
        ) from None
    return raw
