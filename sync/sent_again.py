"""How a push meets changes that arrive late, or again: after a restore, sent again by the
devices that held them (docs/sync-protocol.md, "What a restore lost, sent again"), or after
a purge, changes of a record deleted and gone. The engine (``engine.py``) asks these rules; they
read the store's stored answers and kept payloads, and change nothing themselves."""
from . import merge
from .mutation import Mutation

GONE = "the record was deleted and is gone"
NOT_HERE_YET = ("This entry is not on the server just now: the server was put back to an "
                "earlier copy. The change is sent again once the entry is back.")
_DEEPEST = 50  # a chain of mutations, each based on the one before, is followed this far


def is_gone(error):
    """Whether a refusal says the record was here and is gone."""
    return bool(error) and error["details"].get("reason") == GONE


def gone_revs(tx, mutations, stored, records):
    """The revs in the bases of changes and choices (upserts and resolves) of records the
    server does not have that show the record was here: those records were deleted, and their
    tombstones purged. Read only when such a change comes, which is rare.

    :param stored: the stored answers of the push's mutations, by id.
    :param records: the records the push touches, by (collection, record id).
    """
    revs = {rev for m in mutations if m.op in ("upsert", "resolve") and m.id not in stored
            and (m.collection, m.record_id) not in records
            for rev in m.base.values() if rev is not None}
    return _revs_of_records_here(tx, revs) if revs else set()


def _revs_of_records_here(tx, revs, depth=0):
    """Of ``revs``, those that show their record was on this server: a mutation it applied,
    one it refused as a change of a record gone, or one it refused for another reason (a title
    left empty, say) whose own ``base`` shows it, as a change of the record then."""
    found = tx.stored_results(revs)
    here = {i for i, r in found.items() if r["status"] != "rejected" or is_gone(r["error"])}
    refused = set(found) - here
    if refused and depth < _DEEPEST:  # a base names earlier mutations: the chain ends
        bases = {i: {rev for rev in payload.get("base", {}).values() if rev is not None}
                 for i, payload in tx.kept_payloads(refused).items()}
        named = set().union(*bases.values())
        under = _revs_of_records_here(tx, named, depth + 1) if named else set()
        here |= {i for i, named_by in bases.items() if named_by & under}
    return here


def missing_part(record, mutation, stored):
    """What a change the server has under this id already fills in of ``record``, as a
    ``Mutation`` of those fields, or None.

    A device that sent part of a change again after a restore may have made the record from
    that part alone. Sent again whole, by its writer's log, the change fills in the fields the
    record never had (no rev), as it would have made them; nothing else of it is applied again,
    and its answer is the one stored.

    :param stored: the change's stored answer (wire form).
    """
    if mutation.op != "upsert" or record is None or record.deleted \
            or stored["status"] == "rejected" or mutation.id not in record.revs.values():
        # a refusal stays one, whatever was refused; and only a record that holds part of
        # this change is one it made: not one made again under the same id since, after
        # its own was deleted and purged, nor one a retry finds unchanged
        return None
    aside = set(stored.get("conflicts") or ()) | {
        name for name, versions in record.conflicts.items()
        if any(v["rev"] == mutation.id for v in versions)}
    missing = {name: value for name, value in mutation.fields.items()
               if name not in record.revs and name not in aside and value is not None}
    if not missing:
        return None
    return Mutation(mutation.id, mutation.replica, mutation.seq, "upsert", mutation.collection,
                    mutation.record_id, mutation.learner_id, missing, {}, mutation.at)


def ahead_of_its_create(record, mutation, kept):
    """Whether ``mutation``, an upsert about to apply to ``record`` (None: not here), is a
    change that makes its record before the create it was based on came (on a restored
    server), or a change of the same push over one: the create, arriving later, is older than
    both, and their payloads are kept to tell (``overtaken``).

    :param kept: ids of this push's mutations whose payloads are kept.
    """
    return mutation.op == "upsert" and (
        mutation.based_on_revs if record is None
        else any(mutation.base.get(name) in kept for name in mutation.fields))


def overtaken(tx, record, mutation, done, kept):
    """The fields of an upsert whose value in ``record`` a change based on this mutation
    wrote, having come first: on a restored server, a device's change of a record made the
    record before the record's create, which it was based on, was sent again. The create's
    values there are older than the record's, so they are left as they are, not kept aside
    as a conflict. Such a change's payload is kept (``kept``) to tell, and so is that of a
    change of the same push made over it (a device that changed the record twice), which the
    chain is followed through.

    :param done: the push's mutations processed so far, as ``(mutation, result, key)``.
    :param kept: ids of this push's mutations whose payloads are kept.
    """
    if record is None or record.deleted or mutation.op != "upsert":
        return frozenset()
    found = set()
    walks = {name: record.revs.get(name) for name in merge.would_keep_aside(record, mutation)}
    for _ in range(_DEEPEST):  # down the chain of kept changes each field's value was made over
        revs = {rev for rev in walks.values() if rev is not None}
        if not revs:
            break
        payloads = _payloads(tx, revs, done, lambda m, result: m.id in kept)
        for name, rev in list(walks.items()):
            under = _based_on(payloads.get(rev), record, name)
            if under == mutation.id:
                found.add(name)
            if under is None or under == mutation.id:
                del walks[name]
            else:
                walks[name] = under
    return frozenset(found)


def widen_as_refused_changes(tx, tombstone, delete, done):
    """A delete that overtook its record's create, on a restored server, made a tombstone
    that cannot know who had the record. A change of it that the delete saw, refused because
    it came first (taken as a create, without a required field), still says how widely the
    record was shared: the tombstone travels to them, as it would had that change come after
    it (``merge._upsert``).

    :param done: the push's mutations processed so far, as ``(mutation, result, key)``.
    """
    revs = {rev for rev in delete.base.values() if rev is not None}
    refused = _payloads(tx, revs, done, lambda m, result: result.status == "rejected")
    for payload in refused.values():
        if payload.get("record_id") == tombstone.id:
            tombstone.widen(payload.get("fields", {}).get("visibility") or "private")


def _payloads(tx, revs, done, kept_here):
    """The kept payloads of the mutations ``revs`` names, by id: this push's own (those
    ``kept_here(mutation, result)`` says are kept), then the store's."""
    payloads = {m.id: m.to_wire() for m, result, _ in done
                if m.id in revs and kept_here(m, result)}
    if revs - set(payloads):
        payloads.update(tx.kept_payloads(revs - set(payloads)))
    return payloads


def _based_on(payload, record, name):
    """The rev over which ``payload``, a kept mutation of ``record``, set field ``name``, or
    None."""
    if payload is None or payload.get("record_id") != record.id \
            or name not in payload.get("fields", {}):
        return None
    return payload.get("base", {}).get(name)
