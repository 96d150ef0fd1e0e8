"""What the site settings API takes and gives."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from companion.phones import PhoneNumberError, can_receive_sms, to_e164
from companion.symptoms.settings import (
    DEFAULT_AMBER_RESPOND_BY,
    DEFAULT_EMERGENCY_NUMBER,
    RESPOND_WITHIN_MINUTES_URGENT_RANGE,
    symptom_settings,
    triage_rules_of,
)
from symptoms import RulesError, TriageRules, load_triage_rules

LOCAL_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
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
    # Symptom reports: each setting as it applies, the default where the site set none.
    emergency_number = fields.Function(lambda site: symptom_settings(site).emergency_number)
    urgent_phone = fields.String(allow_none=True)
    on_call_phone = fields.String(allow_none=True)
    respond_within_minutes_urgent = fields.Function(
        lambda site: symptom_settings(site).respond_within_minutes_urgent
    )
    amber_respond_by = fields.Function(
        lambda site: symptom_settings(site).amber_respond_by.strftime("%H:%M")
    )
    triage_overrides = fields.Function(lambda site: dict(site.triage_overrides or {}))
    triage_thresholds = fields.Function(
        lambda site: triage_rules_of(site).thresholds,
        metadata={"description": "The thresholds triage uses here (defaults and overrides)."},
    )


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
    emergency_number = fields.String(
        allow_none=True,
        validate=validate.Regexp(
            r"^[0-9]{2,16}$", error="Give the number to dial, digits only, such as 120."
        ),
        metadata={
            "description": "What patients are told to call in an emergency "
            f"({DEFAULT_EMERGENCY_NUMBER} when unset)."
        },
    )
    urgent_phone = fields.String(
        allow_none=True,
        validate=validate.Length(max=32),
        metadata={"description": "The study's 24-hour phone, which patients call when worse."},
    )
    on_call_phone = fields.String(
        allow_none=True,
        validate=validate.Length(max=32),
        metadata={
            "description": "The on-call staff mobile, texted about every emergency or red "
            "report (stored in E.164)."
        },
    )
    respond_within_minutes_urgent = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(*RESPOND_WITHIN_MINUTES_URGENT_RANGE),
        metadata={
            "description": "Minutes within which emergency and red reports must be acknowledged "
            "(patients are told the team calls within the hour)."
        },
    )
    amber_respond_by = fields.String(
        allow_none=True,
        metadata={
            "description": "Local time (HH:MM) amber reports are due by: the same day when sent "
            f"before it, else the next day ({DEFAULT_AMBER_RESPOND_BY} when unset)."
        },
    )
    triage_overrides = fields.Dict(
        keys=fields.String(),
        allow_none=True,
        metadata={
            "description": "The site's triage thresholds, any of: "
            + ", ".join(TriageRules.OVERRIDABLE)
            + "."
        },
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

    @validates("urgent_phone")
    def _dialable_any_hour(self, value: str | None, **_: Any) -> None:
        if value is not None:
            _e164(value, "Give the number with its country code, e.g. +86 21 5555 0199.")

    @validates("on_call_phone")
    def _mobile(self, value: str | None, **_: Any) -> None:
        if value is not None and not can_receive_sms(
            _e164(value, "Give a mobile number with its country code, e.g. +8613800138000.")
        ):
            raise ValidationError("This is not a mobile number; the on-call alert is a text.")

    @validates("amber_respond_by")
    def _local_time(self, value: str | None, **_: Any) -> None:
        if value is not None and not LOCAL_TIME.fullmatch(value):
            raise ValidationError("Give a time of day as HH:MM, 24-hour clock, such as 18:00.")

    @validates("triage_overrides")
    def _thresholds(self, value: dict[str, Any] | None, **_: Any) -> None:
        if value is not None:
            try:
                load_triage_rules().with_overrides(value)
            except RulesError as error:
                raise ValidationError({error.field: [error.allowed]}) from error

    @post_load
    def _stored_forms(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Phone numbers in E.164 and thresholds as numbers, as the service reads them."""
        if data.get("on_call_phone") is not None:
            data["on_call_phone"] = to_e164(data["on_call_phone"], "ZZ")
        if data.get("triage_overrides") is not None:
            rules = load_triage_rules().with_overrides(data["triage_overrides"])
            data["triage_overrides"] = {
                key: rules.thresholds[key] for key in data["triage_overrides"]
            }
        return data

    @validates("timezone")
    def _known_zone(self, value: str, **_: Any) -> None:
        if value not in available_timezones():
            raise ValidationError("Use an IANA time zone name such as Asia/Shanghai.")


def _e164(value: str, problem: str) -> str:
    try:
        return to_e164(value, "ZZ")
    except PhoneNumberError as error:
        raise ValidationError(problem) from error
