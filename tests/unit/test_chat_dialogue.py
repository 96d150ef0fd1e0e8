"""The chat's dialogue, as scripts: what the person says and what the bot says back.

Pure: the dialogue alone, no app or database (see `tests/api/test_chat_*.py` for the same flows
through the web API and text messages, with the words the person reads).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from companion.chat import dialogue
from companion.chat.dialogue import (
    CreateLead,
    ForgetAllFacts,
    ForgetFact,
    LogInjection,
    PassToTeam,
    RecordFact,
    RecordSymptomReport,
    ReportWords,
    RequestCallback,
    RequestReschedule,
    VisitSummary,
)
from tests.unit.chat_script import Script

# Answers that keep a pre-screen hopeful to the end, as a person might type them.
HOPEFUL_EN = {
    "melanoma_origin": "1",
    "stage": "stage 3",
    "regional_spread": "yes",
    "recent_cancer_treatment": "no",
    "age_years": "54",
    "melanoma_confirmed": "yes",
    "ecog": "1",
    "other_cancer_history": "1",
    "autoimmune_disease": "no",
    "can_become_pregnant": "no",
    "willing_to_consent": "yes",
}
HOPEFUL_ZH = {
    "melanoma_origin": "1",
    "stage": "三期",
    "regional_spread": "是",
    "recent_cancer_treatment": "没有",
    "age_years": "五十四岁",
    "melanoma_confirmed": "对",
    "ecog": "1",
    "other_cancer_history": "1",
    "autoimmune_disease": "没有",
    "can_become_pregnant": "不是",
    "willing_to_consent": "是的",
}
NO_BY_LANGUAGE = {"en": "no", "zh": "没有"}


def answer_all(chat: Script, answers: dict[str, str], language: str) -> Script:
    """Answer every question the bot asks until it stops asking."""
    for _ in range(40):
        asking = chat.state.asking
        if chat.state.step != dialogue.FACT or asking is None:
            return chat
        chat.says(answers.get(asking, NO_BY_LANGUAGE[language]))
        if chat.keys == ["check_answer"]:
            chat.says("yes" if language == "en" else "是")
    raise AssertionError("the pre-screen never ended")


# ---------- pre-screen ----------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_new_conversation_greets_and_asks_the_first_question(language: str) -> None:
    chat = Script.prescreen(language)
    assert chat.keys == ["welcome_prescreen", "question"]
    chat.bot_asks("melanoma_origin")


@pytest.mark.parametrize(
    ("language", "answers"), [("en", HOPEFUL_EN), ("zh", HOPEFUL_ZH)], ids=["en", "zh"]
)
def test_a_hopeful_pre_screen_ends_with_the_verdict_and_the_offer_to_be_called(
    language: str, answers: dict[str, str]
) -> None:
    chat = answer_all(Script.prescreen(language), answers, language)
    assert chat.keys == ["verdict_likely_eligible", "offer_contact"]
    assert chat.facts["stage"] == "III"
    assert chat.facts["age_years"] == 54
    assert chat.said("verdict_likely_eligible")["site_checks"]  # labs and scans, in words


@pytest.mark.parametrize(
    ("language", "name", "phone", "time", "agree"),
    [
        ("en", "Ann Lee", "138 0013 8000", "2", "yes"),
        ("zh", "李安", "13800138000", "1", "是"),
    ],
)
def test_a_person_who_may_fit_leaves_name_phone_time_and_consent_and_becomes_a_lead(
    language: str, name: str, phone: str, time: str, agree: str
) -> None:
    answers = HOPEFUL_EN if language == "en" else HOPEFUL_ZH
    chat = answer_all(Script.prescreen(language), answers, language)
    chat.says("yes" if language == "en" else "好").bot_says("ask_name")
    chat.says(name).bot_says("ask_phone")
    chat.says(phone).bot_says("ask_best_time")
    chat.says(time).bot_says("ask_consent")
    chat.says(agree).bot_says("lead_created")
    lead = chat.last_actions()[0]
    assert isinstance(lead, CreateLead)
    assert lead.name == name
    assert lead.phone_e164 == "+8613800138000"
    assert lead.best_time_to_call == ("afternoon" if language == "en" else "morning")


@pytest.mark.parametrize(
    ("language", "agree"),
    [
        ("en", "I agree"),
        ("en", "ok"),
        ("en", "agreed"),
        ("zh", "同意"),
        ("zh", "好的"),
        ("zh", "可以"),
    ],
)
def test_consent_is_given_in_the_words_people_use(language: str, agree: str) -> None:
    answers = HOPEFUL_EN if language == "en" else HOPEFUL_ZH
    chat = answer_all(Script.prescreen(language), answers, language)
    chat.says("yes").says("Li Wei").says("13800138000").says("1").bot_says("ask_consent")
    chat.says(agree).bot_says("lead_created")


@pytest.mark.parametrize(("language", "refuse"), [("en", "I do not agree"), ("zh", "不同意")])
def test_refusing_consent_makes_no_lead(language: str, refuse: str) -> None:
    answers = HOPEFUL_EN if language == "en" else HOPEFUL_ZH
    chat = answer_all(Script.prescreen(language), answers, language)
    chat.says("yes").says("Li Wei").says("13800138000").says("1").bot_says("ask_consent")
    chat.says(refuse).bot_says("no_contact")
    assert not any(isinstance(action, CreateLead) for action in chat.actions)


def test_back_while_leaving_details_goes_one_step_back() -> None:
    chat = answer_all(Script.prescreen("en"), HOPEFUL_EN, "en")
    chat.says("yes").bot_says("ask_name")
    chat.says("Li Wei").bot_says("ask_phone")
    chat.says("back").bot_says("went_back", "ask_name")
    chat.says("Wang Fang").says("13800138000").bot_says("ask_best_time")
    chat.says("go back").bot_says("went_back", "ask_phone")
    chat.says("13800138000").says("2").says("yes").bot_says("lead_created")
    assert chat.last_actions()[0].name == "Wang Fang"


def test_back_at_the_name_returns_to_the_offer() -> None:
    chat = answer_all(Script.prescreen("en"), HOPEFUL_EN, "en")
    chat.says("yes").says("back").bot_says("went_back", "offer_contact")


@pytest.mark.parametrize("not_a_name", ["call me", "yes", "ok", "sure"])
def test_a_command_or_a_yes_is_not_taken_as_a_name(not_a_name: str) -> None:
    chat = answer_all(Script.prescreen("en"), HOPEFUL_EN, "en")
    chat.says("yes").says(not_a_name)
    assert chat.keys[-1] == "ask_name"
    assert "name" not in chat.state.contact


@pytest.mark.parametrize("no", ["no", "no thanks", "不用"])
def test_no_instead_of_a_name_means_they_would_rather_not(no: str) -> None:
    chat = answer_all(Script.prescreen("en"), HOPEFUL_EN, "en")
    chat.says("yes").says(no).bot_says("no_contact")
    assert not any(isinstance(action, CreateLead) for action in chat.actions)


def test_saying_no_to_the_offer_sends_nothing() -> None:
    chat = answer_all(Script.prescreen("en"), HOPEFUL_EN, "en")
    chat.says("no thanks").bot_says("no_contact")
    assert not any(isinstance(action, CreateLead) for action in chat.actions)


@pytest.mark.parametrize(
    ("language", "origin"), [("en", "In the eye"), ("zh", "眼睛里")], ids=["en", "zh"]
)
def test_an_ineligible_person_is_told_kindly_and_at_once_why(language: str, origin: str) -> None:
    chat = Script.prescreen(language)
    chat.says(origin)
    assert chat.keys == ["verdict_not_eligible"]
    blocking = chat.said("verdict_not_eligible")["blocking"]
    assert len(blocking) == 1
    assert chat.state.step == dialogue.DONE


def test_an_answer_the_reader_is_unsure_of_is_checked_before_it_is_recorded() -> None:
    chat = Script.prescreen("en")
    chat.says("I think on my foot")
    chat.bot_checks("On the palm of the hand, the sole of the foot, or under a nail")
    assert "melanoma_origin" not in chat.facts
    assert chat.state.asking == "melanoma_origin"  # the contract: asking stays the same
    chat.says("yes").bot_asks("stage")
    assert chat.facts["melanoma_origin"] == "acral"
    assert RecordFact("melanoma_origin", "acral") in chat.actions


def test_no_to_the_check_asks_the_question_again_and_records_nothing() -> None:
    chat = Script.prescreen("en")
    chat.says("I think on my foot").says("no")
    assert chat.keys == ["ask_again", "question"]
    chat.bot_asks("melanoma_origin")
    assert chat.facts == {}


def test_a_fresh_answer_instead_of_yes_or_no_to_the_check_is_read_as_the_answer() -> None:
    chat = Script.prescreen("en")
    chat.says("I think on my foot").says("1").bot_asks("stage")
    assert chat.facts["melanoma_origin"] == "skin"


@pytest.mark.parametrize("back", ["back", "go back please", "返回", "上一题"])
def test_back_forgets_the_last_answer_and_asks_it_again(back: str) -> None:
    chat = Script.prescreen("en")
    chat.says("1").says("3").bot_asks("regional_spread")
    chat.says(back)
    assert chat.keys == ["went_back", "question"]
    chat.bot_asks("stage")
    assert chat.facts == {"melanoma_origin": "skin"}
    assert ForgetFact("stage") in chat.actions


def test_back_at_the_first_question_says_so_and_asks_it_again() -> None:
    chat = Script.prescreen("en").says("back")
    assert chat.keys == ["nothing_to_go_back", "question"]


def test_back_after_an_ineligible_verdict_lets_the_person_change_the_answer() -> None:
    chat = Script.prescreen("en").says("4")  # "In the eye"
    assert chat.keys == ["verdict_not_eligible"]
    chat.says("back").bot_asks("melanoma_origin")
    chat.says("1").bot_asks("stage")


@pytest.mark.parametrize("again", ["start over", "Start again please", "重新开始", "重来"])
def test_start_over_forgets_every_answer(again: str) -> None:
    chat = Script.prescreen("en").says("1").says("3")
    chat.says(again)
    assert chat.keys == ["restarted", "question"]
    chat.bot_asks("melanoma_origin")
    assert chat.facts == {}
    assert ForgetAllFacts() in chat.actions


def test_a_reply_it_cannot_read_gets_a_hint_and_the_question_again() -> None:
    chat = Script.prescreen("en").says("banana")
    assert chat.keys == ["not_understood", "question"]
    assert chat.said("not_understood")["hint"] == "option"
    chat.bot_asks("melanoma_origin")


def test_after_two_misses_the_bot_offers_a_call_and_takes_a_number() -> None:
    chat = Script.prescreen("en").says("banana").says("apple")
    assert chat.keys == ["not_understood", "offer_call", "question"]
    chat.says("call me").bot_says("ask_call_phone")
    chat.says("+86 138 0013 8000")
    assert chat.keys == ["call_requested", "question"]
    chat.bot_asks("melanoma_origin")  # and the pre-screen carries on
    assert RequestCallback("+8613800138000") in chat.actions


def test_a_number_question_hints_at_a_number() -> None:
    chat = Script.prescreen("en").says("1").says("3").says("yes").says("no")
    chat.bot_asks("age_years")
    chat.says("old enough")
    assert chat.said("not_understood")["hint"] == "number"


@pytest.mark.parametrize(("language", "stage"), [("en", "stage 4"), ("zh", "四期")])
def test_a_reply_the_next_day_answers_the_question_left_open(language: str, stage: str) -> None:
    chat = Script.prescreen(language).says("1").bot_asks("stage")
    chat.says(stage, after=timedelta(hours=20)).bot_asks("distant_spread_sites")
    assert chat.facts["stage"] == "IV"


@pytest.mark.parametrize(("language", "greeting"), [("en", "good morning"), ("zh", "你好")])
def test_a_greeting_the_next_day_is_welcomed_back_with_the_open_question(
    language: str, greeting: str
) -> None:
    chat = Script.prescreen(language).says("1").bot_asks("stage")
    chat.says(greeting, after=timedelta(hours=20))
    assert chat.keys == ["welcome_back", "question"]
    chat.bot_asks("stage")
    assert chat.state.misses == 0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I can't breathe"),
        ("en", "my chest hurts so much"),
        ("zh", "胸口痛，喘不上气"),
        ("zh", "我不想活了"),
    ],
)
def test_an_emergency_mid_questionnaire_gets_the_emergency_answer_and_keeps_the_place(
    language: str, text: str
) -> None:
    chat = Script.prescreen(language).says("1").bot_asks("stage")
    chat.says(text)
    assert chat.keys == ["emergency"]
    chat.bot_flags_emergency()
    assert chat.last_actions() == (ReportWords(text, {}),)
    chat.says("3").bot_asks("regional_spread")  # the pre-screen carries on afterwards


@pytest.mark.parametrize(
    ("language", "hedged", "corrected", "value"),
    [
        ("en", "probably 3", "no, 4", "IV"),
        ("en", "probably 3", "nope it's 2", "II"),
        ("zh", "应该是三期", "不是，是四期", "IV"),
    ],
)
def test_a_correction_given_instead_of_yes_to_the_check_is_read_as_the_answer(
    language: str, hedged: str, corrected: str, value: str
) -> None:
    chat = Script.prescreen(language).says("1").bot_asks("stage")
    chat.says(hedged)
    assert chat.keys == ["check_answer"]
    chat.says(corrected)
    assert chat.facts["stage"] == value


# ---------- a patient on the study, by text ----------

VISIT = VisitSummary(name="Cycle 2 treatment", day="Thu, Nov 26", time="9:00 AM")


@pytest.mark.parametrize(
    "text", ["next visit", "When is my next appointment?", "1", "下次什么时候来", "下一次复诊时间"]
)
def test_a_patient_asks_for_their_next_visit(text: str) -> None:
    chat = Script.patient("en", next_visit=VISIT).says(text)
    assert chat.keys == ["next_visit"]
    assert chat.said("next_visit") == {
        "name": "Cycle 2 treatment",
        "day": "Thu, Nov 26",
        "time": "9:00 AM",
    }


def test_a_patient_with_no_visit_booked_is_told_so() -> None:
    Script.patient("en").says("next visit").bot_says("no_next_visit")


@pytest.mark.parametrize(
    ("ask", "when"),
    [("I need to change my appointment", "Monday morning"), ("我想改时间", "下周一上午")],
)
def test_a_patient_asks_to_reschedule_and_a_coordinator_task_is_made(ask: str, when: str) -> None:
    chat = Script.patient("en").says(ask).bot_says("ask_reschedule")
    chat.says(when).bot_says("reschedule_requested")
    assert chat.last_actions() == (RequestReschedule(when),)


def test_a_patient_who_changes_their_mind_about_rescheduling_gets_the_menu() -> None:
    chat = Script.patient("en").says("2").bot_says("ask_reschedule")
    chat.says("no").bot_says("menu")
    assert not any(isinstance(action, RequestReschedule) for action in chat.actions)


@pytest.mark.parametrize("text", ["took my injection", "I had my shot", "4", "打完针了"])
def test_a_patient_logs_their_home_shot(text: str) -> None:
    chat = Script.patient("en").says(text).bot_says("injection_logged")
    assert chat.last_actions() == (LogInjection(),)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_symptom_check_asks_short_numbered_questions_and_reports_the_answers(
    language: str,
) -> None:
    yes, no = ("yes", "no") if language == "en" else ("是", "没有")
    chat = Script.patient(language).says("I feel sick" if language == "en" else "不舒服")
    assert chat.keys == ["symptom_intro", "question"]
    chat.bot_asks("chest_pain")
    chat.says(no).bot_asks("shortness_of_breath")
    chat.says("1").bot_asks("temperature_c")
    chat.says("38.6").bot_asks("extra_stools_per_day")
    chat.says("skip" if language == "en" else "跳过").bot_asks("blood_in_stool")
    chat.says(no).bot_asks("rash_blistering")
    chat.says(no).bot_asks("other")
    chat.says(no).bot_says("report_answer")
    assert chat.last_actions() == (
        RecordSymptomReport(
            {
                "chest_pain": "no",
                "shortness_of_breath": "none",
                "temperature_c": 38.6,
                "blood_in_stool": "no",
                "rash_blistering": "no",
            }
        ),
    )
    assert yes  # both words are real answers in the item bank's language
    assert chat.state.step == dialogue.MENU


def test_a_symptom_check_stops_at_the_first_answer_that_makes_it_an_emergency() -> None:
    chat = Script.patient("en").says("symptoms").bot_asks("chest_pain")
    chat.says("yes").bot_says("report_answer")
    chat.bot_flags_emergency()
    assert chat.last_actions() == (RecordSymptomReport({"chest_pain": "yes"}),)


def test_a_yes_no_symptom_question_is_answered_in_words_not_numbers() -> None:
    chat = Script.patient("en").says("symptoms").bot_asks("chest_pain")
    assert chat.said("question")["choices"] == []
    assert chat.said("question")["yes_no"] is True
    chat.says("2")  # "twice"? a number is no answer here
    assert chat.said("not_understood")["hint"] == "yes_no"
    chat.bot_asks("chest_pain")


@pytest.mark.parametrize(
    ("language", "vague", "agree"), [("en", "ok", "yes"), ("zh", "好的", "对")]
)
def test_an_unsure_symptom_answer_is_checked_before_it_counts(
    language: str, vague: str, agree: str
) -> None:
    chat = Script.patient(language).says("symptoms").bot_asks("chest_pain")
    chat.says(vague)
    chat.bot_checks("Yes" if language == "en" else "是")
    assert chat.state.symptom_answers == {}
    chat.says(agree).bot_says("report_answer")  # chest pain: an emergency, at once
    chat.bot_flags_emergency()


def test_emergency_words_mid_symptom_check_report_the_answers_given_so_far() -> None:
    chat = Script.patient("en").says("symptoms").says("no").says("1")
    chat.says("I passed out")
    assert chat.keys == ["emergency"]
    assert chat.last_actions() == (
        ReportWords("I passed out", {"chest_pain": "no", "shortness_of_breath": "none"}),
    )


@pytest.mark.parametrize(
    ("ask", "back"), [("2", "start over"), ("2", "back"), ("改期", "重新开始")]
)
def test_start_over_or_back_while_asked_for_a_new_time_is_no_note(ask: str, back: str) -> None:
    chat = Script.patient("en").says(ask).bot_says("ask_reschedule")
    chat.says(back).bot_says("menu")
    assert not any(isinstance(action, RequestReschedule) for action in chat.actions)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "I have blood in my poo since yesterday"),
        ("en", "my skin and eyes have gone yellow"),
        ("zh", "拉黑便两天了"),
        ("zh", "眼睛发黄"),
    ],
)
def test_red_flag_words_while_asked_for_a_new_time_make_a_report_and_keep_the_request_open(
    language: str, words: str
) -> None:
    chat = Script.patient(language).says("2").bot_says("ask_reschedule")
    chat.says(words).bot_says("report_answer", "ask_reschedule")
    assert chat.last_actions() == (ReportWords(words, {}),)
    assert not chat.turn.emergency  # red: the team calls within the hour; no 120
    chat.says("Friday afternoon").bot_says("reschedule_requested")
    assert chat.last_actions() == (RequestReschedule("Friday afternoon"),)


def test_red_flag_words_mid_symptom_check_report_the_answers_given_so_far() -> None:
    chat = Script.patient("en").says("symptoms").says("no").says("1")
    chat.says("there is blood in my stool").bot_says("report_answer")
    assert chat.last_actions() == (
        ReportWords(
            "there is blood in my stool", {"chest_pain": "no", "shortness_of_breath": "none"}
        ),
    )
    assert chat.state.step == dialogue.MENU


def test_red_flag_words_in_the_last_free_text_answer_go_into_the_check_s_own_report() -> None:
    chat = Script.patient("en").says("symptoms")
    while chat.state.asking != "other":
        chat.says("skip")
    chat.says("some blood in my stool").bot_says("report_answer")
    [report] = [a for a in chat.last_actions() if isinstance(a, RecordSymptomReport)]
    assert report.answers == {"other": "some blood in my stool"}


def test_red_flag_words_while_staff_have_taken_over_make_a_report_in_silence() -> None:
    chat = Script.patient("en").taken_over().says("I've had black stools all day")
    chat.bot_is_silent()
    assert chat.last_actions() == (
        ReportWords("I've had black stools all day", {}),
        PassToTeam(),
    )


def test_back_in_a_symptom_check_asks_the_question_before_again() -> None:
    chat = Script.patient("en").says("symptoms").bot_asks("chest_pain")
    chat.says("no")
    second = chat.state.asking
    chat.says("1")
    chat.says("back")
    assert chat.keys[0] == "went_back"
    chat.bot_asks(second)
    assert second not in chat.state.symptom_answers
    assert chat.state.symptom_answers == {"chest_pain": "no"}


def test_start_over_in_a_symptom_check_begins_it_again() -> None:
    chat = Script.patient("zh").says("3").says("没有").says("重新开始")
    chat.bot_asks("chest_pain")
    assert chat.state.symptom_answers == {}


def test_a_patient_asks_for_a_call() -> None:
    chat = Script.patient("en").says("please call me").bot_says("call_requested")
    assert chat.last_actions() == (RequestCallback(None),)


def test_a_text_the_bot_cannot_help_with_is_passed_to_the_team_with_the_menu() -> None:
    chat = Script.patient("en").says("Can I take paracetamol with my tablets?")
    assert chat.keys == ["passed_to_team", "menu_hint"]
    assert chat.last_actions() == (PassToTeam(),)
    chat.says("what about ibuprofen then")
    assert chat.keys == ["passed_to_team", "menu_hint", "offer_call"]


def test_a_greeting_gets_the_menu_and_thanks_get_a_kind_word() -> None:
    Script.patient("zh").says("你好").bot_says("menu")
    Script.patient("en").says("thank you!").bot_says("you_are_welcome")


# ---------- staff take over ----------


@pytest.mark.parametrize(
    ("language", "visit", "hello"),
    [("en", "next visit", "hello?"), ("zh", "下次什么时候来", "在吗")],
)
def test_while_staff_have_taken_over_the_bot_is_silent_and_passes_every_message_on(
    language: str, visit: str, hello: str
) -> None:
    chat = Script.patient(language, next_visit=VISIT).taken_over()
    chat.says(visit).bot_is_silent()
    assert chat.last_actions() == (PassToTeam(),)
    chat.says(hello).bot_is_silent()
    chat.released().says(visit).bot_says("next_visit")


@pytest.mark.parametrize(("language", "words"), [("en", "I can't breathe"), ("zh", "我喘不上气")])
def test_emergency_words_are_answered_even_while_staff_have_taken_over(
    language: str, words: str
) -> None:
    chat = Script.patient(language).taken_over().says(words)
    chat.bot_says("emergency")
    chat.bot_flags_emergency()


def test_a_pre_screen_taken_over_is_silent_too() -> None:
    chat = Script.prescreen("en").taken_over().says("1").bot_is_silent()
    assert chat.facts == {}


# ---------- state ----------


def test_the_state_survives_being_stored_as_json_and_read_back() -> None:
    chat = Script.prescreen("en").says("1").says("3").says("I think so")
    stored = dialogue.State.from_json(chat.state.to_json())
    assert stored == chat.state
