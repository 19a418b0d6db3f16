"""Request and response schemas of sign-in."""
from marshmallow import Schema, fields, validate

from .credentials import is_locked

Email = fields.Email(required=True, validate=validate.Length(max=254))


class LoginIn(Schema):
    email = Email
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    device_name = fields.String(load_default="", validate=validate.Length(max=120))
    device_key = fields.String(validate=validate.Length(min=10, max=100), metadata={
        "description": "the key of the enrolled tablet signed in on, if any: the sign-in then "
                       "ends when the tablet is revoked"})


class DeviceKeyIn(Schema):
    device_key = fields.String(required=True, validate=validate.Length(min=10, max=100))


class PinLoginIn(DeviceKeyIn):
    # within the databases' integer keys: a bigger number names nobody, and SQLite would raise
    person_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    pin = fields.String(load_default=None, allow_none=True,
                        validate=validate.Regexp(r"^[0-9]{4,8}$", error="a PIN is 4 to 8 digits"))


class TileOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    initials = fields.String()
    has_pin = fields.Boolean()


class TilesOut(Schema):
    organisation = fields.String()
    device = fields.String()
    people = fields.List(fields.Nested(TileOut))


class PersonOut(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    role = fields.String()
    display_name = fields.String()
    initials = fields.String()
    email = fields.String(allow_none=True)
    is_admin = fields.Boolean()
    has_pin = fields.Boolean()
    opted_out = fields.Boolean()
    active = fields.Boolean()
    locked = fields.Method("_locked")

    def _locked(self, person):
        return is_locked(person)


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    person = fields.Nested(PersonOut)


class OkOut(Schema):
    ok = fields.Boolean()
