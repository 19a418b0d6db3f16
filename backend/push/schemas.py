"""Request and response schemas of the reminders API: the one place for its field rules."""
import binascii
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from marshmallow import Schema, ValidationError, fields, validate

from ..journal.schemas import JournalDay
from .destinations import inside_name, loopback_ok
from .reminders import DAYS, KINDS, timezones
from .vapid import b64url_decode

ALL_KINDS = tuple(kind for kinds in KINDS.values() for kind in kinds)
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _decoded(text, what):
    try:
        return b64url_decode(text)
    except (binascii.Error, ValueError):
        raise ValidationError(f"is not {what} in base64url") from None


def check_endpoint(url):
    """A push service's https URL on the internet (``destinations``); http://127.0.0.1 only
    for a test service (TESTING or PUSH_ALLOW_LOOPBACK), never another plain-http host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("is not a URL") from None
    if parts.scheme == "https" and parts.hostname:
        why = inside_name(parts.hostname, loopback_ok())
        if why:
            raise ValidationError(f"{why}: it must be the push service's https URL")
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK and loopback_ok() and port:
        return
    raise ValidationError("must be the push service's https URL")


def check_p256dh(text):
    raw = _decoded(text, "a key")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise ValidationError("is not a P-256 public key (65 bytes, uncompressed)") from None
    if len(raw) != 65:
        raise ValidationError("is not a P-256 public key (65 bytes, uncompressed)")


def check_auth(text):
    if len(_decoded(text, "a secret")) != 16:
        raise ValidationError("must be 16 bytes")


def check_timezone(name):
    if name not in timezones():
        raise ValidationError("is not a timezone name such as Europe/London")


def Flag(**kw):
    return fields.Boolean(truthy={True}, falsy={False}, **kw)


class KeysIn(Schema):
    """The subscription's keys, as ``PushSubscription.toJSON()`` gives them."""

    p256dh = fields.String(required=True, validate=[validate.Length(max=100), check_p256dh])
    auth = fields.String(required=True, validate=[validate.Length(max=32), check_auth])


class RemindersIn(Schema):
    """Which reminders, on which days, at what time in which timezone; all optional."""

    enabled = Flag(metadata={"description": "false switches every reminder off"})
    kinds = fields.List(fields.String(validate=validate.OneOf(ALL_KINDS)),
                        validate=validate.Length(max=len(ALL_KINDS)))
    days = fields.List(fields.String(validate=validate.OneOf(DAYS)),
                       validate=validate.Length(max=7))
    time = fields.String(validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                                  error="give a time like 18:30"))
    timezone = fields.String(validate=[validate.Length(max=64), check_timezone])


class SubscriptionIn(Schema):
    """A browser's push subscription for the signed-in person, and their choices."""

    endpoint = fields.String(required=True, validate=[validate.Length(max=1024), check_endpoint])
    keys = fields.Nested(KeysIn, required=True)
    reminders = fields.Nested(RemindersIn, load_default=dict)


class RemindersOut(Schema):
    enabled = fields.Boolean()
    kinds = fields.List(fields.String())
    days = fields.List(fields.String())
    time = fields.Function(lambda sub: sub.at.strftime("%H:%M"))
    timezone = fields.String()


class SubscriptionOut(Schema):
    id = fields.Integer()
    endpoint = fields.String()
    device_id = fields.Integer(allow_none=True)
    reminders = fields.Function(lambda sub: RemindersOut().dump(sub))
    next_at = fields.DateTime(attribute="next_due_at", allow_none=True,
                              metadata={"description": "when reminders are next looked at"})
    created_at = fields.DateTime()


class SubscriptionsOut(Schema):
    kinds = fields.List(fields.String(), metadata={"description": "the kinds for my role"})
    items = fields.List(fields.Nested(SubscriptionOut))


class KeyOut(Schema):
    public_key = fields.String(metadata={"description": "the VAPID application server key"})


class VisitIn(Schema):
    # a day as the journal's days are: YYYY-MM-DD, at most a year ahead (the past is refused
    # when the visit is planned, in the organisation's own day)
    next_visit_on = JournalDay(required=True, allow_none=True)


class VisitOut(Schema):
    learner_id = fields.Integer()
    display_name = fields.String()
    next_visit_on = fields.Date(allow_none=True)


class VisitsOut(Schema):
    items = fields.List(fields.Nested(VisitOut))
