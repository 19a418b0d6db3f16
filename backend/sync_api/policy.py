"""The sync engine's view of a signed-in person: who they may write for, what they may see.

Both defer to ``backend.access``, the one place of the access rules; lookups are cached for
the length of one request, since a push asks about the same learner again and again.
"""
from functools import lru_cache

from sync import COLLECTION_KEY, Actor, Scope

from .. import access
from ..extensions import db
from ..journal.schemas import FIELD_SCHEMAS, profile_id, validate_fields
from ..models import Person


def actor_for(person):
    """The engine's ``Actor`` for ``person``."""

    @lru_cache(maxsize=None)
    def learner(learner_id):
        # in a person's own journal, what their sign-in read of them does: no second read
        found = person if learner_id == person.id else db.session.get(Person, learner_id)
        return found if found is not None and found.role == "learner" else None

    def may_write(learner_id, collection, record_id, record, fields):
        found = learner(learner_id)
        refusal = access.write_refusal(person, found, collection, record)
        if refusal:
            return refusal
        if collection == "profile" and record is None:
            # one profile a learner: devices that start it offline start the same record
            expected = profile_id(learner_id)
            if record_id != expected:
                return "record_id", f"a learner has one profile, whose id is {expected}"
        if record is None and person.id != learner_id:
            if not fields:
                # a delete (or a resolve's delete) of an entry the server does not have: whose
                # it was cannot be checked, and a mentor deletes only their own
                return "record_id", "a mentor can only delete an entry the server has"
            if fields.get("visibility") != "mentor":
                # the REST API defaults this; a device must say it, or the mentor loses sight
                return "visibility", "a mentor's new entry is shared with the mentor: say 'mentor'"
        return access.field_refusal(person, found, fields, record)

    return Actor(person.id, may_write)


def scope_for(person):
    """The engine's ``Scope`` of what ``person``'s devices hold."""
    return Scope(access.sync_scope(person))


def validate(collection, fields, is_create):
    """The journal's field rules (``journal/schemas.py``) in the engine's terms."""
    if collection not in FIELD_SCHEMAS:
        return {COLLECTION_KEY: f"there is no collection called {collection!r}"}
    return validate_fields(collection, fields, is_create)[1]
