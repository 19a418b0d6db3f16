"""What a restore lost that this device still holds (docs/sync-protocol.md, "What a restore
lost, sent again"): pure functions the reference client calls during the pull from the start
after a restore."""
from .records import DELETED


def lost_changes(held, record, mine, began=None, earlier=None):
    """Compare the copy a device ``held`` before a restore with the restored server's version,
    ``record``, and return what to send again, as ``(op, fields, base, seen, mutation id)``
    each: what the held copy has and that version lacks, which the server acknowledged once and
    may have lost.

    - Each change goes under its own id: a server that has it after all (its writer sent its
      log again, or the held copy was simply behind) answers as before and changes nothing.
      It carries every field the held copy has from it, those the server's version has from
      it too (based on nothing): sent to a server restored again meanwhile, that lacks it, it
      is then whole, and its writer's own copy, sent again under the same id, is answered as
      applied.
    - One that lost it applies it: a field based on the server's rev where that is one
      this device held for it before (``earlier``), or where the server's version is older
      than the held copy (the backup's, from which the held copy grew: at or below the seq
      the epoch ``began`` at, and its server time earlier); else on nothing (the field may
      have changed since the restore: the same value merges, another is kept beside it for
      a person). A record deleted since, by someone who had not seen the change, refuses it,
      and the refusal waits with its words.
    - A version the held copy keeps aside goes based on nothing, so it is kept aside again
      (only the learner's own: another's would be written as hers). A record the held copy
      has restored from the server's tombstone is restored again, by the resolve that did it,
      with every value held; later changes are based on that resolve.
    - This device's own changes (``mine``, id -> ``Mutation``: its outbox and log) go with its
      log, and a field that this device changed over the held one is left alone where the
      server has that change as the field's value. Its last change of a field that the server
      only keeps aside, because what it was based on was lost (over a value this device held
      before it), is chosen again: a resolve, or a delete, under a new id; the held value it
      replaced is then not sent, also when the held copy was not pulled again since that
      change was sent.

    :param held: the ``Record`` as this device last pulled it, before the restore.
    :param record: the restored server's version of it.
    :param mine: this device's own mutations, by id.
    :param began: the seq the server's new epoch began at (``None``: not known, and the server
        times alone decide which version is older, which a clock set back deceives).
    :param earlier: field -> the revs this device held for it before the held one.
    """
    earlier = earlier or {}
    older = record.updated_at < held.updated_at and (began is None or record.seq <= began)
    if held.deleted:
        rev = held.revs.get(DELETED)
        if rev is None or record.deleted:
            return []
        if rev in mine:  # its own delete went with its log; set aside if based on what was lost
            return [("delete", {}, *all_revs(record), None)] \
                if _only_set_aside(record, DELETED, rev, earlier, held) else []
        base, seen = all_revs(record if older else held)
        return [("delete", {}, base, seen, rev)]
    restore = _restored_here(held, record, mine)
    on = older and not record.deleted
    ours = sorted((m for m in mine.values() if m.record_id == record.id), key=lambda m: m.seq)
    have = _revs_kept(record)
    lost, deletes, chosen = {}, [], {}  # rev -> (fields, base); delete wishes; chosen again
    for name, rev in held.revs.items():
        if name == DELETED or rev == restore or record.revs.get(name) == rev:
            continue
        over = _own_over(ours, name, rev)
        # its own change over the held one, chosen again below, is the last word on it
        again = bool(over) and over[-1].op != "delete" \
            and _only_set_aside(record, name, over[-1].id, earlier)
        if rev not in mine and not again \
                and not _wrote_over(mine, record.revs.get(name), rev, name):
            fields, base = lost.setdefault(rev, ({}, {}))
            fields[name] = held.fields.get(name)
            server = record.revs.get(name)
            held_before = not record.deleted and server in earlier.get(name, ())
            # a value the held copy keeps aside, beside the held one, was not replaced by it
            beside = server in {v["rev"] for v in held.conflicts.get(name, ())}
            based = restore or (server if (on or held_before) and not beside else None)
            if based is not None:
                base[name] = based
        if rev in mine or over:
            chosen[name] = [rev] * (rev in mine) + [m.id for m in over]
    for name, rev in held.revs.items():  # all of each change: the server may lose it yet
        if name != DELETED and rev in lost and name not in lost[rev][0] \
                and record.revs.get(name) == rev:
            lost[rev][0][name] = held.fields.get(name)
    own_delete = _own_delete_set_aside(chosen, mine, record, earlier, held)
    if own_delete:
        return [own_delete]
    for name, version in _versions_lost(held, record, mine):
        if name == DELETED:
            deletes.append(("delete", {}, {}, {}, version["rev"]))
        else:
            lost.setdefault(version["rev"], ({}, {}))[0][name] = version["value"]
    again = [("upsert", fields, base, {}, rev) for rev, (fields, base) in sorted(lost.items())]
    if restore is not None:
        values = {name: value for name, value in held.fields.items() if value is not None}
        seen = {DELETED: [record.revs[DELETED]]} if older and DELETED in record.revs else {}
        again.insert(0, ("resolve", {**values, DELETED: False}, {}, seen, restore))
    aside = {name: revs for name, revs in chosen.items()
             if mine[revs[-1]].op != "delete" and _only_set_aside(record, name, revs[-1], earlier)}
    if aside and not record.deleted:  # its own changes, which the log sent again, chosen again
        values = {name: held.fields.get(name) if revs[-1] == held.revs[name]
                  else mine[revs[-1]].fields.get(name) for name, revs in aside.items()}
        kept = {name: [rev for rev in revs if rev in have] for name, revs in aside.items()}
        again.append(("resolve", values, base_of(record, aside), kept, None))
    return again + deletes


def waits_for_its_record(mutation, error):
    """Whether a refused change was refused only because the server did not have its record:
    an upsert based on revs (its device had the record from a server), refused as a create
    for required fields it does not give. On a restored server, it came before the device that
    made the record sent it again; it is sent again, as a new mutation, when a pull brings the
    record (docs/sync-protocol.md, "What a restore or a purge cannot settle").

    :param mutation: the refused ``Mutation``.
    :param error: the error object of its result.
    """
    details = error.get("details") or {}
    failed = set(details.get("fields") or ()) | {details.get("field")}
    return (mutation.op == "upsert" and mutation.based_on_revs
            and error.get("error") == "validation_failed" and not failed & set(mutation.fields))


def _only_set_aside(record, name, rev, earlier, held=None):
    """Whether this device's own change ``rev`` of field ``name`` (``_deleted``: its delete),
    sent again with its log, is only kept aside by the restored server because what it was
    based on was lost: the server keeps it as a version, and over a value this device held
    before (``earlier``; for a delete, every field's, or the ``held`` tombstone's), or none."""
    if rev not in {v["rev"] for v in record.conflicts.get(name, ())}:
        return False
    if name == DELETED and any(v["rev"] != rev for vs in record.conflicts.values() for v in vs):
        return False  # a delete now would take versions this device never saw
    names = [n for n in record.revs if n != DELETED] if name == DELETED else [name]
    return all(record.revs.get(n) is None or record.revs.get(n) in earlier.get(n, ())
               or held is not None and record.revs.get(n) == held.revs.get(n) for n in names)


def _own_over(ours, name, rev):
    """This device's own changes of field ``name`` (a delete: of every field) made over
    ``rev``, directly or through more of its own, in order (``ours``: its mutations of the
    record, by seq): sent, or sent again, though the held copy was not pulled again since."""
    over = []
    for mutation in ours:
        if mutation.base.get(name) == rev and (name in mutation.fields or mutation.op == "delete"):
            over.append(mutation)
            rev = mutation.id
    return over


def _own_delete_set_aside(chosen, mine, record, earlier, held):
    """This device's own delete of the held, live copy (the last of its own changes of each
    field, ``chosen``: field -> its own revs over the held one), chosen again as a delete under
    a new id where the server only keeps it aside (``_only_set_aside``); else None. The lost
    changes it was made over are not sent: it was the last word on them."""
    last = {revs[-1] for revs in chosen.values()}
    if len(last) != 1 or record.deleted:
        return None
    [rev] = last
    if mine[rev].op != "delete" or not _only_set_aside(record, DELETED, rev, earlier, held):
        return None
    return ("delete", {}, *all_revs(record), None)


def _restored_here(held, record, mine):
    """The id of the resolve that restored, in the held copy, a record the server's version
    has as a tombstone, unless it is this device's own (it goes with the log); else None."""
    rev = held.revs.get(DELETED)
    return rev if record.deleted and rev is not None and rev not in mine else None


def _versions_lost(held, record, mine):
    """The versions the held copy keeps aside, as (field, version), that the server's version
    has neither aside nor as the field's value, written by the learner (or by no one known)
    and not by this device (its own go with its log)."""
    for name, versions in sorted(held.conflicts.items()):
        have = {v["rev"] for v in record.conflicts.get(name, ())} | {record.revs.get(name)}
        for version in versions:
            if version["rev"] not in have and version["rev"] not in mine \
                    and version.get("author_id") in (None, held.learner_id):
                yield name, version


def _revs_kept(record):
    """Every rev ``record`` holds: its fields' and its versions kept aside."""
    return set(record.revs.values()) | {v["rev"] for vs in record.conflicts.values() for v in vs}


def all_revs(record):
    """What a delete of ``record`` is based on: every rev, and every version kept aside."""
    base = {name: rev for name, rev in record.revs.items() if name != DELETED}
    seen = {name: [v["rev"] for v in versions] for name, versions in record.conflicts.items()}
    return base, seen


def base_of(record, names):
    """The revs values of ``names`` are based on, read from ``record`` (``None``: none); a
    field without one is left out (the same as null, and shorter on the wire)."""
    revs = record.revs if record is not None else {}
    return {name: revs[name] for name in names if revs.get(name) is not None}


def _wrote_over(mine, rev, held_rev, name):
    """Whether ``rev``, the server's rev of field ``name``, is a change this device made over
    ``held_rev``, its held copy's, directly or through more changes of its own: the held value
    is then older than the server's, not lost."""
    passed = set()
    while rev in mine and rev not in passed:
        passed.add(rev)
        rev = mine[rev].base.get(name)
        if rev == held_rev:
            return True
    return False
