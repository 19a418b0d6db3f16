"""A journal record as the server keeps it and sends it, generic over its domain fields."""
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import wire

DELETED = "_deleted"  # the pseudo-field of a deletion: its rev and its conflicting versions
VISIBILITIES = ("private", "mentor", "care_team")
ALL_VISIBILITIES = frozenset(VISIBILITIES)  # what a learner sees of their own journal
DEFAULT_VISIBILITY = "private"  # a record that names no visibility is seen by its learner only


def utc_now():
    """Return the current time as the protocol writes it (see ``format_time``)."""
    return format_time(datetime.now(timezone.utc))


def time_uuid(now_ms=None):
    """Return a new UUID of version 7 (RFC 9562) for a record or a mutation: the time in
    milliseconds, then random bits, so that ids made one after another sort together
    (docs/sync-protocol.md, "Limits").

    :param now_ms: the time, in milliseconds since 1970; defaults to the clock.
    """
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # the version
    value = value & ~(0x3 << 62) | 0x2 << 62  # the variant
    return str(uuid.UUID(int=value))


def format_time(moment):
    """Return an aware datetime as ISO 8601 UTC with microseconds and a ``Z``: fixed width, so
    such strings sort in time order.

    :param moment: a time-zone aware ``datetime``.

    :raises ValueError: if ``moment`` has no time zone.
    """
    if moment.tzinfo is None:
        raise ValueError("server times must be time-zone aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Record:
    """One record of one collection, belonging to one learner.

    ``revs`` maps each field to the id of the mutation that last set it (``_deleted`` to the
    delete); ``conflicts`` maps a field to the other versions kept by a concurrent change, each
    ``{"value", "rev", "author_id", "at"}``; ``seq`` is the server's change sequence.
    ``fields`` never holds a null: a field set to null is absent (its rev stays).
    """

    id: str
    collection: str
    learner_id: int
    author_id: int | None
    fields: dict = field(default_factory=dict)
    revs: dict = field(default_factory=dict)
    conflicts: dict = field(default_factory=dict)
    deleted: bool = False
    seq: int = 0
    created_at: str = ""
    updated_at: str = ""
    # Server-side only, never sent: the widest visibility the record has ever had. A puller
    # hears that a record left their sight only if it could ever have reached them.
    widest: str = ""

    @property
    def visibility(self):
        """Who may see the record: one of ``VISIBILITIES``."""
        return self.fields.get("visibility") or DEFAULT_VISIBILITY

    def copy(self):
        """Return a deep copy, so a caller's changes never reach a store's own copy."""
        return Record(self.id, self.collection, self.learner_id, self.author_id,
                      clone(self.fields), dict(self.revs), clone(self.conflicts), self.deleted,
                      self.seq, self.created_at, self.updated_at, self.widest)

    def widen(self, visibility=None):
        """Record ``visibility`` (by default the current one) in ``widest`` if it is wider than
        any before; return whether it was."""
        visibility = visibility or self.visibility
        if visibility not in VISIBILITIES or (VISIBILITIES.index(visibility)
                                              <= VISIBILITIES.index(self.widest or "private")):
            return False
        self.widest = visibility
        return True

    def to_wire(self):
        """Return the record as a JSON object, its revs written compactly (``pack_revs``)."""
        rev, revs = pack_revs(self.fields, self.revs)
        return {"id": self.id, "collection": self.collection, "learner_id": self.learner_id,
                "author_id": self.author_id, "fields": clone(self.fields), "rev": rev,
                "revs": revs, "conflicts": clone(self.conflicts), "deleted": self.deleted,
                "seq": self.seq, "created_at": self.created_at, "updated_at": self.updated_at}

    @classmethod
    def from_wire(cls, data, path="record", extra=()):
        """Build a record from its JSON object.

        :param data: the decoded JSON object.
        :param path: where it sits in the message, for errors.
        :param extra: further keys the enclosing message allows (a change's ``removed``).
        :raises InvalidRequest: naming the first bad field.
        """
        wire.obj(data, path, ("id", "collection", "learner_id", "author_id", "fields", "rev",
                              "revs", "conflicts", "deleted", "seq", "created_at", "updated_at"),
                 extra)
        author = data["author_id"]
        at = path + "."
        fields = {k: v for k, v in check_fields(
            data["fields"], wire.join(path, "fields"), reserved=()).items() if v is not None}
        rev = data["rev"]
        _rev(rev, wire.join(path, "rev"))
        return cls(
            id=wire.uuid_string(data["id"], wire.join(path, "id")),
            collection=wire.field_name(data["collection"], wire.join(path, "collection")),
            learner_id=wire.person_id(data["learner_id"], wire.join(path, "learner_id")),
            author_id=None if author is None else wire.person_id(author, at + "author_id"),
            fields=fields,
            revs=unpack_revs(fields, rev, check_revs(data["revs"], wire.join(path, "revs"))),
            conflicts=wire.mapping(data["conflicts"], wire.join(path, "conflicts"),
                                   _reserved_name, _versions),
            deleted=wire.boolean(data["deleted"], wire.join(path, "deleted")),
            seq=wire.integer(data["seq"], wire.join(path, "seq"), 0),
            created_at=wire.string(data["created_at"], wire.join(path, "created_at")),
            updated_at=wire.string(data["updated_at"], wire.join(path, "updated_at")))


def pack_revs(fields, revs, common=None):
    """Return ``(rev, revs)`` as a record travels: ``rev`` is the rev most of ``fields`` share,
    and ``revs`` names only the others (a field whose rev differs, a field set to null, the
    ``_deleted`` marker, and as null a field with no rev). A record written in one go sends one
    id instead of one per field.

    :param fields: the record's domain fields (or, for a push result, the mutation's).
    :param revs: its full revs, field -> rev.
    :param common: the shared rev to use (a push result's: the mutation's own id); by default
        the one most of ``fields`` have.
    """
    if common is None:
        counts = {}
        for name in fields:
            rev = revs.get(name)
            if rev is not None:
                counts[rev] = counts.get(rev, 0) + 1
        common = max(counts, key=counts.get) if counts else None
    packed = {name: rev for name, rev in revs.items()
              if rev is not None and (rev != common or name not in fields)}
    if common is not None:
        packed.update({name: None for name in fields if revs.get(name) is None})
    return common, packed


def unpack_revs(fields, rev, revs):
    """Return the full revs of a record that travelled as ``pack_revs`` wrote them: every field
    of ``fields`` not named in ``revs`` has the rev ``rev``.

    :param fields: the record's domain fields.
    :param rev: the shared rev (``None`` if there is none).
    :param revs: the other revs; a null names a field that has no rev.
    """
    full = {name: rev for name in fields} if rev is not None else {}
    full.update(revs)
    return {name: value for name, value in full.items() if value is not None}


def set_value(fields, name, value):
    """Set a domain field; null and absent are the same, and a record never holds a null
    (an SQL store cannot tell them apart, so neither may anyone else).

    :param fields: a record's ``fields``, changed in place.
    :param name: the field.
    :param value: its new value; ``None`` removes it.
    """
    if value is None:
        fields.pop(name, None)
    else:
        fields[name] = value


def clone(value):
    """Return a deep copy of a JSON value (much faster than ``copy.deepcopy``).

    :param value: null, a boolean, number, string, list or object.
    """
    if isinstance(value, dict):
        return {key: clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clone(item) for item in value]
    return value


def check_fields(value, path, reserved=()):
    """Return ``value`` if it is an object of domain field names to JSON values.

    :param value: the decoded JSON value.
    :param path: where it sits in the message, for errors.
    :param reserved: names starting with ``_`` allowed here (``_deleted`` in a resolve).
    :raises InvalidRequest: naming the first bad field.
    """
    return wire.mapping(value, path, lambda name, at: wire.field_name(name, at, reserved),
                        wire.json_value, plain=wire.plain_fields)


def check_revs(value, path):
    """Return ``value`` if it maps field names (``_deleted`` included) to mutation ids.

    :param value: the decoded JSON value.
    :param path: where it sits in the message, for errors.
    :raises InvalidRequest: naming the first bad entry.
    """
    return wire.mapping(value, path, _reserved_name, _rev)


def conflict_entry(value, rev, author_id, at):
    """Return one kept version of a field, for a record's ``conflicts``.

    :param value: what was written.
    :param rev: the id of the mutation that wrote it.
    :param author_id: who pushed it.
    :param at: the writer's clock, shown to people choosing between versions.
    """
    return {"value": value, "rev": rev, "author_id": author_id, "at": at}


def _reserved_name(name, path):
    wire.field_name(name, path, reserved=(DELETED,))


def _rev(value, path):
    wire.string(value, path, wire.MAX_ID_CHARS, nullable=True)


def _versions(value, path):
    for i, entry in enumerate(wire.array(value, path)):
        at = f"{path}[{i}]"
        wire.obj(entry, at, ("value", "rev", "author_id", "at"))
        wire.json_value(entry["value"], wire.join(at, "value"))
        wire.string(entry["rev"], wire.join(at, "rev"), wire.MAX_ID_CHARS)
        if entry["author_id"] is not None:
            wire.integer(entry["author_id"], wire.join(at, "author_id"))
        wire.string(entry["at"], wire.join(at, "at"), nullable=True)
