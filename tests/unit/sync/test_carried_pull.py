"""Contract tests of a push that carries a pull (protocol 3), run on every store: the page is
read after the push, a refused pull never undoes the push, a bad one refuses it whole."""
import json

import pytest

from sync import (Cursor, InvalidRequest, PullRequest, PushRequest, PushResponse, push,
                  push_answer)

from .builders import LEARNER, journal_validate, new_id, person, pull_all, scope_of


def carrying(writer, mutations, cursor=None, limit=500):
    return PushRequest(writer.replica, 1, mutations, pull=PullRequest(writer.replica, cursor,
                                                                        limit)).to_wire()


def push_with_pull(store, writer, mutations, cursor=None, limit=500):
    return push(store, person(1), carrying(writer, mutations, cursor, limit), journal_validate,
                scope=scope_of(LEARNER))


def test_the_carried_page_holds_the_push_and_equals_a_pull_after_it(store, writer):
    earlier = new_id()
    writer.push(writer.upsert(earlier, {"title": "Paint"}))
    _, cursor = pull_all(store, scope_of(LEARNER))
    record_id = new_id()

    response = push_with_pull(store, writer, [writer.upsert(record_id, {"title": "Knit"})],
                              cursor)

    assert [r.status for r in response.results] == ["applied"]
    page = response.pull
    assert [c.id for c in page.changes] == [record_id]
    assert page.changes[0].record.fields == {"title": "Knit"}
    assert (page.more, page.epoch, response.pull_error) == (False, store.epoch(), None)
    later, _ = pull_all(store, scope_of(LEARNER), page.cursor)
    assert later == []


def test_a_carried_pull_pages_like_a_pull(store, writer):
    ids = [new_id() for _ in range(3)]

    response = push_with_pull(store, writer,
                              [writer.upsert(i, {"title": f"goal {i}"}) for i in ids], limit=2)

    assert [c.id for c in response.pull.changes] == ids[:2] and response.pull.more
    rest, _ = pull_all(store, scope_of(LEARNER), response.pull.cursor)
    assert [c.id for c in rest] == ids[2:]


def test_a_carried_pull_refused_by_the_store_keeps_the_push_and_answers_the_error(
        store, writer):
    stale = Cursor("an-old-epoch", {LEARNER: 1}, {LEARNER: 7}).encode()
    record_id = new_id()

    response = push_with_pull(store, writer, [writer.upsert(record_id, {"title": "Knit"})],
                              stale)

    assert [r.status for r in response.results] == ["applied"]
    assert response.pull is None
    assert (response.pull_error.error, response.pull_error.code) == ("epoch_changed", 409)
    changes, _ = pull_all(store, scope_of(LEARNER))
    assert [c.id for c in changes] == [record_id]


def test_a_carried_pull_with_a_cursor_this_server_never_made_refuses_the_whole_push(
        store, writer):
    with pytest.raises(InvalidRequest) as raised:
        push_with_pull(store, writer, [writer.upsert(new_id(), {"title": "Knit"})],
                       "bm90IGEgY3Vyc29y")

    assert raised.value.details["field"] == "pull.cursor"
    assert store.max_seq() == 0


def test_the_answer_text_is_the_push_response_with_the_page(store, writer):
    record_id = new_id()
    request = carrying(writer, [writer.upsert(record_id, {"title": "Knit"})])

    text = push_answer(store, person(1), request, journal_validate,
                       scope=scope_of(LEARNER)).to_json()

    body = json.loads(text)
    assert set(body) == {"protocol", "epoch", "results", "pull"}
    assert [c["id"] for c in body["pull"]["changes"]] == [record_id]
    assert PushResponse.from_wire(body).pull.changes[0].id == record_id
