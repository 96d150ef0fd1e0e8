"""What the site settings API takes and gives."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate, validates

from companion.phones import PhoneNumberError, to_e164

WEEKDAYS = "0 Monday, 1 Tuesday, 2 Wednesday, 3 Thursday, 4 Friday, 5 Saturday, 6 Sunday"


class SiteOut(Schema):
    code = fields.String()
    name = fields.String()
    timezone = fields.String()
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    sms_sender_label = fields.String(allow_none=True)
    closed_weekdays = fields.List(fields.Integer(), metadata={"description": WEEKDAYS})


class SiteChange(Schema):
    """What an admin may change; patients see address, phone and email in invites."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    timezone = fields.String(metadata={"description": "IANA time zone, e.g. Asia/Shanghai."})
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    sms_sender_label = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=24),
        metadata={"description": 'Texts start "Study team at <label>:"; keep it neutral.'},
    )
    closed_weekdays = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=6)),
        validate=validate.Length(max=6),
        metadata={"description": f"Days of the week without visits: {WEEKDAYS}."},
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "Why; kept in the audit trail."},
    )

    @validates("phone")
    def _dialable(self, value: str | None, **_: Any) -> None:
        if value is not None:
            try:
                to_e164(value, "ZZ")
            except PhoneNumberError as error:
                raise ValidationError(
                    "Give the number with its country code, e.g. +86 21 5555 0100."
                ) from error

    @validates("timezone")
    def _known_zone(self, value: str, **_: Any) -> None:
        if value not in available_timezones():
            raise ValidationError("Use an IANA time zone name such as Asia/Shanghai.")
