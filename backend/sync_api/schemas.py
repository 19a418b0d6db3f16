"""The sync protocol's messages as marshmallow schemas, for the OpenAPI document.

The messages are checked by ``sync.protocol`` (pure Python, shared with the reference client);
these schemas describe the same shapes to readers of /api/openapi.json.
"""
from marshmallow import Schema, fields, validate

from sync import MAX_AHEAD, MAX_LIMIT, MAX_MUTATIONS, OPS, STATUSES
from sync.wire import MAX_INTEGER, MAX_PERSON_ID

AHEAD_DOC = {"description": "also answer the cursors of up to this many pages after this one, "
                            "to fetch at once (docs/sync-protocol.md, 'Pages fetched ahead')"}


class MutationSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "client-made, unique"})
    replica = fields.UUID(required=True)
    seq = fields.Integer(required=True, validate=validate.Range(1, MAX_INTEGER),
                         metadata={"description": "per replica, from 1, no gaps"})
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    collection = fields.String(required=True)
    record_id = fields.UUID(required=True)
    learner_id = fields.Integer(required=True, validate=validate.Range(1, MAX_PERSON_ID))
    fields_ = fields.Dict(data_key="fields", required=True)
    base = fields.Dict(required=True, metadata={"description": "field -> rev it was based on"})
    at = fields.String(required=True, metadata={"description": "client time, for people"})
    seen_conflicts = fields.Dict()


class CarriedPullSchema(Schema):
    cursor = fields.String(required=True, allow_none=True)
    limit = fields.Integer(validate=validate.Range(1, MAX_LIMIT))
    ahead = fields.Integer(validate=validate.Range(0, MAX_AHEAD), metadata=AHEAD_DOC)


class PushIn(Schema):
    protocol = fields.Integer(required=True)
    replica = fields.UUID(required=True)
    floor = fields.Integer(required=True, validate=validate.Range(1, MAX_INTEGER))
    mutations = fields.List(fields.Nested(MutationSchema), required=True,
                            validate=validate.Length(max=MAX_MUTATIONS))
    pull = fields.Nested(CarriedPullSchema, allow_none=True, metadata={
        "description": "protocol 3: answer this pull too, after the push"})


class ResultSchema(Schema):
    id = fields.UUID()
    status = fields.String(validate=validate.OneOf(STATUSES))
    seq = fields.Integer(allow_none=True)
    revs = fields.Dict(allow_none=True)
    conflicts = fields.List(fields.String())
    error = fields.Dict(allow_none=True)


class PullIn(Schema):
    protocol = fields.Integer(required=True)
    replica = fields.UUID(required=True)
    cursor = fields.String(required=True, allow_none=True)
    limit = fields.Integer(validate=validate.Range(1, MAX_LIMIT))
    ahead = fields.Integer(validate=validate.Range(0, MAX_AHEAD), metadata=AHEAD_DOC)


class PullOut(Schema):
    protocol = fields.Integer()
    epoch = fields.String()
    changes = fields.List(fields.Dict())
    cursor = fields.String()
    more = fields.Boolean()
    scope = fields.List(fields.Integer())
    through = fields.Integer()
    ahead = fields.List(fields.String(), metadata={
        "description": "when asked: the cursors of the pages after this one, in order"})
    epoch_seq = fields.Integer(metadata={
        "description": "on a pull from the start: the highest seq when the epoch began"})


class PushOut(Schema):
    protocol = fields.Integer()
    epoch = fields.String()
    results = fields.List(fields.Nested(ResultSchema))
    pull = fields.Nested(PullOut, metadata={"description": "the carried pull's page"})
    pull_error = fields.Dict(metadata={
        "description": "instead of pull: the error the pull would have answered"})


class RejectedOut(Schema):
    rejected = fields.List(fields.Dict())
