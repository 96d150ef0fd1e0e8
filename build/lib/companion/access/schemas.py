"""What the sign-in and staff API take and give."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from companion.access.models import ROLES


class Credentials(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class AccessToken(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"description": "Always Bearer."})
    expires_in = fields.Integer(metadata={"description": "Seconds until the token expires."})


class StaffMember(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    is_active = fields.Boolean()
    site = fields.Function(lambda user: user.site.code)


class NewStaffMember(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=12, max=1024))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class StaffChange(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = fields.Boolean()
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))
