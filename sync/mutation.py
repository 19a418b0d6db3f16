"""A mutation: one change a person made on a device, as it waits in the outbox and travels in a
push. ``op`` is ``upsert`` (create, or change some fields), ``delete`` or ``resolve`` (settle
conflicts); ``base`` names the revision each written field was based on, ``seen_conflicts`` the
kept versions the person saw (see docs/sync-protocol.md, "Merge rules")."""
from dataclasses import dataclass, field

from . import wire
from .errors import InvalidRequest
from .records import DELETED, check_fields

OPS = ("upsert", "delete", "resolve")


@dataclass
class Mutation:
    """One change a person made on a device: an entry of the client's outbox."""

    id: str
    replica: str
    seq: int
    op: str
    collection: str
    record_id: str
    learner_id: int
    fields: dict = field(default_factory=dict)
    base: dict = field(default_factory=dict)
    at: str = ""
    seen_conflicts: dict = field(default_factory=dict)

    @property
    def based_on_revs(self):
        """Whether ``base`` names a rev: its device had the record from a server."""
        return any(rev is not None for rev in self.base.values())

    def to_wire(self):
        """Return the mutation as a JSON object."""
        data = {"id": self.id, "replica": self.replica, "seq": self.seq, "op": self.op,
                "collection": self.collection, "record_id": self.record_id,
                "learner_id": self.learner_id, "fields": dict(self.fields),
                "base": dict(self.base), "at": self.at}
        if self.seen_conflicts:
            data["seen_conflicts"] = {k: list(v) for k, v in self.seen_conflicts.items()}
        return data

    @classmethod
    def from_wire(cls, data, path="mutation"):
        """Build a mutation from its JSON object.

        :param data: the decoded JSON object.
        :param path: where it sits in the message, for errors.
        :raises InvalidRequest: naming the first bad field.
        """
        wire.obj(data, path, ("id", "replica", "seq", "op", "collection", "record_id",
                              "learner_id", "fields", "base", "at"), ("seen_conflicts",))
        at = path + "."
        op = data["op"]
        if op not in OPS:
            raise InvalidRequest(at + "op", f"must be one of {', '.join(OPS)}")
        mutation = cls(
            id=wire.uuid_string(data["id"], at + "id"),
            replica=wire.uuid_string(data["replica"], at + "replica"),
            seq=wire.integer(data["seq"], at + "seq", 1),
            op=op,
            collection=wire.field_name(data["collection"], at + "collection"),
            record_id=wire.uuid_string(data["record_id"], at + "record_id"),
            learner_id=wire.person_id(data["learner_id"], at + "learner_id"),
            fields=check_fields(data["fields"], at + "fields",
                                (DELETED,) if op == "resolve" else ()),
            base=wire.mapping(data["base"], at + "base", wire.field_name, _rev,
                              plain=wire.plain_revs),
            at=wire.string(data["at"], at + "at"),
            seen_conflicts=wire.mapping(data.get("seen_conflicts", {}), at + "seen_conflicts",
                                        _seen_name, _rev_list))
        _check_op_fields(mutation, at + "fields")
        return mutation


def _rev(value, path):
    wire.string(value, path, wire.MAX_ID_CHARS, nullable=True)


def _seen_name(name, path):
    wire.field_name(name, path, reserved=(DELETED,))


def _rev_list(value, path):
    for i, rev in enumerate(wire.array(value, path)):
        wire.string(rev, f"{path}[{i}]", wire.MAX_ID_CHARS)


def _check_op_fields(mutation, path):
    fields = mutation.fields
    if mutation.op == "delete":
        if fields:
            raise InvalidRequest(path, "must be empty for a delete")
        return
    if not fields:
        raise InvalidRequest(path, f"must name at least one field for {mutation.op}")
    if DELETED in fields:
        wire.boolean(fields[DELETED], wire.join(path, DELETED))
        if fields[DELETED] and len(fields) > 1:
            raise InvalidRequest(path, f"a resolve with {DELETED} true can set no other field")
