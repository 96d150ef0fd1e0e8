"""What the sign-in and staff API take and give."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from companion.access.models import ROLES
from companion.access.password_rules import MINIMUM_LENGTH

PASSWORD_DESCRIPTION = (
    f"At least {MINIMUM_LENGTH} characters; refused when only spaces, one character repeated, "
    "a common or leaked password, or built from the account's email (400 naming the field)."
)


class Credentials(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class AccessToken(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"description": "Always Bearer."})
    expires_in = fields.Integer(metadata={"description": "Seconds until the token expires."})


class PasswordChange(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024),
        metadata={"description": PASSWORD_DESCRIPTION},
    )


class StaffMember(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    is_active = fields.Boolean()
    site = fields.Function(lambda user: user.site.code)
    sign_in_throttled_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When failed sign-ins in a row began to make this account wait before "
            "each further attempt; null when none since its last sign-in or unlock."
        },
    )


class NewStaffMember(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(
        required=True,
        validate=validate.Length(min=MINIMUM_LENGTH, max=1024),
        metadata={"description": PASSWORD_DESCRIPTION},
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class StaffChange(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = fields.Boolean()
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class Unlock(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "Why, for the audit trail."},
    )
