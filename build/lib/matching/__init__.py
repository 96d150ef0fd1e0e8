"""Eligibility pre-screening: trials as data and a pure engine (facts -> verdict, next question).

Imports neither Flask nor a database: everything here takes plain values and returns plain values.
"""

from matching.engine import Assessment, CriterionResult, evaluate, next_question, open_questions
from matching.facts import FactsError, read_answer, read_facts
from matching.loader import TrialDefinitionError, available_trials, load_trial, load_trial_file
from matching.status import Status, Verdict
from matching.trial import Criterion, Fact, Option, Question, Trial

__all__ = [
    "Assessment",
    "Criterion",
    "CriterionResult",
    "Fact",
    "FactsError",
    "Option",
    "Question",
    "Status",
    "Trial",
    "TrialDefinitionError",
    "Verdict",
    "available_trials",
    "evaluate",
    "load_trial",
    "load_trial_file",
    "next_question",
    "open_questions",
    "read_answer",
    "read_facts",
]
