"""Symptom reports: the questions and triage rules as data, and a pure triage (answers -> urgency).

Imports neither Flask nor a database: everything here takes plain values and returns plain
values. The same answers, checks and triage serve the staff API, the patient's web form and SMS.
"""

from symptoms.answers import AnswerError, check_answers
from symptoms.data_file import SymptomDataError
from symptoms.emergency_words import (
    EmergencyWords,
    TextFinding,
    describes_emergency,
    load_emergency_words,
    scan_text,
)
from symptoms.item_bank import Choice, Item, ItemBank, load_item_bank
from symptoms.survey import Survey, available_surveys, load_survey, load_survey_file
from symptoms.triage import Finding, Triage, triage
from symptoms.triage_rules import RulesError, TriageRules, load_triage_rules
from symptoms.urgency import Urgency

__all__ = [
    "AnswerError",
    "Choice",
    "EmergencyWords",
    "Finding",
    "Item",
    "ItemBank",
    "RulesError",
    "Survey",
    "SymptomDataError",
    "TextFinding",
    "Triage",
    "TriageRules",
    "Urgency",
    "available_surveys",
    "check_answers",
    "describes_emergency",
    "load_emergency_words",
    "load_item_bank",
    "load_survey",
    "load_survey_file",
    "load_triage_rules",
    "scan_text",
    "triage",
]
