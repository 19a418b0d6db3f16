"""Builders for the sync tests: mutations of one replica, pushes and pulls through the engine."""
import json
import uuid

from sync import (COLLECTION_KEY, DELETED, VISIBILITIES, Actor, EngineTransport, Mutation,
                  PullRequest, PullResponse, PushRequest, Scope, TransportError, pull, push)
from sync.transport import PUSH_PATH

LEARNER = 1
OTHER_LEARNER = 2
COLLECTIONS = ("profile", "goals", "sessions", "contributions", "reflections", "checkins")
T0 = "2025-01-01T10:00:00.000000Z"
EVERYTHING = frozenset(VISIBILITIES)


def new_id():
    return str(uuid.uuid4())


def person(person_id, may_write=None):
    """An actor who may write anything unless ``may_write`` says otherwise."""
    return Actor(person_id, may_write or (lambda learner_id, collection, record_id, record, fields: None))


def scope_of(*learners, visible=EVERYTHING):
    """A scope seeing ``visible`` of each learner's records."""
    return Scope({learner: frozenset(visible) for learner in learners})


def journal_validate(collection, fields, is_create):
    """A small stand-in for the backend's validator."""
    if collection not in COLLECTIONS:
        return {COLLECTION_KEY: f"no collection called {collection}"}
    errors = {}
    if "visibility" in fields and fields["visibility"] not in VISIBILITIES:
        errors["visibility"] = "must be private, mentor or care_team"
    if "minutes" in fields and not isinstance(fields["minutes"], int):
        errors["minutes"] = "must be a whole number"
    if is_create and collection == "goals" and not fields.get("title"):
        errors["title"] = "is required"
    return errors


class Writer:
    """One replica of one person: numbers its mutations and pushes them through the engine."""

    def __init__(self, store, actor, validate=journal_validate):
        self.store, self.actor, self.validate = store, actor, validate
        self.replica = new_id()
        self.seq = 0

    def mutation(self, op, record_id, fields=None, base=None, *, learner_id=LEARNER,
                 collection="goals", seen=None, seq=None):
        self.seq = seq or self.seq + 1
        return Mutation(new_id(), self.replica, self.seq, op, collection, record_id,
                        learner_id, dict(fields or {}), dict(base or {}), T0, seen or {})

    def upsert(self, record_id, fields, base=None, **options):
        return self.mutation("upsert", record_id, fields, base, **options)

    def delete(self, record_id, base=None, **options):
        return self.mutation("delete", record_id, {}, base, **options)

    def resolve(self, record_id, fields, base=None, **options):
        return self.mutation("resolve", record_id, fields, base, **options)

    def create(self, record_id=None, title="Paint with watercolours", learner_id=LEARNER,
               **fields):
        """Push a new goal and return its id and revs."""
        record_id = record_id or new_id()
        mutation = self.upsert(record_id, {"title": title, **fields}, learner_id=learner_id)
        result, = self.push(mutation)
        assert result.status == "applied", result
        return record_id, result.full_revs(mutation)

    def push(self, *mutations, floor=1, now=None):
        """Push and return the results."""
        request = PushRequest(self.replica, floor, list(mutations))
        return push(self.store, self.actor, request.to_wire(), self.validate, now=now).results


def pull_page(store, scope, cursor=None, limit=500):
    """Pull one page, as a client receives it (through JSON)."""
    page = pull(store, scope, PullRequest(new_id(), cursor, limit).to_wire())
    return PullResponse.from_wire(json.loads(json.dumps(page.to_wire())))


def pull_all(store, scope, cursor=None, limit=500):
    """Pull every page; return the changes and the last cursor."""
    changes = []
    while True:
        page = pull_page(store, scope, cursor, limit)
        changes += page.changes
        cursor = page.cursor
        if not page.more:
            return changes, cursor


def deleted_seen(record_revs):
    """The base of a delete that saw ``record_revs``."""
    return {name: rev for name, rev in record_revs.items() if name != DELETED}


def engine_transport(store, person_id=1, scope=None, validate=journal_validate, **options):
    """A transport into the engine for a person seeing everything of ``LEARNER``."""
    return EngineTransport(store, person(person_id), scope or scope_of(LEARNER), validate,
                           **options)


class Network:
    """A flaky network in front of a transport: ``faults`` lists what happens to the next
    requests, one fault each (``None``: delivered normally)."""

    FAULTS = (None, "down", "lose_response", "duplicate", "reorder")

    def __init__(self, transport, *faults):
        self.transport = transport
        self.faults = list(faults)
        self.requests = []
        self._before_pull = []

    def before_pull(self, action, skip=0):
        """Run ``action`` once, before the pull after the next ``skip`` ones: a person writing
        while a sync runs."""
        self._before_pull = [None] * skip + [action]

    def __call__(self, path, body):
        self.requests.append((path, body))
        if self._before_pull and path != PUSH_PATH:
            action = self._before_pull.pop(0)
            if action:
                action()
        fault = self.faults.pop(0) if self.faults else None
        if fault == "down":
            raise TransportError("no network")
        if fault == "lose_response":
            self.transport(path, body)
            raise TransportError("the response was lost")
        if fault == "duplicate":
            self.transport(path, body)
        if fault == "reorder" and path == PUSH_PATH and len(body["mutations"]) > 1:
            return self._reordered(path, body)
        return self.transport(path, body)

    def _reordered(self, path, body):
        """Deliver the second half of a push before the first, as two requests sent at once
        might arrive, and answer as if they were one."""
        half = len(body["mutations"]) // 2
        first, second = ({**body, "mutations": part} for part in (
            body["mutations"][:half], body["mutations"][half:]))
        status, late = self.transport(path, second)
        if status != 200:
            return status, late
        status, early = self.transport(path, first)
        if status != 200:
            return status, early
        return 200, {**early, "results": early["results"] + late["results"]}
