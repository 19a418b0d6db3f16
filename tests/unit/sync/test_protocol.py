"""The wire types: round trips, shape checks that name the field, errors, cursors."""
import json

import pytest

from sync import (DELETED, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, Change, Cursor,
                  CursorExpired, EpochChanged, InvalidRequest, Mutation, MutationResult,
                  ProtocolError, ProtocolTooOld, PullRequest, PullResponse, PushRequest,
                  PushResponse, Record)

from .builders import T0, new_id
from sync.records import pack_revs, unpack_revs
from sync.store import wire_text

REPLICA = new_id()


def mutation_wire(**overrides):
    wire = {"id": new_id(), "replica": REPLICA, "seq": 1, "op": "upsert",
            "collection": "goals", "record_id": new_id(), "learner_id": 1,
            "fields": {"title": "Paint"}, "base": {"title": None}, "at": T0}
    wire.update(overrides)
    return wire


def push_wire(*mutations, **overrides):
    return {"protocol": PROTOCOL_VERSION, "replica": REPLICA, "floor": 1,
            "mutations": list(mutations) or [mutation_wire()], **overrides}


REV = new_id()
OTHER = new_id()


def record_wire(**overrides):
    return {"id": new_id(), "collection": "goals", "learner_id": 1, "author_id": 3,
            "fields": {"title": "Paint", "why": "Colour", "visibility": "mentor"},
            "rev": REV, "revs": {"visibility": new_id(), "status": new_id()},
            "conflicts": {"title": [{"value": "Draw", "rev": new_id(), "author_id": 4,
                                     "at": T0}]},
            "deleted": False, "seq": 7, "created_at": T0, "updated_at": T0, **overrides}


@pytest.mark.parametrize("kind, wire", [
    (PushRequest, push_wire(mutation_wire(seen_conflicts={"title": [new_id()]}))),
    (PushResponse, {"protocol": 2, "epoch": "e1", "results": [
        {"id": new_id(), "status": "applied", "seq": 3, "revs": {"title": "r"},
         "conflicts": [], "error": None},
        {"id": new_id(), "status": "rejected", "seq": None, "revs": None, "conflicts": [],
         "error": {"code": 403, "error": "forbidden", "message": "No.",
                   "details": {"field": "learner_id", "reason": "not yours"}}}]}),
    (PushRequest, push_wire(pull={"cursor": None, "limit": 20})),
    (PushResponse, {"protocol": 3, "epoch": "e1", "results": [], "pull": {
        "protocol": 3, "epoch": "e1", "cursor": "abc", "more": False, "scope": [1],
        "through": 4, "changes": [record_wire()]}}),
    (PushResponse, {"protocol": 3, "epoch": "e1", "results": [], "pull_error": {
        "code": 409, "error": "cursor_expired", "message": "Away too long.",
        "details": {"purged_through_seq": 9}}}),
    (PullRequest, {"protocol": 2, "replica": REPLICA, "cursor": None, "limit": 20}),
    (PullResponse, {"protocol": 2, "epoch": "e1", "cursor": "abc", "more": True,
                    "scope": [1, 2], "through": 4, "changes": [
                        record_wire(),
                        {"collection": "goals", "id": new_id(), "learner_id": 2, "seq": 9,
                         "removed": True}]}),
])
def test_a_message_survives_a_round_trip_through_its_wire_form(kind, wire):
    assert kind.from_wire(json.loads(json.dumps(wire))).to_wire() == wire


def test_a_record_survives_a_round_trip_through_its_wire_form():
    wire = record_wire()

    assert Record.from_wire(wire).to_wire() == wire


@pytest.mark.parametrize("fields, revs, packed", [
    ({"title": 1, "why": 2}, {"title": REV, "why": REV}, (REV, {})),
    ({"title": 1, "why": 2, "status": 3}, {"title": REV, "why": REV, "status": OTHER},
     (REV, {"status": OTHER})),
    # a field set to null keeps its rev; so does a deletion
    ({"title": 1}, {"title": REV, "why": REV, "_deleted": OTHER},
     (REV, {"why": REV, "_deleted": OTHER})),
    # a field without a rev says so, or it would take the shared one
    ({"title": 1, "why": 2}, {"title": REV}, (REV, {"why": None})),
    ({}, {"_deleted": OTHER}, (None, {"_deleted": OTHER})),
    ({"title": 1}, {}, (None, {})),
])
def test_revs_travel_packed_and_unpack_to_the_same_revs(fields, revs, packed):
    assert pack_revs(fields, revs) == packed
    assert unpack_revs(fields, *packed) == revs


def test_a_record_written_in_one_go_sends_its_rev_once():
    record = Record.from_wire(record_wire())
    record.revs = dict.fromkeys(record.fields, REV)

    wire = record.to_wire()

    assert (wire["rev"], wire["revs"]) == (REV, {})
    assert json.dumps(wire).count(REV) == 1


def test_the_stored_wire_text_of_a_record_is_its_wire_object():
    record = Record.from_wire(record_wire(fields={"title": "Tea \u00e9", "benefits": ["a"]},
                                          rev=REV, revs={"status": OTHER}))

    assert json.loads(wire_text(record)) == record.to_wire()


def test_a_pull_request_without_a_limit_gets_the_default_page_size():
    request = PullRequest.from_wire({"protocol": 2, "replica": REPLICA, "cursor": None})

    assert request.limit == 500


@pytest.mark.parametrize("change, field", [
    ({"seq": 0}, "mutations[0].seq"),
    ({"seq": True}, "mutations[0].seq"),
    ({"op": "patch"}, "mutations[0].op"),
    ({"id": "not-a-uuid"}, "mutations[0].id"),
    ({"id": new_id().upper()}, "mutations[0].id"),
    ({"record_id": 12}, "mutations[0].record_id"),
    ({"learner_id": "1"}, "mutations[0].learner_id"),
    ({"collection": ""}, "mutations[0].collection"),
    ({"collection": "g" * 65}, "mutations[0].collection"),
    ({"fields": []}, "mutations[0].fields"),
    ({"fields": {}}, "mutations[0].fields"),
    ({"fields": {"_secret": 1}}, "mutations[0].fields._secret"),
    ({"fields": {"note": "x" * 50_001}}, "mutations[0].fields.note"),
    ({"fields": {"score": float("nan")}}, "mutations[0].fields.score"),
    ({"fields": {"tags": [[[[["deep"]]]]]}}, "mutations[0].fields.tags[0][0][0][0]"),
    ({"base": {"title": 3}}, "mutations[0].base.title"),
    ({"at": None}, "mutations[0].at"),
    ({"colour": "red"}, "mutations[0].colour"),
    ({"seen_conflicts": {"title": "r1"}}, "mutations[0].seen_conflicts.title"),
    ({"op": "delete"}, "mutations[0].fields"),
    ({"op": "resolve", "fields": {DELETED: "yes"}}, f"mutations[0].fields.{DELETED}"),
    ({"op": "resolve", "fields": {DELETED: True, "title": "x"}}, "mutations[0].fields"),
    ({"replica": new_id()}, "mutations[0].replica"),
])
def test_a_malformed_mutation_is_refused_naming_the_field(change, field):
    wire = push_wire(mutation_wire(seq=2), mutation_wire(seq=3))
    wire["mutations"][0].update(change)

    with pytest.raises(InvalidRequest) as raised:
        PushRequest.from_wire(json.loads(json.dumps(wire, allow_nan=True)))

    assert raised.value.details["field"] == field
    assert raised.value.to_wire()["error"] == "invalid_request"


@pytest.mark.parametrize("wire, field", [
    ([], "body"),
    ({"protocol": "1"}, "protocol"),
    (push_wire(floor=0), "floor"),
    (push_wire(extra=1), "extra"),
    (push_wire(mutations={}), "mutations"),
    (push_wire(mutations=[mutation_wire(seq=n + 1) for n in range(1001)]), "mutations"),
    ({k: v for k, v in push_wire().items() if k != "replica"}, "replica"),
    (push_wire(protocol=2, pull={"cursor": None}), "pull"),
    (push_wire(pull={"cursor": None, "protocol": 3}), "pull.protocol"),
    (push_wire(pull={"limit": 10}), "pull.cursor"),
    (push_wire(pull={"cursor": None, "limit": 0}), "pull.limit"),
    (push_wire(pull=[]), "pull"),
    ({"protocol": 2, "replica": REPLICA, "cursor": None, "limit": 1001}, "limit"),
    ({"protocol": 2, "replica": REPLICA, "cursor": None, "limit": 0}, "limit"),
])
def test_a_malformed_request_is_refused_naming_the_field(wire, field):
    kind = PullRequest if isinstance(wire, dict) and "cursor" in wire else PushRequest

    with pytest.raises(InvalidRequest) as raised:
        kind.from_wire(wire)

    assert raised.value.details["field"] == field


@pytest.mark.parametrize("key", ["id", "seq"])
def test_a_request_repeating_a_mutation_id_or_seq_is_refused(key):
    first, second = mutation_wire(seq=1), mutation_wire(seq=2)
    second[key] = first[key]

    with pytest.raises(InvalidRequest) as raised:
        PushRequest.from_wire(push_wire(first, second))

    assert raised.value.details["field"] == "mutations[1]"


def test_a_mutation_missing_a_required_key_is_refused_naming_it():
    wire = mutation_wire()
    del wire["learner_id"]

    with pytest.raises(InvalidRequest) as raised:
        Mutation.from_wire(wire)

    assert raised.value.details == {"field": "mutation.learner_id", "reason": "is required"}


@pytest.mark.parametrize("kind", [PushRequest, PullRequest])
def test_a_protocol_below_the_minimum_is_refused_as_too_old(kind):
    with pytest.raises(ProtocolTooOld) as raised:
        kind.from_wire({"protocol": MIN_PROTOCOL_VERSION - 1, "whatever": "shape"})

    assert (raised.value.code, raised.value.error) == (426, "protocol_too_old")


def test_a_protocol_newer_than_the_server_is_an_invalid_request():
    with pytest.raises(InvalidRequest) as raised:
        PushRequest.from_wire(push_wire(protocol=PROTOCOL_VERSION + 1))

    assert raised.value.details["field"] == "protocol"


@pytest.mark.parametrize("error, code, name", [
    (InvalidRequest("limit", "must be at most 1000"), 400, "invalid_request"),
    (EpochChanged(), 409, "epoch_changed"),
    (CursorExpired(), 409, "cursor_expired"),
    (ProtocolTooOld(), 426, "protocol_too_old"),
])
def test_an_error_has_one_json_shape_and_comes_back_as_its_own_kind(error, code, name):
    wire = error.to_wire()

    again = ProtocolError.from_wire(json.loads(json.dumps(wire)))

    assert (wire["code"], wire["error"]) == (code, name)
    assert set(wire) == {"code", "error", "message", "details"}
    assert (type(again), again.to_wire()) == (type(error), wire)


def test_an_unknown_error_from_a_server_keeps_its_name_and_code():
    error = ProtocolError.from_wire({"code": 503, "error": "maintenance", "message": "Later.",
                                     "details": {}})

    assert (error.code, error.error, error.message) == (503, "maintenance", "Later.")


def test_a_cursor_is_url_safe_text_that_decodes_to_what_was_encoded():
    cursor = Cursor("epoch-1", {1: 10, 22: 0}, {1: 7, 22: 4})

    text = cursor.encode()

    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert Cursor.decode(text) == cursor


@pytest.mark.parametrize("text", ["", "!!!", "e30", "eyJlIjoxfQ", "W10"])
def test_text_that_is_not_a_cursor_is_an_invalid_cursor(text):
    with pytest.raises(InvalidRequest) as raised:
        Cursor.decode(text)

    assert raised.value.details["field"] == "cursor"


def test_a_removed_change_carries_no_record():
    change = Change.from_wire({"collection": "goals", "id": new_id(), "learner_id": 1,
                               "seq": 4, "removed": True})

    assert (change.removed, change.record) == (True, None)


def test_a_result_always_carries_every_key():
    assert set(MutationResult(new_id(), "deferred").to_wire()) == {
        "id", "status", "seq", "revs", "conflicts", "error"}
