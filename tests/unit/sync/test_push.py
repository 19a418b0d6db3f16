"""Contract tests of a push, run on every store: idempotency, ordering, rejections."""

import pytest

from sync import PushRequest, push

from .builders import LEARNER, OTHER_LEARNER, T0, new_id, person, pull_all, scope_of


def test_a_new_record_is_created_with_the_pusher_as_author(store, writer):
    record_id = new_id()
    mutation = writer.upsert(record_id, {"title": "Learn to video-call my grandson"})

    result, = writer.push(mutation)

    assert (result.status, result.seq) == ("applied", 1)
    assert result.full_revs(mutation) == {"title": mutation.id}
    assert result.revs == {}  # packed: what the mutation set goes unnamed
    (change,), _ = pull_all(store, scope_of(LEARNER))
    assert (change.record.author_id, change.record.learner_id) == (1, LEARNER)
    assert change.record.fields == {"title": "Learn to video-call my grandson"}


def test_pushing_the_same_mutation_again_returns_the_first_answer_and_applies_nothing(
        store, writer):
    mutation = writer.upsert(new_id(), {"title": "Knit a scarf"})
    first = writer.push(mutation)

    second = writer.push(mutation)

    assert second == first
    assert store.max_seq() == 1


def test_a_rejected_mutation_pushed_again_gets_the_same_rejection(writer):
    mutation = writer.upsert(new_id(), {"title": "Knit", "minutes": "ten"})
    first, = writer.push(mutation)

    second, = writer.push(mutation)

    assert first.status == "rejected"
    assert second == first


def test_a_mutation_ahead_of_the_replicas_next_seq_is_deferred_and_not_applied(store, writer):
    early = writer.upsert(new_id(), {"title": "Read Hardy"})
    late = writer.upsert(new_id(), {"title": "Paint"})

    result, = writer.push(late)

    assert result.status == "deferred"
    assert (result.seq, result.revs) == (None, None)
    assert store.max_seq() == 0
    assert [r.status for r in writer.push(early, late)] == ["applied", "applied"]


def test_batches_arriving_in_reverse_order_are_all_applied_once_resent(store, writer):
    first_batch = [writer.upsert(new_id(), {"title": f"goal {i}"}) for i in range(3)]
    second_batch = [writer.upsert(new_id(), {"title": f"goal {i}"}) for i in range(3, 6)]

    early = writer.push(*second_batch)
    writer.push(*first_batch)
    resent = writer.push(*second_batch)

    assert [r.status for r in early] == ["deferred"] * 3
    assert [r.status for r in resent] == ["applied"] * 3
    assert store.max_seq() == 6


def test_mutations_within_a_request_are_processed_in_seq_order(writer):
    first = writer.upsert(new_id(), {"title": "one"})
    second = writer.upsert(new_id(), {"title": "two"})

    results = writer.push(second, first)

    assert [r.id for r in results] == [second.id, first.id]
    assert [r.status for r in results] == ["applied", "applied"]


def test_an_unknown_mutation_below_the_next_seq_is_processed(writer):
    writer.push(*[writer.upsert(new_id(), {"title": str(i)}) for i in range(3)])
    forgotten = writer.upsert(new_id(), {"title": "sent late"}, seq=2)

    result, = writer.push(forgotten)

    assert result.status == "applied"


def test_a_floor_above_the_next_seq_lets_later_mutations_through(writer):
    writer.seq = 40  # seqs 1-40 were acknowledged by a server state since lost
    mutation = writer.upsert(new_id(), {"title": "Online shopping"})

    deferred, = writer.push(mutation, floor=1)
    applied, = writer.push(mutation, floor=41)

    assert (deferred.status, applied.status) == ("deferred", "applied")


def test_a_rejected_mutation_does_not_block_the_ones_after_it(writer):
    bad = writer.upsert(new_id(), {"title": "Walk", "minutes": "lots"})
    good = writer.upsert(new_id(), {"title": "Swim"})

    results = writer.push(bad, good)
    later, = writer.push(writer.upsert(new_id(), {"title": "Sing"}))

    assert [r.status for r in results] == ["rejected", "applied"]
    assert later.status == "applied"


@pytest.mark.parametrize("fields, collection, error, field", [
    ({"title": "Walk", "minutes": "lots"}, "goals", "validation_failed", "minutes"),
    ({"minutes": 20}, "goals", "validation_failed", "title"),
    ({"title": "Walk"}, "diaries", "unknown_collection", "collection"),
])
def test_a_mutation_the_validator_refuses_is_rejected_naming_the_field(
        writer, fields, collection, error, field):
    result, = writer.push(writer.upsert(new_id(), fields, collection=collection))

    assert result.status == "rejected"
    assert (result.error["error"], result.error["details"]["field"]) == (error, field)
    assert {"code", "error", "message", "details"} <= set(result.error)


def test_a_person_not_allowed_to_write_the_learner_is_rejected_as_forbidden(make_writer):
    mentor = make_writer(9, may_write=lambda learner, collection, record_id, record, fields:
                         None if learner == LEARNER else "not your learner")

    result, = mentor.push(mentor.upsert(new_id(), {"title": "Walk"}, learner_id=OTHER_LEARNER))

    assert (result.status, result.error["error"]) == ("rejected", "forbidden")
    assert result.error["details"] == {"field": "learner_id", "reason": "not your learner"}


def test_may_write_is_given_the_record_id_and_the_existing_record(writer, make_writer):
    record_id, _ = writer.create()
    new = new_id()
    seen = []
    other = make_writer(9, may_write=lambda learner, collection, rid, record, fields:
                        seen.append((rid, record and record.id)))

    other.push(other.upsert(record_id, {"why": "fresh air"}), other.upsert(new, {"title": "Knit"}))

    assert seen == [(record_id, record_id), (new, None)]


def test_a_record_cannot_move_to_another_learner(writer):
    record_id, revs = writer.create()

    result, = writer.push(writer.upsert(record_id, {"title": "Mine"}, revs,
                                        learner_id=OTHER_LEARNER))

    assert (result.status, result.error["error"]) == ("rejected", "learner_mismatch")


def test_resolving_a_record_that_does_not_exist_is_rejected(writer):
    result, = writer.push(writer.resolve(new_id(), {"title": "Paint"}))

    assert (result.status, result.error["error"]) == ("rejected", "not_found")


def test_one_push_takes_one_contiguous_block_of_seqs(store, writer):
    writer.create()
    record_id = new_id()

    results = writer.push(writer.upsert(record_id, {"title": "a"}),
                          writer.upsert(new_id(), {"title": "b"}),
                          writer.upsert(record_id, {"why": "c"}))

    assert [r.seq for r in results] == [2, 3, 2]
    assert store.max_seq() == 3


def test_results_of_a_duplicate_in_a_mixed_batch_keep_their_first_seq(store, writer):
    first = writer.upsert(new_id(), {"title": "a"})
    writer.push(first)

    results = writer.push(first, writer.upsert(new_id(), {"title": "b"}))

    assert [r.seq for r in results] == [1, 2]


def test_an_empty_push_with_a_floor_is_answered_with_the_epoch(store, writer):
    response = push(store, person(1), PushRequest(writer.replica, 5, []).to_wire(),
                    writer.validate)

    assert (response.epoch, response.results) == (store.epoch(), [])


def test_server_times_are_the_push_time(store, writer):
    writer.push(writer.upsert(new_id(), {"title": "Paint"}), now=T0)

    (change,), _ = pull_all(store, scope_of(LEARNER))

    assert (change.record.created_at, change.record.updated_at) == (T0, T0)


def test_a_mutation_another_replica_sent_first_gets_its_answer_and_moves_this_replica_on(
        store, writer, make_writer):
    """After a restore a device sends again, under its own id, a change made on another device
    that the restored server lost; that device may have sent it again first. The answer is the
    stored one, nothing is applied twice, and the replica's later mutations are not held up."""
    record_id = new_id()
    change = writer.upsert(record_id, {"title": "Knit a scarf"})
    first, = writer.push(change)
    other = make_writer(1)
    again = other.mutation(change.op, record_id, change.fields, change.base)
    again.id = change.id
    after = other.upsert(new_id(), {"title": "Paint"})

    results = other.push(again, after)

    assert results[0] == first
    assert results[1].status == "applied"
    assert store.max_seq() == 2
