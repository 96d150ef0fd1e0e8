"""Triage of one symptom report: checked answers in, an urgency and its reasons out.

How a report is graded (the rules and thresholds are data, `symptoms/triage_rules.yaml`):

1. Every answer the rules name is a finding of its urgency (chest pain: emergency; blood in
   stool: red; a new cough: amber); temperature and extra stools are banded by the site's
   thresholds; free text is read for emergency and red-flag words.
2. The report takes the urgency of its most urgent finding; `ambers_for_red` or more amber
   findings (answers and free text alike) make it red ("two_or_more_amber").
3. A symptom that worsened by `worsening_levels` or more since the patient's earlier answer
   ("worsened_<item>") raises the report one level, once however many symptoms worsened.
   Levels: severity none 0 to severe 3, yes/no no 0 and yes 1, temperature and stools by band
   (0 below amber, 1 amber, 2 red).

Decision: a raise for worsening stops at red. Emergency is reached only by an emergency finding,
because an emergency tells the patient to call the emergency number now, and that must come
from what the patient reports, not from a trend. The worsening does not count as an amber
finding towards rule 2.

Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from symptoms.emergency_words import scan_text
from symptoms.item_bank import ItemBank, load_item_bank
from symptoms.triage_rules import TriageRules
from symptoms.urgency import Urgency

TWO_OR_MORE_AMBER = "two_or_more_amber"
WORSENED = "worsened_"  # + the item's key


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason for the report's urgency; `item` is the answer key it came from, if one."""

    code: str
    urgency: Urgency
    item: str | None


@dataclass(frozen=True, slots=True)
class Triage:
    urgency: Urgency
    findings: tuple[Finding, ...]  # most urgent first

    @property
    def reasons(self) -> tuple[str, ...]:
        """The findings' codes, most urgent first: what staff and the API see."""
        return tuple(finding.code for finding in self.findings)

    @property
    def is_emergency(self) -> bool:
        return self.urgency == Urgency.EMERGENCY


def triage(
    answers: Mapping[str, Any],
    rules: TriageRules,
    earlier: Mapping[str, Any] | None = None,
    bank: ItemBank | None = None,
) -> Triage:
    """The urgency of a report whose `answers` passed `check_answers`.

    `earlier` holds, for each item, the patient's answer in their latest earlier report that
    had it; an item missing there cannot have worsened.
    """
    findings = _answer_findings(answers, rules) + _text_findings(answers, rules)
    ambers = sum(finding.urgency == Urgency.AMBER for finding in findings)
    if ambers >= rules.ambers_for_red:
        findings.append(Finding(TWO_OR_MORE_AMBER, Urgency.RED, None))
    urgency = max((finding.urgency for finding in findings), default=Urgency.GREEN)
    worsened = _worsened_items(answers, earlier or {}, rules, bank or load_item_bank())
    if worsened:
        raised = min(urgency + 1, Urgency.RED)
        findings += [Finding(WORSENED + key, Urgency(raised), key) for key in worsened]
        urgency = max(urgency, Urgency(raised))
    ordered = sorted(findings, key=lambda finding: -finding.urgency)
    return Triage(urgency=urgency, findings=tuple(ordered))


def _answer_findings(answers: Mapping[str, Any], rules: TriageRules) -> list[Finding]:
    findings = [
        Finding(rule.code, rule.urgency, rule.item)
        for rule in rules.answer_rules
        if answers.get(rule.item) == rule.answer
    ]
    for measurement in rules.measurements:
        band = measurement.band(answers.get(measurement.item), rules)
        if band == 2:
            findings.append(Finding(measurement.red_code, Urgency.RED, measurement.item))
        elif band == 1:
            findings.append(Finding(measurement.amber_code, Urgency.AMBER, measurement.item))
    return findings


def _text_findings(answers: Mapping[str, Any], rules: TriageRules) -> list[Finding]:
    findings: list[Finding] = []
    for key in rules.free_text:
        for found in scan_text(answers.get(key) or ""):
            if found.code not in (finding.code for finding in findings):
                findings.append(Finding(found.code, found.urgency, key))
    return findings


def _worsened_items(
    answers: Mapping[str, Any], earlier: Mapping[str, Any], rules: TriageRules, bank: ItemBank
) -> list[str]:
    """The items, in the bank's order, whose level rose by `worsening_levels` or more."""
    return [
        key
        for key in bank.keys
        if key in answers
        and key in earlier
        and (now := _level(key, answers[key], rules, bank)) is not None
        and (before := _level(key, earlier[key], rules, bank)) is not None
        and now - before >= rules.worsening_levels
    ]


def _level(key: str, value: Any, rules: TriageRules, bank: ItemBank) -> int | None:
    for measurement in rules.measurements:
        if measurement.item == key:
            return measurement.band(value, rules)
    return bank.item(key).level(value)
