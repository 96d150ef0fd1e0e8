"""Only people who run the service create sites; a pre-screen names a site that exists, or none.

Security review finding 1: a stranger could create any number of sites (markup in their codes,
codes longer than the column, a code claimed before its admin exists) by naming one when
starting a pre-screen. Now an unknown code is a 400 naming `site`, and nothing is stored.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from companion.db import db
from companion.errors import InvalidInput
from companion.prescreen.models import PrescreenSession
from companion.sites.models import Site
from companion.sites.service import site_by_code
from tests.api.conftest import SESSIONS
from tests.conftest import csrf_token_from

HOSTILE_CODES = ["NEWSITE", "<b>x</b>", "S" * 33, "SITE01 ", "site01"]


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        sites = db.session.scalar(select(func.count()).select_from(Site))
        sessions = db.session.scalar(select(func.count()).select_from(PrescreenSession))
        return sites, sessions


@pytest.fixture
def existing_sites(app: Flask) -> None:
    with app.app_context():
        site_by_code(db.session, "SITE01", create_with_name="Site 1")
        site_by_code(db.session, "SITE02", create_with_name="Site 2")
        db.session.commit()


@pytest.mark.usefixtures("existing_sites")
@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_an_api_pre_screen_for_an_unknown_site_is_refused_and_creates_nothing(
    client: FlaskClient, app: Flask, code: str
) -> None:
    before = counts(app)
    response = client.post(SESSIONS, json={"language": "en", "site": code})
    assert response.status_code == 400
    assert "site" in response.get_json()["errors"]["json"]
    assert counts(app) == before


@pytest.mark.usefixtures("existing_sites")
@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_a_web_pre_screen_for_an_unknown_site_is_refused_and_creates_nothing(
    client: FlaskClient, app: Flask, code: str
) -> None:
    token = csrf_token_from(client.get("/").data)
    before = counts(app)
    response = client.post("/prescreen", data={"csrf_token": token, "site": code})
    assert response.status_code == 400
    assert response.mimetype == "text/html"  # the error page, in the person's language
    assert counts(app) == before


@pytest.mark.usefixtures("existing_sites")
def test_a_pre_screen_for_a_site_that_exists_belongs_to_it(client: FlaskClient, app: Flask) -> None:
    assert client.post(SESSIONS, json={"language": "en", "site": "SITE02"}).status_code == 201
    with app.app_context():
        session = db.session.scalars(select(PrescreenSession)).one()
        assert db.session.get(Site, session.site_id).code == "SITE02"


def test_a_pre_screen_without_a_site_goes_to_the_default_site_made_on_first_use(
    client: FlaskClient, app: Flask
) -> None:
    assert counts(app) == (0, 0)
    assert client.post(SESSIONS, json={"language": "en"}).status_code == 201
    token = csrf_token_from(client.get("/").data)
    assert client.post("/prescreen", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        (site,) = db.session.scalars(select(Site))
        assert site.code == app.config["DEFAULT_SITE_CODE"]
        sessions = db.session.scalars(select(PrescreenSession)).all()
        assert [s.site_id for s in sessions] == [site.id, site.id]


def test_a_site_code_that_could_not_be_a_code_is_never_created(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(InvalidInput, match="site: use 1 to 32 letters"):
            site_by_code(db.session, "S" * 33, create_with_name="too long")
        assert db.session.scalar(select(func.count()).select_from(Site)) == 0
