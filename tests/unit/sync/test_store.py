"""The Store itself: transactions on every store; snapshots and refusals of the memory store."""
import json

import pytest

from sync import MemoryStore, Record
from sync.store import WholeRow

from .builders import LEARNER, T0, Writer, new_id, person, pull_all, scope_of


class Boom(Exception):
    pass


def goal_record(title="Paint"):
    return Record(new_id(), "goals", LEARNER, 1, {"title": title}, {"title": new_id()},
                  created_at=T0, updated_at=T0)


def test_a_transaction_that_fails_leaves_nothing_behind_not_even_its_seqs(store):
    with pytest.raises(Boom):
        with store.transaction() as tx:
            record = goal_record()
            record.seq = tx.allocate_seqs(1)
            tx.put_records([record], [])
            tx.set_next_seqs({new_id(): 5})
            raise Boom

    assert store.max_seq() == 0
    assert pull_all(store, scope_of(LEARNER))[0] == []


def test_seqs_continue_after_the_last_committed_block(store):
    for size in (3, 2):
        with store.transaction() as tx:
            first = tx.allocate_seqs(size)
            records = [goal_record() for _ in range(size)]
            for offset, record in enumerate(records):
                record.seq = first + offset
            tx.put_records(records, [])

    assert (first, store.max_seq()) == (4, 5)


def test_a_transactions_head_is_the_stores_head_once_it_commits(store, writer):
    writer.push(writer.upsert(new_id(), {"title": "Paint"}))
    with store.transaction() as tx:
        untouched = tx.head()
    assert untouched == store.head()

    with store.transaction() as tx:
        first = tx.allocate_seqs(3)
        records = [goal_record() for _ in range(3)]
        for offset, record in enumerate(records):
            record.seq = first + offset
        tx.put_records(records, [])
        head = tx.head()

    assert head == store.head() == (store.epoch(), first + 2)


def test_a_replica_never_seen_expects_seq_one(store):
    replica = new_id()

    with store.transaction() as tx:
        assert tx.next_seqs([replica]) == {replica: 1}


def test_a_store_starts_empty_with_an_epoch(store):
    assert store.epoch()
    assert (store.max_seq(), store.purged_through_seq()) == (0, 0)


def test_the_memory_store_keeps_refused_mutations_for_a_person():
    store = MemoryStore()
    writer = Writer(store, person(1))
    refused = writer.upsert(new_id(), {"title": "Walk", "minutes": "lots"})

    writer.push(refused, writer.upsert(new_id(), {"title": "Swim"}))

    (kept,) = store.rejected(LEARNER)
    assert (kept.mutation_id, kept.payload) == (refused.id, refused.to_wire())
    assert store.rejected(learner_id=99) == []


@pytest.mark.parametrize("new_epoch", [True, False])
def test_restoring_a_snapshot_brings_its_state_back(new_epoch):
    store = MemoryStore()
    writer = Writer(store, person(1))
    kept, _ = writer.create(title="before")
    snapshot, epoch = store.snapshot(), store.epoch()
    writer.create(title="after")

    store.restore(snapshot, new_epoch=new_epoch)

    assert [r.id for r in store.all_records()] == [kept]
    assert store.max_seq() == 1
    assert (store.epoch() != epoch) is new_epoch


def test_a_page_read_is_the_head_the_changes_and_the_purge_mark(store, writer):
    from sync import purge_tombstones

    kept, _ = writer.create(title="Paint")
    gone, gone_revs = writer.create(title="Bake")
    writer.push(writer.delete(gone, gone_revs))
    assert purge_tombstones(store, through_seq=store.max_seq()) == 1

    epoch, seq, before, rows, purged = store.page({LEARNER: 0}, 10)

    assert (epoch, seq) == store.head()
    assert rows == store.changes({LEARNER: 0}, 10)
    assert [json.loads(text)["id"] for *_, text in rows] == [kept]
    assert before == purged == store.purged_through_seq() == 3
    assert store.page({}, 10) == (epoch, seq, before, [], purged)  # no learner: no changes


def test_a_whole_page_holds_the_seq_and_text_of_the_same_rows(store, writer):
    for n in range(3):
        writer.create(title=f"Goal {n}")
    Writer(store, person(2)).create(title="Not this learner's", learner_id=2)

    *_, whole, _ = store.page({LEARNER: 0}, 10, whole=True)

    assert [(row[0], row[-1]) for row in whole] == [
        (row[0], row[-1]) for row in store.changes({LEARNER: 0}, 10)]
    assert len(whole) == 3 and {len(row) for row in whole} == {len(WholeRow._fields)}


def test_a_page_reads_up_to_its_until_and_seqs_reads_ahead_across_collections(store, writer):
    for n in range(3):
        writer.create(title=f"Goal {n}")
        writer.push(writer.upsert(new_id(), {"date": "2026-11-27", "activity": f"Walk {n}"},
                                  collection="sessions"))
    other = Writer(store, person(2))
    other.create(title="Not this learner's", learner_id=2)
    mine = [seq for seq, *_ in store.changes({LEARNER: 0}, 100)]
    assert len(mine) == 6

    *_, rows, _ = store.page({LEARNER: mine[0]}, 2, until=mine[3])

    assert [seq for seq, *_ in rows] == mine[1:3]  # the limit, within the bound
    assert store.seqs({LEARNER: mine[0]}, 4) == mine[1:5]  # every table, unbounded
    assert [seq for seq, *_ in store.changes({LEARNER: mine[0]}, 10, until=mine[3])] \
        == mine[1:4]
