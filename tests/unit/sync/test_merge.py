"""Contract tests of the merge rules, run on every store: nothing wins silently."""
import dataclasses

import pytest

from sync import DELETED, purge_tombstones

from .builders import LEARNER, deleted_seen, new_id, pull_all, scope_of


def current(store, record_id):
    """The record as a pull from the start returns it."""
    changes, _ = pull_all(store, scope_of(LEARNER))
    return next(c.record for c in changes if c.id == record_id)


def test_changes_to_different_fields_on_two_devices_merge_silently(store, writer, make_writer):
    record_id, revs = writer.create(title="Paint", visibility="private")
    phone = make_writer(1)

    tablet_result, = writer.push(writer.upsert(record_id, {"why": "it calms me"}, revs))
    phone_result, = phone.push(phone.upsert(record_id, {"status": "active"}, revs))

    assert (tablet_result.status, phone_result.status) == ("applied", "applied")
    record = current(store, record_id)
    assert record.fields == {"title": "Paint", "why": "it calms me", "status": "active",
                             "visibility": "private"}
    assert record.conflicts == {}


def test_two_devices_changing_the_same_field_keep_both_versions(store, writer, make_writer):
    record_id, revs = writer.create(title="Learn to video-call my grandson")
    mentor = make_writer(9)
    writer.push(writer.upsert(record_id, {"title": "Video-call family"}, revs))

    tom = mentor.upsert(record_id, {"title": "Video-call Tom"}, revs)
    result, = mentor.push(tom)

    assert (result.status, result.conflicts) == ("conflict", ["title"])
    # the title kept its other rev: a packed result names it, since it is not this mutation's
    assert result.revs["title"] == result.full_revs(tom)["title"] != tom.id
    record = current(store, record_id)
    assert record.fields["title"] == "Video-call family"
    assert [(v["value"], v["author_id"]) for v in record.conflicts["title"]] == [
        ("Video-call Tom", 9)]


def test_a_conflicting_upsert_still_applies_its_other_fields(store, writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    writer.push(writer.upsert(record_id, {"title": "Paint skies"}, revs))

    result, = mentor.push(mentor.upsert(record_id, {"title": "Paint trees", "why": "joy"}, revs))

    assert result.conflicts == ["title"]
    assert current(store, record_id).fields["why"] == "joy"


def test_writing_the_value_the_server_already_has_is_not_a_conflict(writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    writer.push(writer.upsert(record_id, {"status": "achieved"}, revs))

    result, = mentor.push(mentor.upsert(record_id, {"status": "achieved"}, revs))

    assert result.status == "applied"


def test_a_field_the_server_never_had_is_set_without_conflict(writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)

    mutation = mentor.upsert(record_id, {"gas_level": 1})
    result, = mentor.push(mutation)

    assert (result.status, result.full_revs(mutation)["gas_level"]) == ("applied", result.id)
    assert result.full_revs(mutation)["title"] == revs["title"]


def test_a_delete_leaves_a_tombstone_that_keeps_only_the_visibility(store, writer):
    record_id, revs = writer.create(title="Paint", visibility="mentor")

    result, = writer.push(writer.delete(record_id, revs))

    assert (result.status, result.seq) == ("applied", 2)
    record = current(store, record_id)
    assert record.deleted
    assert record.fields == {"visibility": "mentor"}
    assert record.revs[DELETED] == result.id


def test_a_delete_of_a_record_changed_meanwhile_keeps_the_record_and_says_so(
        store, writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    writer.push(writer.upsert(record_id, {"why": "joy"}, revs))

    result, = mentor.push(mentor.delete(record_id, revs))

    assert (result.status, result.conflicts) == ("conflict", [DELETED])
    record = current(store, record_id)
    assert not record.deleted
    assert [v["value"] for v in record.conflicts[DELETED]] == [True]


def test_a_delete_that_did_not_see_a_kept_version_is_a_conflict(writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    writer.push(writer.upsert(record_id, {"title": "Draw"}, revs))
    mentor.push(mentor.upsert(record_id, {"title": "Sketch"}, revs))  # kept aside
    _, latest = writer.create(record_id, title="Draw")  # same value: refreshes the revs

    result, = writer.push(writer.delete(record_id, deleted_seen(latest)))

    assert result.status == "conflict"


def test_a_delete_that_saw_the_kept_versions_deletes(writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    writer.push(writer.upsert(record_id, {"title": "Draw"}, revs))
    sketch = mentor.upsert(record_id, {"title": "Sketch"}, revs)
    kept, = mentor.push(sketch)

    result, = writer.push(writer.delete(record_id, deleted_seen(kept.full_revs(sketch)),
                                        seen={"title": [kept.id]}))

    assert result.status == "applied"


def test_deleting_a_deleted_record_again_changes_nothing(store, writer, make_writer):
    record_id, revs = writer.create()
    writer.push(writer.delete(record_id, revs))
    other = make_writer(9)

    result, = other.push(other.delete(record_id, revs))

    assert (result.status, store.max_seq()) == ("applied", 2)


def test_changing_a_deleted_record_is_rejected(writer, make_writer):
    record_id, revs = writer.create()
    writer.push(writer.delete(record_id, revs))
    other = make_writer(9)

    result, = other.push(other.upsert(record_id, {"title": "Still mine"}, revs))

    assert (result.status, result.error["error"]) == ("rejected", "record_deleted")


def test_a_create_arriving_after_a_delete_that_saw_it_does_not_bring_the_record_back(
        store, writer, make_writer):
    record_id = new_id()
    create = writer.upsert(record_id, {"title": "Paint"})
    deleter = make_writer(9)
    deleter.push(deleter.delete(record_id, {"title": create.id}))

    result, = writer.push(create)

    assert result.status == "applied"
    assert current(store, record_id).deleted


def test_a_shared_create_arriving_after_the_delete_that_saw_it_takes_the_record_off_the_mentor(
        store, writer, make_writer):
    # On a restored server a delete can overtake the create it saw: its tombstone cannot know
    # the record was shared with the mentor, until the mentor's device re-sends the create.
    record_id = new_id()
    mentor = make_writer(9)
    create = mentor.upsert(record_id, {"title": "Paint", "visibility": "mentor"})
    writer.push(writer.delete(record_id, {"title": create.id, "visibility": create.id}))
    mentors_view = scope_of(LEARNER, visible={"mentor", "care_team"})
    _, cursor = pull_all(store, mentors_view)

    result, = mentor.push(create)

    assert result.status == "applied"
    assert current(store, record_id).deleted
    changes, _ = pull_all(store, mentors_view, cursor)
    # a tombstone he may see, shared as the create was: no content, and it leaves his device
    [change] = changes
    assert (change.id, change.removed, change.record.deleted, change.record.fields) == (
        record_id, False, True, {"visibility": "mentor"})


def test_a_record_restored_after_a_delete_that_overtook_its_create_is_as_shared_as_created(
        store, writer, make_writer):
    # the delete took the create's rev of visibility, not its value: the create, arriving
    # late, gives it, and the record brought back is shared as it was made
    record_id = new_id()
    phone = make_writer(1)
    create = phone.upsert(record_id, {"title": "Paint", "visibility": "mentor"})
    delete = writer.delete(record_id, {"title": create.id, "visibility": create.id})
    writer.push(delete)
    phone.push(create)

    result, = writer.push(writer.resolve(record_id, {DELETED: False, "title": "Paint"},
                                         seen={DELETED: [delete.id]}))

    assert result.status == "applied"
    record = current(store, record_id)
    assert (record.fields, record.revs["visibility"]) == (
        {"title": "Paint", "visibility": "mentor"}, create.id)


@pytest.mark.parametrize("then", ["deleted, purged, made again", "answered again"])
def test_a_change_sent_again_fills_in_nothing_of_a_record_it_did_not_make(
        store, writer, make_writer, then):
    """A duplicate fills in only a record that holds part of it. Her profile's create was
    deleted and purged, and the profile made again by her phone; her tablet's create, sent
    again after a restore, must not bring its deleted words back (shared, too). And a change
    kept aside beside a field the record never had, sent again after a lost answer, stays
    aside, not also set."""
    record_id = new_id()
    if then == "answered again":
        writer.push(writer.upsert(record_id, {"title": "Paint"}))
        refused = writer.upsert(record_id, {"minutes": "ten"})  # not a whole number
        second = writer.upsert(record_id, {"why": "joy"}, {"why": refused.id})
        writer.push(refused, second)
        before = current(store, record_id)
        assert [r.status for r in writer.push(second)] == ["conflict"]
        after = current(store, record_id)
        assert (after.fields, after.conflicts, after.seq) == (
            before.fields, before.conflicts, before.seq)
        return
    old = writer.upsert(record_id, {"needs": "old words", "visibility": "mentor"},
                        collection="profile")
    writer.push(old)
    writer.push(writer.delete(record_id, {"needs": old.id, "visibility": old.id},
                              collection="profile"))
    assert purge_tombstones(store, through_seq=store.max_seq()) == 1
    phone = make_writer(1)
    phone.push(phone.upsert(record_id, {"preferences": "a new start"}, collection="profile"))

    assert [r.status for r in writer.push(old)] == ["applied"]  # answered as before

    changes, _ = pull_all(store, scope_of(LEARNER))
    [record] = [c.record for c in changes]
    assert record.fields == {"preferences": "a new start"}


def test_a_shared_create_refused_by_a_tombstone_still_takes_the_record_off_the_mentor(
        store, writer, make_writer):
    # On a restored server, the learner's tablet re-sends its own change of the record and
    # then its delete, before the phone re-sends the create: the tombstone never saw the create
    # (it is refused), yet the create says the mentor once had the record.
    record_id = new_id()
    phone = make_writer(1)
    create = phone.upsert(record_id, {"title": "Paint", "visibility": "mentor"})
    change = writer.upsert(record_id, {"title": "Sketch"}, {"title": create.id})
    writer.push(change)
    writer.push(writer.delete(record_id, {"title": change.id, "visibility": create.id}))
    mentors_view = scope_of(LEARNER, visible={"mentor", "care_team"})
    _, cursor = pull_all(store, mentors_view)

    result, = phone.push(create)

    assert (result.status, result.error["error"]) == ("rejected", "record_deleted")
    changes, _ = pull_all(store, mentors_view, cursor)
    assert [(c.id, c.removed) for c in changes] == [(record_id, True)]


@pytest.mark.parametrize("same_push", [False, True])
def test_a_delete_overtaking_the_create_is_as_shared_as_the_refused_change_it_saw(
        store, writer, make_writer, same_push):
    """On a restored server, her tablet sends again her change sharing the goal with the care
    team, before any device sends the goal's create: taken as a create without a title, it is
    refused. Her delete, based on that change, then makes the tombstone: the refused change
    says who may have had the goal, so the tombstone travels to them, and the goal leaves the
    mentor's phone. Before, the tombstone knew no visibility, and his phone kept the goal."""
    record_id = new_id()
    create = make_writer(1).upsert(record_id, {"title": "Paint", "visibility": "private"})
    share = writer.upsert(record_id, {"visibility": "care_team"}, {"visibility": create.id})
    delete = writer.delete(record_id, {"title": create.id, "visibility": share.id})
    mentors_view = scope_of(LEARNER, visible={"mentor", "care_team"})
    _, cursor = pull_all(store, mentors_view)

    results = writer.push(share, delete) if same_push else writer.push(share) + writer.push(delete)

    assert [r.status for r in results] == ["rejected", "applied"]
    assert results[0].error["error"] == "validation_failed"
    changes, _ = pull_all(store, mentors_view, cursor)
    assert [(c.id, c.removed) for c in changes] == [(record_id, True)]


def test_a_create_made_in_part_by_a_device_sending_it_again_is_filled_in_by_its_writer(
        store, writer, make_writer):
    """After a restore, a tablet sends again, under its id, the part of a goal's create it
    held (the title: who sees the goal it held from a later change), and it makes the goal.
    The phone that wrote the create sends it again whole: answered as before, it fills in
    what the goal never had, so that the phone's later change, based on it, applies. Sent a
    third time, it changes nothing."""
    record_id = new_id()
    phone = make_writer(1)
    create = phone.upsert(record_id, {"title": "Paint", "visibility": "private"})
    part = dataclasses.replace(create, replica=writer.replica, seq=writer.seq + 1,
                               fields={"title": "Paint"})
    share = phone.upsert(record_id, {"visibility": "mentor"}, {"visibility": create.id})
    writer.seq += 1
    assert [r.status for r in writer.push(part)] == ["applied"]

    assert [r.status for r in phone.push(create, share)] == ["applied", "applied"]
    record = current(store, record_id)
    assert (record.fields, record.conflicts) == ({"title": "Paint", "visibility": "mentor"}, {})
    assert record.revs == {"title": create.id, "visibility": share.id}
    seq = record.seq
    assert [r.status for r in phone.push(create)] == ["applied"]
    assert current(store, record_id).seq == seq


@pytest.mark.parametrize("same_push", [False, True])
def test_a_create_arriving_after_a_change_made_over_it_leaves_that_change(
        store, writer, make_writer, same_push):
    """On a restored server, the phone's new title for a goal the restore lost came before the
    goal's create, which the tablet then sent again: the title is the phone's, made over the
    create's, so the create's title is older, not a second version. Its other fields apply.
    Before, the create's title was kept aside as a conflict for her to choose."""
    record_id = new_id()
    phone = writer if same_push else make_writer(1)
    create = writer.upsert(record_id, {"title": "Knit a scarf", "why": "for the winter"})
    rename = phone.upsert(record_id, {"title": "Knit a rug"}, {"title": create.id})
    if same_push:  # the rename first: it was made from the create's held copy
        create, rename = (dataclasses.replace(create, seq=rename.seq),
                          dataclasses.replace(rename, seq=create.seq))
        results = writer.push(create, rename)
    else:
        results = [*phone.push(rename), *writer.push(create)]

    assert [(r.status, r.conflicts) for r in results] == [("applied", [])] * 2
    record = current(store, record_id)
    assert (record.fields, record.conflicts) == (
        {"title": "Knit a rug", "why": "for the winter"}, {})
    assert record.revs == {"title": rename.id, "why": create.id}
    assert results[-1 if not same_push else 0].full_revs(create) == record.revs


def test_a_create_arriving_after_two_changes_made_over_it_leaves_the_last(
        store, writer, make_writer):
    # the phone renamed the lost goal twice offline; both went in one push, before the create
    record_id = new_id()
    phone = make_writer(1)
    create = writer.upsert(record_id, {"title": "Knit a scarf", "why": "for the winter"})
    first = phone.upsert(record_id, {"title": "Knit a rug"}, {"title": create.id})
    second = phone.upsert(record_id, {"title": "Knit a blanket"}, {"title": first.id})
    phone.push(first, second)

    result, = writer.push(create)

    assert (result.status, result.conflicts) == ("applied", [])
    record = current(store, record_id)
    assert (record.fields, record.conflicts) == (
        {"title": "Knit a blanket", "why": "for the winter"}, {})


def test_a_create_arriving_after_a_change_made_over_another_version_still_keeps_both(
        store, writer, make_writer):
    # the phone's title was made over an earlier title of the goal, not over this create's:
    # both were written, neither over the other, so both stay for her to choose
    record_id = new_id()
    phone = make_writer(1)
    create = writer.upsert(record_id, {"title": "Knit a scarf"})
    rename = phone.upsert(record_id, {"title": "Knit a rug"}, {"title": new_id()})
    phone.push(rename)

    result, = writer.push(create)

    assert (result.status, result.conflicts) == ("conflict", ["title"])
    assert [v["value"] for v in current(store, record_id).conflicts["title"]] == ["Knit a scarf"]


def test_a_refused_change_sent_again_fills_in_nothing(store, writer):
    record_id, revs = writer.create(title="Paint", visibility="private")
    refused = writer.upsert(record_id, {"visibility": "everyone", "why": "joy"}, revs)
    assert [r.status for r in writer.push(refused)] == ["rejected"]

    assert [r.status for r in writer.push(refused)] == ["rejected"]

    assert current(store, record_id).fields == {"title": "Paint", "visibility": "private"}


def test_resolving_sets_the_chosen_value_and_clears_the_versions_seen(
        store, writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    mine, = writer.push(writer.upsert(record_id, {"title": "Draw"}, revs))
    kept, = mentor.push(mentor.upsert(record_id, {"title": "Sketch"}, revs))

    result, = writer.push(writer.resolve(record_id, {"title": "Sketch"}, {"title": mine.id},
                                         seen={"title": [kept.id]}))

    assert result.status == "applied"
    record = current(store, record_id)
    assert (record.fields["title"], record.conflicts) == ("Sketch", {})


def test_resolving_keeps_a_version_that_arrived_after_the_person_looked(
        store, writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor, friend = make_writer(9), make_writer(10)
    mine, = writer.push(writer.upsert(record_id, {"title": "Draw"}, revs))
    kept, = mentor.push(mentor.upsert(record_id, {"title": "Sketch"}, revs))
    friend.push(friend.upsert(record_id, {"title": "Doodle"}, revs))

    writer.push(writer.resolve(record_id, {"title": "Sketch"}, {"title": mine.id},
                               seen={"title": [kept.id]}))

    assert [v["value"] for v in current(store, record_id).conflicts["title"]] == ["Doodle"]


def test_a_resolve_based_on_an_old_value_is_itself_kept_as_a_version(
        store, writer, make_writer):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    kept, = mentor.push(mentor.upsert(record_id, {"title": "Sketch"}, {"title": "x"}))

    result, = writer.push(writer.resolve(record_id, {"title": "Both"}, {"title": "stale"},
                                         seen={"title": [kept.id]}))

    assert (result.status, result.conflicts) == ("conflict", ["title"])
    record = current(store, record_id)
    assert [v["value"] for v in record.conflicts["title"]] == ["Both"]


@pytest.mark.parametrize("choice, deleted", [(True, True), (False, False)])
def test_resolving_a_delete_conflict_deletes_or_keeps_the_record(
        store, writer, make_writer, choice, deleted):
    record_id, revs = writer.create(title="Paint")
    mentor = make_writer(9)
    why = writer.upsert(record_id, {"why": "joy"}, revs)
    changed, = writer.push(why)
    refused, = mentor.push(mentor.delete(record_id, revs))

    result, = writer.push(writer.resolve(record_id, {DELETED: choice},
                                         deleted_seen(changed.full_revs(why)),
                                         seen={DELETED: [refused.id]}))

    assert result.status == "applied"
    record = current(store, record_id)
    assert (record.deleted, record.conflicts) == (deleted, {})


def test_a_choice_to_delete_kept_aside_takes_the_place_of_the_delete_wishes_it_saw(
        store, writer, make_writer):
    """She chose to delete a goal her mentor had asked to delete, seeing his wish and both
    titles; meanwhile its reason changed. Her delete is kept aside: it stands for his wish,
    which leaves, while the titles she saw stay, for she chose none of them."""
    record_id, revs = writer.create(title="Paint")
    mentor, phone = make_writer(9), make_writer(1)
    why = writer.upsert(record_id, {"why": "joy", "title": "Paint in oils"}, revs)
    changed, = writer.push(why)
    wish, = mentor.push(mentor.delete(record_id, revs))
    title, = mentor.push(mentor.upsert(record_id, {"title": "Draw"}, revs))
    assert (wish.status, title.status) == ("conflict", "conflict")
    seen = changed.full_revs(why)
    writer.push(writer.upsert(record_id, {"why": "calm"}, seen))  # after she looked

    choice = phone.resolve(record_id, {DELETED: True}, deleted_seen(seen),
                           seen={DELETED: [wish.id], "title": [title.id]})
    result, = phone.push(choice)

    assert (result.status, result.conflicts) == ("conflict", [DELETED])
    record = current(store, record_id)
    assert not record.deleted
    assert [v["rev"] for v in record.conflicts[DELETED]] == [choice.id]
    assert [v["rev"] for v in record.conflicts["title"]] == [title.id]


def test_resolving_a_deleted_record_with_deleted_false_restores_it(store, writer):
    record_id, revs = writer.create(title="Paint")
    delete = writer.delete(record_id, revs)
    writer.push(delete)

    result, = writer.push(writer.resolve(record_id, {DELETED: False, "title": "Paint again"},
                                         seen={DELETED: [delete.id]}))

    assert result.status == "applied"
    record = current(store, record_id)
    assert (record.deleted, record.fields["title"]) == (False, "Paint again")


def test_keeping_a_record_someone_deleted_unseen_meanwhile_is_refused_not_restored(
        store, writer, make_writer):
    # the phone's person chose to keep the record over a delete wish; meanwhile the tablet's
    # person, having seen everything, deleted it: the keep never saw that delete
    record_id, revs = writer.create(title="Paint")
    phone = make_writer(1)
    change, = writer.push(writer.upsert(record_id, {"title": "Draw"}, revs))
    wish = phone.delete(record_id, revs)
    kept, = phone.push(wish)
    assert kept.status == "conflict"
    keep = phone.resolve(record_id, {DELETED: False}, seen={DELETED: [wish.id]})
    writer.push(writer.delete(record_id, {"title": change.id}, seen={DELETED: [wish.id]}))

    result, = phone.push(keep)

    assert (result.status, result.error["error"]) == ("rejected", "record_deleted")
    assert current(store, record_id).deleted


def test_resolving_a_deleted_record_without_restoring_it_is_rejected(writer):
    record_id, revs = writer.create(title="Paint")
    writer.push(writer.delete(record_id, revs))

    result, = writer.push(writer.resolve(record_id, {"title": "Paint again"}))

    assert result.error["error"] == "record_deleted"


def test_a_change_of_a_record_deleted_and_purged_is_refused_not_made_again(
        store, writer, make_writer):
    # a device away longer than the retention kept a change of a record deleted meanwhile:
    # taken as a create, it would bring back a fragment of the deleted entry
    record_id, revs = writer.create(title="Paint", why="joy")
    writer.push(writer.delete(record_id, deleted_seen(revs)))
    assert purge_tombstones(store, through_seq=store.max_seq()) == 1
    phone = make_writer(1)

    result, = phone.push(phone.upsert(record_id, {"title": "Paint the sea"}, revs))

    assert (result.status, result.error["error"]) == ("rejected", "record_deleted")
    assert result.error["details"] == {"field": "record_id",
                                       "reason": "the record was deleted and is gone"}
    assert pull_all(store, scope_of(LEARNER))[0] == []


def test_a_choice_and_a_change_made_after_it_of_a_record_deleted_and_purged_are_both_refused(
        store, writer, make_writer):
    """A phone away longer than the retention settled a conflict, then changed the record
    again, based on that choice; the record was deleted and its tombstone purged meanwhile.
    The choice is refused as gone, and so is the change based on it: taken as a create, it
    would bring back a fragment of the deleted entry."""
    from sync import purge_tombstones

    record_id, revs = writer.create(title="Paint", why="joy")
    phone = make_writer(1)
    choice = phone.resolve(record_id, {"title": "Paint the sea"}, revs)
    change = phone.upsert(record_id, {"title": "Paint the sea at dawn"}, {"title": choice.id})
    writer.push(writer.delete(record_id, deleted_seen(revs)))
    assert purge_tombstones(store, through_seq=store.max_seq()) == 1

    results = phone.push(choice, change)

    assert [(r.status, r.error["error"], r.error["details"]["reason"]) for r in results] == [
        ("rejected", "record_deleted", "the record was deleted and is gone")] * 2
    assert pull_all(store, scope_of(LEARNER))[0] == []


def test_a_change_based_on_a_refused_change_of_a_record_deleted_and_purged_is_refused(
        store, writer, make_writer):
    """A phone changed a goal's title with minutes in words (refused: minutes are a number),
    then wrote a new title over its own refused change; meanwhile the goal was deleted and its
    tombstone purged. The
    refused change was of a record that was here, so the one based on it is refused as gone,
    not made into a fragment of the deleted entry."""
    from sync import purge_tombstones

    record_id, revs = writer.create(title="Paint", why="joy")
    phone = make_writer(1)
    refused = phone.upsert(record_id, {"title": "Paint boats", "minutes": "ten"},
                           {"title": revs["title"]})
    assert phone.push(refused)[0].error["error"] == "validation_failed"
    writer.push(writer.delete(record_id, deleted_seen(revs)))
    assert purge_tombstones(store, through_seq=store.max_seq()) == 1

    result, = phone.push(phone.upsert(record_id, {"title": "Paint the sea"},
                                      {"title": refused.id}))

    assert (result.error["error"], result.error["details"]["reason"]) == (
        "record_deleted", "the record was deleted and is gone")
    assert pull_all(store, scope_of(LEARNER))[0] == []


def test_a_change_based_on_a_refused_create_is_taken_as_a_create(store, writer):
    record_id = new_id()
    refused = writer.upsert(record_id, {"title": ""})  # a goal needs a title
    change = writer.upsert(record_id, {"title": "Paint"}, {"title": refused.id})

    results = writer.push(refused, change)

    assert [r.status for r in results] == ["rejected", "applied"]
    assert current(store, record_id).fields == {"title": "Paint"}


def test_a_create_arriving_after_a_delete_that_overtook_it_and_a_restore_fills_in_its_fields(
        store, writer, make_writer):
    # On a restored server the tablet deletes a record whose create, from the phone, the server
    # has not got again yet: the tombstone takes the delete's base as its revs. The tablet then
    # restores it with a title of its own; the phone's create arrives last. The fields whose
    # revs name the create are the create's values; the title, set by both, keeps both.
    record_id = new_id()
    phone = make_writer(1)
    create = phone.upsert(record_id, {"title": "Paint", "visibility": "care_team",
                                      "benefits": ["world"]})
    delete = writer.delete(record_id, dict.fromkeys(("title", "visibility", "benefits"),
                                                    create.id))
    writer.push(delete)
    writer.push(writer.resolve(record_id, {DELETED: False, "title": "Paint the gate"},
                               seen={DELETED: [delete.id]}))

    result, = phone.push(create)

    assert (result.status, result.conflicts) == ("conflict", ["title"])
    record = current(store, record_id)
    assert record.fields == {"title": "Paint the gate", "visibility": "care_team",
                             "benefits": ["world"]}
    assert record.revs["visibility"] == record.revs["benefits"] == create.id
    assert {name: [v["value"] for v in versions]
            for name, versions in record.conflicts.items()} == {"title": ["Paint"]}
    care_team, _ = pull_all(store, scope_of(LEARNER, visible={"care_team"}))
    assert [(c.id, c.removed) for c in care_team] == [(record_id, False)]


def test_restoring_a_deleted_goal_without_a_title_is_refused(store, writer):
    # a tombstone keeps no values: a restore makes the record again from the values it gives,
    # and is checked as a create
    record_id, revs = writer.create(title="Paint")
    delete = writer.delete(record_id, revs)
    writer.push(delete)

    result, = writer.push(writer.resolve(record_id, {DELETED: False},
                                         seen={DELETED: [delete.id]}))

    assert (result.status, result.error["error"], result.error["details"]["field"]) == (
        "rejected", "validation_failed", "title")
    assert current(store, record_id).deleted
