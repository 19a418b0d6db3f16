"""Request and response schemas of the organisation admin API."""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..auth.schemas import PersonOut
from ..models.people import ORG_KINDS, ROLES
from ..models.types import utcnow

MAX_ID = 2**31 - 1  # the databases' integer keys; a bigger number names nobody
PIN = validate.Regexp(r"^[0-9]{4,8}$", error="a PIN is 4 to 8 digits")
NAME = [validate.Length(min=1, max=120), validate.Regexp(r"\S", error="must not be blank")]


def Id(**kw):
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)


def Flag(**kw):
    # Strict: "yes", 1 or "true" are type errors, not silently a True.
    return fields.Boolean(truthy={True}, falsy={False}, **kw)


class PersonIn(Schema):
    """A new learner, mentor or member of staff. Staff and mentors sign in with email and
    password; a learner signs in on a tablet by their tile and, if they have one, a PIN."""

    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = fields.String(required=True, validate=NAME)
    email = fields.Email(validate=validate.Length(max=254))
    password = fields.String(validate=validate.Length(min=10, max=200))
    pin = fields.String(allow_none=True, validate=PIN)
    is_admin = Flag(load_default=False)
    opted_out = Flag(load_default=False)

    @validates_schema
    def _fits_role(self, data, **_kw):
        role, errors = data.get("role"), {}
        if role == "learner":
            for name in ("email", "password"):
                if name in data:
                    errors[name] = ["a learner signs in with a tile, not an email and password"]
            if data.get("is_admin"):
                errors["is_admin"] = ["only staff can administer an organisation"]
        elif role in ("mentor", "staff"):
            for name in ("email", "password"):
                if name not in data:
                    errors[name] = ["is required for staff and mentors"]
            if "pin" in data:
                errors["pin"] = ["only a learner has a PIN"]
            if data.get("opted_out"):
                errors["opted_out"] = ["only a learner can opt out of the totals"]
            if role == "mentor" and data.get("is_admin"):
                errors["is_admin"] = ["only staff can administer an organisation"]
        if errors:
            raise ValidationError(errors)


class PersonPatch(Schema):
    """What staff may change about a person: ``pin: null`` clears the PIN; ``password`` gives a
    mentor or member of staff a new one and ends every sign-in they had."""

    display_name = fields.String(validate=NAME)
    pin = fields.String(allow_none=True, validate=PIN)
    password = fields.String(validate=validate.Length(min=10, max=200))
    opted_out = Flag()
    active = Flag()

    @validates_schema
    def _not_empty(self, data, **_kw):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class PeopleQuery(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))


class PairingIn(Schema):
    mentor_id = Id(required=True)
    learner_id = Id(required=True)


class DeviceIn(Schema):
    name = fields.String(required=True, validate=NAME)


class AuditQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    learner_id = fields.Integer(validate=validate.Range(1, MAX_ID))


class OrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(ORG_KINDS)})
    timezone = fields.String()


class PeopleOut(Schema):
    items = fields.List(fields.Nested(PersonOut))


class LearnerOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    initials = fields.String()
    has_pin = fields.Boolean()


class LearnersOut(Schema):
    items = fields.List(fields.Nested(LearnerOut))


class MentorOut(Schema):
    id = fields.Integer()
    display_name = fields.String()


class MentorsOut(Schema):
    items = fields.List(fields.Nested(MentorOut))


class PairingOut(Schema):
    id = fields.Integer()
    mentor_id = fields.Integer()
    learner_id = fields.Integer()
    mentor_name = fields.Function(lambda p: p.mentor.display_name)
    learner_name = fields.Function(lambda p: p.learner.display_name)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    active = fields.Function(lambda p: p.ended_at is None)


class PairingsOut(Schema):
    items = fields.List(fields.Nested(PairingOut))


class DeviceOut(Schema):
    id = fields.Integer()
    name = fields.String()
    enrolled_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class DevicesOut(Schema):
    items = fields.List(fields.Nested(DeviceOut))


class EnrolledOut(Schema):
    """A newly enrolled tablet and its key: shown this once, only its digest is kept."""

    device = fields.Nested(DeviceOut)
    device_key = fields.String()


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    action = fields.String()
    learner_id = fields.Integer(allow_none=True)
    learner_name = fields.String(allow_none=True)
    detail = fields.Dict()


class ReadOut(Schema):
    at = fields.DateTime()
    new = fields.Boolean(metadata={"description": "later than the newest she was shown"})
    who = fields.String(allow_none=True, metadata={"description": "the member of staff"})
    action = fields.String(metadata={"enum": ["read_journal", "export_journal",
                                              "review_named_quiet"]})
    collection = fields.String(allow_none=True, metadata={"description": "the part read"})
    one_entry = fields.Boolean(metadata={"description": "one entry of it, not the list"})
    count = fields.Integer(allow_none=True, metadata={"description": "the entries the list held"})
    format = fields.String(allow_none=True, metadata={"description": "a download's: html, json"})


class ReadersOut(Schema):
    items = fields.List(fields.Nested(ReadOut))
    total = fields.Integer()
    unseen = fields.Integer(metadata={"description": "how many are new"})


def _not_later_than_now(value):
    if value > utcnow():
        raise ValidationError("Is later than now.")


class ReadersSeenIn(Schema):
    through = fields.AwareDateTime(
        required=True, default_timezone=timezone.utc, validate=_not_later_than_now,
        metadata={"description": "the time of the newest read she was shown (its ``at``)"})


class ReadersQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class AuditPageOut(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
