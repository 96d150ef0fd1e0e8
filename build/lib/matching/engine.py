"""Facts in, verdict out: where each criterion stands, and what to ask next.

Pure: no clock, no I/O. The verdict follows the contract:
- `not_eligible` when any criterion fails;
- `needs_review` when none fails but something the patient could tell us is missing or unsure;
- `likely_eligible` when only checks that the site makes (labs, scans, judgement) remain;
- `eligible` when every criterion passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from matching.rules import Facts
from matching.status import VERDICT_BY_WORST_STATUS, Status, Verdict
from matching.trial import Criterion, Question, Trial


class CriterionResult(NamedTuple):
    criterion: Criterion
    status: Status


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict, and each criterion's status in the trial's order."""

    verdict: Verdict
    criteria: tuple[Criterion, ...]
    statuses: tuple[Status, ...]

    @property
    def results(self) -> tuple[CriterionResult, ...]:
        return tuple(map(CriterionResult, self.criteria, self.statuses))

    def with_status(self, *statuses: Status) -> tuple[CriterionResult, ...]:
        return tuple(result for result in self.results if result.status in statuses)


def evaluate(trial: Trial, facts: Facts) -> Assessment:
    """Judge every criterion of `trial` on `facts` (already validated against the trial)."""
    statuses = tuple([criterion.rule.status(facts) for criterion in trial.criteria])
    worst = max(statuses, default=Status.PASS)
    return Assessment(VERDICT_BY_WORST_STATUS[worst], trial.criteria, statuses)


def next_question(
    trial: Trial, facts: Facts, assessment: Assessment | None = None
) -> Question | None:
    """The unanswered question most likely to settle the screen, or None when asking is over."""
    remaining = open_questions(trial, facts, assessment)
    return remaining[0] if remaining else None


def open_questions(
    trial: Trial, facts: Facts, assessment: Assessment | None = None
) -> list[Question]:
    """The questions still worth asking, the one most likely to settle the screen first.

    Only questions whose answer could still change a criterion count; the one most likely to end
    the screen comes first (the trial file's `priority`, then file order). Asking stops at the
    first failure: a person who cannot take part is told so at once.
    """
    assessment = assessment or evaluate(trial, facts)
    if assessment.verdict is Verdict.NOT_ELIGIBLE:
        return []
    wanted: set[str] = set()
    for criterion, status in zip(assessment.criteria, assessment.statuses, strict=True):
        if status is not Status.PASS and status is not Status.FAIL:
            wanted |= criterion.rule.open_facts(facts)
    return [q for q in trial.ask_order if q.fact.key in wanted and applies(q, facts)]


def applies(question: Question, facts: Facts) -> bool:
    """A branching question applies once its condition is answered and does not rule it out."""
    if question.ask_when is None:
        return True
    return question.ask_when.status(facts) is not Status.FAIL and not question.ask_when.open_facts(
        facts
    )
