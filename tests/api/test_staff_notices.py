"""A notice flashed by one staff page waits for that page: opening another page in between
neither breaks it nor takes the notice (found by the hostile-values fuzz: a closed-day notice
still waiting made the lead page answer 500)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import new_lead
from tests.conftest import csrf_token_from
from tests.staff_session import sign_in


def test_a_lead_page_opened_before_a_closed_day_notice_is_shown_works_and_leaves_it(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    lead_id = new_lead(app, client)
    sign_in(client, make_staff("coordinator"))
    token = csrf_token_from(client.get("/staff/closed-days").data)
    added = client.post(
        "/staff/closed-days", data={"csrf_token": token, "day": "2030-06-03", "label": "Festival"}
    )
    assert added.status_code == 303

    lead_page = client.get(f"/staff/leads/{lead_id}")

    assert lead_page.status_code == 200
    assert "Festival" in client.get(added.headers["Location"]).get_data(as_text=True)
