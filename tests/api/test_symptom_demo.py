"""The demo data shows symptom reports working: a mid-treatment patient's reports from green to
an open red, and another patient's emergency text minutes ago, first in the queue."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from companion.db import db
from companion.demo import DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD
from companion.messaging.models import SENT, InboundMessage, OutboundMessage
from companion.symptoms.models import SymptomReport
from companion.timestamps import utcnow


@pytest.fixture
def demo(app: Flask, clean_database: None) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "/staff/symptoms" in result.output


def test_the_demo_patients_have_reports_from_green_to_an_open_red_and_a_texted_emergency(
    app: Flask, demo: None
) -> None:
    with app.app_context():
        reports = db.session.scalars(select(SymptomReport).order_by(SymptomReport.submitted_at))
        shown = [(r.patient_id, r.source, r.urgency, r.status) for r in reports]
    zhao, chen = shown[0][0], shown[-1][0]
    assert shown == [
        (zhao, "web", "green", "resolved"),
        (zhao, "web", "amber", "resolved"),
        (zhao, "web", "red", "open"),
        (chen, "sms", "emergency", "open"),
    ]


def test_the_demo_queue_shows_the_emergency_first_and_its_alerts_were_sent(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    token = client.post(
        "/api/v1/auth/token",
        json={"email": DEMO_COORDINATOR_EMAIL, "password": DEMO_COORDINATOR_PASSWORD},
    ).get_json()["access_token"]
    queue = client.get(
        "/api/v1/symptom-reports", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert [report["urgency"] for report in queue] == ["emergency", "red"]
    assert queue[0]["answers"] == {"other": "胸口痛，喘不上气"}
    assert all(report["on_call_alert"] == "queued" for report in queue)
    with app.app_context():
        alerts = db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.kind == "urgent_alert")
        ).all()
        texts_in = db.session.scalars(
            select(InboundMessage.handled_as).order_by(InboundMessage.received_at)
        ).all()
    assert [(alert.to_e164, alert.status) for alert in alerts] == [("+8613700137000", SENT)] * 2
    assert all(alert.sent_at < utcnow() for alert in alerts)
    assert texts_in == ["confirm", *["chat"] * 4, "help", "symptom"]
