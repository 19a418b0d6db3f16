"""Three devices editing one journal offline, syncing in any order over a faulty network, against
a server that may be restored from a backup: after everyone syncs, they agree and nothing
acknowledged is lost.

``HYPOTHESIS_PROFILE=ci`` makes the run reproducible (derandomized, no example database);
``HYPOTHESIS_PROFILE=thorough`` explores more for a nightly run.
"""
import os
import sys
import uuid
from types import SimpleNamespace
from typing import NamedTuple

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition,
                                 rule)

from sync import (COLLECTION_KEY, DELETED, VISIBILITIES, Client, EngineTransport, MemoryStore,
                  purge_tombstones)

from .builders import LEARNER, Network, person, scope_of

PROFILES = {
    "default": {"max_examples": 100, "stateful_step_count": 50},
    "ci": {"max_examples": 100, "stateful_step_count": 50, "derandomize": True,
           "database": None, "print_blob": True},
    "thorough": {"max_examples": 500, "stateful_step_count": 60},
}
PROFILE = PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "default"), PROFILES["default"])

LEARNER_SCOPE = scope_of(LEARNER)
MENTOR_SCOPE = scope_of(LEARNER, visible={"mentor", "care_team"})
DEVICES = [(1, LEARNER_SCOPE), (1, LEARNER_SCOPE), (9, MENTOR_SCOPE)]  # tablet, phone, mentor
FIELDS = {"title": ["Paint", "Knit", "Read Hardy", ""], "why": ["joy", "friends", None],
          "visibility": list(VISIBILITIES)}

slots = st.integers(0, len(DEVICES) - 1)


def validate(collection, fields, is_create):
    """Goals only; a title may not be empty, and a new goal needs one, as on the server (so
    some writes are refused)."""
    if collection != "goals":
        return {COLLECTION_KEY: "goals only"}
    if fields.get("title", "x") == "" or is_create and "title" not in fields:
        return {"title": "is required"}
    return {}


class Backup(NamedTuple):
    dump: object
    answered: frozenset  # ids of the mutations the server had answered
    records: frozenset  # ids of the records it had


class JournalSync(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.store = self._new_store()
        self.clients = [self._device(slot) for slot in range(len(DEVICES))]
        self.written = {}  # mutation id -> (slot, Mutation): everything anyone wrote
        self.backups = []
        self.wiped = set()  # replicas whose storage was cleared: their logs are gone
        # the resolves devices made by themselves after a restore (their own changes, which the
        # restored server kept aside, chosen again), by id
        self.chosen_again = {}
        # the changes devices sent again by themselves, as new mutations, once a pull brought
        # the record a restored server had refused them for not having, by id
        self.sent_again = {}
        # per slot: (record id -> seq, epoch, the seqs of copies kept from an earlier epoch)
        self.seen = [({}, None, {}) for _ in DEVICES]
        self.created = 0
        self.purged = set()  # ids of records whose tombstones were purged

    def _new_store(self):
        """The server; tests/api/test_sync_stateful_http.py puts the real one here."""
        return MemoryStore()

    def _device(self, slot):
        person_id, scope = DEVICES[slot]
        transport = EngineTransport(self.store, person(person_id), scope, validate)
        return Client(Network(transport), batch_size=3, page_size=2)

    def _note(self, slot, mutation):
        self.written[mutation.id] = (slot, mutation)

    def _pick(self, data, slot, having=lambda record: True):
        records = self.clients[slot].records
        ids = sorted(rid for rid, record in records.items() if having(record))
        return records[data.draw(st.sampled_from(ids))] if ids else None

    @initialize()
    def a_shared_journal(self):
        """Two goals every device has: so edits of the same record start early."""
        for _ in range(2):
            self.create(0, "Paint", "mentor")
        for client in self.clients:
            client.sync()

    @rule(slot=slots, title=st.sampled_from(FIELDS["title"]),
          visibility=st.sampled_from(FIELDS["visibility"]))
    def create(self, slot, title, visibility):
        self.created += 1
        record_id = str(uuid.UUID(int=self.created))
        fields = {"title": title, "visibility": visibility}
        self._note(slot, self.clients[slot].write("goals", record_id, fields, LEARNER))

    @rule(slot=slots, data=st.data())
    def edit(self, slot, data):
        record = self._pick(data, slot)
        if record is not None:
            name = data.draw(st.sampled_from(sorted(FIELDS)))
            value = data.draw(st.sampled_from(FIELDS[name]))
            self._note(slot, self.clients[slot].write("goals", record.id, {name: value},
                                                      LEARNER))

    @rule(slots=st.lists(slots, min_size=2, max_size=2, unique=True), data=st.data())
    def edit_on_two_devices(self, slots, data):
        """Two devices change the same field of a record both have, before syncing."""
        first, second = (self.clients[slot] for slot in slots)
        shared = sorted(set(first.records) & set(second.records))
        if shared:
            record_id = data.draw(st.sampled_from(shared))
            name = data.draw(st.sampled_from(["title", "why"]))
            for slot in slots:
                value = data.draw(st.sampled_from(FIELDS[name]))
                self._note(slot, self.clients[slot].write("goals", record_id, {name: value},
                                                          LEARNER))

    @rule(slot=slots, data=st.data())
    def delete(self, slot, data):
        record = self._pick(data, slot)
        if record is not None:
            self._note(slot, self.clients[slot].delete("goals", record.id, LEARNER))

    @rule(slot=slots, data=st.data())
    def resolve(self, slot, data):
        record = self._pick(data, slot, having=lambda r: r.conflicts)
        if record is None:
            return
        name = data.draw(st.sampled_from(sorted(record.conflicts)))
        choices = [v["value"] for v in record.conflicts[name]]
        if name != DELETED:
            choices.append(record.fields.get(name))
        else:
            choices.append(False)
        chosen = data.draw(st.sampled_from(choices))
        self._note(slot, self.clients[slot].resolve("goals", record.id, LEARNER,
                                                    {name: chosen}))

    @rule(slot=slots, faults=st.lists(st.sampled_from(Network.FAULTS), max_size=3))
    def sync(self, slot, faults):
        client = self.clients[slot]
        client.transport.faults = list(faults)
        report = client.sync()
        client.transport.faults = []
        self._note_chosen_again(client)
        for happened in ("conflicts", "rejected", "epoch_changed", "removed", "error",
                         "full_resync"):
            if getattr(report, happened):
                event(f"a sync saw: {happened}")

    @precondition(lambda self: not self.purged)
    @rule()
    def back_up(self):
        self.backups.append(Backup(
            self.store.snapshot(),
            frozenset(mid for mid in self.written if self.store.stored_result(mid)),
            frozenset(r.id for r in self.store.all_records())))

    @rule()
    def purge(self):
        """The retention job with no retention at all: every tombstone goes, also those some
        device has not pulled yet, or holds unsent changes to. Those devices then resync from
        the start, and their changes of purged records are refused and kept for a person. No
        restore follows (docs/sync-protocol.md, "What a restore or a purge cannot settle")."""
        if any(client.local.epoch != self.store.epoch() or client.local.resend_log
               for client in self.clients):
            return  # a device away through a restore and then a purge: see the docstring
        deleted = {r.id for r in self.store.all_records() if r.deleted}
        if purge_tombstones(self.store, None, self.store.max_seq()):
            self.purged |= deleted
            self.backups.clear()
            event("tombstones purged")

    @precondition(lambda self: self.backups)
    @rule(data=st.data())
    def restore(self, data):
        """A backup from before a wiped device's acknowledged writes is restored only where
        another device still holds each of them, as the server has it now, and may send it
        again: the rest would be held nowhere, and nothing could bring it back."""
        backups = [b for b in self.backups if all(
            self._held_elsewhere(m, b) for m in self._only_in_wiped_logs(b))]
        if not backups:
            return
        backup = data.draw(st.sampled_from(backups))
        if self._only_in_wiped_logs(backup):
            event("a restore loses writes whose device was wiped, and others hold them")
        self.store.restore(backup.dump, new_epoch=True)

    def _only_in_wiped_logs(self, backup):
        """The acknowledged writes that restoring ``backup`` loses and no log can send again."""
        return [m for _, m in self.written.values()
                if m.replica in self.wiped and m.id not in backup.answered]

    def _held_elsewhere(self, mutation, backup):
        """Whether a device holds the record ``mutation`` wrote as the server has it now, and
        would send it again after a restore ("What a restore lost, sent again"). A record
        made after the backup waits for a person instead (``only_here``), and a version kept
        aside that the mentor wrote is left to his devices, which were wiped."""
        answer = self.store.stored_result(mutation.id)
        if answer is None or answer.status == "rejected" \
                or mutation.op not in ("upsert", "delete") \
                or mutation.record_id not in backup.records:
            return False
        if (answer.status == "conflict" or answer.result.get("conflicts")) \
                and DEVICES[self.written[mutation.id][0]][0] != LEARNER:
            return False
        [record] = [r for r in self.store.all_records() if r.id == mutation.record_id] or [None]
        if record is None:
            return False
        # the learner's own devices: what the mentor's sees may change (an entry made private)
        return any(
            (held.fields, held.revs, held.deleted, held.conflicts)
            == (record.fields, record.revs, record.deleted, record.conflicts)
            and client.may_write(held)
            for (person_id, _), client in zip(DEVICES, self.clients) if person_id == LEARNER
            for held in [client.local.pulled.get(record.id)] if held is not None)

    @rule(slot=slots)
    def wipe(self, slot):
        """The device loses its storage after everything it wrote reached the server (as the
        server is now); it comes back as a new replica. An older backup is then restored only
        while other devices hold its writing ("restore"), and a device that has not synced
        since a restore is not wiped: it may be the one holding what the restore lost."""
        local = self.clients[slot].local
        self._note_chosen_again(self.clients[slot])
        if local.outbox or any(self.store.stored_result(m) is None for m in local.log) \
                or local.epoch not in (None, self.store.epoch()) \
                or local.restore_seen is not None or local.resend_log:
            return
        self.wiped.add(self.clients[slot].replica_id)
        self.clients[slot] = self._device(slot)
        self.seen[slot] = ({}, None, {})
        if self.purged:
            event("a device starts again after a purge")

    @invariant()
    def a_devices_seen_seqs_never_go_back_within_an_epoch(self):
        for slot, client in enumerate(self.clients):
            seqs, epoch, kept = self.seen[slot]
            now = {rid: r.seq for rid, r in client.local.pulled.items()}
            if epoch != client.local.epoch:
                # a device keeps its copies across an epoch change (they may be the only
                # ones); until the server sends them again they carry the old epoch's seqs
                kept = seqs
            elif epoch is not None:
                assert all(now[rid] >= seq for rid, seq in seqs.items()
                           if rid in now and kept.get(rid) != seq)
            self.seen[slot] = (now, client.local.epoch, kept)

    def _note_chosen_again(self, client):
        for m in [*client.local.log.values(), *client.local.outbox.values()]:
            if m.id not in self.written:
                (self.sent_again if m.op == "upsert" else self.chosen_again)[m.id] = m

    def teardown(self):
        self._settle()
        for client in self.clients:
            self._note_chosen_again(client)
        server = {r.id: r for r in self.store.all_records()}
        self._check_converged(server)
        self._check_nothing_lost(server)
        for record in server.values():
            for versions in record.conflicts.values():
                revs = [v["rev"] for v in versions]
                assert len(revs) == len(set(revs)), "a version is kept twice"

    def _settle(self):
        for client in self.clients:
            client.transport.faults = []
        for _ in range(4):
            reports = [client.sync() for client in self.clients]
            assert all(r.error is None for r in reports), reports
            # settled: a whole round in which nobody sent, received or still holds anything
            if not any(r.pulled or r.applied or r.conflicts or r.rejected or c.pending_count
                       for r, c in zip(reports, self.clients)):
                return
        raise AssertionError("the devices do not settle")

    def _check_converged(self, server):
        for slot, client in enumerate(self.clients):
            visible = DEVICES[slot][1].learners[LEARNER]
            expected = {rid: (r.fields, r.conflicts) for rid, r in server.items()
                        if not r.deleted and r.visibility in visible}
            assert {rid: (r.fields, r.conflicts) for rid, r in client.records.items()} == \
                expected, f"device {slot} differs from the server"

    def _check_nothing_lost(self, server):
        answers = {mid: self.store.stored_result(mid) for mid in self.written}
        # a wiped device's write, acknowledged, whose answer a restore then lost, is sent
        # again only where another device's copy lacks it: one the server's record already
        # holds (a delete of a record deleted since) may stay unanswered
        orphans = {mid for mid, (_, m) in self.written.items()
                   if m.replica in self.wiped and answers[mid] is None}
        assert all(answers[mid] for mid in answers.keys() - orphans), \
            "a mutation was never answered"
        for mid in orphans:
            answers[mid] = SimpleNamespace(status="applied", result={"conflicts": []})
        # a change refused for the record it lacked stands for the one its device sent again
        sent = {mid: (slot, self._as_sent_again(m, answers[mid])) for mid, (slot, m)
                in self.written.items()}
        answers = {mid: self.store.stored_result(m.id) if m.id != mid else answers[mid]
                   for mid, (_, m) in sent.items()}
        kept = {mid: (m, answers[mid].result) for mid, (_, m) in sent.items()
                if answers[mid].status != "rejected"}
        chosen = dict(self._chosen_again_by_devices())
        kept.update(chosen)
        for choice, _ in chosen.values():  # the own changes it chose again stand, as applied
            for rev, name in _stood_for(choice, kept):
                written, result = kept[rev]
                kept[rev] = (written, {**result, "conflicts": [
                    n for n in result["conflicts"] if n != name]})
        for mid, (slot, mutation) in sent.items():
            if answers[mid].status == "rejected":
                client = self.clients[slot]
                if client.replica_id == mutation.replica:
                    assert mutation.id in {r.mutation.id for r in client.needs_person}
                continue
            gone = mutation.record_id in self.purged and mutation.record_id not in server
            for name, value in _writes(mutation):
                if gone and name == DELETED:
                    continue  # deleted, and the tombstone purged
                assert _present(server.get(mutation.record_id), mutation, name, value) or \
                    self._kept_by_its_choice(server, mutation, name, value) or \
                    _superseded(kept, sent.values(), mutation, name, value) or \
                    mid in orphans and self._waits_for_a_person(server, mutation, name, value), \
                    (mutation, name)

    def _as_sent_again(self, mutation, answer):
        """The mutation its device sent again for ``mutation`` (its words, over the same base),
        if the server refused it for not having its record; else ``mutation``."""
        if answer is None or answer.status != "rejected":
            return mutation
        return next((m for m in self.sent_again.values()
                     if (m.replica, m.record_id, m.fields, m.base) == (
                         mutation.replica, mutation.record_id, mutation.fields, mutation.base)
                     and m.seq > mutation.seq), mutation)

    def _chosen_again_by_devices(self):
        """What a device chose again by itself after a restore, its person's own change which
        the restored server only kept aside: {id: (mutation, result)} of those the server
        applied. A delete stands for its person's delete; a resolve for its person's last
        change of a field, over the earlier ones of that device it lists. They supersede what
        those did."""
        deleted = {(m.replica, m.record_id) for _, m in self.written.values()
                   if _writes(m) == [(DELETED, True)]}
        for mid, m in self.chosen_again.items():
            answer = self.store.stored_result(mid)
            if answer is None or answer.status != "applied":
                continue
            listed = [rev for revs in m.seen_conflicts.values() for rev in revs]
            if m.op == "delete" and (m.replica, m.record_id) in deleted or m.op == "resolve" \
                    and all(rev in self.written and self.written[rev][1].replica == m.replica
                            for rev in listed):
                yield mid, (m, answer.result)

    def _kept_by_its_choice(self, server, mutation, name, value):
        """Whether the same value is kept aside as the version of a resolve its device made
        by itself after a restore, choosing it again, which the server kept aside in turn
        (another device had sent again, meanwhile, what it was based on)."""
        record = server.get(mutation.record_id)
        return record is not None and any(
            v["value"] == value and v["rev"] in self.chosen_again
            and mutation.id in self.chosen_again[v["rev"]].seen_conflicts.get(name, ())
            for v in record.conflicts.get(name, []))

    def _waits_for_a_person(self, server, mutation, name, value):
        """Whether the same value of the same field waits for a person: kept beside another in
        a conflict on the server, or refused and held on a device (a wiped device's write sent
        again by a device that held it; the record was changed, or deleted, meanwhile); or a
        delete made over it waits, kept as a conflict (the person deleted what it wrote)."""
        record = server.get(mutation.record_id)
        deleted_over = {m.id for _, m in self.written.values()
                        if m.record_id == mutation.record_id and m.base.get(name) == mutation.id
                        and (m.op == "delete" or m.fields.get(DELETED) is True)}
        return record is not None and any(
            v["value"] == value or v["rev"] in deleted_over
            for v in record.conflicts.get(name, []) + record.conflicts.get(DELETED, [])) or any(
            r.mutation.record_id == mutation.record_id and name in r.mutation.fields
            and r.mutation.fields[name] == value
            for client in self.clients for r in client.needs_person)


def _stood_for(choice, kept):
    """The (id, field) of the kept changes a device's own choice, made again after a restore,
    stands for: a resolve's, those it lists; a delete's, its device's earlier deletes of the
    record, with what they were made over (a restore lost it, and they were kept aside)."""
    if choice.op == "resolve":
        return [(rev, name) for name, revs in choice.seen_conflicts.items()
                for rev in revs if rev in kept]
    return [(mid, DELETED) for mid, (m, _) in kept.items() if mid != choice.id
            and m.op == "delete" and (m.replica, m.record_id) == (choice.replica,
                                                                  choice.record_id)]


def _writes(mutation):
    """The (field, value) pairs a mutation wrote; a delete writes ``_deleted: True``."""
    if mutation.op == "delete":
        return [(DELETED, True)]
    return [(name, value) for name, value in mutation.fields.items()
            if name != DELETED or value is True]


def _present(record, mutation, name, value):
    if record is None:
        return False
    versions = record.conflicts.get(name, [])
    if any(v["rev"] == mutation.id for v in versions):
        return True
    if name == DELETED:
        return record.deleted
    return not record.deleted and record.fields.get(name) == value


def _superseded(kept, written, mutation, name, value):
    """Whether an acknowledged later mutation was based on this one (or on a write of the
    same value that replaced its rev), or chose between versions having seen it."""
    same = {mutation.id} | {mid for mid, (m, result) in kept.items()
                            if m.record_id == mutation.record_id and name in m.fields
                            and m.fields[name] == value and name not in result["conflicts"]}
    # a write of the same value answered otherwise in the end (refused, or kept aside, by a
    # restored server) was shown where it was written, and merged as the same value where it
    # came first: what was based on it had seen that value too
    same |= {m.id for _, m in written if m.op == "upsert"
             and m.record_id == mutation.record_id and name in m.fields
             and m.fields[name] == value}
    # and what was written on top of those, refused or not: a person who then deleted the
    # record, or wrote the field again, had seen them (a device shows its own unsent writing)
    grown = True
    while grown:
        more = {m.id for _, m in written if m.record_id == mutation.record_id
                and m.base.get(name) in same} - same
        same |= more
        grown = bool(more)
    for other, result in kept.values():
        if other.record_id != mutation.record_id or other.id == mutation.id:
            continue
        if mutation.id in other.seen_conflicts.get(name, ()):
            return True
        deletes = other.op == "delete" or other.fields.get(DELETED) is True
        clean = DELETED not in result["conflicts"] if deletes else \
            name in other.fields and name not in result["conflicts"]
        if clean and (other.base.get(name) in same or deletes and name == DELETED):
            return True
    return False


JournalSync.TestCase.settings = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow], **PROFILE)
TestJournalSync = JournalSync.TestCase


class _Drawn:
    """Stands for ``st.data()`` in a sequence replayed by hand: draws the given values."""

    def __init__(self, *values):
        self.values = list(values)

    def draw(self, strategy):
        return self.values.pop(0)


def test_a_delete_chosen_again_stands_for_the_one_made_over_a_lost_change(monkeypatch):
    """A sequence the model once failed (no loss in the product): the mentor's change, then his
    phone cleared; the server restored to before it; her tablet, holding it, deletes the goal.
    Kept aside by the restored server, the delete is chosen again over the server's copy, and
    stands for the one she made over his change."""
    monkeypatch.setattr(sys.modules[__name__], "event", lambda *args: None)
    run = JournalSync()
    run.a_shared_journal()
    goal = str(uuid.UUID(int=2))
    run.back_up()
    run.edit_on_two_devices([1, 2], _Drawn(goal, "title", "Paint", "Knit"))
    run.sync(2, [])
    run.wipe(2)
    run.sync(0, [])
    run.restore(_Drawn(run.backups[0]))
    run.delete(0, _Drawn(goal))
    run.teardown()
    assert [r.deleted for r in run.store.all_records() if r.id == goal] == [True]
    assert any(m.op == "delete" for m in run.chosen_again.values())


def test_a_copy_shared_before_a_restore_leaves_the_mentor_when_it_comes_back_private(
        monkeypatch):
    """A sequence the model once failed: her phone made a goal shared with the mentor, and he
    pulled it; both her devices wrote its title; the server was restored to before all that,
    and her tablet made the goal private offline. Her tablet's changes made the goal again,
    private, and the phone's create, sent again, was kept aside beside them. The server had
    never shared the goal with him in this epoch, so his copy stayed, unlike the server's: the
    version kept aside now says how widely it was shared."""
    monkeypatch.setattr(sys.modules[__name__], "event", lambda *args: None)
    run, goal = JournalSync(), str(uuid.UUID(int=4))
    run.a_shared_journal()
    run.back_up()
    run.delete(0, _Drawn(str(uuid.UUID(int=1))))
    run.create(0, "Paint", "private")
    run.delete(0, _Drawn(str(uuid.UUID(int=2))))
    run.create(1, "Paint", "mentor")
    for slot in (1, 2, 0):
        run.sync(slot, [])
    assert goal in run.clients[2].records
    run.edit_on_two_devices([0, 1], _Drawn(goal, "title", "Paint", "Paint"))
    run.restore(_Drawn(run.backups[0]))
    run.edit(0, _Drawn(goal, "visibility", "private"))
    run.teardown()
    assert goal not in run.clients[2].records
