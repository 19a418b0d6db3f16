"""A replica's local state, as the reference client keeps it (the PWA keeps the same in
IndexedDB): the server's records as last pulled, the outbox, the retained log of acknowledged
mutations, and what needs a person.

What a person sees (``view``) is the pulled record with their own changes laid over it: the
acknowledged ones a pull has not brought back yet, then the outbox. Pulls replace only the
pulled copy, so a person's unsent writing is never overwritten by a pull.
"""
from dataclasses import dataclass, field

from .merge import drop_versions
from .records import DELETED, Record, conflict_entry, set_value

EARLIER = 16  # earlier revs kept per field: a restore rarely goes back further


@dataclass
class Rejected:
    """A mutation the server refused: kept for a person to look at, never dropped silently."""

    mutation: object
    error: dict


@dataclass
class LocalStore:
    """Everything a replica keeps between syncs."""

    replica_id: str | None = None
    next_seq: int = 1
    pulled: dict = field(default_factory=dict)  # record id -> Record, as the server sent it
    outbox: dict = field(default_factory=dict)  # mutation id -> Mutation, not yet acknowledged
    # mutation id -> Mutation: every mutation the server answered (applied, conflict or
    # rejected), retained so a restored server can get it again; seqs stay contiguous
    log: dict = field(default_factory=dict)
    unpulled: dict = field(default_factory=dict)  # record id -> [(Mutation, MutationResult)]
    needs_person: list = field(default_factory=list)
    dismissed: set = field(default_factory=set)  # refused mutation ids a person dealt with
    cursor: str | None = None
    epoch: str | None = None
    last_synced: str | None = None
    resend_log: bool = False  # after an epoch change, until the server has the whole log again
    resync_seen: set | None = None  # during a full resync: ids pulled so far
    restore_seen: set | None = None  # during the pull from the start after a restore: the same
    restore_from: str | None = None  # the epoch before the last epoch change
    # the seq the server's epoch began at, from the pull from the start after a restore, if it
    # is a new epoch (not a restore that kept its epoch): the restored database's versions are
    # at or below it, the changes made since above it
    restore_began: int | None = None
    # record id -> field -> the revs the device held for that field before the one it holds
    # now, oldest first (at most ``EARLIER``), noted as pulls replaced them: a lost change held
    # over one of them is based on it when a restored server has it again
    earlier: dict = field(default_factory=dict)
    # ids of records the device holds that a restored server no longer has (not sent by the pull
    # from the start after the restore): kept, for a person to send again or leave
    only_here: set = field(default_factory=set)
    # ids of records that left the person's sight, kept only while the outbox held changes to
    # them: they leave once it holds none (the changes answered, applied or refused)
    leaving: set = field(default_factory=set)

    def view(self, record_id, unsent=None):
        """Return the record as the person should see it (tombstones included), or ``None``.

        :param record_id: the record's id.
        :param unsent: the outbox mutations of this record, if the caller has them at hand.
        """
        record = self.pulled.get(record_id)
        record = record.copy() if record is not None else None
        for mutation, result in self.unpulled.get(record_id, ()):
            record = overlay(record, mutation, result.conflicts)
        if unsent is None:
            unsent = [m for m in self.outbox.values() if m.record_id == record_id]
        for mutation in unsent:
            record = overlay(record, mutation)
        return record

    def views(self):
        """Return every record the person should see: id -> ``Record``, tombstones left out."""
        unsent = self._outbox_by_record()
        ids = set(self.pulled) | set(self.unpulled) | set(unsent)
        views = {rid: self.view(rid, unsent.get(rid, [])) for rid in ids}
        return {rid: r for rid, r in views.items() if r is not None and not r.deleted}

    def unsent(self, record_id):
        """Whether the outbox holds changes to this record.

        :param record_id: the record's id.
        """
        return any(m.record_id == record_id for m in self.outbox.values())

    def enqueue(self, mutation):
        """Put a new mutation in the outbox and take the next seq.

        :param mutation: a ``Mutation`` numbered with ``next_seq``.
        """
        self.outbox[mutation.id] = mutation
        self.next_seq = mutation.seq + 1

    def floor(self):
        """Return the lowest seq still held (outbox or log), or the next seq if none."""
        seqs = [m.seq for m in self.outbox.values()] + [m.seq for m in self.log.values()]
        return min(seqs, default=self.next_seq)

    def queue(self):
        """Return the mutations to push, in seq order: the outbox, after the log if the server
        has to get it again."""
        mutations = list(self.outbox.values())
        if self.resend_log:
            mutations += list(self.log.values())
        return sorted(mutations, key=lambda m: m.seq)

    def acknowledge(self, mutation, result):
        """Record that the server applied a mutation (or kept it as a conflict).

        :param mutation: the ``Mutation``.
        :param result: the server's ``MutationResult``.
        """
        resent = self.outbox.pop(mutation.id, None) is None  # from the log, after a restore
        self.log[mutation.id] = mutation
        # a restored server may apply what it once refused
        refused = mutation.id in self.dismissed or any(
            r.mutation.id == mutation.id for r in self.needs_person)
        self.needs_person = [r for r in self.needs_person if r.mutation.id != mutation.id]
        entries = self.unpulled.get(mutation.record_id, [])
        kept = [e for e in entries if e[0].id != mutation.id]
        # A mutation sent again from the log is laid over the record only where it was before,
        # or where it was refused and now takes effect: its answer may be the one stored long
        # ago, and laid over a newer copy (or a record since deleted and forgotten) it would
        # show what is no longer so.
        if not resent or refused or len(kept) < len(entries):
            self.unpulled[mutation.record_id] = sorted(kept + [(mutation, result)],
                                                       key=lambda e: e[0].seq)
        self._let_go(mutation.record_id)

    def reject(self, mutation, error):
        """Move a refused mutation to the list that needs a person (once).

        :param mutation: the ``Mutation``.
        :param error: the server's error object.
        """
        self.outbox.pop(mutation.id, None)
        self.log[mutation.id] = mutation
        self._forget_unpulled(mutation.record_id, lambda e: e[0].id == mutation.id)
        self._let_go(mutation.record_id)
        known = {r.mutation.id for r in self.needs_person} | self.dismissed
        if mutation.id not in known:
            self.needs_person.append(Rejected(mutation, error))

    def dismiss(self, mutation_id):
        """Forget a refused mutation once a person has dealt with it.

        :param mutation_id: the refused mutation's id.
        """
        self.needs_person = [r for r in self.needs_person if r.mutation.id != mutation_id]
        self.dismissed.add(mutation_id)

    def apply_change(self, change):
        """Take one change from a pull.

        :param change: a ``Change``.
        """
        if change.removed:
            if self.unsent(change.id):
                self.leaving.add(change.id)
            else:
                self.forget(change.id)
            return
        record = change.record
        held = self.pulled.get(record.id)
        if held is not None and self.restore_seen is None:
            self._note_earlier(held, record)
        self.pulled[record.id] = record
        self.leaving.discard(record.id)
        self.only_here.discard(record.id)  # the server has it again
        self._forget_unpulled(record.id, lambda e: e[1].seq is not None
                              and e[1].seq <= record.seq)

    def _note_earlier(self, held, record):
        """Note the revs of ``held`` that ``record``, pulled over it, replaces (not during the
        pull from the start after a restore: what it replaces there is sent again)."""
        for name, rev in held.revs.items():
            if rev is not None and record.revs.get(name) != rev:
                revs = self.earlier.setdefault(record.id, {}).setdefault(name, [])
                if rev not in revs:
                    revs.append(rev)
                    del revs[:-EARLIER]

    def settle(self, through):
        """Forget sent changes the server has passed without sending their record back: the
        person may no longer see it (a mentor's entry the learner hid, say).

        :param through: the ``through`` of a pull's last page (``more`` false): every change
            up to it was sent. A page with ``more`` passes the seq of a record changed again
            since, which comes on a later page.
        """
        for rid in list(self.unpulled):
            self._forget_unpulled(rid, lambda e: e[1].seq is not None and e[1].seq <= through)

    def drop(self, keep):
        """Forget records the device should no longer hold; one the outbox still holds
        changes to is kept until they are answered (``leaving``).

        :param keep: ``(record) -> bool``, false for a record to forget.
        """
        unsent = self._outbox_by_record()
        for rid in set(self.pulled) | set(self.unpulled):
            record = self.pulled.get(rid) or self.view(rid, [])
            if keep(record):
                continue
            if rid in unsent:
                self.leaving.add(rid)
            else:
                self.forget(rid)

    def forget(self, record_id):
        """Take a record off the device (what was sent of it is safe on the server).

        :param record_id: the record's id.
        """
        self.only_here.discard(record_id)
        self.earlier.pop(record_id, None)
        self.pulled.pop(record_id, None)
        self.unpulled.pop(record_id, None)
        self.leaving.discard(record_id)

    def _let_go(self, record_id):
        """Forget a record kept only for the outbox's changes once it holds none."""
        if record_id in self.leaving and not self.unsent(record_id):
            self.forget(record_id)

    def _outbox_by_record(self):
        grouped = {}
        for mutation in self.outbox.values():
            grouped.setdefault(mutation.record_id, []).append(mutation)
        return grouped

    def _forget_unpulled(self, record_id, done):
        entries = [e for e in self.unpulled.get(record_id, []) if not done(e)]
        if entries:
            self.unpulled[record_id] = entries
        else:
            self.unpulled.pop(record_id, None)


def overlay(record, mutation, conflicts=()):
    """Lay one of the person's mutations over a record as the server will apply it, or did.

    :param record: the record (changed in place), or ``None`` if the device has none.
    :param mutation: the ``Mutation``.
    :param conflicts: the fields the server kept aside, from its result.
    :return: the record.
    """
    if record is None:
        record = Record(mutation.record_id, mutation.collection, mutation.learner_id, None)
    fields = mutation.fields
    if mutation.op == "delete" or fields.get(DELETED) is True:
        if DELETED in conflicts:
            if mutation.op == "resolve":  # kept aside, it stands for the delete wishes seen
                drop_versions(record, DELETED, mutation.seen_conflicts.get(DELETED, ()))
            _keep(record, DELETED, True, mutation)
        else:
            record.deleted = True
        return record
    if record.deleted and fields.get(DELETED) is not False:
        return record  # the server will refuse it; it then waits in needs_person
    if mutation.op == "resolve":
        record.deleted = False
        for name, revs in mutation.seen_conflicts.items():
            drop_versions(record, name, revs)
    for name, value in fields.items():
        if name == DELETED:
            continue
        if name in conflicts:
            _keep(record, name, value, mutation)
        else:
            set_value(record.fields, name, value)
            record.revs[name] = mutation.id
    return record


def _keep(record, name, value, mutation):
    versions = record.conflicts.setdefault(name, [])
    if all(v["rev"] != mutation.id for v in versions):
        versions.append(conflict_entry(value, mutation.id, None, mutation.at))
