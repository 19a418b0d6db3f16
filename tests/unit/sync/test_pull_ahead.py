"""Contract tests of pages fetched ahead, run on every store: the cursors a pull answers in
``ahead`` but the last are fetched in any order and at once, the last after them, then all are
taken in the order given, and the pull still gets every change exactly once
(docs/sync-protocol.md, "Pages fetched ahead")."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import (MAX_LIMIT, Cursor, CursorExpired, EpochChanged, InvalidRequest, PullRequest,
                  PullResponse, pull, purge_tombstones)

from .builders import LEARNER, OTHER_LEARNER, pull_all, scope_of
from .test_pull import CARE_TEAM, fill


def ask(store, scope, cursor=None, limit=500, ahead=0):
    """One page as a client receives it (through JSON)."""
    request = PullRequest("6f0c3e0e-8a1b-4c4e-9d55-0d2b7a9f1c21", cursor, limit, ahead=ahead)
    return PullResponse.from_wire(json.loads(json.dumps(pull(store, scope,
                                                             request.to_wire()).to_wire())))


def fetch_ahead(store, scope, first, limit):
    """The pages of ``first.ahead``: all but the last fetched last first (as a client fetching
    them at once may get its answers), then the last; returned in the order to take them in."""
    *runs, last = first.ahead
    return [*reversed([ask(store, scope, c, limit) for c in reversed(runs)]),
            ask(store, scope, last, limit)]


def pull_with_ahead(store, scope, limit, ahead, between=None):
    """A whole pull that fetches ahead: the first page, its pages ahead (``between()`` runs
    after the first page is answered, before the rest are fetched), then on from the last as
    usual. Returns every change in the order taken, and the last cursor."""
    first = ask(store, scope, None, limit, ahead)
    if between:
        between()
    pages = [first, *fetch_ahead(store, scope, first, limit)] if first.more else [first]
    changes = [change for page in pages for change in page.changes]
    if not pages[-1].more:
        return changes, pages[-1].cursor
    rest, cursor = pull_all(store, scope, pages[-1].cursor, limit)
    return changes + rest, cursor


def latest(changes):
    """Each record as the device holds it after taking ``changes`` in order."""
    held = {}
    for change in changes:
        held[change.id] = change
    return {rid: (c.seq, c.removed) for rid, c in held.items()}


@pytest.mark.parametrize("limit,ahead", [(1, 1), (1, 16), (2, 3), (3, 2), (4, 16), (1000, 4)])
def test_pages_ahead_bring_every_change_exactly_once(store, writer, limit, ahead):
    ids = fill(writer, 10) + fill(writer, 5, learner_id=OTHER_LEARNER) + fill(writer, 3)
    scope = scope_of(LEARNER, OTHER_LEARNER)

    changes, cursor = pull_with_ahead(store, scope, limit, ahead)

    assert [c.id for c in changes] == ids  # in seq order, as a plain pull
    assert ask(store, scope, cursor).changes == []


def test_the_pages_ahead_hold_at_most_a_limit_each_and_the_last_is_open_ended(store, writer):
    fill(writer, 11)
    scope = scope_of(LEARNER)

    first = ask(store, scope, limit=2, ahead=3)
    pages = fetch_ahead(store, scope, first, 2)

    assert len(first.ahead) == 3
    assert [len(p.changes) for p in pages] == [2, 2, 2]
    assert [p.more for p in pages] == [True, True, True]  # the last pulls on as usual
    assert [p.through for p in pages[:-1]] == [p.changes[0].seq - 1 for p in pages[1:]]
    assert Cursor.decode(first.ahead[-1]).until == 0
    assert ask(store, scope, limit=2, ahead=0).ahead is None  # only when asked


def test_when_the_runs_take_all_that_follows_the_last_page_brings_only_what_came_since(
        store, writer):
    fill(writer, 7)
    scope = scope_of(LEARNER)

    first = ask(store, scope, limit=2, ahead=4)
    pages = fetch_ahead(store, scope, first, 2)

    assert [len(p.changes) for p in pages] == [2, 2, 1, 0]  # the last run is the rest
    assert not pages[-1].more
    assert len({c.id for p in (first, *pages) for c in p.changes}) == 7


def test_fewer_than_a_page_after_the_first_are_left_to_the_last_cursor_alone(store, writer):
    fill(writer, 3)

    first = ask(store, scope_of(LEARNER), limit=2, ahead=4)
    pages = fetch_ahead(store, scope_of(LEARNER), first, 2)

    assert len(first.ahead) == 1 and Cursor.decode(first.ahead[0]).until == 0
    assert [len(p.changes) for p in pages] == [1]  # one round trip more, not two


def test_a_short_pull_asked_to_look_ahead_has_nothing_ahead(store, writer):
    fill(writer, 3)

    page = ask(store, scope_of(LEARNER), limit=5, ahead=4)

    assert (len(page.changes), page.more, page.ahead) == (3, False, [])


def test_changes_made_while_pages_are_fetched_ahead_arrive_and_the_latest_wins(store, writer):
    ids = fill(writer, 9)
    scope = scope_of(LEARNER)
    made = []

    def meanwhile():
        # a record of the last range ahead and one of the first change; new ones are added
        writer.push(writer.upsert(ids[8], {"why": "fresh air"}),
                    writer.upsert(ids[3], {"why": "company"}))
        made.extend(fill(writer, 2))

    changes, _ = pull_with_ahead(store, scope, 2, 3, between=meanwhile)

    everything, _ = pull_all(store, scope)
    assert latest(changes) == latest(everything)
    assert set(latest(changes)) == set(ids + made)


def test_sharing_widened_while_pages_are_fetched_ahead_pulls_the_learner_again(store, writer):
    fill(writer, 6, visibility="care_team")
    shared_later = fill(writer, 2, visibility="mentor")
    staff = scope_of(LEARNER, visible=CARE_TEAM)
    first = ask(store, staff, limit=2, ahead=4)
    widened = scope_of(LEARNER, visible=CARE_TEAM | {"mentor"})

    pages = [first, *fetch_ahead(store, widened, first, 2)]
    rest, _ = pull_all(store, widened, pages[-1].cursor, 2)

    taken = [c for page in pages for c in page.changes] + rest
    assert set(shared_later) <= {c.id for c in taken if not c.removed}
    assert latest(taken) == latest(pull_all(store, widened)[0])


def test_a_learner_new_to_the_scope_arrives_after_the_pages_ahead(store, writer):
    fill(writer, 6)
    theirs = fill(writer, 2, learner_id=OTHER_LEARNER)
    first = ask(store, scope_of(LEARNER), limit=2, ahead=4)
    both = scope_of(LEARNER, OTHER_LEARNER)

    pages = fetch_ahead(store, both, first, 2)
    rest, _ = pull_all(store, both, pages[-1].cursor, 2)

    assert [c.learner_id for p in pages[:-1] for c in p.changes] == [LEARNER] * 4  # the runs
    assert set(theirs) <= {c.id for c in pages[-1].changes + rest}


def test_a_purge_while_pages_are_fetched_ahead_expires_them(store, writer):
    fill(writer, 6)
    first = ask(store, scope_of(LEARNER), limit=2, ahead=3)
    record_id, revs = writer.create()
    writer.push(writer.delete(record_id, revs))
    purge_tombstones(store, through_seq=store.max_seq())

    with pytest.raises(CursorExpired):
        ask(store, scope_of(LEARNER), first.ahead[0])


def test_a_page_ahead_of_the_server_gets_epoch_changed(store, writer):
    fill(writer, 2)
    beyond = Cursor(store.epoch(), {LEARNER: 1}, until=store.max_seq() + 5).encode()

    with pytest.raises(EpochChanged):
        ask(store, scope_of(LEARNER), beyond)


def test_a_page_ahead_longer_than_any_page_is_not_a_cursor_this_server_made(store, writer):
    fill(writer, MAX_LIMIT)
    fill(writer, 1)
    forged = Cursor(store.epoch(), {LEARNER: 0}, until=store.max_seq()).encode()

    with pytest.raises(InvalidRequest) as caught:
        ask(store, scope_of(LEARNER), forged)
    assert caught.value.details["field"] == "cursor"


@pytest.mark.parametrize("ahead", [-1, 17, "3", True])
def test_ahead_must_be_a_whole_number_up_to_16(ahead):
    body = PullRequest("6f0c3e0e-8a1b-4c4e-9d55-0d2b7a9f1c21").to_wire() | {"ahead": ahead}

    with pytest.raises(InvalidRequest) as caught:
        PullRequest.from_wire(body)
    assert caught.value.details["field"] == "ahead"


# -- any interleaving: writes between the fetches of the pages ahead, fetched in any order --

EVENTS = st.lists(st.tuples(st.sampled_from(["change", "create", "delete", "share", "hide"]),
                            st.integers(0, 10_000)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(existing=st.integers(0, 25), limit=st.integers(1, 4), ahead=st.integers(1, 6),
       order=st.randoms(use_true_random=False), events=st.lists(EVENTS, min_size=8, max_size=8))
def test_pages_ahead_fetched_in_any_order_between_any_writes_lose_and_repeat_nothing(
        existing, limit, ahead, order, events):
    """The pages of every cursor but the last, fetched in any order, then the last one, with
    writes of every kind in between: no change comes twice; every record the puller could see
    when the pull began is on the device when it ends; the next pull brings the rest."""
    from sync import MemoryStore

    from .builders import Writer, person

    store = MemoryStore()
    writer = Writer(store, person(LEARNER))
    ids = [writer.create(title=f"goal {n}", visibility="mentor")[0] for n in range(existing)]
    mentor = scope_of(LEARNER, visible={"mentor", "care_team"})
    steps = iter(events)

    def write():
        for kind, pick in next(steps, []):
            live = [i for i in ids if i is not None]
            if kind == "create" or not live:
                ids.append(writer.create(title=f"new {pick}", visibility="mentor")[0])
                continue
            target = live[pick % len(live)]
            if kind == "delete":
                writer.push(writer.delete(target))
                ids[ids.index(target)] = None
            else:
                fields = {"change": {"why": f"because {pick}"}, "share": {"visibility": "mentor"},
                          "hide": {"visibility": "private"}}[kind]
                writer.push(writer.upsert(target, fields))

    def visible():
        return {rid for rid, c in latest_changes(pull_all(store, mentor)[0]).items()
                if not c.removed}

    at_start = visible()
    first = ask(store, mentor, None, limit, ahead)
    *runs, last = first.ahead or [None]
    answers = {}
    for place, cursor in order.sample(list(enumerate(runs)), len(runs)):
        write()
        answers[place] = ask(store, mentor, cursor, limit)
    write()
    pages = [first, *(answers[place] for place in sorted(answers))]
    if last is not None:
        pages.append(ask(store, mentor, last, limit))
    taken = [change for page in pages for change in page.changes]
    cursor = pages[-1].cursor
    if pages[-1].more:
        rest, cursor = pull_all(store, mentor, cursor, limit)
        taken += rest

    delivered = [(c.id, c.seq) for c in taken]
    assert len(delivered) == len(set(delivered))  # no change is sent twice
    held = latest_changes(taken)
    still = at_start & visible()
    assert still <= {rid for rid, c in held.items() if not c.removed}
    taken += pull_all(store, mentor, cursor, limit)[0]  # the next sync's pull
    assert {rid: c.seq for rid, c in latest_changes(taken).items() if not c.removed} == {
        rid: c.seq for rid, c in latest_changes(pull_all(store, mentor)[0]).items()
        if not c.removed}


def latest_changes(changes):
    """Each record's last change in ``changes``."""
    last = {}
    for change in changes:
        last[change.id] = change
    return last
