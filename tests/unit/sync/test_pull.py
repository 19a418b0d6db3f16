"""Contract tests of a pull, run on every store: paging, visibility, scope, expiry, epochs."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from sync import (DELETED, Cursor, CursorExpired, EpochChanged, InvalidRequest, PullRequest,
                  pull, purge_tombstones)

from .builders import (LEARNER, OTHER_LEARNER, T0, new_id, pull_all, pull_page, scope_of)

CARE_TEAM = frozenset({"care_team"})


def fill(writer, count, learner_id=LEARNER, **fields):
    """Push ``count`` new goals; return their ids in seq order."""
    ids = [new_id() for _ in range(count)]
    writer.push(*[writer.upsert(i, {"title": f"goal {n}", **fields}, learner_id=learner_id)
                  for n, i in enumerate(ids)])
    return ids


def test_a_pull_from_the_start_returns_the_scopes_records_in_seq_order(store, writer):
    ids = fill(writer, 3)

    page = pull_page(store, scope_of(LEARNER))

    assert [c.id for c in page.changes] == ids
    assert [c.seq for c in page.changes] == [1, 2, 3]
    assert (page.more, page.epoch, page.scope) == (False, store.epoch(), [LEARNER])


def test_records_of_learners_outside_the_scope_never_arrive(store, writer):
    fill(writer, 2, learner_id=OTHER_LEARNER)
    mine = fill(writer, 1)

    changes, _ = pull_all(store, scope_of(LEARNER))

    assert [c.id for c in changes] == mine


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 1000])
def test_paging_returns_every_change_exactly_once(store, writer, limit):
    ids = fill(writer, 10) + fill(writer, 5, learner_id=OTHER_LEARNER)

    changes, _ = pull_all(store, scope_of(LEARNER, OTHER_LEARNER), limit=limit)

    assert sorted(c.id for c in changes) == sorted(ids)
    assert len(changes) == len(ids)


def test_changes_made_between_pages_arrive_exactly_once(store, writer):
    fill(writer, 4)
    scope = scope_of(LEARNER)
    first = pull_page(store, scope, limit=2)
    changed = fill(writer, 2)
    writer.push(writer.upsert(first.changes[0].id, {"why": "fresh air"}))

    rest, _ = pull_all(store, scope, first.cursor, limit=2)

    assert [c.seq for c in rest] == sorted(c.seq for c in rest)
    assert {c.id for c in rest} >= set(changed) | {first.changes[0].id}
    assert len({c.id for c in rest}) == len(rest) == 5


def test_a_pull_with_an_up_to_date_cursor_returns_nothing_new(store, writer):
    fill(writer, 3)
    _, cursor = pull_all(store, scope_of(LEARNER))

    page = pull_page(store, scope_of(LEARNER), cursor)

    assert (page.changes, page.more) == ([], False)


def test_a_record_hidden_from_the_puller_arrives_as_removed(store, writer):
    record_id, revs = writer.create(visibility="care_team")
    staff = scope_of(LEARNER, visible=CARE_TEAM)
    _, cursor = pull_all(store, staff)
    writer.push(writer.upsert(record_id, {"visibility": "private"}, revs))

    (change,), _ = pull_all(store, staff, cursor)

    assert change.removed
    assert change.to_wire() == {"collection": "goals", "id": record_id, "learner_id": LEARNER,
                                "seq": 2, "removed": True}


def test_a_record_shared_again_arrives_whole(store, writer):
    record_id, revs = writer.create(visibility="private")
    staff = scope_of(LEARNER, visible=CARE_TEAM)
    _, cursor = pull_all(store, staff)
    writer.push(writer.upsert(record_id, {"visibility": "care_team"}, revs))

    (change,), _ = pull_all(store, staff, cursor)

    assert not change.removed
    assert change.record.fields["title"] == "Paint with watercolours"


def test_a_record_without_a_visibility_is_seen_by_its_learner_only(store, writer):
    writer.create()

    mine, _ = pull_all(store, scope_of(LEARNER))
    staff, _ = pull_all(store, scope_of(LEARNER, visible=CARE_TEAM))

    assert ([c.removed for c in mine], staff) == ([False], [])


def test_a_record_that_was_always_private_is_never_mentioned_to_others(store, writer):
    record_id, revs = writer.create(visibility="private")
    writer.push(writer.upsert(record_id, {"title": "Talk to my GP about my memory"}, revs))

    changes, _ = pull_all(store, scope_of(LEARNER, visible={"mentor", "care_team"}))

    assert changes == []


def test_a_record_once_shared_and_then_hidden_arrives_as_removed_from_the_start(store, writer):
    record_id, revs = writer.create(visibility="mentor")
    writer.push(writer.upsert(record_id, {"visibility": "private"}, revs))

    (change,), _ = pull_all(store, scope_of(LEARNER, visible={"mentor", "care_team"}))

    assert change.removed


def test_a_record_shared_and_hidden_in_one_push_is_named_as_removed(store, writer):
    """Made as "mentor" and made private in one push. No pull saw it shared in between; but a
    device's log sent again after a restore comes in such pushes, and a mentor's phone may hold
    the shared copy it pulled before the restore: it must leave, so the id is named."""
    record_id = new_id()
    made = writer.upsert(record_id, {"title": "Talk to my GP", "visibility": "mentor"})
    hidden = writer.upsert(record_id, {"visibility": "private"}, {"visibility": made.id})
    assert [r.status for r in writer.push(made, hidden)] == ["applied", "applied"]

    (change,), _ = pull_all(store, scope_of(LEARNER, visible={"mentor", "care_team"}))

    assert change.removed and change.id == record_id


def test_a_deletion_travels_as_a_tombstone(store, writer):
    record_id, revs = writer.create()
    _, cursor = pull_all(store, scope_of(LEARNER))
    writer.push(writer.delete(record_id, revs))

    (change,), _ = pull_all(store, scope_of(LEARNER), cursor)

    assert change.record.deleted
    assert DELETED in change.record.revs


def test_a_learner_new_to_the_scope_is_pulled_from_the_start(store, writer):
    fill(writer, 2)
    theirs = fill(writer, 2, learner_id=OTHER_LEARNER)
    _, cursor = pull_all(store, scope_of(LEARNER))

    changes, _ = pull_all(store, scope_of(LEARNER, OTHER_LEARNER), cursor)

    assert [c.id for c in changes] == theirs


def test_a_learner_leaving_the_scope_leaves_the_response_scope_and_the_cursor(store, writer):
    fill(writer, 1, learner_id=OTHER_LEARNER)
    _, cursor = pull_all(store, scope_of(LEARNER, OTHER_LEARNER))

    page = pull_page(store, scope_of(LEARNER), cursor)

    assert page.scope == [LEARNER]
    assert set(Cursor.decode(page.cursor).seqs) == {LEARNER}


def test_a_learner_back_in_the_scope_is_pulled_again_from_the_start(store, writer):
    theirs = fill(writer, 2, learner_id=OTHER_LEARNER)
    _, cursor = pull_all(store, scope_of(LEARNER, OTHER_LEARNER))
    _, cursor = pull_all(store, scope_of(LEARNER), cursor)

    changes, _ = pull_all(store, scope_of(LEARNER, OTHER_LEARNER), cursor)

    assert [c.id for c in changes] == theirs


def test_a_learner_whose_visible_set_grows_is_pulled_again_from_the_start(store, writer):
    shared = fill(writer, 1, visibility="mentor")
    _, cursor = pull_all(store, scope_of(LEARNER, visible=CARE_TEAM))

    changes, _ = pull_all(store, scope_of(LEARNER, visible={"mentor", "care_team"}), cursor)

    assert [(c.id, c.removed) for c in changes] == [(shared[0], False)]


def test_an_empty_scope_gets_no_changes_and_a_valid_cursor(store, writer):
    fill(writer, 2)

    page = pull_page(store, scope_of())

    assert (page.changes, page.scope) == ([], [])
    assert Cursor.decode(page.cursor).epoch == store.epoch()


def test_only_a_pull_from_the_start_says_the_seq_its_epoch_began_at(store, writer):
    fill(writer, 2)

    first = pull_page(store, scope_of(LEARNER), limit=1)
    second = pull_page(store, scope_of(LEARNER), first.cursor)

    assert store.epoch_began() == (store.epoch(), 0)
    assert (first.epoch_seq, second.epoch_seq) == (0, None)


def test_a_cursor_from_another_epoch_gets_epoch_changed(store, writer):
    fill(writer, 1)
    stale = Cursor("an-old-epoch", {LEARNER: 1}, {LEARNER: 7}).encode()

    with pytest.raises(EpochChanged) as raised:
        pull_page(store, scope_of(LEARNER), stale)

    assert raised.value.code == 409
    assert raised.value.details["epoch"] == store.epoch()


def test_a_cursor_ahead_of_the_server_gets_epoch_changed(store, writer):
    fill(writer, 2)
    ahead = Cursor(store.epoch(), {LEARNER: 50}, {LEARNER: 7}).encode()

    with pytest.raises(EpochChanged):
        pull_page(store, scope_of(LEARNER), ahead)


def test_a_cursor_that_is_not_one_is_an_invalid_request_naming_the_cursor(store):
    with pytest.raises(InvalidRequest) as raised:
        pull_page(store, scope_of(LEARNER), "bm90IGEgY3Vyc29y")

    assert raised.value.details["field"] == "cursor"


def test_purging_removes_tombstones_older_than_the_retention_only(store, writer):
    old, old_revs = writer.create()
    writer.push(writer.delete(old, old_revs), now=T0)
    recent, recent_revs = writer.create()
    writer.push(writer.delete(recent, recent_revs))

    purged = purge_tombstones(store)

    assert purged == 1
    assert store.purged_through_seq() == 2
    assert [c.id for c in pull_all(store, scope_of(LEARNER))[0]] == [recent]


@pytest.mark.parametrize("bound", [
    {"through_seq": 2},
    {"older_than": datetime.now(timezone.utc) + timedelta(days=1)},
    {"older_than": "9999-01-01T00:00:00.000000Z"},
])
def test_purging_takes_a_seq_or_a_time_bound(store, writer, bound):
    record_id, revs = writer.create()
    writer.push(writer.delete(record_id, revs))

    assert purge_tombstones(store, **bound) == 1


def test_purging_never_removes_live_records(store, writer):
    fill(writer, 3)

    assert purge_tombstones(store, through_seq=3) == 0
    assert store.purged_through_seq() == 0


def test_a_cursor_older_than_a_purged_tombstone_gets_cursor_expired(store, writer):
    record_id, revs = writer.create()
    _, cursor = pull_all(store, scope_of(LEARNER))
    writer.push(writer.delete(record_id, revs))
    purge_tombstones(store, through_seq=2)

    with pytest.raises(CursorExpired) as raised:
        pull_page(store, scope_of(LEARNER), cursor)

    assert raised.value.code == 409


def test_a_cursor_that_saw_the_purged_tombstones_stays_valid(store, writer):
    record_id, revs = writer.create()
    writer.push(writer.delete(record_id, revs))
    _, cursor = pull_all(store, scope_of(LEARNER))
    purge_tombstones(store, through_seq=2)

    assert pull_page(store, scope_of(LEARNER), cursor).changes == []


def _purged_history(writer, store, kept=5, deleted=3):
    """``kept`` live goals, then ``deleted`` deleted ones whose tombstones are purged, then
    ``kept`` more: a learner with a history older than the purge mark. Returns the live ids."""
    live = fill(writer, kept)
    for _ in range(deleted):
        record_id, revs = writer.create()
        writer.push(writer.delete(record_id, revs))
    live += fill(writer, kept)
    assert purge_tombstones(store, through_seq=store.max_seq()) == deleted
    return live


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_a_paged_pull_from_the_start_finishes_after_a_purge(store, writer, limit):
    # a new device, a wiped one or a full resync: its pages stand below the purge mark, and
    # must not be refused for tombstones purged before it began
    live = _purged_history(writer, store)

    changes, cursor = pull_all(store, scope_of(LEARNER), limit=limit)

    assert [c.id for c in changes] == live
    assert pull_page(store, scope_of(LEARNER), cursor).changes == []


def test_a_learner_pulled_again_from_the_start_finishes_after_a_purge(store, writer):
    # a learner newly in the puller's scope, or whose visibility mask changed
    fill(writer, 1, learner_id=OTHER_LEARNER)
    live = _purged_history(writer, store)
    _, cursor = pull_all(store, scope_of(OTHER_LEARNER))

    changes, _ = pull_all(store, scope_of(OTHER_LEARNER, LEARNER), cursor, limit=2)

    assert [c.id for c in changes] == live


def test_a_purge_between_the_pages_of_a_pull_expires_its_cursor(store, writer):
    ids = fill(writer, 4)
    first = pull_page(store, scope_of(LEARNER), limit=2)
    record_id, revs = writer.create()
    writer.push(writer.delete(record_id, revs))
    purge_tombstones(store, through_seq=store.max_seq())

    with pytest.raises(CursorExpired):
        pull_page(store, scope_of(LEARNER), first.cursor, limit=2)
    changes, _ = pull_all(store, scope_of(LEARNER), limit=2)  # the full resync then finishes
    assert [c.id for c in changes] == ids


def test_a_cursor_made_before_purge_marks_were_kept_in_it_still_expires(store, writer):
    # cursors handed out before the mark was written into them read it as 0
    record_id, revs = writer.create()
    _, cursor = pull_all(store, scope_of(LEARNER))
    writer.push(writer.delete(record_id, revs))
    purge_tombstones(store, through_seq=store.max_seq())
    old = Cursor.decode(cursor)
    assert old.purged == 0

    with pytest.raises(CursorExpired):
        pull_page(store, scope_of(LEARNER), Cursor(old.epoch, old.seqs, old.masks).encode())


def test_a_quiet_learners_cursor_moves_up_to_the_servers_latest_seq(store, writer):
    theirs = scope_of(OTHER_LEARNER)
    fill(writer, 1, learner_id=OTHER_LEARNER)
    _, cursor = pull_all(store, theirs)
    record_id, revs = writer.create(learner_id=LEARNER)
    writer.push(writer.delete(record_id, revs))
    _, cursor = pull_all(store, theirs, cursor)
    purge_tombstones(store, through_seq=store.max_seq())

    assert Cursor.decode(cursor).seqs == {OTHER_LEARNER: 3}
    assert pull_page(store, theirs, cursor).changes == []


def test_pulls_running_during_pushes_never_skip_a_change(store, writer, make_writer):
    writers = [writer] + [make_writer(1) for _ in range(3)]
    pushed = {w.replica: [] for w in writers}

    def push_many(w):
        for _ in range(20):
            pushed[w.replica] += fill(w, 5)

    threads = [threading.Thread(target=push_many, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    seen, cursor = [], None
    while any(t.is_alive() for t in threads):
        changes, cursor = pull_all(store, scope_of(LEARNER), cursor, limit=7)
        seen += [c.id for c in changes]
    for thread in threads:
        thread.join()
    changes, _ = pull_all(store, scope_of(LEARNER), cursor)
    seen += [c.id for c in changes]

    assert sorted(seen) == sorted(i for ids in pushed.values() for i in ids)


def test_pull_accepts_a_request_object_as_well_as_its_json(store, writer):
    fill(writer, 1)

    page = pull(store, scope_of(LEARNER), PullRequest(new_id(), None, 10))

    assert len(page.changes) == 1
