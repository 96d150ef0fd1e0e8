"""Languages: Flask-Babel set-up, the locale a request is served in, and catalog compilation.

Catalogs are compiled from the `.po` files at start-up when a `.mo` is missing or older, so a
fresh checkout runs without a manual `pybabel compile` step.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale

SUPPORTED_LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}

babel = Babel()


def init_i18n(app: Flask) -> None:
    compile_catalogs(TRANSLATIONS_DIR)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_language)


def select_language() -> str:
    """An explicit choice (`?lang=`, then the cookie) wins over the browser's languages."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or DEFAULT_LANGUAGE


def compile_catalogs(directory: Path) -> list[Path]:
    """Write each stale `.mo` next to its `.po`; atomic, so concurrent workers may race."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        draft = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with draft.open("wb") as handle:
            write_mo(handle, catalog)
        os.replace(draft, mo_path)
        written.append(mo_path)
    return written


def babel_locale(language: str) -> str:
    """The Babel locale for dates and times in one of our languages (Simplified Chinese, China)."""
    return "zh_Hans_CN" if language == "zh" else language


def current_language() -> str:
    """The language of the page being rendered ("en" or "zh")."""
    return str(get_locale() or DEFAULT_LANGUAGE)
