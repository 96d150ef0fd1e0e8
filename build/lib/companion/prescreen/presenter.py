"""The engine's plain values, put into one language for clients (the contract's JSON shape)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching import Assessment, Question, Status, Trial, open_questions
from matching.engine import CriterionResult

STATUS_LABELS = {status: status.label for status in Status}


def describe_question(question: Question, language: str) -> dict[str, Any]:
    fact = question.fact
    described: dict[str, Any] = {
        "fact": fact.key,
        "text": question.text[language],
        "help": question.help[language] if question.help else None,
        "type": fact.type,
        "options": [{"value": o.value, "label": o.label[language]} for o in question.options],
    }
    if fact.type == "integer":
        described["minimum"] = fact.minimum
        described["maximum"] = fact.maximum
    return described


def describe_criterion(result: CriterionResult, language: str) -> dict[str, Any]:
    criterion = result.criterion
    return {
        "id": criterion.id,
        "kind": criterion.kind,
        "status": STATUS_LABELS[result.status],
        "registered_text": criterion.registered_text,
        "lay_text": criterion.lay_text[language],
    }


def describe_assessment(
    trial: Trial, facts: Mapping[str, Any], assessment: Assessment, language: str
) -> dict[str, Any]:
    """Verdict, every criterion's standing, the next question, and how far the person has come."""
    remaining = open_questions(trial, facts, assessment)
    answered = sum(1 for key in facts if key in trial.facts and trial.facts[key].asked)
    return {
        "verdict": assessment.verdict.value,
        "criteria": [describe_criterion(result, language) for result in assessment.results],
        "next_question": describe_question(remaining[0], language) if remaining else None,
        "progress": {"answered": answered, "remaining": len(remaining)},
    }


def describe_questionnaire(trial: Trial, language: str) -> dict[str, Any]:
    """Every question with its options and branching, for clients that render their own form."""
    return {
        "trial_id": trial.id,
        "version": trial.version,
        "language": language,
        "title": trial.title[language],
        "questions": [
            {
                **describe_question(q, language),
                "priority": q.priority,
                "ask_when": q.ask_when_source,
            }
            for q in trial.ask_order
        ],
    }
