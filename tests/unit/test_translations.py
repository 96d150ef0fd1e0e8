"""Every patient-facing message exists in English and Simplified Chinese; catalogs are current."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from companion.i18n import compile_catalogs

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def extracted_messages(tmp_path: Path) -> set[str]:
    pot = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's texts: one, or the singular and plural forms of a plural message."""
    return text if isinstance(text, tuple) else (text,)


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_message_in_the_code_has_a_chinese_translation(tmp_path: Path) -> None:
    chinese = catalog("zh")
    untranslated = sorted(
        (
            message_id
            for message_id in extracted_messages(tmp_path)
            if message_id not in chinese
            or not all(forms(chinese[message_id].string))
            or chinese[message_id].fuzzy
        ),
        key=str,
    )
    assert untranslated == [], (
        "messages without a Chinese translation (run `pybabel extract` and `pybabel update`, "
        f"then translate): {untranslated}"
    )


def test_catalogs_hold_no_message_the_code_no_longer_uses(tmp_path: Path) -> None:
    in_code = extracted_messages(tmp_path)
    for language in ("en", "zh"):
        stale = sorted((m.id for m in catalog(language) if m.id and m.id not in in_code), key=str)
        assert stale == [], f"{language} catalog has messages the code no longer uses: {stale}"


def test_chinese_translations_keep_every_placeholder() -> None:
    for message in catalog("zh"):
        if message.id:
            wanted = sorted(set(PLACEHOLDER.findall(" ".join(forms(message.id)))))
            for text in forms(message.string):
                assert sorted(set(PLACEHOLDER.findall(text))) == wanted, message.id


def test_chinese_translations_are_written_in_chinese() -> None:
    for message in catalog("zh"):
        if message.id:
            for text in forms(message.string):
                assert re.search(r"[\u4e00-\u9fff]", text), message.id


def test_catalogs_compile_when_stale_and_not_otherwise(tmp_path: Path) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    written = compile_catalogs(copy)
    assert {path.parent.parent.name for path in written} == {"en", "zh"}
    assert compile_catalogs(copy) == []


@pytest.mark.parametrize("language", ["en", "zh"])
def test_catalog_declares_its_language(language: str) -> None:
    assert str(catalog(language).locale) == language
