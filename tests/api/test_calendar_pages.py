"""Staff pages for enrolled patients through HTTP: the site calendar, the patients list, and a
patient's timeline with its forms (reschedule, status, new links).

Patients are enrolled through the API; staff sign in through the sign-in page, as people do.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.db import db
from companion.enrolment.models import Visit
from tests.conftest import csrf_token_from
from tests.enrolments import enrol, local_today, path_of
from tests.staff_session import html_of, sign_in

CALENDAR = "/staff/calendar"
PATIENTS = "/staff/patients"


def timeline(patient_id: int) -> str:
    return f"{PATIENTS}/{patient_id}"


def post_form(client: FlaskClient, path: str, page: str, **fields: str):
    """Submit a form of `page` to `path`, as a browser would (with the page's CSRF token)."""
    token = csrf_token_from(client.get(page).data)
    return client.post(path, data={"csrf_token": token, **fields})


def booked_days(app: Flask, patient_id: int) -> dict[str, date]:
    with app.app_context():
        visits = db.session.scalars(select(Visit).where(Visit.patient_id == patient_id))
        return {visit.key: visit.booked_date for visit in visits}


def visit_of(enrolled: dict, key: str) -> dict:
    return next(visit for visit in enrolled["visits"] if visit["key"] == key)


@pytest.fixture
def coordinator(make_staff) -> str:
    return make_staff("coordinator")


@pytest.fixture
def headers(coordinator: str, bearer) -> dict[str, str]:
    return bearer(coordinator)


@pytest.fixture
def enrolled(client: FlaskClient, headers: dict[str, str]) -> dict:
    """A patient whose first treatment is in two weeks (their first check-up is today)."""
    return enrol(client, headers, name="Wang Fang")


@pytest.fixture
def signed_in(client: FlaskClient, coordinator: str, enrolled: dict) -> FlaskClient:
    sign_in(client, coordinator)
    return client


# ---------- The site calendar ----------


def test_the_calendar_needs_a_signed_in_staff_member(client: FlaskClient) -> None:
    response = client.get(CALENDAR)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_the_calendar_opens_on_this_week_by_default(signed_in: FlaskClient) -> None:
    html = html_of(signed_in, CALENDAR)
    today = local_today()
    days = re.findall(r'<h2 id="day-([\d-]+)">', html)
    assert days == [(today + timedelta(days=n)).isoformat() for n in range(7)]
    assert "(today)" in html


def test_the_week_shows_each_visit_with_its_time_patient_name_and_status(
    signed_in: FlaskClient, enrolled: dict
) -> None:
    first = (local_today() + timedelta(days=14)).isoformat()
    html = html_of(signed_in, f"{CALENDAR}?from={first}&view=week")
    day = html[html.index(f'id="day-{first}"') :]
    row = day[: day.index("</tr>", day.index("<tbody>"))]
    assert "08:30" in row
    assert f'href="{timeline(enrolled["patient_id"])}">Wang Fang</a>' in row
    assert "Treatment visit 1" in row
    assert "Booked" in row


def test_a_patient_without_a_name_is_shown_by_number(
    client: FlaskClient, coordinator: str, headers: dict[str, str]
) -> None:
    patient_id = enrol(client, headers)["patient_id"]
    sign_in(client, coordinator)
    assert f"Patient #{patient_id}" in html_of(client, CALENDAR)


def test_the_day_view_shows_one_day_and_links_to_the_days_around_it(
    signed_in: FlaskClient,
) -> None:
    day = local_today() + timedelta(days=14)
    html = html_of(signed_in, f"{CALENDAR}?from={day}&view=day")
    assert re.findall(r'<h2 id="day-([\d-]+)">', html) == [day.isoformat()]
    assert f'href="{CALENDAR}?view=day&amp;from={day - timedelta(days=1)}">Previous day' in html
    assert f'href="{CALENDAR}?view=day&amp;from={day + timedelta(days=1)}">Next day' in html
    assert f'href="{CALENDAR}?view=day">Today' in html


def test_the_week_view_steps_a_week_at_a_time(signed_in: FlaskClient) -> None:
    day = local_today()
    html = html_of(signed_in, f"{CALENDAR}?from={day}&view=week")
    assert f'from={day + timedelta(days=7)}">Next week' in html
    assert f'from={day - timedelta(days=7)}">Previous week' in html


def test_an_overdue_visit_is_flagged_in_words(
    client: FlaskClient, coordinator: str, headers: dict[str, str]
) -> None:
    enrol(client, headers, -10)  # its first check-up, 24 days ago, is still booked
    sign_in(client, coordinator)
    start = (local_today() - timedelta(days=24)).isoformat()
    html = html_of(client, f"{CALENDAR}?from={start}&view=day")
    assert "Overdue: the day has passed and it is still booked" in html


@pytest.mark.parametrize("query", ["from=next-tuesday", "from=2026-02-30", "view=month"])
def test_a_calendar_query_it_cannot_read_is_refused_with_400(
    signed_in: FlaskClient, query: str
) -> None:
    response = signed_in.get(f"{CALENDAR}?{query}")
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_the_calendar_never_shows_another_site_s_patients(
    client: FlaskClient, make_staff, bearer, enrolled: dict
) -> None:
    elsewhere = make_staff("coordinator", "SITE02")
    enrol(client, bearer(elsewhere), name="Li Lei")
    sign_in(client, elsewhere)
    first = (local_today() + timedelta(days=14)).isoformat()
    html = html_of(client, f"{CALENDAR}?from={first}")
    assert "Li Lei" in html
    assert "Wang Fang" not in html


def test_the_calendar_speaks_chinese_when_chosen(signed_in: FlaskClient) -> None:
    html = html_of(signed_in, f"{CALENDAR}?lang=zh")
    assert '<html lang="zh-Hans">' in html
    assert "第一次检查" in html


def test_the_staff_navigation_leads_to_the_calendar_and_the_patients(
    signed_in: FlaskClient,
) -> None:
    html = html_of(signed_in, CALENDAR)
    assert f'<a href="{CALENDAR}" aria-current="page">Calendar</a>' in html
    assert f'<a href="{PATIENTS}">Patients</a>' in html


# ---------- Patients ----------


def test_the_patients_list_shows_each_patient_s_next_visit_and_warnings(
    client: FlaskClient, coordinator: str, headers: dict[str, str], enrolled: dict
) -> None:
    late = enrol(client, headers, -10, name="Zhao Min", phone="+8613800138001")
    sign_in(client, coordinator)
    html = html_of(client, PATIENTS)
    wang = html[html.index("Wang Fang") :]
    wang = wang[: wang.index("</tr>")]
    assert "First check-up visit" in wang
    assert local_today().isoformat() in wang
    assert "None" in wang  # no warnings
    zhao = html[html.index("Zhao Min") :]
    zhao = zhao[: zhao.index("</tr>")]
    assert "Check-in by phone (week 3)" in zhao
    assert re.search(r"<span class=\"warning-count\">[1-9]\d*</span>", zhao)
    assert f'href="{timeline(late["patient_id"])}"' in html


def test_the_patients_list_shows_only_the_site_s_patients(
    client: FlaskClient, make_staff, enrolled: dict
) -> None:
    sign_in(client, make_staff("coordinator", "SITE02"))
    assert "Wang Fang" not in html_of(client, PATIENTS)


# ---------- A patient's timeline ----------


def test_the_timeline_shows_the_patient_s_details(signed_in: FlaskClient, enrolled: dict) -> None:
    html = html_of(signed_in, timeline(enrolled["patient_id"]))
    assert "<h1>Wang Fang</h1>" in html
    for text in ("+8613800138000", "English", "Asia/Shanghai", "Agreed on"):
        assert text in html


def test_the_timeline_lists_every_visit_in_order_with_its_window(
    signed_in: FlaskClient, enrolled: dict
) -> None:
    html = html_of(signed_in, timeline(enrolled["patient_id"]))
    listed = re.findall(r'<li class="timeline-visit" id="visit-(\d+)">', html)
    ids = [int(found) for found in listed]
    assert ids == [visit["id"] for visit in enrolled["visits"]]
    screening = visit_of(enrolled, "screening")
    assert f"{screening['window_start']} to {screening['window_end']}" in html


def test_a_patient_of_another_site_is_not_found(
    client: FlaskClient, make_staff, enrolled: dict
) -> None:
    sign_in(client, make_staff("coordinator", "SITE02"))
    assert client.get(timeline(enrolled["patient_id"])).status_code == 404


def test_the_timeline_shows_the_shot_diary(
    app: Flask, client: FlaskClient, coordinator: str, headers: dict[str, str]
) -> None:
    treated = enrol(client, headers, -10, name="Zhao Min", phone="+8613800138001")
    page = path_of(treated["patient_page_url"])
    token = csrf_token_from(client.get(f"{page}/shots").data)
    today = local_today().isoformat()
    client.post(
        f"{page}/shots",
        data={"csrf_token": token, "day": today, "outcome": "reaction", "note": "red skin"},
    )
    sign_in(client, coordinator)
    html = html_of(client, timeline(treated["patient_id"]))
    diary = html[html.index('id="diary"') :]
    assert today in diary
    assert "Taken, with a reaction" in diary
    assert "red skin" in diary
    assert "The patient" in diary
    assert "No answer yet" in diary


def test_rescheduling_moves_the_later_visits_and_the_notice_lists_them(
    app: Flask, signed_in: FlaskClient, enrolled: dict
) -> None:
    patient_id = enrolled["patient_id"]
    c1d1 = visit_of(enrolled, "c1d1")
    before = booked_days(app, patient_id)
    new_day = before["c1d1"] + timedelta(days=3)
    response = post_form(
        signed_in,
        f"/staff/visits/{c1d1['id']}/reschedule",
        timeline(patient_id),
        date=new_day.isoformat(),
        reason="Patient is travelling",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"{timeline(patient_id)}#notice"
    after = booked_days(app, patient_id)
    assert after["c1d1"] == new_day
    assert after["checkin_d8"] == before["checkin_d8"] + timedelta(days=3)
    html = html_of(signed_in, timeline(patient_id))
    notice = html[html.index('id="notice"') : html.index("</div>", html.index('id="notice"'))]
    assert f"Treatment visit 1: Booked, {new_day}." in notice
    assert "These visits moved with it:" in notice
    assert f"Check-in by phone (week 2): now {after['checkin_d8']}" in notice


def test_the_moved_visits_notice_is_shown_once(signed_in: FlaskClient, enrolled: dict) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    post_form(
        signed_in,
        f"/staff/visits/{c1d1['id']}/reschedule",
        timeline(patient_id),
        date=(date.fromisoformat(c1d1["date"]) + timedelta(days=1)).isoformat(),
        reason="Patient asked",
    )
    assert 'id="notice"' in html_of(signed_in, timeline(patient_id))
    assert 'id="notice"' not in html_of(signed_in, timeline(patient_id))


def test_a_reschedule_without_a_reason_comes_back_with_400_and_changes_nothing(
    app: Flask, signed_in: FlaskClient, enrolled: dict
) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    before = booked_days(app, patient_id)
    response = post_form(
        signed_in,
        f"/staff/visits/{c1d1['id']}/reschedule",
        timeline(patient_id),
        date=(before["c1d1"] + timedelta(days=3)).isoformat(),
        reason="  ",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="reschedule-{c1d1["id"]}-reason-error"' in html
    assert "Give a reason. It is kept in the audit trail." in html
    assert booked_days(app, patient_id) == before


def test_a_reschedule_to_a_past_day_is_refused_by_the_service_with_400(
    app: Flask, signed_in: FlaskClient, enrolled: dict
) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    before = booked_days(app, patient_id)
    response = post_form(
        signed_in,
        f"/staff/visits/{c1d1['id']}/reschedule",
        timeline(patient_id),
        date=(local_today() - timedelta(days=1)).isoformat(),
        reason="Typo test",
    )
    assert response.status_code == 400
    assert "Choose a day from today up to a year after the booked day." in response.get_data(
        as_text=True
    )
    assert booked_days(app, patient_id) == before


def test_a_reschedule_to_a_closed_day_is_refused_with_409_and_changes_nothing(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str], enrolled: dict
) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    closed = date.fromisoformat(c1d1["date"]) + timedelta(days=30)
    assert (
        signed_in.post(
            "/api/v1/closed-days",
            json={"day": closed.isoformat(), "label": "Holiday"},
            headers=headers,
        ).status_code
        == 201
    )
    before = booked_days(app, patient_id)
    response = post_form(
        signed_in,
        f"/staff/visits/{c1d1['id']}/reschedule",
        timeline(patient_id),
        date=closed.isoformat(),
        reason="Patient asked",
    )
    assert response.status_code == 409
    assert "The site is closed that day. Choose another day." in response.get_data(as_text=True)
    assert booked_days(app, patient_id) == before


def test_marking_a_visit_done_through_the_form_records_the_day(
    app: Flask, signed_in: FlaskClient, enrolled: dict
) -> None:
    patient_id, screening = enrolled["patient_id"], visit_of(enrolled, "screening")
    response = post_form(
        signed_in,
        f"/staff/visits/{screening['id']}/status",
        timeline(patient_id),
        status="done",
        date=local_today().isoformat(),
        reason="",
    )
    assert response.status_code == 303
    with app.app_context():
        visit = db.session.get(Visit, screening["id"])
        assert (visit.status, visit.done_on) == ("done", local_today())


def test_a_status_needing_a_reason_comes_back_with_400_without_one(
    app: Flask, signed_in: FlaskClient, enrolled: dict
) -> None:
    patient_id, screening = enrolled["patient_id"], visit_of(enrolled, "screening")
    response = post_form(
        signed_in,
        f"/staff/visits/{screening['id']}/status",
        timeline(patient_id),
        status="cancelled",
        reason="",
    )
    assert response.status_code == 400
    assert "Give a reason. Every status but done needs one." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Visit, screening["id"]).status == "scheduled"


def test_a_status_the_visit_can_no_longer_take_is_refused_with_409(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str], enrolled: dict
) -> None:
    patient_id, screening = enrolled["patient_id"], visit_of(enrolled, "screening")
    page = timeline(patient_id)
    token = csrf_token_from(signed_in.get(page).data)
    marked = signed_in.post(
        f"/api/v1/visits/{screening['id']}/status",
        json={"status": "cancelled", "reason": "Patient withdrew"},
        headers=headers,
    )
    assert marked.status_code == 200  # meanwhile, a colleague cancelled it
    response = signed_in.post(
        f"/staff/visits/{screening['id']}/status",
        data={"csrf_token": token, "status": "missed", "reason": "No show"},
    )
    assert response.status_code == 409
    assert "This visit cannot take that status now." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Visit, screening["id"]).status == "cancelled"


def test_an_admin_sees_the_timeline_without_the_forms(
    client: FlaskClient, make_staff, enrolled: dict
) -> None:
    sign_in(client, make_staff("admin"))
    html = html_of(client, timeline(enrolled["patient_id"]))
    assert "/reschedule" not in html
    assert "cannot change visits or links" in html


def test_an_admin_cannot_reschedule_through_the_form(
    app: Flask, client: FlaskClient, coordinator: str, make_staff, enrolled: dict
) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    before = booked_days(app, patient_id)
    sign_in(client, make_staff("admin"))
    response = post_form(
        client,
        f"/staff/visits/{c1d1['id']}/reschedule",
        timeline(patient_id),
        date=(before["c1d1"] + timedelta(days=2)).isoformat(),
        reason="Trying",
    )
    assert response.status_code == 403
    assert booked_days(app, patient_id) == before


def test_a_visit_of_another_site_cannot_be_rescheduled(
    app: Flask, client: FlaskClient, make_staff, enrolled: dict
) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    before = booked_days(app, patient_id)
    sign_in(client, make_staff("coordinator", "SITE02"))
    response = post_form(
        client,
        f"/staff/visits/{c1d1['id']}/reschedule",
        PATIENTS,
        date=(before["c1d1"] + timedelta(days=2)).isoformat(),
        reason="Not mine",
    )
    assert response.status_code == 404
    assert booked_days(app, patient_id) == before


def test_the_visit_forms_need_their_csrf_token(
    app: Flask, signed_in: FlaskClient, enrolled: dict
) -> None:
    patient_id, c1d1 = enrolled["patient_id"], visit_of(enrolled, "c1d1")
    before = booked_days(app, patient_id)
    response = signed_in.post(
        f"/staff/visits/{c1d1['id']}/reschedule",
        data={"date": (before["c1d1"] + timedelta(days=2)).isoformat(), "reason": "No token"},
    )
    assert response.status_code == 400
    assert booked_days(app, patient_id) == before


@pytest.mark.parametrize(("purpose", "path"), [("page", "/my/"), ("calendar", "/calendar/")])
def test_a_new_link_is_shown_once_and_the_old_one_stops_working(
    signed_in: FlaskClient, enrolled: dict, purpose: str, path: str
) -> None:
    patient_id = enrolled["patient_id"]
    old = enrolled["patient_page_url" if purpose == "page" else "calendar_url"]
    response = post_form(
        signed_in, f"{PATIENTS}/{patient_id}/links/{purpose}", timeline(patient_id)
    )
    assert response.status_code == 303
    assert "/my/" not in response.headers["Location"]  # the link is not in the address
    html = html_of(signed_in, timeline(patient_id))
    [new] = re.findall(r'<p class="new-link"><code>([^<]+)</code></p>', html)
    assert path in new
    assert new != old
    assert signed_in.get(path_of(new)).status_code == 200
    assert signed_in.get(path_of(old)).status_code == 410
    assert new not in html_of(signed_in, timeline(patient_id))


def test_an_admin_cannot_make_a_new_link(client: FlaskClient, make_staff, enrolled: dict) -> None:
    patient_id = enrolled["patient_id"]
    sign_in(client, make_staff("admin"))
    response = post_form(client, f"{PATIENTS}/{patient_id}/links/page", timeline(patient_id))
    assert response.status_code == 403
    assert client.get(path_of(enrolled["patient_page_url"])).status_code == 200


def test_the_timeline_speaks_chinese_when_chosen(signed_in: FlaskClient, enrolled: dict) -> None:
    html = html_of(signed_in, f"{timeline(enrolled['patient_id'])}?lang=zh")
    assert '<html lang="zh-Hans">' in html
    assert "第1次治疗" in html
