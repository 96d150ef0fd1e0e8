"""What the chat's API tests share: a site ready for texts, two enrolled patients (English and
Chinese), and a client that calls Twilio's signed webhooks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_symptom_sms import PHONE, SITE_LABEL, ZH_PHONE
from tests.enrolments import enrol
from tests.signed_webhooks import AUTH_TOKEN
from tests.symptom_reports import ON_CALL_PHONE, URGENT_PHONE, configure_site


@pytest.fixture
def coordinator(
    make_staff: Callable[..., str], bearer: Callable[..., dict[str, str]]
) -> dict[str, str]:
    return bearer(make_staff("coordinator", "SITE01"))


@pytest.fixture
def twilio(another_app: Callable[..., Flask], client: FlaskClient) -> FlaskClient:
    """A client that calls the webhooks of an app that knows the Twilio auth token."""
    return another_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=None).test_client()


@pytest.fixture
def site_ready(app: Flask, coordinator: dict[str, str]) -> None:
    configure_site(
        app,
        on_call_phone=ON_CALL_PHONE,
        urgent_phone=URGENT_PHONE,
        sms_sender_label=SITE_LABEL,
        phone="+86 21 5555 0100",
    )


@pytest.fixture
def patient_id(client: FlaskClient, coordinator: dict[str, str], site_ready: None) -> int:
    return enrol(client, coordinator, phone=PHONE)["patient_id"]


@pytest.fixture
def zh_patient_id(client: FlaskClient, coordinator: dict[str, str], site_ready: None) -> int:
    return enrol(client, coordinator, phone=ZH_PHONE, language="zh")["patient_id"]
