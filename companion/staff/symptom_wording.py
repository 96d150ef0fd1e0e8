"""The staff pages' words for symptom reports: urgency, reasons, actions, forms and notices.

A reason code, action or status the code does not know yet falls back to the key itself, so a
page never fails for want of a label. Reasons are short phrases for a coordinator scanning the
queue, not the patient's words (the report page shows those).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

URGENCY_LABELS = {
    "emergency": _l("Emergency"),
    "red": _l("Red"),
    "amber": _l("Amber"),
    "green": _l("Green"),
}

# What each urgency asks of the team, after its label.
URGENCY_MEANINGS = {
    "emergency": _l("patient told to call emergency services"),
    "red": _l("call the patient within the hour"),
    "amber": _l("review today"),
    "green": _l("routine"),
}

STATUS_LABELS = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "resolved": _l("Resolved"),
}

SOURCE_LABELS = {
    "web": _l("Web form"),
    "sms": _l("Text message"),
    "staff": _l("Staff, by phone"),
}

ACTION_LABELS = {
    "called_patient": _l("Called the patient"),
    "advised_clinic_visit": _l("Asked the patient to come to the clinic"),
    "sent_to_emergency": _l("Sent the patient to emergency care"),
    "no_action_needed": _l("No action needed"),
    "other": _l("Other (say what in the note)"),
}
ACTIONS = tuple(ACTION_LABELS)

# Short names of the symptoms, for reasons and chart headings.
ITEM_LABELS = {
    "temperature_c": _l("Temperature"),
    "extra_stools_per_day": _l("Extra loose stools a day"),
    "blood_in_stool": _l("Blood in stool or black stools"),
    "abdominal_pain": _l("Belly pain"),
    "shortness_of_breath": _l("Shortness of breath"),
    "rash": _l("Rash"),
    "itching": _l("Itching"),
    "fatigue": _l("Tiredness"),
    "nausea": _l("Nausea"),
    "headache": _l("Headache"),
    "joint_or_muscle_pain": _l("Joint or muscle pain"),
    "low_mood": _l("Low mood"),
    "injection_site_reaction": _l("Injection site reaction"),
    "chest_pain": _l("Chest pain"),
    "new_cough": _l("New or worse cough"),
    "rash_blistering": _l("Blistering or peeling rash"),
    "vomiting_over_24h": _l("Vomiting over 24 hours"),
    "vision_change": _l("Change in vision"),
    "yellow_skin_or_eyes": _l("Yellow skin or eyes"),
    "dark_urine": _l("Dark urine"),
    "confusion": _l("Confusion"),
    "fainting": _l("Fainting"),
    "self_harm_thoughts": _l("Thoughts of self-harm"),
    "other": _l("Other, in the patient's words"),
}

REASON_LABELS = {
    # Answers
    "chest_pain": _l("Chest pain, pressure or tightness"),
    "shortness_of_breath_severe": _l("Short of breath at rest"),
    "shortness_of_breath_moderate": _l("Short of breath on light effort"),
    "fainting": _l("Fainted"),
    "confusion": _l("Confused"),
    "self_harm_thoughts": _l("Thoughts of self-harm"),
    "blood_in_stool": _l("Blood in stool or black stools"),
    "yellow_skin_or_eyes": _l("Yellow skin or eyes"),
    "rash_blistering": _l("Blistering or peeling rash"),
    "new_cough": _l("New or worse cough"),
    "vomiting_over_24h": _l("Vomiting for over 24 hours"),
    "vision_change": _l("Change in vision or eye pain"),
    "dark_urine": _l("Dark urine"),
    "abdominal_pain_moderate": _l("Moderate belly pain"),
    "abdominal_pain_severe": _l("Severe belly pain"),
    "headache_severe": _l("Severe headache"),
    "rash_severe": _l("Severe rash"),
    "itching_severe": _l("Severe itching"),
    "fatigue_severe": _l("Severe tiredness"),
    "nausea_severe": _l("Severe nausea"),
    "joint_or_muscle_pain_severe": _l("Severe joint or muscle pain"),
    "injection_site_reaction_severe": _l("Severe injection site reaction"),
    "low_mood_severe": _l("Severe low mood"),
    # Measurements
    "fever_amber": _l("Fever"),
    "fever_red": _l("High fever"),
    "extra_stools_amber": _l("Diarrhoea: several extra stools a day"),
    "extra_stools_red": _l("Severe diarrhoea: many extra stools a day"),
    # Free text
    "text_mentions_chest_pain": _l("Their words mention chest pain or a racing heart"),
    "text_mentions_breathing": _l("Their words mention trouble breathing"),
    "text_mentions_fainting": _l("Their words mention fainting"),
    "text_mentions_confusion": _l("Their words mention confusion"),
    "text_mentions_self_harm": _l("Their words mention self-harm"),
    "text_mentions_seizure": _l("Their words mention a seizure"),
    "text_mentions_stroke_signs": _l("Their words mention signs of a stroke"),
    "text_mentions_allergic_reaction": _l("Their words mention a severe allergic reaction"),
    "text_mentions_severe_bleeding": _l("Their words mention heavy bleeding"),
    "text_mentions_emergency_help": _l("Their words ask for an ambulance or emergency help"),
    "text_mentions_blood_in_stool": _l("Their words mention blood in stool"),
    "text_mentions_jaundice": _l("Their words mention yellow skin or eyes"),
    # Combined
    "two_or_more_amber": _l("Two or more amber findings"),
}
WORSENED_PREFIX = "worsened_"
WORSENED = _l("Worse than their last report: %(symptom)s")

LEVEL_LABELS = {
    "severity": (_l("None"), _l("Mild"), _l("Moderate"), _l("Severe")),
    "yes_no": (_l("No"), _l("Yes")),
}

QUEUE_FILTERS = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged, not resolved"),
    "resolved": _l("Resolved"),
}

WAITED_MINUTES = _l("%(minutes)s min")
WAITED_HOURS = _l("%(hours)s h %(minutes)s min")
WAITED_DAYS = _l("%(days)s d %(hours)s h")

FORM_ERRORS = {
    "text": _l("Write the note."),
    "text_length": _l("Make the note shorter: at most %(count)s characters."),
    "note_length": _l("Make the note shorter: at most %(count)s characters."),
    "action": _l("Choose what was done."),
    "note_for_other": _l("Say what was done in the note when you choose Other."),
    "action_first": _l("Record what was done before you resolve the report."),
    "conflict": _l("This report changed in the meantime. Check it and try again."),
}
NO_ON_CALL_PHONE = _l("No on-call phone is set for the site, so no one was texted.")

DONE_MESSAGES = {
    "acknowledged": _l("Acknowledged. The report stays open until it is resolved."),
    "noted": _l("Note added."),
    "action": _l("Action recorded."),
    "resolved": _l("Resolved. The report has left the open list."),
}

HISTORY = {
    "submitted": _l("Reported (%(source)s)"),
    "acknowledged": _l("Acknowledged by %(who)s"),
    "action": _l("Action by %(who)s: %(action)s"),
    "resolved": _l("Resolved by %(who)s"),
    "note": _l("Note by %(who)s"),
}
SOMEONE = _l("a colleague")

CHART_SUMMARY = _l("%(symptom)s: %(count)s answers from %(first)s to %(last)s, latest %(latest)s")
CHART_SUMMARY_ONE = _l("%(symptom)s: one answer on %(first)s, %(latest)s")
THRESHOLD_AMBER = _l("amber from %(value)s")
THRESHOLD_RED = _l("red from %(value)s")
