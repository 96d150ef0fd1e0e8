"""Configuration from the environment, as the contract fixes it.

Every value comes from an environment variable (a `.env` file is read too); nothing secret has
a default that could reach production.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from dotenv import load_dotenv


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
        "PUBLIC_BASE_URL": (environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        "DEFAULT_SITE_CODE": environ.get("DEFAULT_SITE_CODE", "SITE01"),
        "PRESCREEN_TRIAL_ID": environ.get("PRESCREEN_TRIAL_ID", "NCT07586904"),
        # argon2id cost for staff passwords; unset: argon2-cffi's defaults (the tests lower it)
        "ARGON2_TIME_COST": _optional_whole_number(environ, "ARGON2_TIME_COST"),
        "ARGON2_MEMORY_KIB": _optional_whole_number(environ, "ARGON2_MEMORY_KIB"),
        "DEFAULT_PHONE_REGION": environ.get("DEFAULT_PHONE_REGION", "CN"),
        "PRESCREEN_SESSION_DAYS": _whole_number(environ, "PRESCREEN_SESSION_DAYS", 30, 1, 365),
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
    key = environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigurationError(
            "SECRET_KEY is not set. With COMPANION_ENV=production the service refuses to start "
            "without it: set SECRET_KEY to a long random value (e.g. `python -c "
            "'import secrets; print(secrets.token_urlsafe(48))'`)."
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(48))
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


def _whole_number(environ: Any, name: str, default: int, lowest: int, highest: int) -> int:
    raw = environ.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or not lowest <= int(raw) <= highest:
        raise ConfigurationError(
            f"{name}={raw!r} is not allowed; use a whole number of days from {lowest} to {highest}."
        )
    return int(raw)


def _optional_whole_number(environ: Any, name: str) -> int | None:
    raw = environ.get(name)
    if raw is None:
        return None
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name}={raw!r} is not allowed; use a whole number above 0.")
    return int(raw)
