"""Symptom reports through HTTP: the staff triage queue and report page, the symptoms on a patient's
timeline, and the patient's own check-in form behind their page link.

Reports are made the way the service makes them (with a chosen submission time, so that ages and
deadlines are known); pages are driven with the test client, forms with their CSRF token.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.enrolment.models import Patient
from companion.sites.models import Site
from companion.symptoms import service
from companion.symptoms.models import SymptomReport, SymptomReportNote
from companion.timestamps import utcnow
from tests.api.test_patient_pages import FORBIDDEN_WORDS, visible_text
from tests.api.test_security_headers import assert_secured
from tests.conftest import csrf_token_from
from tests.enrolments import enrol, path_of
from tests.staff_session import html_of, sign_in

QUEUE = "/staff/symptoms"
EMERGENCY = {"chest_pain": "yes"}
RED = {"blood_in_stool": "yes"}
AMBER = {"new_cough": "yes"}
GREEN = {"fatigue": "mild"}


# ---------- Helpers ----------


def report(
    app: Flask,
    patient_id: int,
    answers: dict[str, Any],
    *,
    minutes_ago: int = 0,
    source: str = "web",
) -> int:
    """A report of the patient's, submitted `minutes_ago`, as the service stores it; its id."""
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        now = utcnow() - timedelta(minutes=minutes_ago)
        submitted = service.submit_report(db.session, patient, answers, source, now)
        db.session.commit()
        return submitted.report.id


def stored(app: Flask, report_id: int) -> SymptomReport:
    with app.app_context():
        record = db.session.get(SymptomReport, report_id)
        db.session.expunge_all()
        return record


def count_reports(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SymptomReport.id)))


def set_site(app: Flask, code: str = "SITE01", **fields: Any) -> None:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == code))
        for name, value in fields.items():
            setattr(site, name, value)
        db.session.commit()


def post_form(client: FlaskClient, page: str, to: str, **fields: str):
    """Post a form of `page` (its CSRF token) to `to`."""
    token = csrf_token_from(client.get(page).data)
    return client.post(to, data={"csrf_token": token, **fields})


def rows_of(html: str) -> list[str]:
    """The queue's rows, in order, each as its HTML."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<tr id=\"report-\d+\">.*?</tr>", body, flags=re.DOTALL)


def words(html: str) -> str:
    return " ".join(visible_text(html).split())


@pytest.fixture
def world(client: FlaskClient, make_staff: Any, bearer: Any) -> dict[str, Any]:
    """A coordinator and a patient at SITE01, and the same at SITE02."""
    here, there = make_staff("coordinator", "SITE01"), make_staff("coordinator", "SITE02")
    enrolled = enrol(client, bearer(here), -10, phone="+8613912340031", name="Li Na")
    elsewhere = enrol(client, bearer(there), -10, phone="+8613912340032", name="Zhao Lei")
    return {
        "coordinator": here,
        "colleague_elsewhere": there,
        "patient": enrolled["patient_id"],
        "page": path_of(enrolled["patient_page_url"]),
        "patient_elsewhere": elsewhere["patient_id"],
        "page_elsewhere": path_of(elsewhere["patient_page_url"]),
    }


@pytest.fixture
def signed_in(client: FlaskClient, world: dict[str, Any]) -> dict[str, Any]:
    sign_in(client, world["coordinator"])
    return world


# ---------- The queue ----------


def test_the_queue_needs_a_signed_in_staff_member(client: FlaskClient) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("role", ["coordinator", "investigator"])
def test_the_clinical_roles_read_the_queue(client: FlaskClient, make_staff: Any, role: str) -> None:
    sign_in(client, make_staff(role))
    html = html_of(client, QUEUE)
    assert "<h1>Symptom reports</h1>" in html
    assert "No report is waiting." in html


def test_an_admin_is_refused_the_queue_and_sees_no_symptoms_link(
    client: FlaskClient, make_staff: Any
) -> None:
    sign_in(client, make_staff("admin"))
    assert client.get(QUEUE).status_code == 403
    assert f'href="{QUEUE}"' not in html_of(client, "/staff/leads")


def test_an_emergency_comes_first_then_older_reports_by_urgency(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    patient = signed_in["patient"]
    amber = report(app, patient, AMBER, minutes_ago=300)
    red = report(app, patient, RED, minutes_ago=120)
    green = report(app, patient, GREEN, minutes_ago=400)
    emergency = report(app, patient, EMERGENCY, minutes_ago=2)

    rows = rows_of(html_of(client, QUEUE))

    ids = [int(re.search(r'id="report-(\d+)"', row).group(1)) for row in rows]
    assert ids == [emergency, red, amber, green]
    assert [re.search(r"<strong>(\w+)</strong>", row).group(1) for row in rows] == [
        "Emergency",
        "Red",
        "Amber",
        "Green",
    ]


def test_urgency_is_told_in_words_and_by_a_shape_not_by_colour_alone(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report(app, signed_in["patient"], EMERGENCY)
    report(app, signed_in["patient"], AMBER)
    emergency, amber = rows_of(html_of(client, QUEUE))
    assert '<polygon points="5,1 11,1 15,5' in emergency  # an octagon, a stop sign
    assert 'aria-hidden="true"' in emergency
    assert "patient told to call emergency services" in emergency
    assert '<polygon points="8,1 15,8 8,15 1,8"' in amber  # a diamond
    assert "review today" in amber


def test_a_row_shows_waiting_time_respond_by_source_patient_and_reasons(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], {**RED, "new_cough": "yes"}, minutes_ago=125)
    record = stored(app, report_id)
    deadline = record.respond_by.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")

    (row,) = rows_of(html_of(client, QUEUE))

    assert "2 h 5 min" in row
    assert deadline in row
    assert "Overdue" in row  # red is due within 30 minutes
    assert "Web form" in row
    assert f'<a href="/staff/symptoms/{report_id}">Li Na</a>' in row
    assert "Blood in stool or black stools" in row
    assert "New or worse cough" in row


def test_a_report_still_within_its_time_is_not_overdue(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report(app, signed_in["patient"], RED, minutes_ago=5)
    (row,) = rows_of(html_of(client, QUEUE))
    assert "Overdue" not in row
    assert "5 min" in row


def test_the_queue_says_when_it_was_made_and_links_to_itself_instead_of_refreshing(
    client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    html = html_of(client, QUEUE)
    local_now = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"List made at {local_now:%Y-%m-%d}" in html
    assert "China Time" in html
    assert f'<a href="{QUEUE}">Refresh</a>' in html
    assert "http-equiv" not in html


def test_an_unknown_reason_code_is_shown_as_the_code(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], AMBER)
    with app.app_context():
        db.session.get(SymptomReport, report_id).reasons = ["a_rule_added_later"]
        db.session.commit()
    (row,) = rows_of(html_of(client, QUEUE))
    assert "a_rule_added_later" in row


def test_a_worsened_symptom_is_named_in_plain_words(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report(app, signed_in["patient"], {"fatigue": "none"}, minutes_ago=60 * 24 * 7)
    report(app, signed_in["patient"], {"fatigue": "moderate"})
    html = html_of(client, QUEUE)
    assert "Worse than their last report: Tiredness" in html


def test_the_queue_shows_only_the_site_s_own_reports(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report(app, signed_in["patient_elsewhere"], EMERGENCY)
    html = html_of(client, QUEUE)
    assert "Zhao Lei" not in html
    assert "No report is waiting." in html


def test_the_nav_link_counts_open_emergency_and_red_reports(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report(app, signed_in["patient"], EMERGENCY)
    report(app, signed_in["patient"], RED)
    report(app, signed_in["patient"], AMBER)
    report(app, signed_in["patient_elsewhere"], EMERGENCY)
    html = html_of(client, "/staff/leads")
    link = re.search(rf'<a href="{QUEUE}">(.*?)</a>', html, flags=re.DOTALL).group(1)
    assert words(link) == "Symptoms (2 urgent)"


def test_acknowledged_and_resolved_reports_are_listed_under_their_filters(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    page = f"/staff/symptoms/{report(app, signed_in['patient'], RED)}"
    post_form(client, page, f"{page}/acknowledge")
    assert "No report is waiting." in html_of(client, QUEUE)
    assert len(rows_of(html_of(client, f"{QUEUE}?status=acknowledged"))) == 1
    post_form(client, page, f"{page}/action", action="called_patient")
    post_form(client, page, f"{page}/resolve")
    assert "No reports here." in html_of(client, f"{QUEUE}?status=acknowledged")
    (row,) = rows_of(html_of(client, f"{QUEUE}?status=resolved"))
    assert "Resolved" in row


def test_an_unknown_filter_is_refused(client: FlaskClient, signed_in: dict[str, Any]) -> None:
    assert client.get(f"{QUEUE}?status=lost").status_code == 400


# ---------- One report ----------


def test_the_report_page_shows_every_answer_with_its_question_and_the_patient_s_contact(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(
        app,
        signed_in["patient"],
        {"temperature_c": "38.4", "abdominal_pain": "moderate", "other": "My belly hurts."},
    )
    html = html_of(client, f"/staff/symptoms/{report_id}")
    text = words(html)
    assert "What is the highest temperature you have had? 38.4 °C" in text
    assert (
        "How bad has pain in your belly been? Moderate: it gets in the way of some things I do"
        in text
    )
    assert "Is there anything else you want to tell the study team? My belly hurts." in text
    assert "Fever" in text
    assert "Moderate belly pain" in text
    assert 'href="tel:+8613912340031"' in html
    assert f'href="/staff/patients/{signed_in["patient"]}#symptoms"' in html


def test_the_report_page_speaks_the_staff_member_s_language(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], EMERGENCY)
    html = html_of(client, f"/staff/symptoms/{report_id}?lang=zh")
    assert "您有没有新出现的胸口痛、胸口发紧或胸口被压着的感觉？" in html


def test_a_report_of_another_site_is_not_found(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    elsewhere = report(app, signed_in["patient_elsewhere"], EMERGENCY)
    assert client.get(f"/staff/symptoms/{elsewhere}").status_code == 404
    assert client.get("/staff/symptoms/999999").status_code == 404
    response = post_form(client, QUEUE, f"/staff/symptoms/{elsewhere}/acknowledge")
    assert response.status_code == 404
    assert stored(app, elsewhere).status == "open"


def test_acknowledging_redirects_to_the_report_with_a_notice_shown_once(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], RED)
    page = f"/staff/symptoms/{report_id}"

    response = post_form(client, page, f"{page}/acknowledge")

    assert response.status_code == 303
    assert response.headers["Location"] == f"{page}#notice"
    html = html_of(client, page)
    assert "Acknowledged. The report stays open until it is resolved." in html
    assert f"Acknowledged by {signed_in['coordinator']}" in words(html)
    assert "Acknowledged. The report stays open" not in html_of(client, page)
    assert stored(app, report_id).status == "acknowledged"


def test_acknowledging_twice_says_the_report_changed_with_409(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    page = f"/staff/symptoms/{report(app, signed_in['patient'], RED)}"
    token = csrf_token_from(client.get(page).data)
    assert client.post(f"{page}/acknowledge", data={"csrf_token": token}).status_code == 303
    response = client.post(f"{page}/acknowledge", data={"csrf_token": token})
    assert response.status_code == 409
    assert "This report changed in the meantime." in response.get_data(as_text=True)


def test_a_note_is_added_and_shown_in_the_history(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], AMBER)
    page = f"/staff/symptoms/{report_id}"
    response = post_form(client, page, f"{page}/notes", text="Left a voicemail.")
    assert response.status_code == 303
    html = html_of(client, page)
    assert "Note added." in html
    assert f"Note by {signed_in['coordinator']}" in words(html)
    assert "Left a voicemail." in html


def test_an_empty_note_comes_back_with_400_and_the_field_named(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], AMBER)
    page = f"/staff/symptoms/{report_id}"
    response = post_form(client, page, f"{page}/notes", text="   ")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p class="field-error" id="note-text-error">Write the note.</p>' in html
    assert 'aria-describedby="note-text-hint note-text-error"' in html
    assert 'href="#note-text"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(SymptomReportNote.id))) == 0


def test_a_note_too_long_is_refused_and_kept_to_shorten(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    page = f"/staff/symptoms/{report(app, signed_in['patient'], AMBER)}"
    response = post_form(client, page, f"{page}/notes", text="x" * 2001)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Make the note shorter: at most 2000 characters." in html
    assert "x" * 2001 in html


def test_an_action_is_recorded_and_acknowledges_the_report(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], RED)
    page = f"/staff/symptoms/{report_id}"
    response = post_form(
        client, page, f"{page}/action", action="advised_clinic_visit", note="Coming at 3 pm."
    )
    assert response.status_code == 303
    text = words(html_of(client, page))
    assert "Action recorded." in text
    assert "Action Asked the patient to come to the clinic" in text
    assert "Coming at 3 pm." in text
    record = stored(app, report_id)
    assert (record.status, record.action) == ("acknowledged", "advised_clinic_visit")


def test_an_action_must_be_chosen(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    page = f"/staff/symptoms/{report(app, signed_in['patient'], RED)}"
    response = post_form(client, page, f"{page}/action", action="", note="Called twice.")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p class="field-error" id="action-action-error">Choose what was done.</p>' in html
    assert "Called twice." in html


def test_other_needs_a_note_saying_what_was_done(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], RED)
    page = f"/staff/symptoms/{report_id}"
    response = post_form(client, page, f"{page}/action", action="other", note="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Say what was done in the note when you choose Other." in html
    assert '<option value="other" selected>' in html
    assert stored(app, report_id).action is None


def test_resolving_needs_an_action_first(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], RED)
    page = f"/staff/symptoms/{report_id}"
    assert "Record what was done before you resolve the report." in html_of(client, page)
    response = post_form(client, page, f"{page}/resolve")
    assert response.status_code == 409
    assert "Record what was done before you resolve the report." in response.get_data(as_text=True)
    assert stored(app, report_id).status == "open"


def test_a_resolved_report_leaves_the_queue_and_takes_only_notes(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], RED)
    page = f"/staff/symptoms/{report_id}"
    post_form(client, page, f"{page}/action", action="called_patient")
    response = post_form(client, page, f"{page}/resolve", note="Feels better.")
    assert response.status_code == 303
    html = html_of(client, page)
    assert "Resolved. The report has left the open list." in html
    assert "This report is resolved. You can still add a note." in html
    assert f"{page}/resolve" not in html
    assert f"{page}/notes" in html
    assert f"Resolved by {signed_in['coordinator']}" in words(html)
    assert "No report is waiting." in html_of(client, QUEUE)


@pytest.mark.parametrize("step", ["acknowledge", "notes", "action", "resolve"])
def test_every_form_needs_its_csrf_token(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any], step: str
) -> None:
    report_id = report(app, signed_in["patient"], RED)
    response = client.post(
        f"/staff/symptoms/{report_id}/{step}",
        data={"text": "A note", "action": "called_patient"},
    )
    assert response.status_code == 400
    record = stored(app, report_id)
    assert (record.status, record.action) == ("open", None)


def test_an_investigator_may_act_and_an_admin_may_not(
    app: Flask, client: FlaskClient, world: dict[str, Any], make_staff: Any
) -> None:
    page = f"/staff/symptoms/{report(app, world['patient'], RED)}"
    sign_in(client, make_staff("admin"))
    assert client.get(page).status_code == 403
    assert post_form(client, "/staff/leads", f"{page}/acknowledge").status_code == 403
    investigator = app.test_client()
    sign_in(investigator, make_staff("investigator"))
    assert post_form(investigator, page, f"{page}/acknowledge").status_code == 303


# ---------- The patient's timeline ----------


def test_the_timeline_lists_the_patient_s_reports_newest_first_with_urgency_in_words(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    older = report(app, signed_in["patient"], AMBER, minutes_ago=60 * 24)
    newer = report(app, signed_in["patient"], EMERGENCY, minutes_ago=5)
    html = html_of(client, f"/staff/patients/{signed_in['patient']}")
    section = html[html.index('<h2 id="symptoms">') : html.index('<h2 id="texts">')]
    assert section.index(f'id="symptom-report-{newer}"') < section.index(
        f'id="symptom-report-{older}"'
    )
    assert "Emergency" in section
    assert "Amber" in section
    assert f'href="/staff/symptoms/{newer}"' in section


def test_the_timeline_charts_each_symptom_with_a_table_of_its_numbers(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    patient = signed_in["patient"]
    report(app, patient, {"temperature_c": "37.0", "rash": "none"}, minutes_ago=60 * 48)
    report(app, patient, {"temperature_c": "38.5", "rash": "mild"}, minutes_ago=60 * 24)
    report(app, patient, {"temperature_c": "39.2", "rash": "moderate", "nausea": "none"})
    html = html_of(client, f"/staff/patients/{patient}")

    chart = html[html.index('id="chart-temperature_c"') : html.index('id="chart-rash"')]
    assert '<svg role="img" aria-label="Temperature: 3 answers from' in chart
    assert "<title>Temperature (°C)</title>" in chart
    assert "amber from 38; red from 39" in chart
    assert chart.count("<circle ") == 3
    assert 'stroke-dasharray="6 4"' in chart  # the amber line
    assert 'stroke-dasharray="2 3"' in chart  # the red line
    assert "39.2 °C (Red)" in chart
    assert "38.5 °C (Amber)" in chart
    assert "<caption" in chart

    rash = html[html.index('id="chart-rash"') :]
    for level in ("None", "Mild", "Moderate", "Severe"):
        assert f">{level}</text>" in rash
    assert "Always answered none or no: Nausea." in html


def test_an_admin_sees_the_timeline_without_the_symptoms(
    app: Flask, client: FlaskClient, world: dict[str, Any], make_staff: Any
) -> None:
    report(app, world["patient"], EMERGENCY)
    sign_in(client, make_staff("admin"))
    html = html_of(client, f"/staff/patients/{world['patient']}")
    assert "Your role cannot see symptom reports." in html
    assert "symptom-report-" not in html


# ---------- The patient's check-in form ----------


def test_the_form_asks_the_weekly_questions_with_the_emergency_number_first(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    set_site(app, urgent_phone="+86 21 5555 0199")
    html = html_of(client, f"{world['page']}/symptoms")
    text = words(html)
    assert "<h1>Weekly check-in</h1>" in html
    assert text.index("If you feel very unwell now, call 120 or our 24-hour phone") < text.index(
        "Have you had new pain, pressure or tightness in your chest?"
    )
    assert 'href="tel:120"' in html
    assert "<legend>Have you had new pain, pressure or tightness in your chest?</legend>" in html
    assert 'type="radio" id="chest_pain-yes" name="chest_pain" value="yes"' in html
    assert re.search(
        r'<input type="number" id="temperature_c" name="temperature_c" class="number-input"\s+'
        r'min="30" max="45" step="0.1"',
        html,
    )
    assert 'id="temperature_c-unit">°C</span>' in html
    assert 'step="1"' in html  # extra stools, a count
    assert '<textarea id="other" name="other"' in html


def test_without_a_24_hour_phone_the_form_names_only_the_emergency_number(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    text = words(html_of(client, f"{world['page']}/symptoms"))
    assert "If you feel very unwell now, call 120. " in text
    assert "24-hour" not in text


def test_the_form_speaks_chinese_when_chosen(client: FlaskClient, world: dict[str, Any]) -> None:
    html = html_of(client, f"{world['page']}/symptoms?lang=zh")
    assert "每周身体情况问卷" in html
    assert "您有没有新出现的胸口痛、胸口发紧或胸口被压着的感觉？" in html
    assert '<html lang="zh-Hans">' in html


def test_the_visits_page_links_to_the_form(client: FlaskClient, world: dict[str, Any]) -> None:
    html = html_of(client, world["page"])
    assert f'href="{world["page"]}/symptoms"' in html


def test_answers_are_sent_then_the_answer_page_follows_a_redirect(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    form = f"{world['page']}/symptoms"
    response = post_form(client, form, form, fatigue="mild", temperature_c="36.8")
    assert response.status_code == 303
    report_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"] == f"{form}/{report_id}"
    record = stored(app, report_id)
    assert (record.source, record.urgency, record.patient_id) == ("web", "green", world["patient"])
    assert record.answers == {"temperature_c": 36.8, "fatigue": "mild"}
    html = html_of(client, response.headers["Location"])
    assert "<h1>Thank you</h1>" in html
    assert "Your study team will look at them." in html
    assert count_reports(app) == 1


def test_chest_pain_shows_the_emergency_answer_first_in_an_alert(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    set_site(app, urgent_phone="+86 21 5555 0199")
    form = f"{world['page']}/symptoms"
    response = post_form(client, form, form, chest_pain="yes", fatigue="mild")
    html = html_of(client, response.headers["Location"])
    main = html[html.index("<main") :]
    alert = main[main.index('role="alert"') : main.index("</div>")]
    assert main.index('role="alert"') < main.index("<h1>")
    assert "<h1>Call 120 now</h1>" in alert
    assert "This may be an emergency. Call 120 now." in alert
    assert "Then call our 24-hour phone: +86 21 5555 0199." in alert
    assert 'href="tel:120"' in alert
    assert 'href="tel:+86 21 5555 0199"' in alert


def test_a_red_answer_says_the_team_will_call_within_the_hour(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    form = f"{world['page']}/symptoms"
    response = post_form(client, form, form, blood_in_stool="yes")
    text = words(html_of(client, response.headers["Location"]))
    assert "Your study team will call you within the hour." in text
    assert "If you feel worse, call 120 now." in text


def test_an_amber_answer_says_the_team_will_look_today(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    form = f"{world['page']}/symptoms"
    response = post_form(client, form, form, new_cough="yes")
    text = words(html_of(client, response.headers["Location"]))
    assert "Your study team will look at them today." in text
    assert "In an emergency, call 120." in text


def test_the_answer_page_speaks_chinese_for_a_chinese_speaking_patient(
    client: FlaskClient, make_staff: Any, bearer: Any
) -> None:
    enrolled = enrol(client, bearer(make_staff()), -10, language="zh")
    form = f"{path_of(enrolled['patient_page_url'])}/symptoms"
    response = post_form(client, form, form, chest_pain="yes")
    html = html_of(client, response.headers["Location"])
    assert '<html lang="zh-Hans">' in html
    assert "120" in html


def test_an_answer_out_of_range_comes_back_with_400_named_next_to_the_question(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    form = f"{world['page']}/symptoms"
    response = post_form(
        client, form, form, temperature_c="50", chest_pain="no", other="Tired after the walk."
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        '<p class="field-error" id="temperature_c-error">'
        "Write a number from 30 to 45, like 37.5.</p>" in html
    )
    assert re.search(
        r'id="temperature_c"[^>]*value="50"\s+aria-describedby="temperature_c-hint '
        r'temperature_c-unit temperature_c-error" aria-invalid="true"',
        html,
    )
    assert 'value="no"\n             checked' in html  # the other answers are kept
    assert "Tired after the walk." in html
    assert 'href="#temperature_c"' in html
    assert count_reports(app) == 0


def test_a_form_with_no_answer_asks_for_one(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    form = f"{world['page']}/symptoms"
    response = post_form(client, form, form)
    assert response.status_code == 400
    assert "Answer at least one question before you send." in response.get_data(as_text=True)
    assert count_reports(app) == 0


def test_the_form_needs_its_csrf_token(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = client.post(f"{world['page']}/symptoms", data={"chest_pain": "yes"})
    assert response.status_code == 400
    assert count_reports(app) == 0


def test_another_patient_s_answer_page_is_not_found(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    theirs = report(app, world["patient_elsewhere"], EMERGENCY)
    assert client.get(f"{world['page']}/symptoms/{theirs}").status_code == 404


def test_a_replaced_page_link_cannot_send_symptoms(
    app: Flask, client: FlaskClient, world: dict[str, Any], bearer: Any
) -> None:
    form = f"{world['page']}/symptoms"
    token = csrf_token_from(client.get(form).data)
    response = client.post(
        f"/api/v1/patients/{world['patient']}/page-link", headers=bearer(world["coordinator"])
    )
    assert response.status_code in (200, 201)
    assert client.get(form).status_code == 410
    assert client.post(form, data={"csrf_token": token, "chest_pain": "yes"}).status_code == 410
    assert count_reports(app) == 0


def test_the_patient_pages_never_name_the_disease_the_drugs_or_the_trial(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    form = f"{world['page']}/symptoms"
    for language in ("en", "zh"):
        text = visible_text(html_of(client, f"{form}?lang={language}"))
        sent = post_form(client, form, form, chest_pain="yes").headers["Location"]
        text += visible_text(html_of(client, sent))
        for word in FORBIDDEN_WORDS:
            assert word not in text, (language, word)


# ---------- Headers ----------


def test_the_new_pages_send_the_security_headers(
    app: Flask, client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    report_id = report(app, signed_in["patient"], EMERGENCY)
    form = f"{signed_in['page']}/symptoms"
    sent = post_form(client, form, form, chest_pain="yes")
    assert_secured(form, sent)
    for path in (
        QUEUE,
        f"{QUEUE}?status=resolved",
        f"/staff/symptoms/{report_id}",
        form,
        sent.headers["Location"],
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_secured(path, response)
    acknowledged = post_form(
        client, f"/staff/symptoms/{report_id}", f"/staff/symptoms/{report_id}/acknowledge"
    )
    assert_secured("/staff/symptoms/acknowledge", acknowledged)
