"""Staff pages to enrol a patient (a lead too) and to keep the site's closed days, through HTTP.

Staff sign in through the sign-in page and post the forms as a browser does, with the page's
CSRF token. Other patients and leads are made the way the rest of the service makes them: the
API for enrolments, a finished pre-screen for leads.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import ClosedDay, Patient, Visit
from companion.prescreen.models import Lead
from tests.api.conftest import new_lead
from tests.conftest import csrf_token_from
from tests.enrolments import enrol, in_days, path_of, visit_named
from tests.staff_session import html_of, sign_in

NEW = "/staff/patients/new"
PATIENTS = "/staff/patients"
CLOSED_DAYS = "/staff/closed-days"
PHONE_PROBLEM = "Give a mobile number that can get text messages"


def post_form(client: FlaskClient, path: str, page: str, **fields: str):
    """Submit a form of `page` to `path`, as a browser would (with the page's CSRF token)."""
    token = csrf_token_from(client.get(page).data)
    return client.post(path, data={"csrf_token": token, **fields})


def filled_form(**overrides: str | None) -> dict[str, str]:
    """The enrol form as a coordinator fills it in; an override of None leaves the field out."""
    fields: dict[str, str | None] = {
        "anchor_date": in_days(14).isoformat(),
        "cycles": "2",
        "phone": "138 0013 8000",
        "language": "zh",
        "timezone": "Asia/Shanghai",
        "name": "Wang Fang",
        "sms_consent": "yes",
        **overrides,
    }
    return {name: value for name, value in fields.items() if value is not None}


def enrol_through_the_form(client: FlaskClient, **overrides: str | None):
    return post_form(client, NEW, NEW, **filled_form(**overrides))


def field_error(html: str, field: str) -> str:
    """The message shown next to a field of the form."""
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no error next to {field}"
    return found.group(1)


def patient_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Patient))


def lead_status(app: Flask, lead_id: int) -> str:
    with app.app_context():
        return db.session.get(Lead, lead_id).status


def booked_days(app: Flask, patient_id: int) -> dict[str, date]:
    with app.app_context():
        visits = db.session.scalars(select(Visit).where(Visit.patient_id == patient_id))
        return {visit.key: visit.booked_date for visit in visits}


def closed_day_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ClosedDay))


def in_chinese(app: Flask, message: str) -> str:
    with app.test_request_context(), force_locale("zh"):
        return gettext(message)


@pytest.fixture
def coordinator(make_staff) -> str:
    return make_staff("coordinator")


@pytest.fixture
def headers(coordinator: str, bearer) -> dict[str, str]:
    return bearer(coordinator)


@pytest.fixture
def signed_in(client: FlaskClient, coordinator: str) -> FlaskClient:
    sign_in(client, coordinator)
    return client


def booked_lead(app: Flask, client: FlaskClient, headers: dict[str, str], site: str = "SITE01"):
    """A lead the site reached and booked for screening: ready to enrol."""
    lead_id = new_lead(app, client, "Grace Hopper", site, language="zh")
    client.post(
        f"/api/v1/leads/{lead_id}/contact-attempts", json={"outcome": "reached"}, headers=headers
    )
    response = client.post(
        f"/api/v1/leads/{lead_id}/status", json={"status": "screening_booked"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return lead_id


# ---------- The enrol form ----------


def test_the_enrol_form_asks_for_everything_enrolment_needs(signed_in: FlaskClient) -> None:
    html = html_of(signed_in, NEW)
    assert '<h1 id="enrol-heading">Enrol a patient</h1>' in html
    for field in ("anchor_date", "cycles", "phone", "language-en", "language-zh", "timezone"):
        assert f'id="{field}"' in html
    assert 'id="sms_consent-yes"' in html
    assert 'id="sms_consent-no"' in html
    assert 'name="csrf_token"' in html


def test_the_enrol_form_starts_from_the_protocol_s_cycles_and_the_site_s_time_zone(
    signed_in: FlaskClient,
) -> None:
    html = html_of(signed_in, NEW)
    cycles = re.findall(r'<option value="(\d)"( selected)?>', html)
    assert cycles == [("2", " selected"), ("3", ""), ("4", "")]
    assert '<option value="Asia/Shanghai" selected>' in html


def test_the_enrol_form_speaks_chinese_when_chosen(app: Flask, signed_in: FlaskClient) -> None:
    html = html_of(signed_in, f"{NEW}?lang=zh")
    assert '<html lang="zh-Hans">' in html
    assert f'<h1 id="enrol-heading">{in_chinese(app, "Enrol a patient")}</h1>' in html
    assert "中国（上海）时间 (Asia/Shanghai)" in html


def test_an_investigator_may_open_the_enrol_form(client: FlaskClient, make_staff) -> None:
    sign_in(client, make_staff("investigator"))
    assert client.get(NEW).status_code == 200


def test_an_admin_may_not_open_the_enrol_form(client: FlaskClient, make_staff) -> None:
    sign_in(client, make_staff("admin"))
    assert client.get(NEW).status_code == 403


def test_the_patients_list_offers_the_enrol_form_to_clinical_staff(
    signed_in: FlaskClient,
) -> None:
    assert f'href="{NEW}">Enrol a patient</a>' in html_of(signed_in, PATIENTS)


def test_the_patients_list_does_not_offer_the_enrol_form_to_an_admin(
    client: FlaskClient, make_staff
) -> None:
    sign_in(client, make_staff("admin"))
    assert NEW not in html_of(client, PATIENTS)


# ---------- Enrolling ----------


def test_enrolling_redirects_to_the_new_patient_s_timeline(
    app: Flask, signed_in: FlaskClient
) -> None:
    response = enrol_through_the_form(signed_in)
    assert response.status_code == 303
    with app.app_context():
        patient_id = db.session.scalar(select(Patient.id))
    assert response.headers["Location"] == f"{PATIENTS}/{patient_id}"


def test_enrolling_stores_the_patient_as_given_and_books_their_visits(
    app: Flask, signed_in: FlaskClient
) -> None:
    enrol_through_the_form(signed_in, cycles="3")
    with app.app_context():
        patient = db.session.scalar(select(Patient))
        assert (patient.name, patient.phone_e164, patient.language) == (
            "Wang Fang",
            "+8613800138000",
            "zh",
        )
        assert (patient.timezone, patient.anchor_date, patient.cycles) == (
            "Asia/Shanghai",
            in_days(14),
            3,
        )
        assert patient.sms_consent is True
        patient_id = patient.id
    days = booked_days(app, patient_id)
    assert days["c1d1"] == in_days(14)
    assert "c3d1" in days


def test_a_no_to_text_messages_is_recorded_as_no_consent(
    app: Flask, signed_in: FlaskClient
) -> None:
    assert enrol_through_the_form(signed_in, sms_consent="no").status_code == 303
    with app.app_context():
        patient = db.session.scalar(select(Patient))
        assert (patient.sms_consent, patient.sms_consent_at) == (False, None)


def test_the_new_patient_s_two_links_are_shown_once_and_work(signed_in: FlaskClient) -> None:
    timeline = enrol_through_the_form(signed_in).headers["Location"]
    html = html_of(signed_in, timeline)
    notice = html[html.index('id="enrolled"') :]
    calendar, page = re.findall(r'<p class="new-link"><code>([^<]+)</code></p>', notice)[:2]
    assert "/calendar/" in calendar
    assert "/my/" in page
    assert signed_in.get(path_of(calendar)).status_code == 200
    assert signed_in.get(path_of(page)).status_code == 200
    again = html_of(signed_in, timeline)
    assert 'id="enrolled"' not in again
    assert calendar not in again
    assert page not in again


@pytest.mark.parametrize(
    ("field", "change", "message"),
    [
        ("anchor_date", {"anchor_date": ""}, "Give the first treatment day as a date"),
        ("anchor_date", {"anchor_date": "next week"}, "Give the first treatment day as a date"),
        ("phone", {"phone": "12345"}, PHONE_PROBLEM),
        ("phone", {"phone": "010 6552 9988"}, PHONE_PROBLEM),  # a landline in Beijing
        ("sms_consent", {"sms_consent": None}, "Answer yes or no"),
        ("language", {"language": None}, "Choose the language"),
    ],
    ids=["no-date", "not-a-date", "not-a-phone-number", "landline", "no-consent-answer", "no-lang"],
)
def test_a_form_with_a_problem_comes_back_with_400_the_message_by_the_field_and_stores_nothing(
    app: Flask, signed_in: FlaskClient, field: str, change: dict[str, str | None], message: str
) -> None:
    response = enrol_through_the_form(signed_in, **change)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, field).startswith(message)
    assert 'class="error-summary"' in html
    assert patient_count(app) == 0


def test_every_problem_of_an_empty_form_is_listed_at_once(signed_in: FlaskClient) -> None:
    response = post_form(signed_in, NEW, NEW, cycles="2", timezone="Asia/Shanghai")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    anchors = re.findall(r'<a href="#([\w-]+)">', summary)
    assert anchors == ["anchor_date", "phone", "language-en", "sms_consent-yes"]


def test_a_lead_number_beyond_any_id_is_refused_with_400(
    app: Flask, signed_in: FlaskClient
) -> None:
    response = enrol_through_the_form(signed_in, lead_id="9" * 30)
    assert response.status_code == 400
    assert "Reload the page and try again." in response.get_data(as_text=True)
    assert patient_count(app) == 0


def test_a_refused_form_keeps_what_was_typed(signed_in: FlaskClient) -> None:
    html = enrol_through_the_form(signed_in, phone="010 6552 9988", cycles="4").get_data(
        as_text=True
    )
    assert 'value="010 6552 9988"' in html
    assert '<option value="4" selected>' in html
    assert 'id="language-zh" name="language" value="zh" checked' in html
    assert 'value="Wang Fang"' in html


def test_a_first_treatment_day_too_far_ahead_is_refused_with_the_days_allowed(
    app: Flask, signed_in: FlaskClient
) -> None:
    response = enrol_through_the_form(signed_in, anchor_date=in_days(400).isoformat())
    assert response.status_code == 400
    message = field_error(response.get_data(as_text=True), "anchor_date")
    assert message == (
        f"Choose a first treatment day from {in_days(-90).isoformat()} "
        f"to {in_days(365).isoformat()}."
    )
    assert patient_count(app) == 0


def test_a_mobile_number_already_enrolled_here_is_refused_with_409(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    enrol(signed_in, headers, phone="+8613800138000")
    response = enrol_through_the_form(signed_in, phone="138 0013 8000")
    assert response.status_code == 409
    assert field_error(response.get_data(as_text=True), "phone") == (
        "A patient with this mobile number is already enrolled in this study at your site."
    )
    assert patient_count(app) == 1


def test_an_admin_may_not_enrol_through_the_form(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    sign_in(client, make_staff("admin"))
    response = post_form(client, NEW, PATIENTS, **filled_form())
    assert response.status_code == 403
    assert patient_count(app) == 0


def test_the_enrol_form_needs_its_csrf_token(app: Flask, signed_in: FlaskClient) -> None:
    assert signed_in.post(NEW, data=filled_form()).status_code == 400
    assert patient_count(app) == 0


# ---------- Enrolling a lead ----------


def test_a_lead_booked_for_screening_fills_in_the_form(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    lead_id = booked_lead(app, signed_in, headers)
    html = html_of(signed_in, f"{NEW}?lead={lead_id}")
    assert "You are enrolling Grace Hopper, a lead of your site." in html
    assert f'href="/staff/leads/{lead_id}"' in html
    assert f'<input type="hidden" name="lead_id" value="{lead_id}">' in html
    assert 'id="name" name="name" autocomplete="off" value="Grace Hopper"' in html
    assert 'value="+8613800138000"' in html
    assert 'id="language-zh" name="language" value="zh" checked' in html


def test_enrolling_a_lead_through_the_form_links_the_patient_and_enrols_the_lead(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    lead_id = booked_lead(app, signed_in, headers)
    page = f"{NEW}?lead={lead_id}"
    fields = filled_form(name="Grace Hopper", phone="+8613800138000", lead_id=str(lead_id))
    assert post_form(signed_in, NEW, page, **fields).status_code == 303
    assert lead_status(app, lead_id) == "enrolled"
    with app.app_context():
        assert db.session.scalar(select(Patient.lead_id)) == lead_id


def test_a_lead_not_yet_booked_for_screening_is_not_offered_for_enrolment(
    app: Flask, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, signed_in)
    response = signed_in.get(f"{NEW}?lead={lead_id}")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This lead cannot be enrolled yet." in html
    assert 'name="lead_id"' not in html


def test_a_lead_not_yet_booked_for_screening_cannot_be_enrolled_through_the_form(
    app: Flask, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, signed_in)
    response = enrol_through_the_form(signed_in, lead_id=str(lead_id))
    assert response.status_code == 409
    assert "This lead cannot be enrolled yet." in response.get_data(as_text=True)
    assert (patient_count(app), lead_status(app, lead_id)) == (0, "new")


def test_a_lead_of_another_site_is_not_found(
    app: Flask, signed_in: FlaskClient, make_staff, bearer
) -> None:
    lead_id = booked_lead(app, signed_in, bearer(make_staff("coordinator", "SITE02")), "SITE02")
    assert signed_in.get(f"{NEW}?lead={lead_id}").status_code == 404


def test_an_address_with_a_lead_number_beyond_any_id_is_not_found(
    signed_in: FlaskClient,
) -> None:
    assert signed_in.get(f"{NEW}?lead={'9' * 30}").status_code == 404


def test_posting_a_lead_of_another_site_is_refused_with_404_and_stores_nothing(
    app: Flask, signed_in: FlaskClient, make_staff, bearer
) -> None:
    lead_id = booked_lead(app, signed_in, bearer(make_staff("coordinator", "SITE02")), "SITE02")
    response = enrol_through_the_form(signed_in, lead_id=str(lead_id))
    assert response.status_code == 404
    assert "This lead is not at your site." in response.get_data(as_text=True)
    assert (patient_count(app), lead_status(app, lead_id)) == (0, "screening_booked")


def test_the_lead_page_offers_enrolment_once_screening_is_booked(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    lead_id = booked_lead(app, signed_in, headers)
    html = html_of(signed_in, f"/staff/leads/{lead_id}")
    assert f'href="{NEW}?lead={lead_id}">Enrol this person</a>' in html


def test_the_lead_page_does_not_offer_enrolment_before_screening_is_booked(
    app: Flask, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, signed_in)
    assert "Enrol this person" not in html_of(signed_in, f"/staff/leads/{lead_id}")


def test_the_lead_page_does_not_offer_enrolment_to_an_admin(
    app: Flask, client: FlaskClient, make_staff, headers: dict[str, str]
) -> None:
    lead_id = booked_lead(app, client, headers)
    sign_in(client, make_staff("admin"))
    assert "Enrol this person" not in html_of(client, f"/staff/leads/{lead_id}")


# ---------- Closed days ----------


def add_closed_day(client: FlaskClient, day: date, label: str = "Holiday"):
    return post_form(client, CLOSED_DAYS, CLOSED_DAYS, day=day.isoformat(), label=label)


def closed_day_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(ClosedDay.id).order_by(ClosedDay.day)))


def test_the_closed_days_page_lists_coming_days_soonest_first_then_past_days(
    signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    for offset, label in ((-30, "Spring Festival"), (60, "Mid-Autumn"), (20, "Dragon Boat")):
        signed_in.post(
            "/api/v1/closed-days",
            json={"day": in_days(offset).isoformat(), "label": label},
            headers=headers,
        )
    html = html_of(signed_in, CLOSED_DAYS)
    coming = html[html.index('id="coming-caption"') : html.index('id="past-caption"')]
    past = html[html.index('id="past-caption"') :]
    assert coming.index("Dragon Boat") < coming.index("Mid-Autumn")
    assert "Spring Festival" not in coming
    assert "Spring Festival" in past


def test_the_closed_days_page_names_the_site_s_closed_weekdays(
    client: FlaskClient, make_staff, bearer
) -> None:
    admin = make_staff("admin")
    client.patch(
        "/api/v1/site",
        json={"closed_weekdays": [6, 5], "reason": "No weekend clinics"},
        headers=bearer(admin),
    )
    sign_in(client, admin)
    html = html_of(client, CLOSED_DAYS)
    assert "<p>Saturday and Sunday</p>" in html
    assert "<code>PATCH /api/v1/site</code>" in html


def test_the_closed_weekdays_are_named_in_chinese_when_chosen(
    client: FlaskClient, make_staff, bearer
) -> None:
    admin = make_staff("admin")
    client.patch(
        "/api/v1/site",
        json={"closed_weekdays": [6], "reason": "No Sunday clinics"},
        headers=bearer(admin),
    )
    sign_in(client, admin)
    assert "<p>星期日</p>" in html_of(client, f"{CLOSED_DAYS}?lang=zh")


def test_adding_a_closed_day_moves_the_visits_booked_on_it(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(signed_in, headers, name="Wang Fang")
    c2d1 = date.fromisoformat(visit_named(enrolled["visits"], "c2d1")["date"])
    response = add_closed_day(signed_in, c2d1, "National Day")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{CLOSED_DAYS}#notice"
    assert booked_days(app, enrolled["patient_id"])["c2d1"] != c2d1


def test_the_notice_after_adding_a_closed_day_says_how_many_visits_moved(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(signed_in, headers, name="Wang Fang")
    before = booked_days(app, enrolled["patient_id"])
    add_closed_day(signed_in, before["c2d1"], "National Day")
    after = booked_days(app, enrolled["patient_id"])
    moved = sum(1 for key in before if before[key] != after[key])
    html = html_of(signed_in, CLOSED_DAYS)
    notice = html[html.index('id="notice"') : html.index("</div>", html.index('id="notice"'))]
    assert f"The site is now closed on {before['c2d1'].isoformat()} (National Day)." in notice
    assert f"Booked visits that moved: {moved}." in notice
    assert f"Treatment visit 2, now {after['c2d1'].isoformat()}" in notice


def test_the_notice_after_adding_a_closed_day_is_shown_once(
    app: Flask, signed_in: FlaskClient
) -> None:
    add_closed_day(signed_in, in_days(30))
    assert 'id="notice"' in html_of(signed_in, CLOSED_DAYS)
    assert 'id="notice"' not in html_of(signed_in, CLOSED_DAYS)


def test_a_visit_that_cannot_leave_a_new_closed_day_is_named_to_staff(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(signed_in, headers, name="Wang Fang")
    first_treatment = booked_days(app, enrolled["patient_id"])["c1d1"]  # its window is one day
    add_closed_day(signed_in, first_treatment, "National Day")
    html = html_of(signed_in, CLOSED_DAYS)
    notice = html[html.index('id="notice"') : html.index("</div>", html.index('id="notice"'))]
    assert "Booked visits that moved: 0." in notice
    assert "These visits could not move" in notice
    assert f"Treatment visit 1, still {first_treatment.isoformat()}" in notice


def test_removing_a_closed_day_puts_the_visits_back(
    app: Flask, signed_in: FlaskClient, headers: dict[str, str]
) -> None:
    enrolled = enrol(signed_in, headers)
    before = booked_days(app, enrolled["patient_id"])
    add_closed_day(signed_in, before["c1d1"])
    [closed_id] = closed_day_ids(app)
    response = post_form(signed_in, f"{CLOSED_DAYS}/{closed_id}/delete", CLOSED_DAYS)
    assert response.status_code == 303
    assert closed_day_ids(app) == []
    assert booked_days(app, enrolled["patient_id"]) == before
    assert "The closed day is removed." in html_of(signed_in, CLOSED_DAYS)


def test_an_admin_may_add_a_closed_day(app: Flask, client: FlaskClient, make_staff) -> None:
    sign_in(client, make_staff("admin"))
    assert add_closed_day(client, in_days(30)).status_code == 303
    assert closed_day_count(app) == 1


def test_an_investigator_sees_the_closed_days_without_the_forms(
    client: FlaskClient, make_staff, headers: dict[str, str]
) -> None:
    client.post(
        "/api/v1/closed-days",
        json={"day": in_days(30).isoformat(), "label": "Holiday"},
        headers=headers,
    )
    sign_in(client, make_staff("investigator"))
    html = html_of(client, CLOSED_DAYS)
    assert "Holiday" in html
    assert f'action="{CLOSED_DAYS}"' not in html
    assert "/delete" not in html


def test_an_investigator_may_not_add_a_closed_day(
    app: Flask, client: FlaskClient, make_staff
) -> None:
    sign_in(client, make_staff("investigator"))
    assert add_closed_day(client, in_days(30)).status_code == 403
    assert closed_day_count(app) == 0


def test_a_closed_day_of_another_site_cannot_be_removed(
    app: Flask, client: FlaskClient, make_staff, headers: dict[str, str]
) -> None:
    client.post(
        "/api/v1/closed-days",
        json={"day": in_days(30).isoformat(), "label": "Holiday"},
        headers=headers,
    )
    [closed_id] = closed_day_ids(app)
    sign_in(client, make_staff("coordinator", "SITE02"))
    response = post_form(client, f"{CLOSED_DAYS}/{closed_id}/delete", CLOSED_DAYS)
    assert response.status_code == 404
    assert closed_day_ids(app) == [closed_id]


@pytest.mark.parametrize(
    ("day", "label", "field", "message"),
    [
        ("", "Holiday", "day", "Give the day as a date, like 2026-10-01."),
        ("1 October", "Holiday", "day", "Give the day as a date, like 2026-10-01."),
        ("2030-10-01", "  ", "label", "Give the day a name, like National Day."),
        ("2030-10-01", "x" * 201, "label", "Make the name shorter: at most 200 characters."),
    ],
    ids=["no-day", "not-a-date", "no-name", "name-too-long"],
)
def test_a_closed_day_form_with_a_problem_comes_back_with_400_and_adds_nothing(
    app: Flask, signed_in: FlaskClient, day: str, label: str, field: str, message: str
) -> None:
    response = post_form(signed_in, CLOSED_DAYS, CLOSED_DAYS, day=day, label=label)
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), field) == message
    assert closed_day_count(app) == 0


def test_a_day_already_closed_is_refused_with_409(app: Flask, signed_in: FlaskClient) -> None:
    add_closed_day(signed_in, in_days(30))
    response = add_closed_day(signed_in, in_days(30), "Again")
    assert response.status_code == 409
    assert field_error(response.get_data(as_text=True), "day") == (
        "The site is already closed on that day."
    )
    assert closed_day_count(app) == 1


def test_the_staff_navigation_leads_to_the_closed_days(signed_in: FlaskClient) -> None:
    html = html_of(signed_in, CLOSED_DAYS)
    assert f'<a href="{CLOSED_DAYS}" aria-current="page">Closed days</a>' in html


def test_the_language_switch_of_a_refused_closed_day_leads_to_the_closed_days(
    signed_in: FlaskClient,
) -> None:
    html = post_form(signed_in, CLOSED_DAYS, CLOSED_DAYS, day="", label="").get_data(as_text=True)
    assert f'href="{CLOSED_DAYS}?lang=zh"' in html


def test_the_language_switch_of_a_refused_enrolment_leads_to_the_enrol_form(
    signed_in: FlaskClient,
) -> None:
    html = enrol_through_the_form(signed_in, phone="").get_data(as_text=True)
    assert f'href="{NEW}?lang=zh"' in html


def test_the_closed_days_page_shows_only_the_site_s_days(
    signed_in: FlaskClient, make_staff, bearer
) -> None:
    elsewhere = bearer(make_staff("coordinator", "SITE02"))
    signed_in.post(
        "/api/v1/closed-days",
        json={"day": in_days(30).isoformat(), "label": "Their holiday"},
        headers=elsewhere,
    )
    assert "Their holiday" not in html_of(signed_in, CLOSED_DAYS)
