"""The wire types of the sync protocol (docs/sync-protocol.md), each with ``from_wire`` (which
checks the shape and raises ``InvalidRequest`` naming the field) and ``to_wire``."""
from dataclasses import dataclass, field

from . import wire
from .cursor import MAX_CURSOR_CHARS, Cursor  # noqa: F401  (part of the protocol's names)
from .errors import (CursorExpired, EpochChanged, Forbidden, InvalidRequest,  # noqa: F401
                     ProtocolError, ProtocolTooOld, Unauthorized)
from .mutation import OPS, Mutation  # noqa: F401  (part of the protocol's names)
from .records import DELETED, Record, check_revs, unpack_revs  # noqa: F401

# 2: records carry their revs packed (``rev`` and ``revs``); 3: a push may carry a pull
PROTOCOL_VERSION = 3
MIN_PROTOCOL_VERSION = 2
CARRIED_PULL_VERSION = 3  # the first version whose push may carry a pull
MAX_MUTATIONS = 1_000  # per push
DEFAULT_LIMIT = 500  # changes per pull page
MAX_LIMIT = 1_000
MAX_AHEAD = 16  # cursors of pages to fetch ahead, at most, in one pull's answer
STATUSES = ("applied", "conflict", "rejected", "deferred")


def check_protocol(data):
    """Return the request's protocol version; checked before anything else, because an old
    client's request may have another shape.

    :param data: the decoded JSON body.
    :raises ProtocolTooOld: if it is below ``MIN_PROTOCOL_VERSION``.
    :raises InvalidRequest: if it is missing, not an integer or newer than this server.
    """
    if not isinstance(data, dict):
        raise InvalidRequest("body", "must be an object")
    version = wire.integer(data.get("protocol"), "protocol")
    if version < MIN_PROTOCOL_VERSION:
        raise ProtocolTooOld(details={"protocol": version, "min_protocol": MIN_PROTOCOL_VERSION})
    if version > PROTOCOL_VERSION:
        raise InvalidRequest("protocol", f"this server speaks at most {PROTOCOL_VERSION}")
    return version


@dataclass
class PushRequest:
    """``POST /api/sync/push``: mutations of one replica, in its seq order."""

    replica: str
    floor: int
    mutations: list
    protocol: int = PROTOCOL_VERSION
    pull: "PullRequest | None" = None  # the pull to answer after the push, in the same response

    def to_wire(self):
        """Return the request as a JSON object."""
        out = {"protocol": self.protocol, "replica": self.replica, "floor": self.floor,
               "mutations": [m.to_wire() for m in self.mutations]}
        if self.pull is not None:
            out["pull"] = {"cursor": self.pull.cursor, "limit": self.pull.limit}
            if self.pull.ahead:
                out["pull"]["ahead"] = self.pull.ahead
        return out

    @classmethod
    def from_wire(cls, data):
        """Build a push request from its JSON body.

        :param data: the decoded JSON body.
        :raises ProtocolTooOld: if the client's protocol is too old.
        :raises InvalidRequest: naming the first bad field.
        """
        protocol = check_protocol(data)
        wire.obj(data, "", ("protocol", "replica", "floor", "mutations"), ("pull",))
        replica = wire.uuid_string(data["replica"], "replica")
        pull = None
        if data.get("pull") is not None:
            if protocol < CARRIED_PULL_VERSION:
                raise InvalidRequest("pull", f"needs protocol {CARRIED_PULL_VERSION}")
            pull = PullRequest.from_wire({**wire.obj(data["pull"], "pull", ("cursor",),
                                                     ("limit", "ahead")),
                                          "protocol": protocol, "replica": replica}, "pull")
        items = wire.array(data["mutations"], "mutations", MAX_MUTATIONS)
        mutations = [Mutation.from_wire(m, f"mutations[{i}]") for i, m in enumerate(items)]
        ids, seqs = set(), set()
        for i, mutation in enumerate(mutations):
            if mutation.replica != replica:
                raise InvalidRequest(f"mutations[{i}].replica", "must be the request's replica")
            if mutation.id in ids or mutation.seq in seqs:
                raise InvalidRequest(f"mutations[{i}]", "repeats an id or seq of this request")
            ids.add(mutation.id)
            seqs.add(mutation.seq)
        return cls(replica, wire.integer(data["floor"], "floor", 1), mutations, protocol, pull)


@dataclass
class MutationResult:
    """What became of one mutation: ``applied``, ``conflict``, ``rejected`` or ``deferred``."""

    id: str
    status: str
    seq: int | None = None
    revs: dict | None = None
    conflicts: list = field(default_factory=list)
    error: dict | None = None

    def full_revs(self, mutation):
        """The record's revs after ``mutation``, in full: ``revs`` travels packed (``pack_revs``
        with the mutation's own id as the shared rev), naming only the revs it did not set.

        :param mutation: the ``Mutation`` this result answers.
        """
        return None if self.revs is None else unpack_revs(mutation.fields, mutation.id,
                                                          self.revs)

    def to_wire(self):
        """Return the result as a JSON object (every key always present)."""
        return {"id": self.id, "status": self.status, "seq": self.seq,
                "revs": None if self.revs is None else dict(self.revs),
                "conflicts": list(self.conflicts), "error": self.error}

    @classmethod
    def from_wire(cls, data, path="result"):
        """Build a result from its JSON object.

        :param data: the decoded JSON object.
        :param path: where it sits in the message, for errors.
        :raises InvalidRequest: naming the first bad field.
        """
        wire.obj(data, path, ("id", "status"), ("seq", "revs", "conflicts", "error"))
        if data["status"] not in STATUSES:
            raise InvalidRequest(wire.join(path, "status"), "is not a known status")
        seq, revs, error = data.get("seq"), data.get("revs"), data.get("error")
        return cls(
            id=wire.string(data["id"], wire.join(path, "id"), wire.MAX_ID_CHARS),
            status=data["status"],
            seq=None if seq is None else wire.integer(seq, wire.join(path, "seq"), 0),
            revs=None if revs is None else check_revs(revs, wire.join(path, "revs")),
            conflicts=list(wire.array(data.get("conflicts", []), wire.join(path, "conflicts"))),
            error=None if error is None else wire.obj(
                error, wire.join(path, "error"), ("code", "error", "message", "details")))


@dataclass
class PushResponse:
    """The answer to a push: one result per mutation, in the request's order."""

    epoch: str
    results: list
    protocol: int = PROTOCOL_VERSION
    # the carried pull's answer: the page, or the error a pull would have answered instead
    pull: "PullResponse | None" = None
    pull_error: ProtocolError | None = None

    def to_wire(self):
        """Return the response as a JSON object."""
        out = {"protocol": self.protocol, "epoch": self.epoch,
               "results": [r.to_wire() for r in self.results]}
        if self.pull is not None:
            out["pull"] = self.pull.to_wire()
        if self.pull_error is not None:
            out["pull_error"] = self.pull_error.to_wire()
        return out

    @classmethod
    def from_wire(cls, data):
        """Build a push response from its JSON body.

        :param data: the decoded JSON body.
        :raises InvalidRequest: naming the first bad field.
        """
        wire.obj(data, "", ("protocol", "epoch", "results"), ("pull", "pull_error"))
        results = [MutationResult.from_wire(r, f"results[{i}]")
                   for i, r in enumerate(wire.array(data["results"], "results", MAX_MUTATIONS))]
        pull, error = data.get("pull"), data.get("pull_error")
        return cls(wire.string(data["epoch"], "epoch"), results,
                   wire.integer(data["protocol"], "protocol"),
                   None if pull is None else PullResponse.from_wire(pull, "pull"),
                   None if error is None else ProtocolError.from_wire(
                       wire.obj(error, "pull_error", ("code", "error", "message", "details"))))


@dataclass
class PullRequest:
    """``POST /api/sync/pull``: the page of changes after ``cursor`` (null: from the start);
    with ``ahead``, also the cursors of up to that many pages after it, to fetch at once."""

    replica: str
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT
    protocol: int = PROTOCOL_VERSION
    ahead: int = 0

    def to_wire(self):
        """Return the request as a JSON object."""
        body = {"protocol": self.protocol, "replica": self.replica, "cursor": self.cursor,
                "limit": self.limit}
        if self.ahead:
            body["ahead"] = self.ahead
        return body

    @classmethod
    def from_wire(cls, data, path=""):
        """Build a pull request from its JSON body.

        :param data: the decoded JSON body.
        :param path: where it sits in the message (a push's carried ``pull``), for errors.
        :raises ProtocolTooOld: if the client's protocol is too old.
        :raises InvalidRequest: naming the first bad field.
        """
        protocol = check_protocol(data)
        wire.obj(data, path, ("protocol", "replica", "cursor"), ("limit", "ahead"))
        return cls(wire.uuid_string(data["replica"], "replica"),
                   wire.string(data["cursor"], wire.join(path, "cursor"), MAX_CURSOR_CHARS,
                               nullable=True),
                   wire.integer(data.get("limit", DEFAULT_LIMIT), wire.join(path, "limit"), 1,
                                MAX_LIMIT),
                   protocol,
                   wire.integer(data.get("ahead", 0), wire.join(path, "ahead"), 0, MAX_AHEAD))


@dataclass
class Change:
    """One changed record in a pull page: the whole record, or only its key when the puller may
    no longer see it (``removed``: the record leaves the device)."""

    collection: str
    id: str
    learner_id: int
    seq: int
    removed: bool = False
    record: Record | None = None

    @classmethod
    def of(cls, record, visible):
        """Return the change that tells a puller about ``record``.

        :param record: the ``Record``.
        :param visible: whether the puller may see the record.
        """
        return cls(record.collection, record.id, record.learner_id, record.seq,
                   removed=not visible, record=record if visible else None)

    def to_wire(self):
        """Return the change as a JSON object."""
        if self.removed:
            return {"collection": self.collection, "id": self.id,
                    "learner_id": self.learner_id, "seq": self.seq, "removed": True}
        return self.record.to_wire()

    @classmethod
    def from_wire(cls, data, path="change"):
        """Build a change from its JSON object.

        :param data: the decoded JSON object.
        :param path: where it sits in the message, for errors.
        :raises InvalidRequest: naming the first bad field.
        """
        if isinstance(data, dict) and data.get("removed") is True:
            wire.obj(data, path, ("collection", "id", "learner_id", "seq", "removed"))
            return cls(wire.field_name(data["collection"], wire.join(path, "collection")),
                       wire.uuid_string(data["id"], wire.join(path, "id")),
                       wire.person_id(data["learner_id"], wire.join(path, "learner_id")),
                       wire.integer(data["seq"], wire.join(path, "seq"), 0), removed=True)
        record = Record.from_wire(data, path, extra=("removed",))
        return cls.of(record, visible=True)


@dataclass
class PullResponse:
    """A page of changes in seq order, the cursor to send next, and the learners in scope."""

    epoch: str
    changes: list
    cursor: str
    more: bool
    scope: list
    through: int = 0  # every change visible to this person up to this seq has now been sent
    protocol: int = PROTOCOL_VERSION
    ahead: list | None = None  # cursors of the pages after this one, when the request asked
    epoch_seq: int | None = None  # on a pull from the start: the seq the epoch began at

    def to_wire(self):
        """Return the response as a JSON object."""
        body = {"protocol": self.protocol, "epoch": self.epoch,
                "changes": [c.to_wire() for c in self.changes], "cursor": self.cursor,
                "more": self.more, "scope": list(self.scope), "through": self.through}
        if self.ahead is not None:
            body["ahead"] = list(self.ahead)
        if self.epoch_seq is not None:
            body["epoch_seq"] = self.epoch_seq
        return body

    @classmethod
    def from_wire(cls, data, path=""):
        """Build a pull response from its JSON body.

        :param data: the decoded JSON body.
        :param path: where it sits in the message (a push answer's ``pull``), for errors.
        :raises InvalidRequest: naming the first bad field.
        """
        at = f"{path}." if path else ""
        wire.obj(data, path, ("protocol", "epoch", "changes", "cursor", "more", "scope",
                              "through"), ("ahead", "epoch_seq"))
        changes = [Change.from_wire(c, f"{at}changes[{i}]") for i, c in
                   enumerate(wire.array(data["changes"], wire.join(path, "changes"), MAX_LIMIT))]
        scope = [wire.person_id(v, f"{at}scope[{i}]") for i, v in
                 enumerate(wire.array(data["scope"], wire.join(path, "scope"), 100_000))]
        return cls(wire.string(data["epoch"], wire.join(path, "epoch")), changes,
                   wire.string(data["cursor"], wire.join(path, "cursor"), MAX_CURSOR_CHARS),
                   wire.boolean(data["more"], wire.join(path, "more")), scope,
                   wire.integer(data["through"], wire.join(path, "through"), 0),
                   wire.integer(data["protocol"], wire.join(path, "protocol")),
                   None if "ahead" not in data else [
                       wire.string(c, f"{at}ahead[{i}]", MAX_CURSOR_CHARS) for i, c in
                       enumerate(wire.array(data["ahead"], wire.join(path, "ahead"), MAX_AHEAD))],
                   None if "epoch_seq" not in data else
                   wire.integer(data["epoch_seq"], wire.join(path, "epoch_seq"), 0))
