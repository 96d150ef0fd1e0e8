"""Words in a patient's own text that describe an emergency or a red flag, in English and
Chinese, typed the way a frightened person types on a phone."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from symptoms import (
    SymptomDataError,
    TextFinding,
    Urgency,
    describes_emergency,
    load_emergency_words,
    scan_text,
)
from symptoms.emergency_words import DEFAULT_WORDS

CHEST = "text_mentions_chest_pain"
BREATHING = "text_mentions_breathing"
FAINTING = "text_mentions_fainting"
CONFUSION = "text_mentions_confusion"
SELF_HARM = "text_mentions_self_harm"
BLOOD = "text_mentions_blood_in_stool"
JAUNDICE = "text_mentions_jaundice"


def codes(text: str) -> tuple[str, ...]:
    return tuple(finding.code for finding in scan_text(text))


ENGLISH = [
    ("I have chest pain", CHEST),
    ("my chest hurts", CHEST),
    ("there is a pain in my chest", CHEST),
    ("Chest feels tight since this morning", CHEST),
    ("pressure on my chest when I walk", CHEST),
    ("chest pian", CHEST),
    ("I think I'm having a heart attack", CHEST),
    ("I cant breathe", BREATHING),
    ("I can't breathe properly", BREATHING),
    ("cannot breathe", BREATHING),
    ("cant breath", BREATHING),
    ("it's hard to breathe", BREATHING),
    ("trouble breathing at night", BREATHING),
    ("gasping for air", BREATHING),
    ("I can't catch my breath", BREATHING),
    ("very short of breath today", BREATHING),
    ("my lips are blue", BREATHING),
    ("I passed out in the kitchen", FAINTING),
    ("blacked out for a minute", FAINTING),
    ("I fainted", FAINTING),
    ("my husband collapsed", FAINTING),
    ("I feel faint", FAINTING),
    ("he lost consciousness", FAINTING),
    ("I'm so confused", CONFUSION),
    ("my husband is confused and sleepy", CONFUSION),
    ("sudden confusion since lunch", CONFUSION),
    ("I don't know where I am", CONFUSION),
    ("she is disoriented", CONFUSION),
    ("I want to die", SELF_HARM),
    ("i wanna die", SELF_HARM),
    ("I might kill myself", SELF_HARM),
    ("thinking about suicide", SELF_HARM),
    ("I feel suicidal", SELF_HARM),
    ("I want to end my life", SELF_HARM),
    ("I keep wanting to hurt myself", SELF_HARM),
    ("self harm", SELF_HARM),
    ("self-harm again", SELF_HARM),
    ("I don't want to live anymore", SELF_HARM),
    ("I saw blood in my stool", BLOOD),
    ("bloody stools twice", BLOOD),
    ("my poo is black", BLOOD),
    ("black tarry stools", BLOOD),
    ("my eyes are yellow", JAUNDICE),
    ("my skin looks yellow", JAUNDICE),
    ("the doctor said jaundice", JAUNDICE),
]

CHINESE = [
    ("我胸痛", CHEST),
    ("胸口痛得厉害", CHEST),
    ("胸口疼", CHEST),
    ("这两天胸闷", CHEST),
    ("心口疼", CHEST),
    ("胸口发紧", CHEST),
    ("我喘不上气", BREATHING),
    ("喘不过气来", BREATHING),
    ("呼吸困难", BREATHING),
    ("透不过气", BREATHING),
    ("上不来气", BREATHING),
    ("憋得快窒息了", BREATHING),
    ("刚才晕倒了", FAINTING),
    ("在厕所昏倒", FAINTING),
    ("差点晕过去", FAINTING),
    ("昏过去几分钟", FAINTING),
    ("失去知觉", FAINTING),
    ("妈妈意识不清", CONFUSION),
    ("神志不清", CONFUSION),
    ("他有点糊涂了", CONFUSION),
    ("我不知道自己在哪", CONFUSION),
    ("我想死", SELF_HARM),
    ("真的不想活了", SELF_HARM),
    ("想过自杀", SELF_HARM),
    ("有轻生的念头", SELF_HARM),
    ("想结束生命", SELF_HARM),
    ("想伤害自己", SELF_HARM),
    ("我又自残了", SELF_HARM),
    ("活不下去了", SELF_HARM),
    ("今天便血", BLOOD),
    ("大便带血", BLOOD),
    ("拉了黑便", BLOOD),
    ("大便发黑", BLOOD),
    ("大便是柏油样的", BLOOD),
    ("眼睛发黄", JAUNDICE),
    ("皮肤发黄", JAUNDICE),
    ("医生说是黄疸", JAUNDICE),
]

HARMLESS = [
    "chestnut soup for dinner",
    "I breathe fine",
    "feeling tired",
    "a faint rash on my arm",
    "I passed outside the clinic",
    "we bought blackout curtains",
    "my yellow shirt got dirty",
    "I passed my driving test",
    "black coffee in the morning",
    "I killed time at the mall",
    "my stool is normal",
    "the chest of drawers is heavy",
    "selfish cat",
    "I'm confused about my appointment time",
    "the new dates are confusing",
    "",
    "   ",
    "我今天感觉还好",
    "有点累",
    "胸口有点痒",
    "我吃了栗子",
    "大便正常",
    "黄色的花很好看",
    "睡得不太好",
    "手上起了一点小红点",
]


def test_the_tables_cover_at_least_30_phrases_in_each_language() -> None:
    assert len(ENGLISH) >= 30
    assert len(CHINESE) >= 30


@pytest.mark.parametrize(("text", "code"), ENGLISH)
def test_english_phrases_are_recognised(text: str, code: str) -> None:
    assert codes(text) == (code,)


@pytest.mark.parametrize(("text", "code"), CHINESE)
def test_chinese_phrases_are_recognised(text: str, code: str) -> None:
    assert codes(text) == (code,)


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_not_flagged(text: str) -> None:
    assert scan_text(text) == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I can’t breathe", BREATHING),  # curly apostrophe
        ("I can‘t breathe", BREATHING),
        ("I can´t breathe", BREATHING),
        ("I don’t know where I am", CONFUSION),
        ("ＣＨＥＳＴ　ＰＡＩＮ", CHEST),  # full-width letters and space
        ("ｃａｎ＇ｔ ｂｒｅａｔｈｅ", BREATHING),
        ("CHEST PAIN!!!", CHEST),
        ("chest...pain", CHEST),
        ("chest-pain", CHEST),
        ("passed\n   out", FAINTING),
        ("胸 口 痛", CHEST),  # spaces between Chinese characters
        ("胸口痛！！", CHEST),
    ],
)
def test_what_a_phone_keyboard_does_to_text_is_forgiven(text: str, code: str) -> None:
    assert codes(text) == (code,)


def test_mixed_language_text_finds_both() -> None:
    assert codes("今天胸口痛 and I can't breathe") == (CHEST, BREATHING)


def test_english_next_to_chinese_characters_still_matches() -> None:
    assert codes("我blacked out了") == (FAINTING,)


def test_negation_is_not_understood_on_purpose() -> None:
    assert codes("no chest pain today") == (CHEST,)


def test_findings_come_most_urgent_first() -> None:
    assert scan_text("black stools and then I fainted") == (
        TextFinding(FAINTING, Urgency.EMERGENCY),
        TextFinding(BLOOD, Urgency.RED),
    )


def test_a_code_is_found_once_however_often_it_is_mentioned() -> None:
    assert codes("chest pain, chest pain, my chest hurts, 胸痛") == (CHEST,)


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("I passed out", True),
        ("我想死", True),
        ("black stools", False),  # red, not an emergency
        ("眼睛发黄", False),
        ("feeling tired", False),
        ("", False),
    ],
)
def test_describes_emergency_is_true_only_for_emergency_words(text: str, emergency: bool) -> None:
    assert describes_emergency(text) is emergency


def test_a_phrase_ending_in_a_star_matches_the_start_of_a_word() -> None:
    assert codes("suicidal thoughts") == codes("suicide") == (SELF_HARM,)


# --- the word file ------------------------------------------------------------------------


def packaged() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(DEFAULT_WORDS.read_text(encoding="utf-8")))


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "WORDS.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_clinician_can_add_a_code_and_its_phrases(tmp_path: Path) -> None:
    document = packaged()
    document["codes"].append(
        {"code": "text_mentions_hiccups", "urgency": "amber", "en": ["hiccups"], "zh": ["打嗝"]}
    )
    words = load_emergency_words(write(tmp_path, document))
    assert scan_text("I have had hiccups all day", words) == (
        TextFinding("text_mentions_hiccups", Urgency.AMBER),
    )
    assert scan_text("一直打嗝", words) == (TextFinding("text_mentions_hiccups", Urgency.AMBER),)


def first(document: dict[str, Any]) -> dict[str, Any]:
    return document["codes"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(codes=[]), r"codes: must be a non-empty list"),
        (lambda d: first(d).pop("zh"), rf"code '{CHEST}': missing zh"),
        (lambda d: first(d).update(urgency="purple"), rf"code '{CHEST}': urgency 'purple'"),
        (lambda d: first(d).update(urgency="green"), rf"code '{CHEST}': urgency 'green'"),
        (lambda d: first(d).update(code="Chest Pain"), r"code 'Chest Pain': code .* must be"),
        (lambda d: first(d).update(en=[]), rf"code '{CHEST}': en must be a non-empty list"),
        (lambda d: first(d)["en"].append("!!!"), rf"code '{CHEST}': en phrase '!!!' has no"),
        (lambda d: first(d)["en"].append("胸痛"), rf"code '{CHEST}': en phrase '胸痛' must be"),
        (lambda d: first(d)["zh"].append("chest"), rf"code '{CHEST}': zh phrase 'chest' has no"),
        (lambda d: first(d)["en"].append("che*st"), rf"code '{CHEST}': en phrase 'che\*st'"),
        (lambda d: first(d)["en"].append("c*"), rf"code '{CHEST}': en phrase 'c\*'"),
        (
            lambda d: first(d)["en"].append("Chest Pain"),
            rf"code '{CHEST}': en phrase 'Chest Pain' is listed twice",
        ),
        (lambda d: d["codes"].append(first(d)), rf"code '{CHEST}': is listed more than once"),
        (
            lambda d: d["codes"][1]["en"].append("chest pain"),
            rf"code '{BREATHING}': phrase 'chest pain' is also under {CHEST}",
        ),
    ],
)
def test_a_broken_word_file_is_refused_naming_file_code_and_phrase(
    tmp_path: Path, change: Any, message: str
) -> None:
    document = packaged()
    change(document)
    with pytest.raises(SymptomDataError, match=r"WORDS\.yaml: " + message):
        load_emergency_words(write(tmp_path, document))


def test_every_packaged_code_has_english_and_chinese_phrases() -> None:
    words = load_emergency_words()
    assert [(bool(entry.en), bool(entry.zh)) for entry in words.lists] == [(True, True)] * len(
        words.lists
    )
