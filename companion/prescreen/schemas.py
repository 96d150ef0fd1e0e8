"""What the pre-screen API takes and gives (marshmallow; also the OpenAPI document)."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from companion.i18n import SUPPORTED_LANGUAGES
from companion.phones import PhoneNumberError, to_e164
from companion.prescreen.service import BEST_TIMES
from companion.sites.service import SITE_CODE


def language_field() -> fields.String:
    return fields.String(
        load_default="en",
        validate=validate.OneOf(SUPPORTED_LANGUAGES),
        metadata={"description": "en or zh (Simplified Chinese)"},
    )


class EvaluateRequest(Schema):
    facts = fields.Dict(
        required=True,
        metadata={"description": "Fact key -> value, as the contract lists them."},
    )
    language = language_field()


class LanguageQuery(Schema):
    language = language_field()


class StartSessionRequest(Schema):
    language = language_field()
    site = fields.String(
        validate=validate.Regexp(f"^{SITE_CODE.pattern}$"),
        metadata={"description": "Site code; the default site when omitted."},
    )


class AnswerRequest(Schema):
    fact = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=False)
    language = fields.String(validate=validate.OneOf(SUPPORTED_LANGUAGES))


class ContactRequest(Schema):
    """Contact details; the phone number is read in the site's region and returned in E.164."""

    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), validate.Regexp(r"^\s*\S", error="Is empty.")],
    )
    phone = fields.String(required=True, validate=validate.Length(min=3, max=40))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    language = fields.String(required=True, validate=validate.OneOf(SUPPORTED_LANGUAGES))
    best_time_to_call = fields.String(load_default="any", validate=validate.OneOf(BEST_TIMES))
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Must be true: we contact only people who agree."),
        metadata={
            "description": "Explicit agreement to be contacted by the study team; must be true."
        },
    )

    @validates("phone")
    def phone_is_callable(self, value: str, **_: object) -> None:
        to_phone_number(value)

    @post_load
    def normalise(self, data: dict, **_: object) -> dict:
        return {
            **data,
            "name": " ".join(data["name"].split()),
            "phone": to_phone_number(data["phone"]),
        }


def to_phone_number(raw: str) -> str:
    """E.164, reading a number without country code in the configured default region."""
    region = current_app.config["DEFAULT_PHONE_REGION"]
    try:
        return to_e164(raw, region)
    except PhoneNumberError as error:
        raise ValidationError(
            f"{str(error).capitalize()}. Include the country code if outside {region}."
        ) from error


class Option(Schema):
    value = fields.Raw()
    label = fields.String()


class Question(Schema):
    fact = fields.String()
    text = fields.String()
    help = fields.String(allow_none=True)
    type = fields.String(metadata={"description": "choice or integer"})
    options = fields.List(fields.Nested(Option))
    minimum = fields.Float()
    maximum = fields.Float()


class QuestionnaireQuestion(Question):
    priority = fields.Float()
    ask_when = fields.Raw(
        allow_none=True,
        metadata={
            "description": "Rule (as in the trial file) that must hold for the question to apply."
        },
    )


class Questionnaire(Schema):
    trial_id = fields.String()
    version = fields.String()
    language = fields.String()
    title = fields.String()
    questions = fields.List(fields.Nested(QuestionnaireQuestion))


class CriterionStanding(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "inclusion or exclusion"})
    status = fields.String(metadata={"description": "pass, fail, unknown or site_check"})
    registered_text = fields.String()
    lay_text = fields.String()


class Progress(Schema):
    answered = fields.Integer()
    remaining = fields.Integer(metadata={"description": "Questions still worth asking now."})


class Evaluation(Schema):
    verdict = fields.String(
        metadata={"description": "not_eligible, needs_review, likely_eligible or eligible"}
    )
    criteria = fields.List(fields.Nested(CriterionStanding))
    next_question = fields.Nested(Question, allow_none=True)
    progress = fields.Nested(Progress)


class SessionState(Evaluation):
    token = fields.String(metadata={"description": "The only key to this session; keep it."})
    resume_url = fields.String(metadata={"description": "Page that continues this pre-screen."})
    trial_id = fields.String()
    language = fields.String()
    facts = fields.Dict()
    can_leave_contact = fields.Boolean()


class LeadReceived(Schema):
    status = fields.String()
    message = fields.String()
