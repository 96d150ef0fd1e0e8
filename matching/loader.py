"""Read and check a trial file; every mistake is named with the file and the entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from matching.rules import UNSURE, All, Always, AnyOf, Check, Rule, When
from matching.strict_yaml import read_yaml
from matching.trial import Criterion, Fact, LocalText, Option, Question, Trial

TRIALS_DIR = Path(__file__).resolve().parent / "trials"


class TrialDefinitionError(ValueError):
    """A trial file that cannot be used as it is."""


def load_trial(trial_id: str, directory: Path = TRIALS_DIR) -> Trial:
    """The trial stored as `<directory>/<trial_id>.yaml`."""
    return load_trial_file(directory / f"{trial_id}.yaml")


def available_trials(directory: Path = TRIALS_DIR) -> list[str]:
    return sorted(path.stem for path in directory.glob("*.yaml"))


def load_trial_file(path: Path) -> Trial:
    try:
        document = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise TrialDefinitionError(f"{path}: cannot be read as YAML: {error}") from error
    return _TrialReader(path, document).read()


class _TrialReader:
    def __init__(self, path: Path, document: Any) -> None:
        self.path = path
        self.document = document if isinstance(document, dict) else {}
        self.languages: tuple[str, ...] = ()
        self.facts: dict[str, Fact] = {}

    def fail(self, where: str, problem: str) -> TrialDefinitionError:
        return TrialDefinitionError(f"{self.path}: {where}: {problem}")

    def read(self) -> Trial:
        doc = self.document
        _require_keys(
            self,
            "the file",
            doc,
            {"trial", "version", "languages", "title", "site_facts", "questions", "criteria"},
            optional={"answer_sets"},
        )
        self.languages = tuple(self.section("languages", list))
        if "en" not in self.languages:
            raise self.fail("languages", "English (en) is required")
        answer_sets = doc.get("answer_sets") or {}
        for key, spec in self.section("site_facts", dict).items():
            self.facts[key] = self.site_fact(key, spec)
        questions = [
            self.question(i, spec, answer_sets)
            for i, spec in enumerate(self.section("questions", list))
        ]
        criteria = [self.criterion(spec) for spec in self.section("criteria", list)]
        duplicates = sorted({c.id for c in criteria if [d.id for d in criteria].count(c.id) > 1})
        if duplicates:
            raise self.fail(f"criterion '{duplicates[0]}'", "this id is used more than once")
        questions = [self.with_condition(q) for q in questions]
        self.check_every_fact_serves_a_criterion(criteria)
        return Trial(
            id=str(doc["trial"]),
            title=self.local_text("title", doc["title"]),
            languages=self.languages,
            facts=dict(self.facts),
            questions=tuple(questions),
            criteria=tuple(criteria),
            version=str(doc["version"]),
        )

    def section(self, name: str, kind: type) -> Any:
        value = self.document[name]
        if not isinstance(value, kind) or not value:
            raise self.fail(name, f"must be a non-empty {'list' if kind is list else 'mapping'}")
        return value

    def number(self, where: str, value: Any, what: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"{what} {value!r} is not a number")
        return value

    def option(self, where: str, spec: Any) -> Option:
        if not isinstance(spec, dict) or "value" not in spec:
            raise self.fail(where, f"an option needs a value and a label, not {spec!r}")
        return Option(
            spec["value"], self.local_text(f"{where}, option '{spec['value']}'", spec.get("label"))
        )

    def local_text(self, where: str, value: Any) -> LocalText:
        if not isinstance(value, dict):
            raise self.fail(where, "needs a text for each language: " + ", ".join(self.languages))
        for language in self.languages:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(where, f"missing translation for language '{language}'")
        return {language: value[language].strip() for language in self.languages}

    def site_fact(self, key: str, spec: Any) -> Fact:
        where = f"site fact '{key}'"
        _require_keys(self, where, spec, {"type", "label"}, optional={"values", "minimum"})
        fact_type = spec["type"]
        if fact_type not in ("choice", "number"):
            raise self.fail(where, f"type '{fact_type}' is not allowed; use choice or number")
        values = tuple(spec.get("values") or ())
        if fact_type == "choice" and not values:
            raise self.fail(where, "a choice needs its values")
        return Fact(
            key=key,
            type=fact_type,
            asked=False,
            values=values,
            minimum=self.number(where, spec.get("minimum"), "minimum"),
            label=self.local_text(where, spec["label"]),
        )

    def question(self, index: int, spec: Any, answer_sets: Mapping[str, Any]) -> Question:
        key = spec.get("fact") if isinstance(spec, dict) else None
        where = f"question '{key or index}'"
        if not isinstance(key, str | None):
            raise self.fail(where, f"fact must be a name, not {key!r}")
        _require_keys(
            self,
            where,
            spec,
            {"fact", "text", "priority"},
            optional={"options", "type", "minimum", "maximum", "help", "ask_when"},
        )
        if key in self.facts:
            raise self.fail(where, "this fact is defined twice")
        fact_type = spec.get("type", "choice")
        options: tuple[Option, ...] = ()
        if fact_type == "choice":
            raw = spec.get("options")
            if isinstance(raw, str):
                if raw not in answer_sets:
                    raise self.fail(where, f"unknown answer set '{raw}'")
                raw = answer_sets[raw]
            if not isinstance(raw, list) or not raw:
                raise self.fail(where, "a choice question needs a list of options")
            options = tuple(self.option(where, o) for o in raw)
            fact = Fact(key, "choice", asked=True, values=tuple(o.value for o in options))
        elif fact_type == "integer":
            fact = Fact(
                key,
                "integer",
                asked=True,
                minimum=self.number(where, spec.get("minimum"), "minimum"),
                maximum=self.number(where, spec.get("maximum"), "maximum"),
            )
        else:
            raise self.fail(where, f"type '{fact_type}' is not allowed; use choice or integer")
        self.facts[key] = fact
        return Question(
            fact=fact,
            text=self.local_text(where, spec["text"]),
            options=options,
            priority=float(self.number(where, spec["priority"], "priority")),
            order=index,
            help=self.local_text(f"{where} help", spec["help"]) if "help" in spec else None,
            ask_when_source=spec.get("ask_when"),
        )

    def with_condition(self, question: Question) -> Question:
        if question.ask_when_source is None:
            return question
        where = f"question '{question.fact.key}' ask_when"
        rule = self.rule(where, question.ask_when_source)
        return replace(question, ask_when=rule)

    def criterion(self, spec: Any) -> Criterion:
        where = f"criterion '{spec.get('id') if isinstance(spec, dict) else spec}'"
        if isinstance(spec, dict) and not isinstance(spec.get("id"), str):
            raise self.fail(where, "id must be a name")
        _require_keys(
            self,
            where,
            spec,
            {"id", "kind", "registered_text", "lay_text", "rule"},
            optional={"site_note"},
        )
        if spec["kind"] not in ("inclusion", "exclusion"):
            raise self.fail(
                where, f"kind '{spec['kind']}' is not allowed; use inclusion or exclusion"
            )
        return Criterion(
            id=spec["id"],
            kind=spec["kind"],
            registered_text=" ".join(str(spec["registered_text"]).split()),
            lay_text=self.local_text(where, spec["lay_text"]),
            rule=self.rule(where, spec["rule"]),
            site_note=" ".join(str(spec["site_note"]).split()) if spec.get("site_note") else None,
        )

    def rule(self, where: str, node: Any) -> Rule:
        if node == "pass":
            return Always()
        if not isinstance(node, dict) or len(node) == 0:
            raise self.fail(where, f"a rule must be a mapping or 'pass', not {node!r}")
        if "all" in node or "any" in node:
            kind = "all" if "all" in node else "any"
            parts = node[kind]
            if len(node) != 1 or not isinstance(parts, list) or not parts:
                raise self.fail(where, f"'{kind}' takes a non-empty list and nothing beside it")
            rules = tuple(self.rule(where, part) for part in parts)
            return All(rules) if kind == "all" else AnyOf(rules)
        if "if" in node:
            if set(node) != {"if", "then", "else"}:
                raise self.fail(where, "'if' needs exactly 'then' and 'else' beside it")
            return When(
                self.rule(where, node["if"]),
                self.rule(where, node["then"]),
                self.rule(where, node["else"]),
            )
        return self.check(where, node)

    def check(self, where: str, node: dict[str, Any]) -> Check:
        key = node.get("fact")
        fact = self.facts.get(key) if isinstance(key, str) else None
        if fact is None:
            raise self.fail(where, f"unknown fact '{key}'")
        operators = set(node) - {"fact"}
        if len(operators) != 1 or not operators <= {"in", "at_least", "at_most", "between"}:
            raise self.fail(
                where,
                f"bad operator {sorted(operators)} for fact '{key}'; use "
                "one of in, at_least, at_most, between",
            )
        operator = operators.pop()
        operand = node[operator]
        if operator == "in":
            if not isinstance(operand, list) or not operand:
                raise self.fail(where, f"'in' for fact '{key}' takes a non-empty list")
            for value in operand:
                if value != UNSURE and fact.canonical(value) is None:
                    raise self.fail(where, f"value {value!r} is not a value of fact '{key}'")
            return Check(key, fact.asked, allowed=frozenset(operand))
        if fact.type == "choice":
            raise self.fail(where, f"'{operator}' needs a numeric fact; '{key}' is a choice")
        if operator == "between" and not (isinstance(operand, list) and len(operand) == 2):
            raise self.fail(where, f"'between' for fact '{key}' takes [lowest, highest]")
        low, high = (
            operand
            if operator == "between"
            else (operand, None)
            if operator == "at_least"
            else (None, operand)
        )
        for bound in (low, high):
            self.number(where, bound, f"bound for fact '{key}'")
        if low is not None and high is not None and low > high:
            raise self.fail(where, f"'between' for fact '{key}' has its lowest above its highest")
        return Check(key, fact.asked, at_least=low, at_most=high)

    def check_every_fact_serves_a_criterion(self, criteria: list[Criterion]) -> None:
        used: frozenset[str] = frozenset()
        for criterion in criteria:
            used |= criterion.rule.facts()
        for key in self.facts:
            if key not in used:
                raise self.fail(f"fact '{key}'", "no criterion uses it")


def _require_keys(
    reader: _TrialReader,
    where: str,
    spec: Any,
    required: set[str],
    optional: set[str] = frozenset(),
) -> None:  # type: ignore[assignment]
    if not isinstance(spec, dict):
        raise reader.fail(where, "must be a mapping")
    missing = required - set(spec)
    if missing:
        raise reader.fail(where, "missing " + ", ".join(sorted(missing)))
    unknown = set(spec) - required - set(optional)
    if unknown:
        raise reader.fail(where, "unknown key(s) " + ", ".join(sorted(unknown)))
