"""Writes through the REST API go through the sync engine, as a device's would: one set of
merge rules, one change counter, and every device hears of the change on its next pull."""
import uuid

import sync

from ..errors import ApiError
from ..extensions import db
from ..sync_api import policy
from ..sync_api.store import SqlStore
from .records import get_record, model_for

# Each person's REST writes come from one server-side replica of theirs.
REST_REPLICAS = uuid.UUID("5f0c3a52-33c4-4d0c-9c43-0b5e0f7f2a10")
_AS_API_ERROR = {"validation_failed": "invalid_request", "forbidden": "forbidden",
                 "unknown_collection": "not_found", "not_found": "not_found",
                 "learner_mismatch": "conflict", "record_deleted": "conflict"}
TAKEN = "An entry with this id already exists."


def write_record(actor, learner, collection, record_id, data, is_create):
    """Create or change an entry as ``actor``; returns the stored record.

    :raises ApiError: ``conflict`` if a new entry's id is taken, ``not_found`` if the entry is
        not one ``actor`` may see, or the engine's refusal (invalid field, not allowed).
    """
    model = model_for(collection)
    if is_create:
        if db.session.get(model, record_id) is not None:
            raise ApiError("conflict", TAKEN, {"id": record_id})
        base = {}
        if actor.id != learner.id:
            data = {"visibility": "mentor", **data}  # a mentor's entry: shared with the mentor
    else:
        existing = get_record(actor, learner, collection, record_id)
        base = {name: (existing.revs or {}).get(name) for name in data}
    _check(actor, learner, collection, record_id, None if is_create else existing, data)
    _push(actor, learner, collection, record_id, "upsert", data, base, create=is_create)
    return db.session.get(model, record_id)


def delete_record(actor, learner, collection, record_id):
    """Delete an entry as ``actor``: a tombstone other devices sync; returns it."""
    existing = get_record(actor, learner, collection, record_id)
    _check(actor, learner, collection, record_id, existing, {})
    base = dict(existing.revs or {})
    seen = {name: [v["rev"] for v in versions]
            for name, versions in (existing.conflicts or {}).items()}
    _push(actor, learner, collection, record_id, "delete", {}, base, seen)
    return db.session.get(model_for(collection), record_id)


def _check(actor, learner, collection, record_id, existing, data):
    """The engine's own checks, asked first: a request refused here leaves no trace at all
    (the engine keeps a device's refused mutation for a person to see; an API caller is told
    at once). ``existing`` is None for a new entry."""
    record = None if existing is None else SqlStore.record_of(collection, existing)
    reason = policy.actor_for(actor).may_write(learner.id, collection, record_id, record, data)
    if reason:
        name, reason = reason if isinstance(reason, tuple) else ("learner_id", reason)
        name = "id" if name == "record_id" else name  # the entry's id is "id" in this API
        raise ApiError("forbidden", reason, {"fields": {name: [reason]}})
    errors = policy.validate(collection, data, existing is None)
    if errors:
        first = next(iter(errors))
        raise ApiError("invalid_request", f"{first}: {errors[first]}",
                       {"fields": {k: [v] for k, v in errors.items()}})


def _creating(actor):
    """The engine's ``Actor`` for a create: refused, under the push's lock, if the id was taken
    after ``write_record`` looked (two creates of one id at once). Otherwise the second would
    merge into the first as a conflict and both callers be told 201."""
    engine_actor = policy.actor_for(actor)

    def may_write(learner_id, collection, record_id, record, fields):
        if record is not None:
            return "id", TAKEN
        return engine_actor.may_write(learner_id, collection, record_id, record, fields)

    return sync.Actor(engine_actor.person_id, may_write)


def _push(actor, learner, collection, record_id, op, fields, base, seen=None, create=False):
    replica = str(uuid.uuid5(REST_REPLICAS, str(actor.id)))
    mutation = sync.Mutation(str(uuid.uuid4()), replica, 1, op, collection, record_id,
                             learner.id, fields, base, sync.utc_now(), seen or {})
    actor_id = actor.id
    db.session.commit()  # our own locks (the token's last use) go before the engine's
    store = SqlStore(db.engine, person_id=actor_id)
    request = sync.PushRequest(replica, 1, [mutation])
    engine_actor = _creating(actor) if create else policy.actor_for(actor)
    result, = sync.push(store, engine_actor, request, policy.validate).results
    db.session.expire_all()
    if result.status == "rejected":
        if create and result.error.get("details", {}).get("reason") == TAKEN:
            raise ApiError("conflict", TAKEN, {"id": record_id})
        raise _api_error(result.error)
    return result


def _api_error(error):
    details = error.get("details", {})
    fields = details.get("fields") or {details.get("field", "_schema"): details.get("reason")}
    name = _AS_API_ERROR.get(error["error"], "conflict")
    first = next(iter(fields))
    return ApiError(name, f"{first}: {fields[first]}" if name == "invalid_request"
                    else details.get("reason") or error.get("message"),
                    {"fields": {k: [v] for k, v in fields.items()}})
