"""companion.messaging.wording: every text we send fits two SMS segments, tells nothing about the
illness, says who it is from and reads easily, in English and in Chinese.

Each template is rendered with the longest values it can meet: the longest visit name of the
protocol, the longest day and time of a year in each language, a site name of the proposed
maximum length and a phone number as long as the site settings allow. A Chinese template not
yet translated is skipped here (tests/unit/test_translations.py fails for it meanwhile).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

import pytest
import textstat
from flask import Flask
from flask_babel import LazyString, force_locale

from companion.i18n import init_i18n
from companion.messaging import wording
from companion.messaging.wording import (
    ALL_TEMPLATES,
    GSM_7,
    UCS_2,
    render_sms,
    sms_day,
    sms_time,
    visit_params,
)
from schedules import load_protocol

LANGUAGES = ("en", "zh")
MOST_SEGMENTS = 2
LONGEST_SITE_NAME = "Ruijin North Skin Clinic"  # 24 characters: the proposed limit of the label
LONGEST_PHONE = "+86 (21) 6437-0045 ext. 1234567"  # Site.phone holds up to 32 characters
FORBIDDEN = re.compile(
    r"melanoma|\bcancer|cadonilimab|interferon|\bIFN|\bNCT|黑色素瘤|癌|肿瘤|干扰素|卡度尼利", re.I
)
PROTOCOL = load_protocol("NCT07586904", 4)
GOAL_GRADE = 8.0
LONG_TEXT_WORDS = 12
LONG_TEXT_LIMIT = 10.0


@pytest.fixture(scope="module", autouse=True)
def translations() -> Iterator[None]:
    """Flask-Babel with the project's catalogs: what the service renders texts with."""
    app = Flask(__name__)
    init_i18n(app)
    with app.app_context():
        yield


def longest(texts: list[str]) -> str:
    return max(texts, key=len)


def longest_params(language: str) -> dict[str, str]:
    """The longest visit name, day and time a template can be given in `language`."""
    year = [datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=n) for n in range(366)]
    clocks = [
        datetime.combine(date(2026, 6, 1), time(h, m), UTC) for h in range(24) for m in (0, 30)
    ]
    names = [plan.name[language] for plan in PROTOCOL.visits]
    return {
        "visit": longest(names),
        "day": longest([sms_day(moment, language, "UTC") for moment in year]),
        "time": longest([sms_time(moment, language, "UTC") for moment in clocks]),
    }


def translated(template: LazyString, language: str) -> bool:
    with force_locale(language):
        text = str(template)
    with force_locale("en"):
        return language == "en" or text != str(template)


def worst_case(template: LazyString, language: str, **params: str) -> wording.RenderedSms:
    assert translated(template, language), f"not translated into {language}"
    return render_sms(
        template,
        language,
        site=LONGEST_SITE_NAME,
        phone=LONGEST_PHONE,
        **(params or longest_params(language)),
    )


TEMPLATES = pytest.mark.parametrize("name", sorted(ALL_TEMPLATES))
BOTH_LANGUAGES = pytest.mark.parametrize("language", LANGUAGES)


@TEMPLATES
@BOTH_LANGUAGES
def test_every_text_fits_in_two_segments_at_its_longest(name: str, language: str) -> None:
    rendered = worst_case(ALL_TEMPLATES[name], language)
    assert rendered.segments <= MOST_SEGMENTS, rendered


@TEMPLATES
def test_english_texts_stay_in_the_gsm_alphabet(name: str) -> None:
    assert worst_case(ALL_TEMPLATES[name], "en").encoding == GSM_7


@TEMPLATES
def test_chinese_texts_go_as_ucs_2(name: str) -> None:
    assert worst_case(ALL_TEMPLATES[name], "zh").encoding == UCS_2


def test_one_chinese_character_makes_a_whole_english_text_ucs_2() -> None:
    rendered = render_sms(wording.HELP_REPLY, "en", site="瑞金")
    assert rendered.encoding == UCS_2


def test_segments_are_counted_as_the_network_splits_them() -> None:
    short = render_sms(wording.CONFIRM_NOTHING_TO_CONFIRM, "en")
    assert (short.segments, short.encoding) == (1, GSM_7)
    assert render_sms(wording.CONFIRM_NOTHING_TO_CONFIRM, "en", site="x" * 160).segments == 2


@TEMPLATES
@BOTH_LANGUAGES
def test_no_text_names_the_disease_the_drugs_or_the_trial(name: str, language: str) -> None:
    rendered = worst_case(ALL_TEMPLATES[name], language)
    assert FORBIDDEN.findall(rendered.text) == []


@BOTH_LANGUAGES
def test_no_visit_reminder_names_the_disease_the_drugs_or_the_trial(language: str) -> None:
    moment = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)
    for plan in PROTOCOL.visits:
        params = visit_params(plan.name[language], moment, language, "Asia/Shanghai")
        for template in (wording.VISIT_EVE, wording.VISIT_MORNING, wording.CONFIRM_THANKS):
            text = render_sms(template, language, **params).text
            assert FORBIDDEN.findall(text) == [], text


@TEMPLATES
@BOTH_LANGUAGES
def test_every_placeholder_is_filled(name: str, language: str) -> None:
    text = worst_case(ALL_TEMPLATES[name], language).text
    assert "%(" not in text, text
    assert ")s" not in text, text


def test_a_template_given_too_little_is_refused_rather_than_sent_with_a_hole() -> None:
    with pytest.raises(KeyError):
        render_sms(wording.VISIT_EVE, "en", visit="Treatment visit 2")


@BOTH_LANGUAGES
def test_a_text_first_says_which_study_team_it_is_from(language: str) -> None:
    text = render_sms(wording.HELP_REPLY, language, site="Ruijin").text
    assert "Ruijin" in text.splitlines()[0]


def test_a_site_without_a_short_name_sends_as_your_study_team() -> None:
    assert render_sms(wording.HELP_REPLY, "en").text.startswith("Your study team:\n")


def test_a_text_ends_with_the_number_to_call_when_the_site_has_one() -> None:
    with_phone = render_sms(wording.START_REPLY, "en", phone="+86 21 5555 0100").text
    without = render_sms(wording.START_REPLY, "en").text
    assert with_phone.splitlines()[-1] == "Questions? Call +86 21 5555 0100."
    assert "Call" not in without


def test_the_evening_reminder_says_what_when_and_what_to_do() -> None:
    moment = datetime(2026, 9, 14, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    params = visit_params("Treatment visit 2", moment, "en", "Asia/Shanghai")
    text = render_sms(wording.VISIT_EVE, "en", site="Ruijin", phone="+86 21 5555 0100", **params)
    assert text.text == (
        "Study team at Ruijin:\n"
        "Tomorrow, Mon, Sep 14 at 8:30 AM: Treatment visit 2. Reply C to confirm.\n"
        "Questions? Call +86 21 5555 0100."
    )


def test_days_and_times_are_written_in_the_patients_language_and_zone() -> None:
    moment = datetime(2026, 9, 14, 0, 30, tzinfo=UTC)
    assert (sms_day(moment, "en", "Asia/Shanghai"), sms_time(moment, "en", "Asia/Shanghai")) == (
        "Mon, Sep 14",
        "8:30 AM",
    )
    assert (sms_day(moment, "zh", "Asia/Shanghai"), sms_time(moment, "zh", "Asia/Shanghai")) == (
        "9月14日周一",
        "08:30",
    )
    assert sms_day(moment, "en", "America/New_York") == "Sun, Sep 13"


def test_rendering_outside_an_application_refuses_rather_than_guess_the_language() -> None:
    with ThreadPoolExecutor(max_workers=1) as elsewhere:  # a new thread has no app context
        attempt = elsewhere.submit(render_sms, wording.HELP_REPLY, "zh")
    with pytest.raises(RuntimeError, match="application context"):
        attempt.result()


def as_sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!", ":")) else text + "."


def english_texts() -> dict[str, str]:
    params = longest_params("en")
    return {
        name: render_sms(template, "en", site="Ruijin", phone="+86 21 5555 0100", **params).text
        for name, template in ALL_TEMPLATES.items()
    }


def test_the_english_texts_read_at_grade_8_or_below() -> None:
    everything = " ".join(as_sentence(text) for text in english_texts().values())
    grade = textstat.flesch_kincaid_grade(everything)
    assert grade <= GOAL_GRADE, f"Flesch-Kincaid grade {grade:.1f} is above {GOAL_GRADE}"


def test_no_long_english_text_reads_above_grade_10() -> None:
    too_hard = {
        name: round(textstat.flesch_kincaid_grade(as_sentence(text)), 1)
        for name, text in english_texts().items()
        if len(text.split()) >= LONG_TEXT_WORDS
        and textstat.flesch_kincaid_grade(as_sentence(text)) > LONG_TEXT_LIMIT
    }
    assert too_hard == {}, f"rewrite in shorter words and sentences: {too_hard}"
