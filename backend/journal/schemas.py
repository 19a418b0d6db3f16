"""The journal's fields and their rules: used by the REST API and by sync validation alike."""
import hashlib
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate

from ..models.journal import VISIBILITY

CARE_HOME_BENEFITS = ("new_things", "body_active", "world", "mind_active", "creative",
                      "life_story")
HOME_BENEFITS = ("independence", "everyday_skills", "understanding_others", "contributing")
BENEFITS = CARE_HOME_BENEFITS + HOME_BENEFITS
LADDER = ("suggested", "agreed", "own")  # suggested to me, we agreed together, my own idea
GOAL_STATUS = ("active", "achieved", "paused", "let_go")
WITH_WHOM = ("alone", "mentor", "group")
CONTRIBUTION_KINDS = ("shared", "taught", "helped", "offer")
RESPONSES = ("agreed", "changed", "hidden")
GAS_KEYS = ("-2", "-1", "0", "1", "2")

SHORT, LONG = 500, 8000


class StrictBoolean(fields.Boolean):
    """true or false only: not 1, "yes" or "on"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Day(fields.Date):
    """A calendar day as ``YYYY-MM-DD``, the form the app writes and sends back: not the other
    ISO 8601 forms Python also reads (``20250305``, ``2025-W10-3``), which would be kept as sent
    and come back to other devices in a form they do not expect."""

    _FORM = re.compile(r"\d{4}-\d{2}-\d{2}")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not self._FORM.fullmatch(value):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        return super()._deserialize(value, attr, data, **kwargs)


FIRST_DAY = date(1900, 1, 1)  # the earliest day an entry, or a review, may be about


class JournalDay(Day):
    """A day an entry is about: from 1900 to a year after today (the server's), so that a slip
    such as 9999-12-31 is refused with its reason rather than kept, where no review's period
    would ever count it."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        latest = datetime.now(timezone.utc).date() + timedelta(days=366)
        if not FIRST_DAY <= day <= latest:
            raise ValidationError(f"must be a day from {FIRST_DAY} to a year from today "
                                  f"({latest.isoformat()})")
        return day


def _text(max_len, **kw):
    return fields.String(allow_none=True, validate=validate.Length(max=max_len), **kw)


def _choice(options, **kw):
    return fields.String(allow_none=True, validate=validate.OneOf(options), **kw)


def _score(low, high):
    return fields.Integer(allow_none=True, strict=True, validate=validate.Range(low, high))


def _tags():
    return fields.List(fields.String(validate=validate.OneOf(BENEFITS)), allow_none=True,
                       validate=validate.Length(max=len(BENEFITS)))


class RecordFields(Schema):
    """Fields every record has; the most private visibility is the default."""

    visibility = fields.String(validate=validate.OneOf(VISIBILITY))


class ProfileFields(RecordFields):
    needs = _text(LONG)
    preferences = _text(LONG)
    resources = _text(LONG)
    networks = _text(LONG)


class GoalFields(RecordFields):
    title = _text(SHORT)
    why = _text(LONG)
    whose_idea = _choice(LADDER)
    benefits = _tags()
    status = _choice(GOAL_STATUS)
    gas_levels = fields.Dict(keys=fields.String(validate=validate.OneOf(GAS_KEYS)),
                             values=fields.String(validate=validate.Length(max=SHORT)),
                             allow_none=True)
    gas_level = _score(-2, 2)
    achieved_on = JournalDay(allow_none=True)


class SessionFields(RecordFields):
    date = JournalDay(allow_none=True)
    activity = _text(SHORT)
    minutes = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, 24 * 60))
    with_whom = _choice(WITH_WHOM)
    goal_ids = fields.List(fields.UUID(), allow_none=True, validate=validate.Length(max=50))
    benefits = _tags()
    feeling_before = _score(1, 5)
    feeling_after = _score(1, 5)
    note = _text(LONG)
    learner_response = _choice(RESPONSES)


class ContributionFields(RecordFields):
    kind = _choice(CONTRIBUTION_KINDS)
    what = _text(SHORT)
    with_whom = _text(SHORT)
    date = JournalDay(allow_none=True)
    note = _text(LONG)


class ReflectionFields(RecordFields):
    date = JournalDay(allow_none=True)
    text = _text(LONG)
    quote_consent = StrictBoolean(allow_none=True)


class CheckinFields(RecordFields):
    date = JournalDay(allow_none=True)
    life_satisfaction = _score(0, 10)
    worthwhile = _score(0, 10)
    happy = _score(0, 10)
    anxious = _score(0, 10)


FIELD_SCHEMAS = {
    "profile": ProfileFields, "goals": GoalFields, "sessions": SessionFields,
    "contributions": ContributionFields, "reflections": ReflectionFields,
    "checkins": CheckinFields,
}
# What a new record must say, and no later change may empty; everything else may come later.
REQUIRED = {
    "goals": ("title",), "sessions": ("activity",), "contributions": ("what",),
    "reflections": ("text",), "checkins": (), "profile": (),
}


def profile_id(learner_id):
    """The id of a learner's one profile: a UUID from the SHA-256 of
    ``what-matters/profile/<learner id>``, as ``nameUuid`` in pwa/store/crypto.js makes it, so
    two devices that each start the profile offline start the same record."""
    digest = hashlib.sha256(f"what-matters/profile/{learner_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


# One instance per collection: building a marshmallow schema is far slower than using one.
_FIELDS = {name: schema_cls().fields for name, schema_cls in FIELD_SCHEMAS.items()}


def validate_fields(collection, data, is_create):
    """Load ``data`` for ``collection``: returns (values, errors) with errors as {field: reason}.

    Each value goes through its own marshmallow field (type, length, range, choices): the
    schema's rules exactly, without the per-call cost of ``Schema.load``, since a sync push
    checks a thousand entries at a time.
    """
    known = _FIELDS.get(collection)
    if known is None:
        return {}, {"collection": "there is no such collection"}
    if not isinstance(data, dict):
        return {}, {"fields": "must be an object"}
    values, errors = {}, {}
    for name, raw in data.items():
        if name not in known:
            errors[name] = "Unknown field."
            continue
        kind = type(raw)
        if kind in _REPEATING and (kind is not str or len(raw) <= 64):
            ok, outcome = _load_repeating(collection, name, raw)
        elif kind is list and len(raw) <= 16 and all(type(x) is str for x in raw):
            # a few choices (benefits): remembered as a tuple, handed out as a new list
            ok, outcome = _load_repeating(collection, name, tuple(raw))
            if ok:
                outcome = list(outcome)
        else:
            ok, outcome = _load(known[name], name, raw)
        if ok:
            values[name] = outcome
        else:
            errors[name] = outcome
    if not errors:
        errors = _required(collection, values, is_create)
    return (values, {}) if not errors else ({}, errors)


def _required(collection, values, is_create):
    """{field: reason} for a required field a new entry lacks, or any change leaves blank
    (null, or nothing but spaces): a goal with no words for what it is, say."""
    errors = {}
    for name in REQUIRED[collection]:
        value = values.get(name)
        if (is_create or name in values) and (value is None or not str(value).strip()):
            errors[name] = "is required for a new entry" if is_create else "must not be empty"
    return errors


_REPEATING = (str, int, bool, type(None))


def _load(field, name, raw):
    """``(True, value)``, or ``(False, reason)`` when ``raw`` breaks the field's rules."""
    try:
        return True, field.deserialize(raw, name)
    except ValidationError as exc:
        return False, _first(exc.messages)


@lru_cache(maxsize=4096, typed=True)
def _load_repeating(collection, name, raw):
    """``_load`` of a short value that comes again and again (a choice, a score, a date, a
    visibility): remembered, since the outcome depends on nothing else."""
    if type(raw) is tuple:
        ok, outcome = _load(_FIELDS[collection][name], name, list(raw))
        return ok, tuple(outcome) if ok and isinstance(outcome, list) else outcome
    return _load(_FIELDS[collection][name], name, raw)


def _first(message):
    while isinstance(message, (list, dict)):
        message = next(iter(message.values())) if isinstance(message, dict) else message[0]
    return str(message)
