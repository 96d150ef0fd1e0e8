"""A long path or log message costs the service time in proportion to its length: the log
redaction's email pattern tried every position of a run of letters or digits against the rest
of it, so the access log of an unknown path of 20,000 digits took seconds (found while timing
the hostile-values fuzz)."""

from __future__ import annotations

import time

from flask.testing import FlaskClient

from companion.privacy.redaction import redact

LONG_RUN = "1" * 20_000


def test_an_unknown_path_of_20000_digits_is_a_404_within_a_second(client: FlaskClient) -> None:
    started = time.monotonic()

    response = client.get(f"/p/{LONG_RUN}")

    assert response.status_code == 404
    assert time.monotonic() - started < 1


def test_redacting_a_message_with_a_run_of_50000_letters_takes_under_half_a_second() -> None:
    started = time.monotonic()

    redact("text " + "a" * 50_000 + " ada@example.org")

    assert time.monotonic() - started < 0.5


def test_an_email_address_after_a_long_run_of_letters_is_still_redacted() -> None:
    assert redact("aaaa " * 1000 + "ada@example.org").endswith("[email]")
    assert redact("/x/ada.lovelace+x@example.org") == "/x/[email]"
