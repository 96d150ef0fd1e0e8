"""Every flow of the service walked once with canary values, through the real routes, the real
dispatcher and the Twilio stand-in, with everything the outside world gets to see collected:
log records, error responses, the texts Twilio was asked to send and the calendars served.

The test module runs it once per database run and asserts on what it collected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from companion.chat.models import WEB, Conversation
from companion.db import db
from companion.messaging.backends import backend_from_config
from companion.messaging.dispatcher import dispatch_once
from companion.messaging.models import PENDING, OutboundMessage
from companion.prescreen.models import Lead, PrescreenSession
from companion.timestamps import utcnow
from tests.api.chat.test_chat_api import WebChat, answer_all
from tests.api.test_prescreen_pages import answer_all as answer_questionnaire
from tests.api.test_prescreen_pages import start as start_questionnaire
from tests.api.test_symptom_sms import twiml_text
from tests.conftest import STAFF_PASSWORD, csrf_token_from
from tests.enrolments import enrol, path_of
from tests.privacy.canaries import Canary, e164, name, phone, text
from tests.profiles import eligible_patient
from tests.signed_webhooks import new_sid, post_signed
from tests.staff_session import sign_in
from tests.symptom_reports import ON_CALL_PHONE, URGENT_PHONE, configure_site, submit
from tests.twilio_standin import AUTH_TOKEN as STANDIN_TOKEN
from tests.twilio_standin import StandinControl
from tests.unit.test_chat_dialogue import HOPEFUL_EN

COORDINATOR = "canary-coordinator@site01.example.org"

# Leads: purged LEAD_RETENTION_DAYS after their last change unless enrolled.
WEB_LEAD_NAME = name("web lead name", "Canaryqw Zhou")
WEB_LEAD_PHONE = phone("web lead phone", "+86 139 8765 4301")
CHAT_LEAD_NAME = name("chat lead name", "Canaryxq Lin")
CHAT_LEAD_PHONE = phone("chat lead phone", "139 8765 4302")
LEAD_NOTE = text("staff note on a lead", "canary-leadnote-qx left a voicemail with her son")
# Every personal value above is encrypted at rest; this one is written in clear, straight into a
# plain column of rows the purge deletes, so that the byte search is shown to find what is there.
PLAIN_CONTROL = text("plain-text control", "canary-plaincontrol-zt in a plain column")
# The web chat of someone we do not know: purged once it lapses.
WEB_CHAT_TEXT = text("web chat text", "canary-webchat-vz hello, is this the study?")
STAFF_WEB_CHAT = text("staff web chat", "canary-staffweb-kw Hi, this is a nurse at the site")
# An enrolled patient: kept with the trial's records (encrypted at rest).
PATIENT_NAME = name("patient name", "Canaryzv Wu")
PATIENT_PHONE = phone("patient phone", "+8613987654303")
WEB_SYMPTOM = text("web form symptom", "canary-websym-jd my left hand feels numb")
STAFF_SYMPTOM = text("staff symptom", "canary-staffsym-pl patient says the ankle is swollen")
REPORT_NOTE = text("staff report note", "canary-reportnote-mf called back, resting at home")
SMS_SYMPTOM = text("texted symptom", "canary-smssym-rb I have bad chest pain since noon")
SMS_CHAT_REPLY = text("texted chat reply", "canary-smschat-hn when is my next visit please")
STAFF_SMS_CHAT = text("staff text reply", "canary-staffsms-tc see you Thursday at nine")
# Input that only ever reaches an error.
BAD_JSON = text("bad JSON", "canary-badjson-ye")
BAD_PHONE = text("bad phone", "canary-badphone-uo")
ERROR_NAME = name("name in a refused enrolment", "Canaryer Sun")
ERROR_NOTE = text("note for no lead", "canary-nolead-ai called twice, no answer")
ERROR_SYMPTOM = text("symptom for no patient", "canary-nopatient-gu dizzy at night")

PURGED = (
    PLAIN_CONTROL,
    WEB_LEAD_NAME,
    WEB_LEAD_PHONE,
    CHAT_LEAD_NAME,
    CHAT_LEAD_PHONE,
    LEAD_NOTE,
    WEB_CHAT_TEXT,
    STAFF_WEB_CHAT,
)
KEPT = (
    PATIENT_NAME,
    PATIENT_PHONE,
    WEB_SYMPTOM,
    STAFF_SYMPTOM,
    REPORT_NOTE,
    SMS_SYMPTOM,
    SMS_CHAT_REPLY,
    STAFF_SMS_CHAT,
)
ERROR_INPUT = (BAD_JSON, BAD_PHONE, ERROR_NAME, ERROR_NOTE, ERROR_SYMPTOM)
EVERY_CANARY = (*PURGED, *KEPT, *ERROR_INPUT)
# What staff write to a patient in a conversation they took over is meant to reach the patient.
SENT_BY_DESIGN = (STAFF_SMS_CHAT,)
# Loggers named explicitly (every logger that exists is turned up too).
LOUD_LOGGERS = (
    "companion",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "werkzeug",
    "gunicorn.error",
    "gunicorn.access",
    "twilio",
    "urllib3",
    "alembic",
    "flask-limiter",
)


@dataclass
class Seen:
    """What left the service during the journey, as text."""

    log_lines: list[str] = field(default_factory=list)
    error_responses: dict[str, str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)  # accepted by the Twilio stand-in
    webhook_replies: list[str] = field(default_factory=list)  # Twilio texts these back
    calendars: dict[str, str] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        """Every text message body the service had sent."""
        return [*self.sent, *self.webhook_replies]

    def calendar_fields(self) -> list[str]:
        """SUMMARY, DESCRIPTION and LOCATION of every event of every calendar served."""
        found = []
        for body in self.calendars.values():
            for event in Calendar.from_ical(body).walk("VEVENT"):
                found += [str(event.get(key, "")) for key in ("SUMMARY", "DESCRIPTION", "LOCATION")]
        return found


class RenderedRecords(logging.Handler):
    """Keeps every record as a handler would write it: message with its arguments, traceback."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(self.format(record))


@contextmanager
def every_log_record(into: list[str]) -> Iterator[RenderedRecords]:
    """Every logger at DEBUG into one root handler, put in place before the apps are built (as a
    deployment configures its handlers first), so the app's redaction covers it as it would."""
    handler = RenderedRecords(into)
    root = logging.getLogger()
    names = {*LOUD_LOGGERS, *logging.Logger.manager.loggerDict}
    loggers = [root, *(logging.getLogger(name) for name in names)]
    before = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level, disabled in before:
            logger.setLevel(level)
            logger.disabled = disabled


class Journey:
    """The flows, in an order that keeps each one possible (STOP comes last)."""

    def __init__(self, app: Flask, standin: StandinControl, seen: Seen) -> None:
        self.app = app
        self.standin = standin
        self.seen = seen
        self.public = app.test_client()
        self.staff_pages = app.test_client()
        self.api: dict[str, str] = {}
        self.ids: dict[str, int] = {}

    def walk(self) -> None:
        self.staff_signs_in()
        self.web_questionnaire_leaves_a_lead()
        self.chat_pre_screen_leaves_a_lead()
        self.staff_note_a_contact_attempt()
        self.web_chat_is_taken_over_and_answered()
        self.patient_is_enrolled_with_calendars()
        self.reminders_are_dispatched()
        self.symptoms_are_reported_by_form_and_by_staff()
        self.patient_texts_a_symptom_and_a_question()
        self.text_chat_is_taken_over_and_answered()
        self.reminders_are_dispatched()
        self.patient_texts_stop()
        self.errors_are_answered()

    # ---- staff ----

    def staff_signs_in(self) -> None:
        from companion.access.service import create_staff

        with self.app.app_context():
            create_staff(
                db.session,
                email=COORDINATOR,
                password=STAFF_PASSWORD,
                role="coordinator",
                site_code="SITE01",
            )
            db.session.commit()
        configure_site(self.app, on_call_phone=ON_CALL_PHONE, urgent_phone=URGENT_PHONE)
        token = self.public.post(
            "/api/v1/auth/token", json={"email": COORDINATOR, "password": STAFF_PASSWORD}
        ).get_json()["access_token"]
        self.api = {"Authorization": f"Bearer {token}"}
        sign_in(self.staff_pages, COORDINATOR)

    # ---- people we do not know yet ----

    def web_questionnaire_leaves_a_lead(self) -> None:
        url, csrf = start_questionnaire(self.public)
        answer_questionnaire(self.public, url, csrf, eligible_patient())
        form = {
            "csrf_token": csrf,
            "name": WEB_LEAD_NAME.value,
            "phone": WEB_LEAD_PHONE.value,
            "language": "en",
            "best_time_to_call": "evening",
            "consent": "yes",
        }
        response = self.public.post(f"{url}/contact", data=form)
        assert response.status_code == 303, response.status_code
        self.ids["web lead"] = self._newest_lead(WEB_LEAD_NAME)

    def chat_pre_screen_leaves_a_lead(self) -> None:
        chat = answer_all(WebChat(self.public).says("hello"), HOPEFUL_EN)
        chat.says("yes").says(CHAT_LEAD_NAME.value).says(CHAT_LEAD_PHONE.value).says("3")
        chat.says("yes")
        assert "The study team will contact you." in chat.text, chat.text
        self.ids["chat lead"] = self._newest_lead(CHAT_LEAD_NAME)

    def staff_note_a_contact_attempt(self) -> None:
        response = self.public.post(
            f"/api/v1/leads/{self.ids['web lead']}/contact-attempts",
            json={"outcome": "left_message", "note": LEAD_NOTE.value},
            headers=self.api,
        )
        assert response.status_code in (200, 201), response.get_json()

    def web_chat_is_taken_over_and_answered(self) -> None:
        chat = WebChat(self.public).says(WEB_CHAT_TEXT.value)
        with self.app.app_context():
            conversation = db.session.scalar(
                select(Conversation.id)
                .where(Conversation.channel == WEB)
                .order_by(Conversation.id.desc())
            )
        self.ids["web chat"] = conversation
        self._staff_writes(conversation, STAFF_WEB_CHAT.value)
        chat.says("is anyone there?")
        assert chat.replies == [STAFF_WEB_CHAT.value], chat.replies

    # ---- a patient on the study ----

    def patient_is_enrolled_with_calendars(self) -> None:
        enrolled = enrol(
            self.public, self.api, 3, phone=PATIENT_PHONE.value, name=PATIENT_NAME.value
        )
        self.ids["patient"] = enrolled["patient_id"]
        self.patient_page = path_of(enrolled["patient_page_url"])
        visit = enrolled["visits"][0]["id"]
        served = {
            "feed": path_of(enrolled["calendar_url"]),
            "all visits": f"{self.patient_page}/visits.ics",
            "patient's invite": f"{self.patient_page}/visits/{visit}.ics",
        }
        for label, path in served.items():
            self.seen.calendars[label] = self._ok(self.public.get(path))
        staff_invite = self.public.get(f"/api/v1/visits/{visit}/invite", headers=self.api)
        self.seen.calendars["staff invite"] = self._ok(staff_invite)

    def reminders_are_dispatched(self, passes: int = 40) -> None:
        """Send everything in the outbox, one dispatcher pass at each moment something is due."""
        backend = backend_from_config(self.app.config)
        for _ in range(passes):
            with self.app.app_context():
                due = db.session.scalar(
                    select(OutboundMessage.due_at)
                    .where(OutboundMessage.status == PENDING)
                    .order_by(OutboundMessage.due_at)
                    .limit(1)
                )
            if due is None:
                break
            moment = max(due, utcnow())
            self.standin.clock = lambda moment=moment: moment
            dispatch_once(self.app, backend, moment, "canary-dispatcher")
        self.seen.sent = [message.body for message in self.standin.accepted]

    def symptoms_are_reported_by_form_and_by_staff(self) -> None:
        form_page = f"{self.patient_page}/symptoms"
        csrf = csrf_token_from(self.public.get(form_page).data)
        response = self.public.post(
            form_page, data={"csrf_token": csrf, "fatigue": "mild", "other": WEB_SYMPTOM.value}
        )
        assert response.status_code == 303, response.status_code
        report = submit(
            self.public,
            self.api,
            self.ids["patient"],
            {"rash": "mild", "other": STAFF_SYMPTOM.value},
        )
        noted = self.public.post(
            f"/api/v1/symptom-reports/{report['id']}/notes",
            json={"text": REPORT_NOTE.value},
            headers=self.api,
        )
        assert noted.status_code == 201, noted.get_json()

    def patient_texts_a_symptom_and_a_question(self) -> None:
        for body in (SMS_SYMPTOM.value, SMS_CHAT_REPLY.value):
            self._text_from_patient(body)

    def text_chat_is_taken_over_and_answered(self) -> None:
        with self.app.app_context():
            conversation = db.session.scalar(
                select(Conversation.id).where(Conversation.patient_id == self.ids["patient"])
            )
        self._staff_writes(conversation, STAFF_SMS_CHAT.value)

    def patient_texts_stop(self) -> None:
        self._text_from_patient("STOP")

    # ---- errors that echo what they were given ----

    def errors_are_answered(self) -> None:
        bad_json = '{"text": "' + BAD_JSON.value + '", "language": "en"'
        self._error(
            "bad JSON to the chat",
            self.public.post("/api/v1/chat", data=bad_json, content_type="application/json"),
            400,
        )
        self._error(
            "a phone that is no phone",
            self.public.post(
                "/api/v1/enrollments",
                json={
                    "trial_id": "NCT07586904",
                    "phone": BAD_PHONE.value,
                    "name": ERROR_NAME.value,
                    "language": "en",
                    "timezone": "Asia/Shanghai",
                    "anchor_date": "2030-01-01",
                    "sms_consent": True,
                },
                headers=self.api,
            ),
            400,
        )
        self._error(
            "a note on a lead that does not exist",
            self.public.post(
                "/api/v1/leads/987654301/contact-attempts",
                json={"outcome": "no_answer", "note": ERROR_NOTE.value},
                headers=self.api,
            ),
            404,
        )
        self._error(
            "a report for a patient who does not exist",
            self.public.post(
                "/api/v1/patients/987654301/symptom-reports",
                json={"answers": {"other": ERROR_SYMPTOM.value}},
                headers=self.api,
            ),
            404,
        )

    # ---- helpers ----

    def _text_from_patient(self, body: str) -> None:
        params = {
            "MessageSid": new_sid(),
            "AccountSid": "AC" + "0" * 32,
            "From": e164(PATIENT_PHONE),
            "To": self.app.config["TWILIO_FROM_NUMBER"],
            "Body": body,
            "NumMedia": "0",
        }
        response = post_signed(self.public, "/twilio/sms", params, token=STANDIN_TOKEN)
        assert response.status_code == 200, response.get_data(as_text=True)
        reply = twiml_text(response)
        if reply:
            self.seen.webhook_replies.append(reply)

    def _staff_writes(self, conversation: int, message: str) -> None:
        csrf = csrf_token_from(self.staff_pages.get("/staff/chats").data)
        base = f"/staff/chats/{conversation}"
        for path, fields in ((f"{base}/take-over", {}), (f"{base}/write", {"text": message})):
            response = self.staff_pages.post(path, data={"csrf_token": csrf, **fields})
            assert response.status_code == 303, (path, response.status_code)

    def _newest_lead(self, canary: Canary) -> int:
        with self.app.app_context():
            lead = db.session.scalars(select(Lead).order_by(Lead.id.desc()).limit(1)).one()
            assert lead.name == canary.value
            return lead.id

    def _ok(self, response) -> str:
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def _error(self, label: str, response, status: int) -> None:
        assert response.status_code == status, (label, response.status_code)
        self.seen.error_responses[label] = response.get_data(as_text=True)


def age_purgeable_records(app: Flask, lead_ids: list[int], days: int) -> None:
    """Move the leads' last change `days` back and let every web chat lapse."""
    past = utcnow() - timedelta(days=days)
    with app.app_context():
        for lead in db.session.scalars(select(Lead).where(Lead.id.in_(lead_ids))):
            lead.created_at = past
            lead.status_changed_at = past
        for conversation in db.session.scalars(
            select(Conversation).where(Conversation.channel == WEB)
        ):
            conversation.expires_at = past
            conversation.last_message_at = past
        for session in db.session.scalars(select(PrescreenSession)):
            session.expires_at = past
        db.session.commit()


def purge_everything_due(app: Flask) -> list[str]:
    """Run every retention command of `companion/cli.py`; returns what each printed."""
    outputs = []
    for command in (["leads", "purge"], ["prescreen", "purge-expired"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    return outputs
