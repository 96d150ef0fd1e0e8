"""Staff pages through HTTP: sign-in and sign-out, the leads workflow, the audit view.

Leads are made the way patients make them (a finished pre-screen and contact details); staff come
from the `make_staff` fixture, at SITE01 unless a test needs a second site.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.access.models import StaffUser
from companion.access.service import change_staff
from companion.audit.models import AuditEvent
from companion.db import db
from companion.prescreen.models import Lead, LeadContactAttempt
from companion.timestamps import utcnow
from tests.api.conftest import new_lead as shared_new_lead
from tests.conftest import STAFF_PASSWORD, csrf_token_from

LOGIN = "/staff/login"
LEADS = "/staff/leads"
AUDIT = "/staff/audit"
COOKIE = "staff_session"
GENERIC_FAILURE = "Wrong email or password, or the account is disabled."


def lead_url(lead_id: int, suffix: str = "") -> str:
    return f"{LEADS}/{lead_id}{suffix}"


def new_lead(
    app: Flask, client: FlaskClient, name: str = "Ada Lovelace", site: str = "SITE01"
) -> int:
    """A lead who asked to be called in Chinese, in the evening."""
    return shared_new_lead(app, client, name, site, language="zh", best_time_to_call="evening")


def sign_in(
    client: FlaskClient, email: str, password: str = STAFF_PASSWORD, **extra: str
) -> FlaskClient:
    token = csrf_token_from(client.get(LOGIN).data)
    return client.post(
        LOGIN, data={"csrf_token": token, "email": email, "password": password, **extra}
    )


def form_token(client: FlaskClient, path: str) -> str:
    return csrf_token_from(client.get(path).data)


def post_form(client: FlaskClient, path: str, page: str, **fields: str):
    """Submit a form of `page` to `path`, as a browser would (with the page's CSRF token)."""
    return client.post(path, data={"csrf_token": form_token(client, page), **fields})


def stored(app: Flask, lead_id: int) -> tuple[str, int]:
    """(status, contact attempts) of a lead as the database holds it."""
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        return lead.status, db.session.scalar(
            select(func.count()).where(LeadContactAttempt.lead_id == lead_id)
        )


def set_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))


@pytest.fixture
def coordinator(make_staff) -> str:
    return make_staff("coordinator")


@pytest.fixture
def signed_in(client: FlaskClient, coordinator: str) -> FlaskClient:
    assert sign_in(client, coordinator).status_code == 303
    return client


# ---------- Signing in ----------


def test_signing_in_sets_a_session_cookie_and_opens_the_leads_list(
    client: FlaskClient, coordinator: str
) -> None:
    response = sign_in(client, coordinator)
    assert response.status_code == 303
    assert response.headers["Location"] == LEADS
    cookie = set_cookie_header(response)
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=28800"):
        assert attribute in cookie
    assert "Secure" not in cookie  # SESSION_COOKIE_SECURE is off for plain-HTTP tests
    assert client.get(LEADS).status_code == 200


def test_with_secure_cookies_the_session_cookie_is_host_prefixed_and_secure(
    app: Flask, client: FlaskClient, coordinator: str
) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        page = client.get(LOGIN, base_url="https://localhost")
        response = client.post(
            LOGIN,
            base_url="https://localhost",
            headers={"Referer": f"https://localhost{LOGIN}"},  # Flask-WTF checks it on HTTPS
            data={
                "csrf_token": csrf_token_from(page.data),
                "email": coordinator,
                "password": STAFF_PASSWORD,
            },
        )
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert response.status_code == 303
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-staff_session=")
    )
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


def test_signing_in_returns_to_the_staff_page_that_was_asked_for(
    client: FlaskClient, coordinator: str
) -> None:
    first = client.get(f"{AUDIT}?entity_type=lead")
    assert first.status_code == 302
    next_path = parse_qs(urlsplit(first.headers["Location"]).query)["next"][0]
    assert next_path == f"{AUDIT}?entity_type=lead"
    response = sign_in(client, coordinator, next=next_path)
    assert response.headers["Location"] == f"{AUDIT}?entity_type=lead"


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/staff/leads",
        "//evil.example/staff/leads",
        "/\\evil.example/staff",
        "/prescreen",
        "/staffroom",
        "/staff/../prescreen",
        "javascript:alert(1)",
    ],
)
def test_sign_in_never_sends_anyone_off_the_staff_pages(
    client: FlaskClient, coordinator: str, next_path: str
) -> None:
    assert sign_in(client, coordinator, next=next_path).headers["Location"] == LEADS


def test_a_wrong_password_shows_the_generic_message_with_401(
    client: FlaskClient, coordinator: str
) -> None:
    response = sign_in(client, coordinator, "not the password")
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert not any(h.startswith(COOKIE) for h in response.headers.getlist("Set-Cookie"))
    assert client.get(LEADS).status_code == 302


def test_an_unknown_email_gets_the_same_message(client: FlaskClient) -> None:
    response = sign_in(client, "nobody@site01.example.org")
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_a_waiting_account_gets_the_wait_even_with_the_right_password(
    client: FlaskClient, coordinator: str
) -> None:
    for _ in range(6):
        assert sign_in(client, coordinator, "not the password").status_code == 401
    response = sign_in(client, coordinator)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in" in response.get_data(as_text=True)
    assert not any(h.startswith(COOKIE) for h in response.headers.getlist("Set-Cookie"))


def test_a_disabled_account_cannot_sign_in(
    app: Flask, client: FlaskClient, coordinator: str
) -> None:
    disable(app, coordinator)
    response = sign_in(client, coordinator)
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_an_empty_form_asks_for_the_missing_fields_with_400(client: FlaskClient) -> None:
    response = sign_in(client, "", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address." in page
    assert "Enter your password." in page


def test_signing_in_without_the_csrf_token_is_refused(
    client: FlaskClient, coordinator: str
) -> None:
    client.get(LOGIN)
    response = client.post(LOGIN, data={"email": coordinator, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert not any(h.startswith(COOKIE) for h in response.headers.getlist("Set-Cookie"))


def test_the_sign_in_page_speaks_chinese(client: FlaskClient) -> None:
    page = client.get(f"{LOGIN}?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "登录" in page


# ---------- Signed out, signing out, disabled ----------


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(f"{LEADS}?status=new")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == LOGIN
    assert parse_qs(location.query)["next"] == [f"{LEADS}?status=new"]


def test_signing_out_ends_the_session_at_once_even_for_a_kept_copy_of_the_cookie(
    signed_in: FlaskClient,
) -> None:
    kept = signed_in.get_cookie(COOKIE).value
    response = post_form(signed_in, "/staff/logout", LEADS)
    assert response.status_code == 303
    assert response.headers["Location"] == LOGIN
    assert "Max-Age=0" in set_cookie_header(response) or "Expires=Thu, 01 Jan 1970" in (
        set_cookie_header(response)
    )
    assert "You are signed out." in signed_in.get(LOGIN).get_data(as_text=True)
    signed_in.set_cookie(COOKIE, kept)
    assert signed_in.get(LEADS).status_code == 302


def test_signing_out_needs_the_csrf_token(signed_in: FlaskClient) -> None:
    assert signed_in.post("/staff/logout").status_code == 400
    assert signed_in.get(LEADS).status_code == 200


def disable(app: Flask, email: str) -> None:
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        change_staff(db.session, user, role=None, is_active=False, now=utcnow())
        db.session.commit()


def test_a_disabled_account_s_cookie_stops_working_at_once(
    app: Flask, signed_in: FlaskClient, coordinator: str
) -> None:
    assert signed_in.get(LEADS).status_code == 200
    disable(app, coordinator)
    assert signed_in.get(LEADS).status_code == 302


def test_a_second_sign_in_retires_the_first_session_cookie(
    signed_in: FlaskClient, coordinator: str
) -> None:
    first = signed_in.get_cookie(COOKIE).value
    post_form(signed_in, LOGIN, LEADS, email=coordinator, password=STAFF_PASSWORD)
    assert signed_in.get_cookie(COOKIE).value != first
    signed_in.set_cookie(COOKIE, first)
    assert signed_in.get(LEADS).status_code == 302


# ---------- The page around every staff page ----------


def test_the_header_names_the_staff_member_and_site_and_offers_sign_out(
    signed_in: FlaskClient, coordinator: str
) -> None:
    page = signed_in.get(LEADS).get_data(as_text=True)
    assert f"Signed in as {coordinator} at SITE01" in page
    assert 'action="/staff/logout"' in page
    assert 'href="/staff/leads?lang=zh"' in page


def test_staff_pages_are_never_cached(signed_in: FlaskClient) -> None:
    for path in (LOGIN, LEADS, AUDIT):
        assert signed_in.get(path).headers["Cache-Control"] == "no-store"


def test_the_language_switch_keeps_the_filter(signed_in: FlaskClient) -> None:
    page = signed_in.get(f"{LEADS}?status=new").get_data(as_text=True)
    assert 'href="/staff/leads?status=new&amp;lang=zh"' in page


# ---------- Leads ----------


def test_the_leads_list_shows_the_site_s_leads_oldest_first(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    new_lead(app, client, "First Person")
    new_lead(app, client, "Second Person")
    new_lead(app, client, "Elsewhere Person", site="SITE02")
    page = signed_in.get(LEADS).get_data(as_text=True)
    assert page.index("First Person") < page.index("Second Person")
    assert "Elsewhere Person" not in page


def test_the_leads_list_filters_by_status(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    called = new_lead(app, client, "Called Person")
    new_lead(app, client, "Waiting Person")
    post_form(signed_in, lead_url(called, "/attempts"), lead_url(called), outcome="no_answer")
    contacted = signed_in.get(f"{LEADS}?status=contacted").get_data(as_text=True)
    fresh = signed_in.get(f"{LEADS}?status=new").get_data(as_text=True)
    assert "Called Person" in contacted
    assert "Waiting Person" not in contacted
    assert "Waiting Person" in fresh
    assert "Called Person" not in fresh


def test_an_unknown_status_filter_is_400(signed_in: FlaskClient) -> None:
    assert signed_in.get(f"{LEADS}?status=lost").status_code == 400


def test_a_lead_page_shows_contact_details_result_and_answers(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    page = signed_in.get(lead_url(lead_id)).get_data(as_text=True)
    for text in ("Ada Lovelace", "+8613800138000", "中文", "Evening", "May fit"):
        assert text in page
    assert "Where did your melanoma first start?" in page


def test_another_site_s_lead_is_404(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    elsewhere = new_lead(app, client, site="SITE02")
    response = signed_in.get(lead_url(elsewhere))
    assert response.status_code == 404
    assert "Ada Lovelace" not in response.get_data(as_text=True)
    token = form_token(signed_in, LEADS)
    attempt = signed_in.post(
        lead_url(elsewhere, "/attempts"), data={"csrf_token": token, "outcome": "reached"}
    )
    change = signed_in.post(
        lead_url(elsewhere, "/status"),
        data={"csrf_token": token, "status": "declined", "reason": "x"},
    )
    assert (attempt.status_code, change.status_code) == (404, 404)
    assert stored(app, elsewhere) == ("new", 0)


def test_a_missing_lead_is_404(signed_in: FlaskClient) -> None:
    assert signed_in.get(lead_url(999_999)).status_code == 404


def test_logging_an_attempt_changes_the_lead_and_comes_back_to_it(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    response = post_form(
        signed_in,
        lead_url(lead_id, "/attempts"),
        lead_url(lead_id),
        outcome="left_message",
        note="Try after six",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == lead_url(lead_id)
    assert stored(app, lead_id) == ("contacted", 1)
    page = signed_in.get(lead_url(lead_id)).get_data(as_text=True)
    assert "The contact attempt is logged." in page
    assert "Try after six" in page


def test_an_attempt_without_an_outcome_is_shown_again_with_an_error(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    response = post_form(signed_in, lead_url(lead_id, "/attempts"), lead_url(lead_id), note="kept")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "error-summary" in page
    assert "Choose what happened on the call." in page
    assert ">kept</textarea>" in page
    assert stored(app, lead_id) == ("new", 0)


def test_a_workflow_form_without_its_csrf_token_is_refused(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    response = signed_in.post(lead_url(lead_id, "/attempts"), data={"outcome": "reached"})
    assert response.status_code == 400
    assert stored(app, lead_id) == ("new", 0)


def test_changing_the_status_with_a_reason_changes_the_lead(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    response = post_form(
        signed_in,
        lead_url(lead_id, "/status"),
        lead_url(lead_id),
        status="declined",
        reason="Lives too far from the site",
    )
    assert response.status_code == 303
    assert stored(app, lead_id) == ("declined", 0)
    page = signed_in.get(lead_url(lead_id)).get_data(as_text=True)
    assert "The status is changed." in page
    assert "This lead is closed." in page
    assert 'name="status"' not in page


def test_a_status_that_needs_a_reason_is_refused_without_one(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    response = post_form(
        signed_in, lead_url(lead_id, "/status"), lead_url(lead_id), status="not_eligible"
    )
    assert response.status_code == 400
    assert "Give a reason for this status." in response.get_data(as_text=True)
    assert stored(app, lead_id) == ("new", 0)


def test_a_status_the_workflow_does_not_offer_is_refused(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    page = signed_in.get(lead_url(lead_id)).get_data(as_text=True)
    assert 'value="enrolled"' not in page
    response = post_form(
        signed_in,
        lead_url(lead_id, "/status"),
        lead_url(lead_id),
        status="enrolled",
        reason="skip ahead",
    )
    assert response.status_code == 400
    assert "Choose one of the statuses on offer." in response.get_data(as_text=True)
    assert stored(app, lead_id) == ("new", 0)


def test_after_three_unanswered_calls_only_reaching_the_person_can_be_logged(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    for _ in range(3):
        post_form(signed_in, lead_url(lead_id, "/attempts"), lead_url(lead_id), outcome="no_answer")
    page = signed_in.get(lead_url(lead_id)).get_data(as_text=True)
    assert 'value="reached"' in page
    assert 'value="no_answer"' not in page
    assert 'value="could_not_reach"' in page


def test_the_language_switch_of_a_form_error_page_leads_to_the_lead_page(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    lead_id = new_lead(app, client)
    response = post_form(signed_in, lead_url(lead_id, "/attempts"), lead_url(lead_id))
    assert f'href="{lead_url(lead_id)}?lang=zh"' in response.get_data(as_text=True)


# ---------- Audit trail ----------


@pytest.fixture
def worked_lead(app: Flask, client: FlaskClient, signed_in: FlaskClient) -> int:
    """A lead called once and then declined, with a reason, by the signed-in coordinator."""
    lead_id = new_lead(app, client)
    post_form(signed_in, lead_url(lead_id, "/attempts"), lead_url(lead_id), outcome="reached")
    post_form(
        signed_in,
        lead_url(lead_id, "/status"),
        lead_url(lead_id),
        status="declined",
        reason="Does not want surgery",
    )
    return lead_id


def test_the_audit_view_shows_who_changed_a_lead_and_why(
    signed_in: FlaskClient, coordinator: str, worked_lead: int
) -> None:
    page = signed_in.get(f"{AUDIT}?entity_type=lead&entity_id={worked_lead}").get_data(as_text=True)
    assert coordinator in page
    assert "declined" in page
    assert "Does not want surgery" in page
    assert "Ada Lovelace" not in page  # names are masked in the trail


def test_the_audit_view_lists_newest_first(
    app: Flask, signed_in: FlaskClient, worked_lead: int
) -> None:
    with app.app_context():
        ids = db.session.scalars(
            select(AuditEvent.id).where(AuditEvent.entity_type == "lead").order_by(AuditEvent.id)
        ).all()
    page = signed_in.get(f"{AUDIT}?entity_type=lead").get_data(as_text=True)
    assert len(ids) >= 2
    assert page.index("declined") < page.index("Created")


def test_the_audit_view_shows_only_the_site_s_events(
    app: Flask, client: FlaskClient, signed_in: FlaskClient
) -> None:
    elsewhere = new_lead(app, client, site="SITE02")
    page = signed_in.get(f"{AUDIT}?entity_type=lead").get_data(as_text=True)
    assert f'href="{lead_url(elsewhere)}"' not in page
    assert "Nothing has been recorded yet." in page or "No events match." in page


def test_a_record_number_that_is_not_a_number_is_400_with_an_error(
    signed_in: FlaskClient,
) -> None:
    response = signed_in.get(f"{AUDIT}?entity_id=twelve")
    assert response.status_code == 400
    assert "A record number is a whole number" in response.get_data(as_text=True)


def test_an_unknown_kind_of_record_is_400(signed_in: FlaskClient) -> None:
    assert signed_in.get(f"{AUDIT}?entity_type=everything").status_code == 400
