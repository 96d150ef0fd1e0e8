"""A patient's own pages through HTTP: their visits, calendar files, and home shot diary.

Patients are enrolled the way staff enrol them (the API); the pages are opened through the link
the enrolment hands out, without any account.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import InjectionLogEntry, Patient
from tests.conftest import csrf_token_from
from tests.enrolments import enrol, local_today, path_of

FORBIDDEN_WORDS = (
    "melanoma",
    "cancer",
    "cadonilimab",
    "interferon",
    "IFN",
    "NCT",
    "黑色素瘤",
    "癌",
    "卡度尼利",
    "干扰素",
)


@pytest.fixture
def headers(make_staff, bearer) -> dict[str, str]:
    return bearer(make_staff("coordinator"))


@pytest.fixture
def page(client: FlaskClient, headers: dict[str, str]) -> str:
    """The visits page path of an English-speaking patient whose first treatment is in 2 weeks."""
    return path_of(enrol(client, headers)["patient_page_url"])


@pytest.fixture
def treated(client: FlaskClient, headers: dict[str, str]) -> str:
    """The visits page path of a patient whose first treatment was 10 days ago (shots at home
    every other day since)."""
    return path_of(enrol(client, headers, -10)["patient_page_url"])


def text_of(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    """The words a person reads (and the attribute texts a screen reader reads), not the markup."""
    attributes = " ".join(re.findall(r'(?:aria-label|title|alt)="([^"]*)"', html))
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", body) + " " + attributes


def shots_form(client: FlaskClient, page: str, **fields: str):
    token = csrf_token_from(client.get(f"{page}/shots").data)
    return client.post(f"{page}/shots", data={"csrf_token": token, **fields})


def stored_shots(app: Flask) -> list[InjectionLogEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(InjectionLogEntry)))
        db.session.expunge_all()
        return entries


def invite_links(html: str) -> list[str]:
    return re.findall(r'href="(/my/[^"]+/visits/\d+\.ics)"', html)


# ---------- My visits ----------


def test_the_visits_page_lists_the_next_visit_with_its_day_time_and_what_to_bring(
    client: FlaskClient, page: str
) -> None:
    html = text_of(client, page)
    first_treatment = local_today() + timedelta(days=14)
    assert "<h1>My visits</h1>" in html
    assert "Treatment visit 1" in html
    assert f"{first_treatment.strftime('%B')} {first_treatment.day}, {first_treatment.year}" in html
    assert "8:30\u202fAM" in html or "8:30 AM" in html
    assert "Do not eat for 8 hours before your blood test." in html


def test_the_visits_page_lists_upcoming_visits_soonest_first(
    client: FlaskClient, page: str
) -> None:
    html = text_of(client, page)
    assert html.index("First check-up visit") < html.index("Treatment visit 1")
    assert html.index("Treatment visit 1") < html.index("Your operation")


def test_past_visits_come_after_the_upcoming_ones(client: FlaskClient, treated: str) -> None:
    html = text_of(client, treated)
    past = html.index("Past visits")
    assert html.index("Treatment visit 2") < past < html.index("Treatment visit 1")


def test_a_phone_check_in_says_the_study_team_will_call(client: FlaskClient, page: str) -> None:
    html = text_of(client, page)
    check_in = html[html.index("Check-in by phone (week 2)") :]
    assert "The study team will call you." in check_in[: check_in.index("</li>")]


def test_the_visits_page_speaks_the_patient_s_language(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    page = path_of(enrol(client, headers, language="zh")["patient_page_url"])
    html = text_of(client, page, **{"Accept-Language": "en"})
    assert '<html lang="zh-Hans">' in html
    assert "第1次治疗" in html
    assert "抽血前8小时不要吃东西。" in html


def test_the_language_chosen_in_the_address_wins_over_the_patient_s(
    client: FlaskClient, page: str
) -> None:
    html = text_of(client, f"{page}?lang=zh")
    assert '<html lang="zh-Hans">' in html
    assert "第1次治疗" in html
    assert "年" in html  # the date, written the Chinese way


def test_the_study_team_phone_is_shown_when_the_site_has_one(
    app: Flask, client: FlaskClient, page: str
) -> None:
    with app.app_context():
        patient = db.session.scalars(select(Patient)).one()
        patient.site.phone = "+86 21 5555 0100"
        db.session.commit()
    assert 'href="tel:+86 21 5555 0100"' in text_of(client, page)


def test_the_visits_page_links_to_the_shot_diary_and_to_all_visits(
    client: FlaskClient, page: str
) -> None:
    html = text_of(client, page)
    assert f'href="{page}/shots"' in html
    assert f'href="{page}/visits.ics"' in html


def test_add_to_calendar_downloads_an_invitation_for_that_visit(
    client: FlaskClient, page: str
) -> None:
    link = invite_links(text_of(client, page))[0]
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "method=REQUEST" in response.headers["Content-Type"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 1
    assert "METHOD:REQUEST" in body


def test_another_patient_s_visit_cannot_be_downloaded_with_my_link(
    client: FlaskClient, headers: dict[str, str], page: str
) -> None:
    other = enrol(client, headers, phone="+8613800138001")
    other_visit = other["visits"][0]["id"]
    response = client.get(f"{page}/visits/{other_visit}.ics")
    assert response.status_code == 404
    assert "BEGIN:VCALENDAR" not in response.get_data(as_text=True)


def test_download_all_visits_gives_every_visit_in_one_file(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(client, headers)
    response = client.get(path_of(enrolled["patient_page_url"]) + "/visits.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.get_data(as_text=True).count("BEGIN:VEVENT") == len(enrolled["visits"])


def test_a_replaced_page_link_shows_the_link_gone_page_with_410(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(client, headers)
    new_link = client.post(f"/api/v1/patients/{enrolled['patient_id']}/page-link", headers=headers)
    assert new_link.status_code == 201
    response = client.get(path_of(enrolled["patient_page_url"]))
    assert response.status_code == 410
    assert "This link does not work any more" in response.get_data(as_text=True)
    assert client.get(path_of(new_link.get_json()["url"])).status_code == 200


def test_a_replaced_link_cannot_record_a_shot(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(client, headers, -10)
    page = path_of(enrolled["patient_page_url"])
    token = csrf_token_from(client.get(f"{page}/shots").data)
    client.post(f"/api/v1/patients/{enrolled['patient_id']}/page-link", headers=headers)
    response = client.post(
        f"{page}/shots",
        data={"csrf_token": token, "day": local_today().isoformat(), "outcome": "taken"},
    )
    assert response.status_code == 410
    assert stored_shots(app) == []


def test_an_unknown_link_shows_a_not_found_page(client: FlaskClient) -> None:
    response = client.get("/my/no-such-link")
    assert response.status_code == 404
    assert "We cannot find this page" in response.get_data(as_text=True)


def test_the_calendar_feed_link_does_not_open_the_visits_page(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    feed = path_of(enrol(client, headers)["calendar_url"])
    token = feed.removeprefix("/calendar/").removesuffix(".ics")
    assert client.get(f"/my/{token}").status_code == 404


def test_the_pages_ask_search_engines_to_stay_away(client: FlaskClient, page: str) -> None:
    assert "noindex" in client.get(page).headers["X-Robots-Tag"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_patient_pages_never_name_the_disease_the_drugs_or_the_trial(
    client: FlaskClient, headers: dict[str, str], language: str
) -> None:
    page = path_of(enrol(client, headers, -10, language=language)["patient_page_url"])
    shots_form(client, page, day=local_today().isoformat(), outcome="reaction")
    for path in (page, f"{page}/shots", f"{page}/shots?lang=en", f"{page}?lang=zh"):
        text = visible_text(text_of(client, path))
        found = [
            word
            for word in FORBIDDEN_WORDS
            if (word in text if word.isupper() else word.lower() in text.lower())
        ]
        assert found == [], f"{path} names {found}"


# ---------- My shots at home ----------


def test_the_diary_asks_about_each_shot_day_that_has_come_latest_first(
    client: FlaskClient, treated: str
) -> None:
    html = text_of(client, f"{treated}/shots")
    days = re.findall(r'name="day" value="([\d-]+)"', html)
    today = local_today()
    assert days == [(today - timedelta(days=n)).isoformat() for n in (0, 2, 4, 6, 8, 10)]
    assert "Did you take your shot on" in html


def test_a_patient_before_the_first_treatment_has_no_shot_to_answer(
    client: FlaskClient, page: str
) -> None:
    html = text_of(client, f"{page}/shots")
    assert 'name="day"' not in html
    assert "There is nothing to answer now." in html
    assert "Your next shot day is" in html


def test_an_answer_is_stored_as_the_patient_s_and_thanked_for(
    app: Flask, client: FlaskClient, treated: str
) -> None:
    today = local_today().isoformat()
    response = shots_form(client, treated, day=today, outcome="taken", note="  left arm  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{treated}/shots"
    [entry] = stored_shots(app)
    assert (entry.day.isoformat(), entry.outcome, entry.note, entry.recorded_by) == (
        today,
        "taken",
        "left arm",
        "patient",
    )
    html = text_of(client, f"{treated}/shots")
    assert "Thank you. Your answer is saved." in html
    assert f'name="day" value="{today}"' not in html
    assert "left arm" in html


def test_the_thank_you_is_shown_once(client: FlaskClient, treated: str) -> None:
    shots_form(client, treated, day=local_today().isoformat(), outcome="taken")
    assert "Your answer is saved." in text_of(client, f"{treated}/shots")
    assert "Your answer is saved." not in text_of(client, f"{treated}/shots")


def test_a_reaction_answer_shows_the_call_the_study_team_line(
    client: FlaskClient, treated: str
) -> None:
    shots_form(client, treated, day=local_today().isoformat(), outcome="reaction")
    html = text_of(client, f"{treated}/shots")
    assert "If you feel very unwell, call the study team now. In an emergency call 120." in html


def test_a_taken_answer_does_not_show_the_reaction_line(client: FlaskClient, treated: str) -> None:
    shots_form(client, treated, day=local_today().isoformat(), outcome="taken")
    assert "If you feel very unwell, call the study team now." not in text_of(
        client, f"{treated}/shots"
    )


def test_a_shot_day_still_to_come_is_refused_with_400_and_nothing_is_stored(
    app: Flask, client: FlaskClient, treated: str
) -> None:
    tomorrow = (local_today() + timedelta(days=2)).isoformat()
    response = shots_form(client, treated, day=tomorrow, outcome="taken")
    assert response.status_code == 400
    assert "You can only answer for a shot day that has come." in response.get_data(as_text=True)
    assert stored_shots(app) == []


def test_a_day_without_a_planned_shot_is_refused_with_400(
    app: Flask, client: FlaskClient, treated: str
) -> None:
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert shots_form(client, treated, day=yesterday, outcome="taken").status_code == 400
    assert stored_shots(app) == []


def test_an_answer_without_a_choice_comes_back_with_the_error_next_to_the_question(
    app: Flask, client: FlaskClient, treated: str
) -> None:
    today = local_today().isoformat()
    response = shots_form(client, treated, day=today, outcome="", note="sore")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="outcome-{today}-error">Choose one answer.</p>' in html
    assert f'aria-describedby="outcome-{today}-error"' in html
    assert ">sore</textarea>" in html  # what was typed is kept
    assert stored_shots(app) == []


def test_a_note_longer_than_500_characters_is_refused(
    app: Flask, client: FlaskClient, treated: str
) -> None:
    today = local_today().isoformat()
    response = shots_form(client, treated, day=today, outcome="taken", note="x" * 501)
    assert response.status_code == 400
    assert f'id="note-{today}-error"' in response.get_data(as_text=True)
    assert stored_shots(app) == []


def test_an_unknown_answer_is_refused(app: Flask, client: FlaskClient, treated: str) -> None:
    response = shots_form(client, treated, day=local_today().isoformat(), outcome="skipped")
    assert response.status_code == 400
    assert stored_shots(app) == []


def test_the_diary_form_needs_its_csrf_token(app: Flask, client: FlaskClient, treated: str) -> None:
    response = client.post(
        f"{treated}/shots", data={"day": local_today().isoformat(), "outcome": "taken"}
    )
    assert response.status_code == 400
    assert stored_shots(app) == []


def test_the_diary_speaks_chinese_when_chosen(client: FlaskClient, treated: str) -> None:
    html = text_of(client, f"{treated}/shots?lang=zh")
    assert '<html lang="zh-Hans">' in html
    assert "年" in html


def test_a_page_shown_after_a_refused_answer_switches_language_to_the_diary_page(
    client: FlaskClient, treated: str
) -> None:
    response = shots_form(client, treated, day=local_today().isoformat(), outcome="")
    assert f'href="{treated}/shots?lang=zh"' in response.get_data(as_text=True)


def test_every_answer_is_counted_once_per_day(
    app: Flask, client: FlaskClient, treated: str
) -> None:
    today = local_today().isoformat()
    shots_form(client, treated, day=today, outcome="taken")
    shots_form(client, treated, day=today, outcome="reaction")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InjectionLogEntry)) == 1
    assert [entry.outcome for entry in stored_shots(app)] == ["reaction"]
