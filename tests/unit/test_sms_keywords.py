"""Reading a text as a keyword: the whole message, any case, full-width or not, en and zh."""

from __future__ import annotations

import pytest

from companion.messaging.keywords import read_keyword, resubscribes_at_twilio


@pytest.mark.parametrize(
    "body",
    ["STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "REVOKE", "OPTOUT", "CANCEL"],
)
def test_twilio_s_opt_out_words_stop_texts(body: str) -> None:
    assert read_keyword(body) == "stop"


@pytest.mark.parametrize("body", ["退订", "TD", "td", "T", "取消订阅", "停止"])
def test_the_chinese_opt_out_replies_stop_texts(body: str) -> None:
    assert read_keyword(body) == "stop"


@pytest.mark.parametrize("body", ["stop", "Stop", "sToP", "  STOP  ", "\nstop\t", "Stop."])
def test_a_keyword_is_read_in_any_case_with_spaces_and_punctuation_around_it(body: str) -> None:
    assert read_keyword(body) == "stop"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ＳＴＯＰ", "stop"),
        ("ｓｔｏｐ", "stop"),
        ("ＴＤ", "stop"),
        ("ＳＴＯＰ！", "stop"),
        ("\u3000退订。", "stop"),
        ("Ｃ", "confirm"),
        ("ＹＥＳ", "confirm"),
        ("ＨＥＬＰ", "help"),
    ],
)
def test_full_width_letters_and_punctuation_read_as_their_plain_forms(
    body: str, expected: str
) -> None:
    assert read_keyword(body) == expected


@pytest.mark.parametrize(
    "body", ["Stop please", "please stop", "STOP STOP", "I want to stop", "不要退订", "S TOP"]
)
def test_a_keyword_counts_only_as_the_whole_message(body: str) -> None:
    assert read_keyword(body) is None


@pytest.mark.parametrize("body", ["START", "start", "UNSTOP", "订阅", "恢复"])
def test_start_words_start_texts_again(body: str) -> None:
    assert read_keyword(body) == "start"


@pytest.mark.parametrize("body", ["HELP", "help", "INFO", "帮助"])
def test_help_words_ask_for_help(body: str) -> None:
    assert read_keyword(body) == "help"


@pytest.mark.parametrize("body", ["C", "c", "YES", "yes", "Y", "CONFIRM", "确认", "是", "是的"])
def test_confirm_words_confirm_a_visit(body: str) -> None:
    assert read_keyword(body) == "confirm"


@pytest.mark.parametrize("body", ["", "   ", None, "I feel sick", "C to confirm", "123", "好"])
def test_anything_else_is_no_keyword(body: str | None) -> None:
    assert read_keyword(body) is None


@pytest.mark.parametrize(("body", "expected"), [("YES", True), ("start", True), ("C", False)])
def test_twilio_takes_start_unstop_and_yes_as_send_me_texts_again(
    body: str, expected: bool
) -> None:
    assert resubscribes_at_twilio(body) is expected
