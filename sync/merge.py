"""The merge rules: how one mutation changes one record (docs/sync-protocol.md, "Merge rules").

Pure functions on ``Record`` objects; the engine loads and saves. Every rule keeps both sides of
a concurrent change: nothing wins silently.
"""
from dataclasses import dataclass, field

from .errors import mutation_error
from .records import DELETED, Record, conflict_entry, set_value


@dataclass
class Outcome:
    """What a mutation did to its record: ``applied``, ``conflict`` (with the fields whose
    incoming versions were kept aside) or ``rejected`` (with an error object)."""

    status: str
    conflicts: list = field(default_factory=list)
    error: dict | None = None
    changed: bool = True


def apply(record, mutation, author_id, now, overtaken=frozenset()):
    """Apply a mutation to its record and say what happened.

    :param record: the server's record (changed in place), or ``None`` if there is none.
    :param mutation: a ``Mutation`` that passed access and validation checks.
    :param author_id: the person pushing, author of a record this creates.
    :param now: the server time, an ISO string.
    :param overtaken: fields of an upsert whose value in ``record`` was written over this
        mutation's, by a change based on it that came first (``Merge rules``): left as they are.
    :return: ``(record or None, Outcome)``.
    """
    if record is not None:
        if mutation.op == "upsert":
            return record, _upsert(record, mutation, author_id, now, overtaken)
        return record, _RULES[mutation.op](record, mutation, author_id, now)
    if mutation.op == "resolve":
        return None, rejected("not_found", "record_id", "there is no such record")
    record = Record(mutation.record_id, mutation.collection, mutation.learner_id, author_id,
                    created_at=now, updated_at=now)
    if mutation.op == "delete":
        # A delete can overtake the create it saw (a restored server, replicas re-sending in
        # any order): the tombstone remembers what the deleter saw, so that create, arriving
        # later, is recognised as already deleted (see _upsert) instead of resurrecting.
        record.revs = {name: rev for name, rev in mutation.base.items() if rev is not None}
        _tombstone(record, mutation, now)
        return record, Outcome("applied")
    for name, value in mutation.fields.items():
        set_value(record.fields, name, value)
        record.revs[name] = mutation.id
    return record, Outcome("applied")


def seen_by_delete(record, mutation):
    """Whether ``record`` is a tombstone whose delete was based on ``mutation`` (its id is among
    the tombstone's revs): the delete saw that write, which may reach a restored server after
    it."""
    return record is not None and record.deleted and mutation.id in record.revs.values()


def restores(record, mutation):
    """Whether ``mutation`` is a resolve that brings the tombstone ``record`` back: it says
    ``_deleted`` false and lists the delete that made the tombstone (``_saw_delete``)."""
    return (mutation.op == "resolve" and record is not None and record.deleted
            and mutation.fields.get(DELETED) is False and _saw_delete(record, mutation))


def rejected(name, field_name, reason, **extra):
    """Return a rejected outcome with an error of ``MUTATION_ERRORS``.

    :param name: the error's name.
    :param field_name: the field it concerns.
    :param reason: why, in plain words.
    :param extra: more details.
    """
    return Outcome("rejected", error=mutation_error(name, field_name, reason, **extra),
                   changed=False)


def _upsert(record, mutation, author_id, now, overtaken=frozenset()):
    if record.deleted:
        # Nothing of the write is applied to a tombstone. But the write says how widely the
        # record was once shared, which a tombstone made on a restored server (a delete that
        # overtook the record's create, or its last change of visibility) cannot know: widened,
        # the tombstone travels to everyone who may have had the record, and leaves their
        # devices too. It carries no content, so this tells no one anything new.
        widened = record.widen(mutation.fields.get("visibility") or "private")
        if seen_by_delete(record, mutation):
            # the visibility the tombstone kept, where the delete took its rev from this
            # mutation without its value: this mutation's, should the record be restored
            kept = (record.revs.get("visibility") == mutation.id
                    and "visibility" in mutation.fields
                    and record.fields.get("visibility") != mutation.fields["visibility"])
            if kept:
                set_value(record.fields, "visibility", mutation.fields["visibility"])
            return Outcome("applied", changed=widened or kept)
        outcome = rejected("record_deleted", "record_id", "the record was deleted")
        outcome.changed = widened
        return outcome
    if overtaken.issuperset(mutation.fields):
        return Outcome("applied", changed=False)
    conflicts = [name for name, value in mutation.fields.items()
                 if name not in overtaken and not _set_field(record, name, value, mutation,
                                                             author_id)]
    record.updated_at = now
    return Outcome("conflict" if conflicts else "applied", conflicts)


def would_keep_aside(record, mutation):
    """The fields of an upsert that ``record`` would keep aside as versions (``_set_field``)."""
    return [name for name, value in mutation.fields.items()
            if _changed_unseen(record, name, value, mutation)]


def _delete(record, mutation, author_id, now):
    if record.deleted:
        return Outcome("applied", changed=False)
    if _changed_since(record, mutation):
        _keep_version(record, DELETED, True, mutation, author_id)
        record.updated_at = now
        return Outcome("conflict", [DELETED])
    _tombstone(record, mutation, now)
    return Outcome("applied")


def _resolve(record, mutation, author_id, now):
    choice = mutation.fields.get(DELETED)
    if choice is True:
        outcome = _delete(record, mutation, author_id, now)
        if outcome.status == "conflict":  # kept aside, it stands for the delete wishes seen
            drop_versions(record, DELETED, set(mutation.seen_conflicts.get(DELETED, ()))
                           - {mutation.id})
        return outcome
    if record.deleted and choice is not False:
        return rejected("record_deleted", "record_id",
                        f"the record was deleted; resolve with {DELETED} false to restore it")
    if record.deleted and not _saw_delete(record, mutation):
        # a "keep" chosen while the record stood, reaching it after someone deleted it: that
        # delete must not be undone unseen (nor the record come back emptied); a person decides
        return rejected("record_deleted", "record_id",
                        "the record was deleted on another device after this choice was made")
    for name, revs in mutation.seen_conflicts.items():
        drop_versions(record, name, set(revs))
    values = {k: v for k, v in mutation.fields.items() if k != DELETED}
    if record.deleted:  # restoring: the tombstone's values are gone, so the person's win
        record.deleted = False
        record.revs[DELETED] = mutation.id
        for name, value in values.items():
            set_value(record.fields, name, value)
            record.revs[name] = mutation.id
        conflicts = []
    else:
        conflicts = [name for name, value in values.items()
                     if not _set_field(record, name, value, mutation, author_id)]
    record.updated_at = now
    return Outcome("conflict" if conflicts else "applied", conflicts)


_RULES = {"upsert": _upsert, "delete": _delete, "resolve": _resolve}


def _set_field(record, name, value, mutation, author_id):
    """Set a field if the writer saw its current version (or writes the same value), or if the
    field's rev already names this mutation (a delete that overtook it took its revs as base,
    and a restore kept them: the value is this mutation's, arriving late); otherwise keep the
    incoming version aside. Return whether it was set."""
    if not _changed_unseen(record, name, value, mutation):
        set_value(record.fields, name, value)
        record.revs[name] = mutation.id
        return True
    _keep_version(record, name, value, mutation, author_id)
    return False


def _changed_unseen(record, name, value, mutation):
    """Whether field ``name`` changed since the writer of ``value`` saw it, to another value:
    its rev is neither the one ``mutation`` was based on nor its own."""
    return (record.revs.get(name) not in (mutation.base.get(name), mutation.id)
            and record.fields.get(name) != value)


def _keep_version(record, name, value, mutation, author_id):
    versions = record.conflicts.setdefault(name, [])
    if all(v["rev"] != mutation.id for v in versions):
        versions.append(conflict_entry(value, mutation.id, author_id, mutation.at))
    if name == "visibility":
        # a version shared more widely, kept aside: those it was shared with may hold the
        # record (a device's copy from before a restore), and must hear when it leaves them
        record.widen(value)


def drop_versions(record, name, revs):
    """Take the versions ``revs`` names out of ``record.conflicts[name]`` (a field left with
    none loses its entry): as the server lays a choice, and as a device lays it over its copy."""
    kept = [v for v in record.conflicts.get(name, []) if v["rev"] not in revs]
    if kept:
        record.conflicts[name] = kept
    else:
        record.conflicts.pop(name, None)


def _saw_delete(record, mutation):
    """Whether a resolve lists the delete that made this tombstone among the versions of
    ``_deleted`` its writer saw (a tombstone without a delete's rev is from before revs)."""
    rev = record.revs.get(DELETED)
    return rev is None or rev in mutation.seen_conflicts.get(DELETED, ())


def _changed_since(record, mutation):
    """Whether anything changed that the deleter did not see: a field's rev, or a kept version
    not listed in its ``seen_conflicts``."""
    if any(rev != mutation.base.get(name) for name, rev in record.revs.items()
           if name != DELETED):
        return True
    seen = mutation.seen_conflicts
    return any(v["rev"] not in seen.get(name, ()) for name, versions in record.conflicts.items()
               for v in versions)


def _tombstone(record, mutation, now):
    record.fields = {name: value for name, value in record.fields.items()
                     if name == "visibility"}
    record.conflicts = {}
    record.revs[DELETED] = mutation.id
    record.deleted = True
    record.updated_at = now
