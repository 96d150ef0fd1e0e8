"""What the enrolment and calendar API takes and gives (marshmallow; also the OpenAPI document).

Request bodies name only what staff may set; any other key is refused with 400. Every day taken
in falls in the service's date window (`companion.form_values`).
"""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from companion.form_values import WindowDate
from companion.i18n import SUPPORTED_LANGUAGES
from schedules import available_protocols
from schedules.attention import STATUSES, WARNINGS

STRICT_BOOLEAN = {"truthy": {True}, "falsy": {False}}


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class NewEnrollment(Schema):
    trial_id = fields.String(required=True, validate=validate.OneOf(available_protocols()))
    phone = fields.String(
        validate=validate.Length(min=3, max=32),
        metadata={"description": "Mobile number, E.164 (+8613800138000) or national."},
    )
    language = fields.String(validate=validate.OneOf(SUPPORTED_LANGUAGES))
    timezone = fields.String(
        required=True, metadata={"description": "IANA time zone, e.g. Asia/Shanghai."}
    )
    anchor_date = WindowDate(
        required=True, metadata={"description": "Planned first treatment day (cycle 1 day 1)."}
    )
    sms_consent = fields.Boolean(
        required=True,
        **STRICT_BOOLEAN,
        metadata={"description": "The patient agreed to text message reminders."},
    )
    name = fields.String(validate=validate.Length(min=1, max=200))
    cycles = fields.Integer(
        metadata={"description": "Treatment cycles before the operation (the protocol's range)."}
    )
    lead_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The pre-screen lead being enrolled; fills phone, language."},
    )

    @validates("timezone")
    def _known_zone(self, value: str, **_: Any) -> None:
        if value not in _time_zones():
            raise ValidationError("Use an IANA time zone name such as Asia/Shanghai.")

    @validates_schema
    def _contact_from_body_or_lead(self, data: dict[str, Any], **_: Any) -> None:
        if "lead_id" in data:
            return
        missing = {
            field: ["Required unless lead_id is given."]
            for field in ("phone", "language")
            if field not in data
        }
        if missing:
            raise ValidationError(missing)


class Visit(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    key = fields.String(metadata={"description": "The protocol's visit, e.g. c2d1."})
    name = fields.String()
    date = fields.Date(metadata={"description": "The day it is booked for."})
    window_start = fields.Date()
    window_end = fields.Date()
    status = fields.String(metadata={"description": ", ".join(STATUSES)})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String(metadata={"description": "clinic or phone"})
    cycle = fields.Integer(allow_none=True)
    activities = fields.List(fields.String())
    preparation = fields.List(fields.String())
    done_on = fields.Date(allow_none=True)
    rescheduled = fields.Boolean()
    moved_from_closed_day = fields.Date(allow_none=True)
    sequence = fields.Integer(metadata={"description": "Grows each time the visit changes."})
    warnings = fields.List(fields.String(), metadata={"description": ", ".join(WARNINGS)})


class Enrollment(Schema):
    patient_id = fields.Integer()
    calendar_url = fields.String(metadata={"description": "The patient's .ics feed."})
    patient_page_url = fields.String(metadata={"description": "The patient's own visits page."})
    visits = fields.List(fields.Nested(Visit))


class Patient(Schema):
    id = fields.Integer()
    trial_id = fields.String()
    protocol_version = fields.String()
    name = fields.String(allow_none=True)
    phone = fields.String()
    language = fields.String()
    timezone = fields.String()
    sms_consent = fields.Boolean()
    sms_consent_at = fields.DateTime(allow_none=True)
    anchor_date = fields.Date()
    cycles = fields.Integer()
    lead_id = fields.Integer(allow_none=True)
    enrolled_at = fields.DateTime()


class VisitChange(Visit):
    visits = fields.List(
        fields.Nested(Visit),
        metadata={"description": "This visit and every visit that moved with it."},
    )


class VisitReschedule(Schema):
    date = WindowDate(required=True)
    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "Why; kept in the audit trail."},
    )


class VisitStatusChange(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    date = WindowDate(
        load_default=None, metadata={"description": "The day it took place (for done)."}
    )
    reason = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "Required except for done; kept in the audit trail."},
    )


class VisitsQuery(Schema):
    start = WindowDate(
        data_key="from",
        metadata={"description": "First day (YYYY-MM-DD); today at the site when left out."},
    )
    days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=31))


class PatientLinkOut(Schema):
    url = fields.String()


class ClosedDay(Schema):
    id = fields.Integer(dump_only=True)
    day = WindowDate(required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


class InjectionDay(Schema):
    day = fields.Date()
    planned = fields.Boolean(
        metadata={"description": "A dose day of the plan (false: recorded, then dropped from it)."}
    )
    outcome = fields.String(allow_none=True, metadata={"description": "taken, missed, reaction"})
    note = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
