"""Reading a patient's short reply to a chat or SMS question: the value it gives, and whether we
are sure of it (an unsure reading is checked with the patient; an unreadable one is None, never a
guess). Real questions from the trial file and the symptom bank, real-looking replies in English
and Chinese, typed the way people type on a phone."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from companion.chat import reading
from companion.chat.reading import (
    SKIPPED,
    Reading,
    normalise,
    read_fact_answer,
    read_number,
    read_option,
    read_symptom_answer,
    read_yes_no,
)
from matching import Question, load_trial
from symptoms import load_item_bank
from tests.unit.test_purity import CLOCK_CALL, FORBIDDEN_MODULES

TRIAL = load_trial("NCT07586904")
BANK = load_item_bank()

# Short names for the questions the rows are answers to.
QUESTIONS = {
    "age": "age_years",
    "origin": "melanoma_origin",
    "stage": "stage",
    "ecog": "ecog",
    "places": "distant_spread_sites",
    "other_cancer": "other_cancer_history",
    "autoimmune": "autoimmune_disease",
    "biopsy": "melanoma_confirmed",
    "consent": "willing_to_consent",
    "pregnant": "can_become_pregnant",
}
ITEMS = {
    "temp": "temperature_c",
    "stools": "extra_stools_per_day",
    "chest": "chest_pain",
    "fainting": "fainting",
    "nausea": "nausea",
    "breath": "shortness_of_breath",
    "other": "other",
}
SURE, CHECK = True, False  # CHECK: the dialogue confirms the reading with the patient
UNREADABLE = (None, None)  # the whole reply is None


def read(text: str, where: str, language: str) -> Reading | None:
    if where in QUESTIONS:
        question = TRIAL.question_for(QUESTIONS[where])
        assert question is not None
        return read_fact_answer(text, question, language)
    return read_symptom_answer(text, BANK.item(ITEMS[where]), language)


def expected(value: Any, sure: bool | None) -> Reading | None:
    return None if sure is None else Reading(value, sure)


# (reply, question, value, sure); a row with sure None must read as None.
ENGLISH: list[tuple[str, str, Any, bool | None]] = [
    # yes / no / not sure
    ("yes", "biopsy", "yes", SURE),
    ("Yes!!", "biopsy", "yes", SURE),
    ("YES.", "biopsy", "yes", SURE),
    ("yes please", "biopsy", "yes", SURE),
    ("Ｙｅｓ", "biopsy", "yes", SURE),
    ("y", "biopsy", "yes", SURE),
    ("Y", "biopsy", "yes", SURE),
    ("yeah", "biopsy", "yes", SURE),
    ("Yep", "biopsy", "yes", SURE),
    ("yup", "biopsy", "yes", SURE),
    ("ya", "biopsy", "yes", SURE),
    ("yesss", "biopsy", "yes", SURE),
    ("sure", "biopsy", "yes", SURE),
    ("correct", "biopsy", "yes", SURE),
    ("that's right", "biopsy", "yes", SURE),
    ("That’s right", "biopsy", "yes", SURE),
    ("of course", "biopsy", "yes", SURE),
    ("definitely", "biopsy", "yes", SURE),
    ("Absolutely!", "biopsy", "yes", SURE),
    ("I do", "biopsy", "yes", SURE),
    ("I have", "biopsy", "yes", SURE),
    ("i did", "biopsy", "yes", SURE),
    ("yes I have", "biopsy", "yes", SURE),
    ("Yes, I did", "biopsy", "yes", SURE),
    ("ok", "biopsy", "yes", CHECK),
    ("Okay", "biopsy", "yes", CHECK),
    (" no ", "biopsy", "no", SURE),
    ("no", "biopsy", "no", SURE),
    ("N", "biopsy", "no", SURE),
    ("nope", "biopsy", "no", SURE),
    ("nah", "biopsy", "no", SURE),
    ("No I haven't", "biopsy", "no", SURE),
    ("no i havent", "biopsy", "no", SURE),
    ("never", "biopsy", "no", SURE),
    ("none", "biopsy", "no", SURE),
    ("I don't", "biopsy", "no", SURE),
    ("I haven't", "biopsy", "no", SURE),
    ("nooo", "biopsy", "no", SURE),
    ("ok, no", "biopsy", "no", SURE),
    ("not really", "biopsy", "no", CHECK),
    ("not sure", "biopsy", "unsure", SURE),
    ("unsure", "biopsy", "unsure", SURE),
    ("I'm not sure", "biopsy", "unsure", SURE),
    ("I’m not sure", "biopsy", "unsure", SURE),
    ("im not sure", "biopsy", "unsure", SURE),
    ("don't know", "biopsy", "unsure", SURE),
    ("I don't know", "biopsy", "unsure", SURE),
    ("i dont know", "biopsy", "unsure", SURE),
    ("dunno", "biopsy", "unsure", SURE),
    ("IDK", "biopsy", "unsure", SURE),
    ("no idea", "biopsy", "unsure", SURE),
    ("maybe", "biopsy", "unsure", SURE),
    ("can't remember", "biopsy", "unsure", SURE),
    ("I forget", "biopsy", "unsure", SURE),
    ("I think so", "biopsy", "yes", CHECK),
    ("probably", "biopsy", "yes", CHECK),
    ("I believe so", "biopsy", "yes", CHECK),
    ("pretty sure yes", "biopsy", "yes", CHECK),
    ("maybe yes", "biopsy", "yes", CHECK),
    ("I don't think so", "biopsy", "no", CHECK),
    ("probably not", "biopsy", "no", CHECK),
    ("I doubt it", "biopsy", "no", CHECK),
    ("Yes, last month", "biopsy", "yes", CHECK),
    ("no, it was never done", "biopsy", "no", CHECK),
    ("1", "biopsy", "yes", SURE),
    ("2", "biopsy", "no", SURE),
    ("3", "biopsy", "unsure", SURE),
    ("option 1", "biopsy", "yes", SURE),
    ("4", "biopsy", *UNREADABLE),
    ("0", "biopsy", *UNREADABLE),
    ("know", "biopsy", *UNREADABLE),
    ("hello", "biopsy", *UNREADABLE),
    ("yes no", "biopsy", *UNREADABLE),
    ("asdfgh", "biopsy", *UNREADABLE),
    ("I have a question", "biopsy", *UNREADABLE),
    ("yes but I'm not sure", "biopsy", *UNREADABLE),
    ("I'd like to", "consent", "yes", SURE),
    ("no thank you", "consent", "no", SURE),
    ("why not", "consent", "yes", CHECK),
    ("I can't", "pregnant", "no", SURE),
    # age
    ("54", "age", 54, SURE),
    ("54 years", "age", 54, SURE),
    ("54 years old", "age", 54, SURE),
    ("I'm 54", "age", 54, SURE),
    ("age 54", "age", 54, SURE),
    ("I am 54 years old", "age", 54, SURE),
    ("my age is 54", "age", 54, SURE),
    ("I just turned 54", "age", 54, SURE),
    ("54yo", "age", 54, SURE),
    ("54 y/o", "age", 54, SURE),
    ("54.", "age", 54, SURE),
    ("fifty-four", "age", 54, SURE),
    ("fifty four", "age", 54, SURE),
    ("Fifty Four", "age", 54, SURE),
    ("a hundred and two", "age", 102, SURE),
    ("one hundred", "age", 100, SURE),
    ("twenty", "age", 20, SURE),
    ("eighteen", "age", 18, SURE),
    ("120", "age", 120, SURE),
    ("about 50", "age", 50, CHECK),
    ("around 50", "age", 50, CHECK),
    ("roughly 50", "age", 50, CHECK),
    ("50ish", "age", 50, CHECK),
    ("~50", "age", 50, CHECK),
    ("maybe 50", "age", 50, CHECK),
    ("50 or so", "age", 50, CHECK),
    ("almost 60", "age", 60, CHECK),
    ("54?", "age", 54, CHECK),
    ("250", "age", *UNREADABLE),
    ("-3", "age", *UNREADABLE),
    ("121", "age", *UNREADABLE),
    ("50-55", "age", *UNREADABLE),
    ("50 or 51", "age", *UNREADABLE),
    ("54.5", "age", *UNREADABLE),
    ("hello", "age", *UNREADABLE),
    ("old", "age", *UNREADABLE),
    ("I was born in 1970", "age", *UNREADABLE),
    ("54 and my wife is 50", "age", *UNREADABLE),
    # temperature
    ("38.5", "temp", 38.5, SURE),
    ("38,5", "temp", 38.5, SURE),
    ("38.5C", "temp", 38.5, SURE),
    ("38.5°C", "temp", 38.5, SURE),
    ("38.5 ℃", "temp", 38.5, SURE),
    ("38.5 degrees", "temp", 38.5, SURE),
    ("37", "temp", 37.0, SURE),
    ("thirty eight point five", "temp", 38.5, SURE),
    ("38 point 5", "temp", 38.5, SURE),
    ("my temp was 38.2", "temp", 38.2, SURE),
    ("about 38", "temp", 38.0, CHECK),
    ("38.5ish", "temp", 38.5, CHECK),
    ("skip", "temp", SKIPPED, SURE),
    ("not measured", "temp", SKIPPED, SURE),
    ("didn't check", "temp", SKIPPED, SURE),
    ("I didn't measure it", "temp", SKIPPED, SURE),
    ("don't know", "temp", SKIPPED, SURE),
    ("no thermometer", "temp", SKIPPED, SURE),
    ("101", "temp", *UNREADABLE),
    ("100.4F", "temp", *UNREADABLE),
    ("385", "temp", *UNREADABLE),
    ("38-39", "temp", *UNREADABLE),
    ("38 or 39", "temp", *UNREADABLE),
    ("normal", "temp", *UNREADABLE),
    ("hot", "temp", *UNREADABLE),
    # extra stools a day
    ("3", "stools", 3, SURE),
    ("three", "stools", 3, SURE),
    ("3 times", "stools", 3, SURE),
    ("5x", "stools", 5, SURE),
    ("twice", "stools", 2, SURE),
    ("once", "stools", 1, SURE),
    ("none", "stools", 0, SURE),
    ("no", "stools", 0, SURE),
    ("zero", "stools", 0, SURE),
    ("0", "stools", 0, SURE),
    ("not once", "stools", 0, SURE),
    ("same as usual", "stools", 0, CHECK),
    ("about 4", "stools", 4, CHECK),
    ("skip", "stools", SKIPPED, SURE),
    ("not sure", "stools", SKIPPED, SURE),
    ("4 or 5", "stools", *UNREADABLE),
    ("2.5", "stools", *UNREADABLE),
    ("-3", "stools", *UNREADABLE),
    ("31", "stools", *UNREADABLE),
    ("lots", "stools", *UNREADABLE),
    # symptom yes / no
    ("yes", "chest", "yes", SURE),
    ("nope", "chest", "no", SURE),
    ("Yes, it has gone now", "chest", "yes", CHECK),
    ("no chest pain", "chest", "no", CHECK),
    ("I think so", "fainting", "yes", CHECK),
    ("not sure", "chest", *UNREADABLE),
    ("maybe", "fainting", *UNREADABLE),
    ("2", "fainting", *UNREADABLE),  # twice? or option 2? never a guess
    ("skip", "chest", SKIPPED, SURE),
    ("Skip please", "nausea", SKIPPED, SURE),
    ("pass", "other", SKIPPED, SURE),
    ("don't know", "other", "don't know", SURE),  # free text is the patient's own words
    # severity
    ("1", "nausea", "none", SURE),
    ("2", "nausea", "mild", SURE),
    ("3", "nausea", "moderate", SURE),
    ("4", "nausea", "severe", SURE),
    ("none", "nausea", "none", SURE),
    ("no", "nausea", "none", SURE),
    ("mild", "nausea", "mild", SURE),
    ("Mild", "nausea", "mild", SURE),
    ("a little", "nausea", "mild", SURE),
    ("slight", "nausea", "mild", SURE),
    ("very mild", "nausea", "mild", SURE),
    ("yes, a little", "nausea", "mild", SURE),
    ("moderate", "nausea", "moderate", SURE),
    ("medium", "nausea", "moderate", SURE),
    ("quite", "nausea", "moderate", CHECK),
    ("severe", "nausea", "severe", SURE),
    ("very bad", "nausea", "severe", SURE),
    ("terrible", "nausea", "severe", SURE),
    ("bad", "nausea", "severe", CHECK),
    ("not bad", "nausea", "mild", CHECK),
    ("Mild: I notice it, but I can do my usual things", "nausea", "mild", SURE),
    ("only when I climb stairs", "breath", "mild", CHECK),
    ("even when I rest", "breath", "severe", CHECK),
    ("5", "nausea", *UNREADABLE),
    ("0", "nausea", *UNREADABLE),
    ("mild to moderate", "nausea", *UNREADABLE),
    ("yes", "nausea", *UNREADABLE),
    # where the melanoma started
    ("1", "origin", "skin", SURE),
    ("On the skin", "origin", "skin", SURE),
    ("on the skin.", "origin", "skin", SURE),
    ("skin", "origin", "skin", CHECK),
    ("palm", "origin", "acral", CHECK),
    ("sole of my foot", "origin", "acral", CHECK),
    ("under a nail", "origin", "acral", CHECK),
    ("it started on my foot", "origin", "acral", CHECK),
    ("eye", "origin", "eye", CHECK),
    ("In the eye", "origin", "eye", SURE),
    ("nose", "origin", "mucosal", CHECK),
    ("mouth", "origin", "mucosal", CHECK),
    ("acral", "origin", "acral", SURE),
    ("option 3", "origin", "mucosal", SURE),
    ("#4", "origin", "eye", SURE),
    ("(5)", "origin", "unknown_primary", SURE),
    ("6", "origin", "unsure", SURE),
    ("the second one", "origin", "acral", SURE),
    ("2nd", "origin", "acral", SURE),
    ("no. 2", "origin", "acral", SURE),
    ("2.", "origin", "acral", SURE),
    ("option two", "origin", "acral", SURE),
    ("not sure", "origin", "unsure", SURE),
    ("7", "origin", *UNREADABLE),
    ("skin of my foot", "origin", *UNREADABLE),
    ("no", "origin", *UNREADABLE),
    # stage
    ("3", "stage", "III", SURE),
    ("stage 3", "stage", "III", SURE),
    ("Stage III", "stage", "III", SURE),
    ("stage iv", "stage", "IV", SURE),
    ("IV", "stage", "IV", SURE),
    ("iv", "stage", "IV", SURE),
    ("Stage IIIc", "stage", "III", SURE),
    ("3c", "stage", "III", SURE),
    ("stage four", "stage", "IV", SURE),
    ("Stage 1", "stage", "I", SURE),
    ("maybe 3", "stage", "III", CHECK),
    ("lymph nodes", "stage", "III", CHECK),
    ("stage 5", "stage", *UNREADABLE),
    # ECOG: option numbers are not the values
    ("1", "ecog", 0, CHECK),
    ("0", "ecog", 0, CHECK),
    ("2", "ecog", 1, CHECK),
    ("5", "ecog", 4, SURE),
    ("6", "ecog", "unsure", SURE),
    ("option 1", "ecog", 0, SURE),
    ("#2", "ecog", 1, SURE),
    ("ECOG 1", "ecog", 1, SURE),
    ("housework", "ecog", 1, CHECK),
    ("I can do everything I did before I got sick", "ecog", 0, SURE),
    ("7", "ecog", *UNREADABLE),
    # distant places: none / one / more_than_one
    ("1", "places", "none", CHECK),
    ("2", "places", "one", CHECK),
    ("3", "places", "more_than_one", SURE),
    ("4", "places", "unsure", CHECK),
    ("0", "places", "none", CHECK),
    ("None", "places", "none", SURE),
    ("no", "places", "none", SURE),
    ("one place", "places", "one", SURE),
    ("2 places", "places", "more_than_one", SURE),
    ("two places", "places", "more_than_one", SURE),
    ("(2)", "places", "one", SURE),
    ("one", "places", "one", CHECK),
    ("several", "places", "more_than_one", CHECK),
    # other cancer, autoimmune
    ("no", "other_cancer", "none", SURE),
    ("No, never", "other_cancer", "none", SURE),
    ("never", "other_cancer", "none", SURE),
    ("basal cell", "other_cancer", "exception_only", CHECK),
    ("yes", "other_cancer", *UNREADABLE),
    ("no", "autoimmune", "none", SURE),
    ("yes", "autoimmune", "yes", SURE),
    ("asthma as a child", "autoimmune", "exempt_only", CHECK),
    ("vitiligo", "autoimmune", "exempt_only", CHECK),
]

CHINESE: list[tuple[str, str, Any, bool | None]] = [
    # 是 / 否 / 不确定
    ("是", "biopsy", "yes", SURE),
    ("是的", "biopsy", "yes", SURE),
    ("是的。", "biopsy", "yes", SURE),
    ("是！", "biopsy", "yes", SURE),
    ("“是”", "biopsy", "yes", SURE),
    ("对", "biopsy", "yes", SURE),
    ("对的", "biopsy", "yes", SURE),
    ("有", "biopsy", "yes", SURE),
    ("有的", "biopsy", "yes", SURE),
    ("有过", "biopsy", "yes", SURE),
    ("嗯", "biopsy", "yes", SURE),
    ("嗯嗯", "biopsy", "yes", SURE),
    ("没错", "biopsy", "yes", SURE),
    ("当然", "biopsy", "yes", SURE),
    ("是啊", "biopsy", "yes", SURE),
    ("确实有", "biopsy", "yes", SURE),
    ("好", "biopsy", "yes", CHECK),
    ("否", "biopsy", "no", SURE),
    ("不是", "biopsy", "no", SURE),
    ("不", "biopsy", "no", SURE),
    ("没有", "biopsy", "no", SURE),
    ("没有！！", "biopsy", "no", SURE),
    ("没", "biopsy", "no", SURE),
    ("无", "biopsy", "no", SURE),
    ("从来没有", "biopsy", "no", SURE),
    ("不对", "biopsy", "no", SURE),
    ("没有啊", "biopsy", "no", SURE),
    ("没有过", "biopsy", "no", SURE),
    ("都没有", "biopsy", "no", SURE),
    ("没有，谢谢", "biopsy", "no", SURE),
    ("嗯，没有", "biopsy", "no", SURE),
    ("不知道", "biopsy", "unsure", SURE),
    ("我不知道", "biopsy", "unsure", SURE),
    ("不确定", "biopsy", "unsure", SURE),
    ("我不确定", "biopsy", "unsure", SURE),
    ("不清楚", "biopsy", "unsure", SURE),
    ("说不准", "biopsy", "unsure", SURE),
    ("不记得了", "biopsy", "unsure", SURE),
    ("记不清", "biopsy", "unsure", SURE),
    ("可能", "biopsy", "unsure", SURE),
    ("也许", "biopsy", "unsure", SURE),
    ("好像是", "biopsy", "yes", CHECK),
    ("应该是", "biopsy", "yes", CHECK),
    ("应该是吧", "biopsy", "yes", CHECK),
    ("我想是的", "biopsy", "yes", CHECK),
    ("应该没有", "biopsy", "no", CHECK),
    ("好像没有", "biopsy", "no", CHECK),
    ("应该不是", "biopsy", "no", CHECK),
    ("有，上个月做的", "biopsy", "yes", CHECK),
    ("第一个", "biopsy", "yes", SURE),
    ("选2", "biopsy", "no", SURE),
    ("第三个", "biopsy", "unsure", SURE),
    ("二", "biopsy", "no", SURE),
    ("有没有", "biopsy", *UNREADABLE),
    ("是不是", "biopsy", *UNREADABLE),
    ("你好", "biopsy", *UNREADABLE),
    ("谢谢", "biopsy", *UNREADABLE),
    ("我有一个问题", "biopsy", *UNREADABLE),
    ("愿意", "consent", "yes", SURE),
    ("我愿意", "consent", "yes", SURE),
    ("不愿意", "consent", "no", SURE),
    ("不想", "consent", "no", SURE),
    ("可以", "consent", "yes", CHECK),
    ("好的", "consent", "yes", CHECK),
    ("没问题", "consent", "yes", CHECK),
    ("不可能", "pregnant", "no", SURE),
    ("不能", "pregnant", "no", SURE),
    ("有可能", "pregnant", "yes", CHECK),
    # 年龄
    ("54岁", "age", 54, SURE),
    ("五十四", "age", 54, SURE),
    ("五十四岁", "age", 54, SURE),
    ("我今年五十四", "age", 54, SURE),
    ("我今年54岁", "age", 54, SURE),
    ("今年54", "age", 54, SURE),
    ("我54了", "age", 54, SURE),
    ("５４", "age", 54, SURE),
    ("５４岁", "age", 54, SURE),
    ("十八", "age", 18, SURE),
    ("十八岁", "age", 18, SURE),
    ("二十", "age", 20, SURE),
    ("三十一", "age", 31, SURE),
    ("九十九", "age", 99, SURE),
    ("一百零二", "age", 102, SURE),
    ("一百二", "age", 120, SURE),
    ("大概五十", "age", 50, CHECK),
    ("五十左右", "age", 50, CHECK),
    ("差不多五十", "age", 50, CHECK),
    ("五十多", "age", 50, CHECK),
    ("五十多岁", "age", 50, CHECK),
    ("快六十了", "age", 60, CHECK),
    ("虚岁五十", "age", 50, CHECK),
    ("五六十", "age", *UNREADABLE),
    ("五十到五十五", "age", *UNREADABLE),
    ("五十几", "age", *UNREADABLE),
    ("一百五", "age", *UNREADABLE),
    ("两百", "age", *UNREADABLE),
    ("岁", "age", *UNREADABLE),
    ("你好", "age", *UNREADABLE),
    # 体温
    ("38.5度", "temp", 38.5, SURE),
    ("三十八度五", "temp", 38.5, SURE),
    ("三十八点五", "temp", 38.5, SURE),
    ("38度5", "temp", 38.5, SURE),
    ("三十八度", "temp", 38.0, SURE),
    ("37度2", "temp", 37.2, SURE),
    ("三十七度二", "temp", 37.2, SURE),
    ("３８．５", "temp", 38.5, SURE),
    ("３８，５", "temp", 38.5, SURE),
    ("体温38.5", "temp", 38.5, SURE),
    ("最高三十八度二", "temp", 38.2, SURE),
    ("三十八度半", "temp", 38.5, SURE),
    ("发烧38度", "temp", 38.0, SURE),
    ("大概38度", "temp", 38.0, CHECK),
    ("38度左右", "temp", 38.0, CHECK),
    ("没量", "temp", SKIPPED, SURE),
    ("没有量", "temp", SKIPPED, SURE),
    ("没测", "temp", SKIPPED, SURE),
    ("不知道", "temp", SKIPPED, SURE),
    ("跳过", "temp", SKIPPED, SURE),
    ("没有体温计", "temp", SKIPPED, SURE),
    ("忘了量", "temp", SKIPPED, SURE),
    ("38到39度", "temp", *UNREADABLE),
    ("三十八九度", "temp", *UNREADABLE),
    ("正常", "temp", *UNREADABLE),
    ("发烧了", "temp", *UNREADABLE),
    ("一百零一度", "temp", *UNREADABLE),
    # 稀便次数
    ("三", "stools", 3, SURE),
    ("三次", "stools", 3, SURE),
    ("拉了三次", "stools", 3, SURE),
    ("3次", "stools", 3, SURE),
    ("两次", "stools", 2, SURE),
    ("十次", "stools", 10, SURE),
    ("一天五次", "stools", 5, SURE),
    ("没有", "stools", 0, SURE),
    ("没", "stools", 0, SURE),
    ("无", "stools", 0, SURE),
    ("一次也没有", "stools", 0, SURE),
    ("零", "stools", 0, SURE),
    ("0次", "stools", 0, SURE),
    ("和平时一样", "stools", 0, CHECK),
    ("大概四次", "stools", 4, CHECK),
    ("跳过", "stools", SKIPPED, SURE),
    ("不知道", "stools", SKIPPED, SURE),
    ("四五次", "stools", *UNREADABLE),
    ("三到四次", "stools", *UNREADABLE),
    ("三十一次", "stools", *UNREADABLE),
    ("很多", "stools", *UNREADABLE),
    # 症状 是 / 否
    ("有", "chest", "yes", SURE),
    ("没有", "chest", "no", SURE),
    ("是", "fainting", "yes", SURE),
    ("否", "fainting", "no", SURE),
    ("有点", "chest", "yes", SURE),
    ("好像有", "chest", "yes", CHECK),
    ("没有胸痛", "chest", "no", CHECK),
    ("不知道", "chest", *UNREADABLE),
    ("跳过", "chest", SKIPPED, SURE),
    ("跳过", "nausea", SKIPPED, SURE),
    ("跳过", "other", SKIPPED, SURE),
    ("下一个", "other", SKIPPED, SURE),
    ("脚有点肿", "other", "脚有点肿", SURE),
    # 严重程度
    ("没有", "nausea", "none", SURE),
    ("无", "nausea", "none", SURE),
    ("轻微", "nausea", "mild", SURE),
    ("有点", "nausea", "mild", SURE),
    ("一点点", "nausea", "mild", SURE),
    ("有一点", "nausea", "mild", SURE),
    ("中等", "nausea", "moderate", SURE),
    ("比较", "nausea", "moderate", CHECK),
    ("严重", "nausea", "severe", SURE),
    ("很严重", "nausea", "severe", SURE),
    ("非常严重", "nausea", "severe", SURE),
    ("很厉害", "nausea", "severe", SURE),
    ("厉害", "nausea", "severe", CHECK),
    ("还好", "nausea", "mild", CHECK),
    ("不严重", "nausea", "mild", CHECK),
    ("有点严重", "nausea", "moderate", CHECK),
    ("第二个", "nausea", "mild", SURE),
    ("轻微：有感觉，但不影响平时做事", "nausea", "mild", SURE),
    ("严重：我没法做平时的事情", "nausea", "severe", SURE),
    ("爬楼时才喘", "breath", "mild", CHECK),
    ("说话时也喘", "breath", "severe", CHECK),
    ("是", "nausea", *UNREADABLE),
    ("轻微到中等", "nausea", *UNREADABLE),
    # 最早长在哪里
    ("皮肤上", "origin", "skin", SURE),
    ("皮肤", "origin", "skin", CHECK),
    ("脚底", "origin", "acral", CHECK),
    ("指甲下面", "origin", "acral", CHECK),
    ("眼睛", "origin", "eye", CHECK),
    ("眼睛里", "origin", "eye", SURE),
    ("口腔", "origin", "mucosal", CHECK),
    ("鼻子里", "origin", "mucosal", CHECK),
    ("医生找不到", "origin", "unknown_primary", CHECK),
    ("我不确定", "origin", "unsure", SURE),
    ("不知道", "origin", "unsure", SURE),
    ("第二个", "origin", "acral", SURE),
    ("第2个", "origin", "acral", SURE),
    ("选3", "origin", "mucosal", SURE),
    ("四", "origin", "eye", SURE),
    ("2号", "origin", "acral", SURE),
    ("皮肤和眼睛", "origin", *UNREADABLE),
    ("七", "origin", *UNREADABLE),
    # 分期
    ("三期", "stage", "III", SURE),
    ("3期", "stage", "III", SURE),
    ("III期", "stage", "III", SURE),
    ("第三期", "stage", "III", SURE),
    ("四期", "stage", "IV", SURE),
    ("第四期", "stage", "IV", SURE),
    ("IV期", "stage", "IV", SURE),
    ("3 期", "stage", "III", SURE),
    ("1 期", "stage", "I", SURE),
    ("3c期", "stage", "III", SURE),
    ("三", "stage", "III", SURE),
    ("可能三期", "stage", "III", CHECK),
    ("淋巴结", "stage", "III", CHECK),
    ("不知道", "stage", "unsure", SURE),
    ("五期", "stage", *UNREADABLE),
    # 日常状态 (ECOG)
    ("一", "ecog", 0, CHECK),
    ("零", "ecog", 0, CHECK),
    ("第一个", "ecog", 0, SURE),
    ("选二", "ecog", 1, SURE),
    ("家务", "ecog", 1, CHECK),
    ("整天躺在床上", "ecog", 4, CHECK),
    ("不确定", "ecog", "unsure", SURE),
    ("躺在床上", "ecog", *UNREADABLE),
    # 远处几个地方
    ("没有", "places", "none", SURE),
    ("一个地方", "places", "one", SURE),
    ("两个地方", "places", "more_than_one", SURE),
    ("三个地方", "places", "more_than_one", SURE),
    ("不止一个地方", "places", "more_than_one", SURE),
    ("一处", "places", "one", SURE),
    ("多处", "places", "more_than_one", CHECK),
    ("好几个地方", "places", "more_than_one", CHECK),
    ("一", "places", "none", CHECK),
    ("不知道", "places", "unsure", SURE),
    # 其他癌症, 自身免疫病
    ("没有", "other_cancer", "none", SURE),
    ("基底细胞癌", "other_cancer", "exception_only", CHECK),
    ("宫颈原位癌", "other_cancer", "exception_only", CHECK),
    ("有", "other_cancer", *UNREADABLE),
    ("得过", "other_cancer", *UNREADABLE),
    ("没有", "autoimmune", "none", SURE),
    ("不是", "autoimmune", "none", SURE),
    ("有", "autoimmune", "yes", SURE),
    ("是", "autoimmune", "yes", SURE),
    ("白癜风", "autoimmune", "exempt_only", CHECK),
    ("小时候有哮喘", "autoimmune", "exempt_only", CHECK),
]


def row_id(row: tuple[str, str, Any, bool | None]) -> str:
    text, where, value, sure = row
    outcome = "None" if sure is None else f"{value}{'' if sure else ' (check)'}"
    return f"{where}: {text!r} -> {outcome}"


def test_the_tables_hold_at_least_150_replies_in_each_language() -> None:
    assert len(ENGLISH) >= 150
    assert len(CHINESE) >= 150


HAN_OR_FULL_WIDTH = re.compile(r"[\u4e00-\u9fff\uff01-\uff5e]")


def test_english_rows_are_english_and_chinese_rows_are_typed_on_a_chinese_keyboard() -> None:
    assert [text for text, *_ in ENGLISH if re.search(r"[\u4e00-\u9fff]", text)] == []
    assert [text for text, *_ in CHINESE if not HAN_OR_FULL_WIDTH.search(text)] == []


def test_the_tables_have_no_duplicate_rows() -> None:
    for table in (ENGLISH, CHINESE):
        keys = [(text, where) for text, where, *_ in table]
        assert len(keys) == len(set(keys))


def test_each_table_has_unsure_and_unreadable_replies() -> None:
    for table in (ENGLISH, CHINESE):
        sures = [sure for *_, sure in table]
        assert sures.count(CHECK) >= 30
        assert sures.count(None) >= 25


@pytest.mark.parametrize(("text", "where", "value", "sure"), ENGLISH, ids=map(row_id, ENGLISH))
def test_english_replies_are_read(text: str, where: str, value: Any, sure: bool | None) -> None:
    assert read(text, where, "en") == expected(value, sure)


@pytest.mark.parametrize(("text", "where", "value", "sure"), CHINESE, ids=map(row_id, CHINESE))
def test_chinese_replies_are_read(text: str, where: str, value: Any, sure: bool | None) -> None:
    assert read(text, where, "zh") == expected(value, sure)


@pytest.mark.parametrize(
    ("text", "where", "value", "sure"), ENGLISH + CHINESE, ids=map(row_id, ENGLISH + CHINESE)
)
def test_the_patients_language_does_not_change_the_reading(
    text: str, where: str, value: Any, sure: bool | None
) -> None:
    assert read(text, where, "en") == read(text, where, "zh")


def test_values_come_in_the_type_the_fact_or_item_expects() -> None:
    assert type(read("54", "age", "en").value) is int
    assert type(read("五十四", "age", "zh").value) is int
    assert type(read("38", "temp", "en").value) is float
    assert type(read("3", "stools", "en").value) is int
    assert type(read("1", "ecog", "en").value) is int


# --- every option, from its number and its label -------------------------------------------

CHOICE_QUESTIONS = [question for question in TRIAL.questions if question.fact.type == "choice"]
NUMBERED_VALUES = {"ecog", "distant_spread_sites"}  # values that are numbers or counts


def options_of(question: Question) -> list[tuple[int, Any]]:
    return list(enumerate((option.value for option in question.options), start=1))


@pytest.mark.parametrize("question", CHOICE_QUESTIONS, ids=lambda question: question.fact.key)
def test_every_option_is_read_from_its_own_number(question: Question) -> None:
    for number, value in options_of(question):
        assert read_fact_answer(str(number), question, "en").value == value
        assert read_fact_answer(f"option {number}", question, "en") == Reading(value)
        assert read_fact_answer(f"第{number}个", question, "zh") == Reading(value)


@pytest.mark.parametrize(
    "question",
    [question for question in CHOICE_QUESTIONS if question.fact.key not in NUMBERED_VALUES],
    ids=lambda question: question.fact.key,
)
def test_a_bare_option_number_is_sure_when_the_values_are_not_numbers(question: Question) -> None:
    for number, value in options_of(question):
        assert read_fact_answer(str(number), question, "zh") == Reading(value)


@pytest.mark.parametrize("question", CHOICE_QUESTIONS, ids=lambda question: question.fact.key)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_option_is_read_from_its_own_label(question: Question, language: str) -> None:
    for option in question.options:
        label = option.label[language]
        assert read_fact_answer(label, question, language) == Reading(option.value)
        assert read_fact_answer(f" {label.upper()}! ", question, language) == Reading(option.value)


@pytest.mark.parametrize(
    "key", [item.key for item in BANK.items if item.kind in ("severity", "yes_no")]
)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_symptom_choice_is_read_from_its_own_words(key: str, language: str) -> None:
    item = BANK.item(key)
    for choice in item.choices:
        assert read_symptom_answer(choice.text[language], item, language) == Reading(choice.value)


@pytest.mark.parametrize("key", [item.key for item in BANK.items if item.kind == "severity"])
def test_every_severity_is_read_from_its_number_in_the_order_shown(key: str) -> None:
    item = BANK.item(key)
    for number, choice in enumerate(item.choices, start=1):
        assert read_symptom_answer(str(number), item, "en") == Reading(choice.value)


def test_options_are_plain_value_and_label_pairs_numbered_from_one() -> None:
    times = [
        ("morning", {"en": "In the morning", "zh": "上午"}),
        ("afternoon", {"en": "In the afternoon", "zh": "下午"}),
        ("any", {"en": "Any time", "zh": "都可以"}),
    ]
    assert read_option("2", times, "en") == Reading("afternoon")
    assert read_option("上午", times, "zh") == Reading("morning")
    assert read_option("any time!", times, "en") == Reading("any")
    assert read_option("4", times, "en") is None
    assert read_option("2", [], "en") is None


def test_an_unsure_reading_is_never_reported_as_sure_for_a_choice() -> None:
    question = TRIAL.question_for("melanoma_origin")
    reading = read_fact_answer("I think it was my foot", question, "en")
    assert reading == Reading("acral", sure=False)


# --- clean-up and numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("  Ｙｅｓ！！ ", "yes"),
        ("“Yes”", "yes"),
        ("don’t know", "don't know"),
        ("是的。", "是的"),
        ("～好的～", "好的"),
        ("没有、", "没有"),
        ("？？不知道？？", "不知道"),
        ("no.   2", "no. 2"),
        ("Ａ\u3000Ｂ", "a b"),
        ("yes 👍", "yes"),
        ("line\none", "line one"),
        ("", ""),
    ],
)
def test_normalise_folds_width_case_quotes_spaces_and_end_punctuation(
    text: str, clean: str
) -> None:
    assert normalise(text) == clean


@pytest.mark.parametrize(
    ("text", "whole", "value"),
    [
        ("54", False, 54.0),
        ("54", True, 54),
        ("38.5", False, 38.5),
        ("38.5", True, None),
        ("54.0", True, 54),
        ("1,000", True, 1000),
        ("-3", True, -3),
        ("1e5", False, None),
        ("11111111111111111111", True, None),
        ("一点五", False, 1.5),
    ],
)
def test_read_number_gives_an_int_for_whole_numbers_and_a_float_otherwise(
    text: str, whole: bool, value: float | None
) -> None:
    result = read_number(text, whole=whole)
    assert (None if result is None else result.value) == value
    if result is not None:
        assert type(result.value) is type(value)


def test_a_reading_is_sure_unless_told_otherwise_and_skipped_is_a_plain_value() -> None:
    assert Reading("yes") == Reading("yes", sure=True)
    assert SKIPPED == "skipped"
    assert read_yes_no("no") == Reading("no")


def test_a_text_answer_keeps_the_patients_words_within_the_items_length() -> None:
    item = BANK.item("other")
    assert read_symptom_answer("  my feet hurt \n", item, "en") == Reading("my feet hurt")
    assert read_symptom_answer("   ", item, "en") is None
    assert read_symptom_answer("x" * (item.max_length + 1), item, "en") is None
    assert read_symptom_answer("x" * item.max_length, item, "en") == Reading("x" * item.max_length)


# --- odd input never raises ----------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "\u200b",
    "\ufeff",
    "\ud800",
    "🙂",
    "👍👍",
    "🤷‍♀️",
    "?" * 50,
    "。",
    "～",
    "a" * 10_000,
    "1" * 10_000,
    "一" * 10_000,
    "yes " * 2_500,
    "9" * 5_000 + ".5",
    "--3",
    "1.2.3",
    "∞",
    "NaN",
    "inf",
    "1e309",
    "½",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%s{0}",
    "null",
    "\u202eyes",
    "第",
    "期",
    "stage",
    "option",
    "no.",
    "#",
    "()",
    "度五",
    "千千",
    "hundred hundred",
    "point five",
    "and a half",
    "n/a",
    "'",
]


@pytest.mark.parametrize("text", NASTY, ids=lambda text: repr(text[:20]))
def test_no_reader_raises_on_odd_input(text: str) -> None:
    results = [
        read_yes_no(text),
        read_number(text),
        read_number(text, whole=True),
        *(read_fact_answer(text, question, "en") for question in TRIAL.questions),
        *(read_fact_answer(text, question, "zh") for question in TRIAL.questions),
        *(read_symptom_answer(text, item, "zh") for item in BANK.items),
    ]
    assert all(result is None or isinstance(result, Reading) for result in results)
    assert isinstance(normalise(text), str)


@pytest.mark.parametrize("text", ["", " ", "\x00", "🙂", "?" * 50, "a" * 10_000, "1" * 10_000])
def test_odd_input_reads_as_nothing(text: str) -> None:
    assert read_yes_no(text) is None
    assert read_number(text) is None
    assert read_fact_answer(text, TRIAL.question_for("stage"), "en") is None


def test_a_reply_that_is_not_text_reads_as_nothing() -> None:
    not_text: Any = None
    assert read_yes_no(not_text) is None
    assert read_number(not_text) is None
    assert normalise(not_text) == ""


# --- purity --------------------------------------------------------------------------------

READING_FILE = Path(reading.__file__)
LOADED_MODULES = """
import json, sys
import companion.chat.reading
print(json.dumps(sorted(sys.modules)))
"""
FRAMEWORK_MODULES = {name for name in FORBIDDEN_MODULES if name != "companion"} | {"flask_babel"}


def modules_loaded_by_importing_the_reader() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES],
        cwd=READING_FILE.parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


def test_importing_the_reader_loads_no_framework_database_or_other_app_module() -> None:
    loaded = modules_loaded_by_importing_the_reader()
    assert {name.split(".")[0] for name in loaded} & FRAMEWORK_MODULES == set()
    app_modules = {name for name in loaded if name.split(".")[0] == "companion"}
    assert app_modules == {"companion", "companion.chat", "companion.chat.reading"}


def test_the_reader_imports_only_the_standard_library_and_the_pure_cores() -> None:
    tree = ast.parse(READING_FILE.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    allowed = set(sys.stdlib_module_names) | {"matching", "symptoms", "phonenumbers"}
    assert imported - allowed == set()


def test_the_reader_does_not_read_the_clock() -> None:
    assert CLOCK_CALL.findall(READING_FILE.read_text(encoding="utf-8")) == []
