"""Reading the symptom data files strictly: a mistake is named with the file, the entry and the
field, so a clinician editing the YAML sees what to fix."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from matching.strict_yaml import read_yaml

LANGUAGES = ("en", "zh")  # every patient-facing text exists in both
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class SymptomDataError(ValueError):
    """A symptom data file (items, survey, triage rules, emergency words) that cannot be used."""


def read_document(path: Path) -> Any:
    """The YAML document in `path`, or SymptomDataError naming the file."""
    try:
        return read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise SymptomDataError(f"{path}: cannot be read as YAML: {error}") from error


class DataFileReader:
    """Checks shared by the readers of each kind of file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> SymptomDataError:
        return SymptomDataError(f"{self.path}: {where}: {problem}")

    def require_keys(
        self, where: str, spec: Any, required: Collection[str], optional: Collection[str] = ()
    ) -> dict[str, Any]:
        if not isinstance(spec, dict):
            raise self.fail(where, f"must be a mapping, not {spec!r}")
        missing = sorted(set(required) - spec.keys())
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(map(str, spec.keys() - set(required) - set(optional)))
        if unknown:
            raise self.fail(where, f"unknown field {', '.join(unknown)}")
        return spec

    def name(self, where: str, field: str, value: Any) -> str:
        if not isinstance(value, str) or not NAME.match(value):
            raise self.fail(
                where, f"{field} {value!r} must be a name of lower-case letters, digits and _"
            )
        return value

    def text(self, where: str, field: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{field} must be a non-empty text, not {value!r}")
        return value.strip()

    def local_text(self, where: str, field: str, value: Any) -> dict[str, str]:
        """A text in every language of LANGUAGES, as {"en": ..., "zh": ...}."""
        if not isinstance(value, dict):
            raise self.fail(where, f"{field} must map {' and '.join(LANGUAGES)} to text")
        missing = [language for language in LANGUAGES if language not in value]
        if missing:
            raise self.fail(where, f"{field} has no text in {', '.join(missing)}")
        unknown = sorted(map(str, value.keys() - set(LANGUAGES)))
        if unknown:
            raise self.fail(where, f"{field} has unknown language {', '.join(unknown)}")
        return {
            language: self.text(where, f"{field} {language}", value[language])
            for language in LANGUAGES
        }

    def number(self, where: str, field: str, value: Any, whole: bool = False) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"{field} {value!r} must be a number")
        if not math.isfinite(value) or (whole and not float(value).is_integer()):
            what = "whole" if whole else "finite"
            raise self.fail(where, f"{field} {value!r} must be a {what} number")
        return int(value) if whole else value
