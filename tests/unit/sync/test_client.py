"""The reference client against the engine: every protocol case, one at a time."""
import time
import uuid

import pytest

from sync import DELETED, Client, MemoryStore, ProtocolTooOld, purge_tombstones, time_uuid

from sync.transport import PUSH_PATH

from .builders import (LEARNER, OTHER_LEARNER, Network, engine_transport, new_id, pull_all,
                       scope_of)


@pytest.fixture
def tablet(store):
    return Client(engine_transport(store))


@pytest.fixture
def phone(store):
    return Client(engine_transport(store))


def goal(client, title="Learn to video-call my grandson", record_id=None, **fields):
    """Write a goal on a device; return its id."""
    record_id = record_id or new_id()
    client.write("goals", record_id, {"title": title, **fields}, LEARNER)
    return record_id


def test_a_write_is_on_the_device_and_pending_before_any_sync(tablet):
    record_id = goal(tablet)

    assert tablet.record(record_id).fields["title"] == "Learn to video-call my grandson"
    assert tablet.pending_count == 1


def test_a_sync_of_a_few_changes_is_one_round_trip(store):
    tablet = Client(Network(engine_transport(store)))
    record_id = goal(tablet)

    report = tablet.sync()

    assert report.ok and report.pulled == 1
    assert [path for path, _ in tablet.transport.requests] == [PUSH_PATH]
    assert tablet.local.pulled[record_id].fields["title"] == "Learn to video-call my grandson"


def test_after_an_epoch_change_the_client_pulls_from_the_start_of_the_new_epoch():
    store = MemoryStore()
    phone = Client(Network(engine_transport(store)))
    goal(phone)
    phone.sync()
    old_cursor = phone.local.cursor
    store.restore(store.snapshot(), new_epoch=True)
    goal(phone)
    sent = len(phone.transport.requests)

    report = phone.sync()

    # the first push carried a pull from the old cursor and learned of the new epoch; the
    # pass that sends the log again carries the pull from the start of the new epoch
    pushes = [body for path, body in phone.transport.requests[sent:] if path == PUSH_PATH]
    assert [p["pull"]["cursor"] for p in pushes] == [old_cursor, None]
    assert report.epoch_changed and report.ok
    assert phone.local.epoch == store.epoch() and len(phone.records) == 2


def test_a_sync_empties_the_outbox_and_notes_the_time(tablet):
    goal(tablet)

    report = tablet.sync()

    assert report.ok and len(report.applied) == 1
    assert tablet.pending_count == 0
    assert tablet.local.last_synced is not None


def test_writing_on_one_device_reaches_another_after_both_sync(tablet, phone):
    record_id = goal(tablet)
    tablet.sync()

    phone.sync()

    assert phone.record(record_id).fields["title"] == "Learn to video-call my grandson"


def test_the_same_field_changed_on_two_devices_shows_both_versions_on_both(tablet, phone):
    record_id = goal(tablet)
    tablet.sync()
    phone.sync()
    tablet.write("goals", record_id, {"title": "Video-call family"}, LEARNER)
    phone.write("goals", record_id, {"title": "Video-call Tom"}, LEARNER)

    tablet.sync()
    report = phone.sync()
    tablet.sync()

    assert len(report.conflicts) == 1
    for device in (tablet, phone):
        record = device.record(record_id)
        assert record.fields["title"] == "Video-call family"
        assert [v["value"] for v in record.conflicts["title"]] == ["Video-call Tom"]


def test_resolving_on_one_device_settles_the_conflict_everywhere(tablet, phone):
    record_id = goal(tablet)
    tablet.sync(), phone.sync()
    tablet.write("goals", record_id, {"title": "Video-call family"}, LEARNER)
    phone.write("goals", record_id, {"title": "Video-call Tom"}, LEARNER)
    tablet.sync(), phone.sync()

    phone.resolve("goals", record_id, LEARNER, {"title": "Video-call Tom and family"})
    phone.sync(), tablet.sync()

    for device in (tablet, phone):
        record = device.record(record_id)
        assert (record.fields["title"], record.conflicts) == ("Video-call Tom and family", {})


def test_a_deleted_record_leaves_every_device(tablet, phone):
    record_id = goal(tablet)
    tablet.sync(), phone.sync()

    phone.delete("goals", record_id, LEARNER)
    phone.sync(), tablet.sync()

    assert tablet.record(record_id) is None and phone.record(record_id) is None


def test_a_delete_that_missed_a_change_leaves_the_choice_to_a_person(tablet, phone):
    record_id = goal(tablet)
    tablet.sync(), phone.sync()
    tablet.write("goals", record_id, {"why": "to see his face"}, LEARNER)
    phone.delete("goals", record_id, LEARNER)
    tablet.sync(), phone.sync()

    phone.resolve("goals", record_id, LEARNER, {DELETED: False})
    phone.sync(), tablet.sync()

    record = tablet.record(record_id)
    assert (record.fields["why"], record.conflicts) == ("to see his face", {})


def test_no_network_stops_the_sync_and_keeps_the_outbox(store):
    network = Network(engine_transport(store), "down")
    tablet = Client(network)
    goal(tablet)

    report = tablet.sync()

    assert report.error["error"] == "network_error"
    assert tablet.pending_count == 1
    assert tablet.sync().ok and tablet.pending_count == 0


@pytest.mark.parametrize("fault", ["lose_response", "duplicate"])
def test_a_lost_or_repeated_push_is_applied_once(store, fault):
    tablet = Client(Network(engine_transport(store), fault))
    goal(tablet), goal(tablet)

    tablet.sync()
    tablet.sync()

    assert tablet.pending_count == 0
    assert store.max_seq() == 2


def test_batches_arriving_out_of_order_are_all_applied(store):
    tablet = Client(Network(engine_transport(store), "reorder"), batch_size=10)
    ids = [goal(tablet, f"goal {n}") for n in range(6)]

    report = tablet.sync()

    assert report.ok
    assert set(tablet.records) == set(ids)
    assert store.max_seq() == 6


def test_a_client_pushes_in_batches_of_its_batch_size(store):
    network = Network(engine_transport(store))
    tablet = Client(network, batch_size=2)
    for n in range(5):
        goal(tablet, f"goal {n}")

    tablet.sync()

    pushes = [body for path, body in network.requests if path.endswith("push")]
    assert [len(body["mutations"]) for body in pushes] == [2, 2, 1]


def test_a_long_first_sync_pulls_every_page(tablet, store):
    ids = [goal(tablet, f"goal {n}") for n in range(7)]
    tablet.sync()
    network = Network(engine_transport(store))
    new_tablet = Client(network, page_size=2)

    report = new_tablet.sync()

    assert report.pulled == 7 and set(new_tablet.records) == set(ids)
    # the first page, three runs ahead (2, 2 and the last 1), and the last cursor's, empty
    assert sum(path.endswith("pull") for path, _ in network.requests) == 5


def test_a_refused_write_waits_for_a_person_and_later_writes_still_go(tablet):
    refused = tablet.write("sessions", new_id(), {"minutes": "about an hour"}, LEARNER)
    later = goal(tablet)

    report = tablet.sync()

    assert report.rejected == [refused.id]
    (waiting,) = tablet.needs_person
    assert (waiting.mutation, waiting.error["details"]["field"]) == (refused, "minutes")
    assert tablet.record(later) is not None
    assert tablet.record(refused.record_id) is None


def test_dismissing_a_refused_write_forgets_it(tablet):
    refused = tablet.write("sessions", new_id(), {"minutes": "lots"}, LEARNER)
    tablet.sync()

    tablet.dismiss(refused.id)

    assert tablet.needs_person == []


def test_an_app_too_old_for_the_server_stops_and_keeps_its_outbox():
    def server(path, body):
        return 426, ProtocolTooOld().to_wire()
    tablet = Client(server)
    goal(tablet)

    report = tablet.sync()

    assert report.error["error"] == "protocol_too_old"
    assert tablet.pending_count == 1


def test_a_server_answering_for_other_mutations_stops_the_sync(tablet):
    def confused(path, body):
        return 200, {"protocol": 2, "epoch": "e", "results": []}
    goal(tablet)
    tablet.transport = confused

    report = tablet.sync()

    assert report.error is not None and tablet.pending_count == 1


def test_a_learner_leaving_the_scope_takes_their_records_off_the_device(store, tablet):
    goal(tablet)
    mentor_scope = scope_of(LEARNER, OTHER_LEARNER)
    mentor = Client(engine_transport(store, 9, mentor_scope))
    tablet.sync(), mentor.sync()

    del mentor.transport.scope.learners[LEARNER]
    mentor.sync()

    assert mentor.records == {}


def test_a_record_with_unsent_changes_stays_when_its_learner_leaves_the_scope(store, tablet):
    record_id = goal(tablet)
    tablet.sync()
    mentor = Client(Network(engine_transport(store, 9, scope_of(LEARNER, OTHER_LEARNER))))
    mentor.sync()
    mentor.transport.transport.scope.learners.pop(LEARNER)
    mentor.transport.before_pull(lambda: mentor.write(
        "goals", record_id, {"why": "she asked me"}, LEARNER))

    mentor.sync()

    assert list(mentor.records) == [record_id]
    assert mentor.pending_count == 1


def test_a_record_no_longer_shared_leaves_the_device(store, tablet):
    record_id = goal(tablet, visibility="care_team")
    tablet.sync()
    staff = Client(engine_transport(store, 20, scope_of(LEARNER, visible={"care_team"})))
    staff.sync()

    tablet.write("goals", record_id, {"visibility": "private"}, LEARNER)
    tablet.sync()
    report = staff.sync()

    assert report.removed == 1
    assert staff.records == {}


def test_a_device_away_longer_than_the_retention_fetches_everything_again(store, tablet, phone):
    kept, gone = goal(tablet, "kept"), goal(tablet, "gone")
    tablet.sync(), phone.sync()
    tablet.delete("goals", gone, LEARNER)
    tablet.sync()
    purge_tombstones(store, through_seq=store.max_seq())

    report = phone.sync()

    assert report.full_resync and report.ok
    assert set(phone.records) == {kept}


def test_a_change_of_a_field_never_set_on_an_entry_deleted_and_purged_is_refused_as_gone(
        store, tablet):
    """Away longer than the retention, the phone added a reason to a goal deleted meanwhile.
    The change names the revs of the goal she saw, so the server knows the goal was here:
    refused as gone, with her words kept. Before, naming none (the reason was new), it was
    taken as a create of a goal without a title."""
    record_id = goal(tablet, "Knit a scarf")
    phone = Client(engine_transport(store))
    tablet.sync(), phone.sync()
    tablet.delete("goals", record_id, LEARNER)
    tablet.sync()
    purge_tombstones(store, through_seq=store.max_seq())
    phone.write("goals", record_id, {"why": "for the winter"}, LEARNER)

    assert phone.sync().full_resync

    [refused] = phone.needs_person
    assert (refused.error["error"], refused.error["details"]["reason"]) == (
        "record_deleted", "the record was deleted and is gone")
    assert refused.mutation.fields == {"why": "for the winter"}
    assert pull_all(store, scope_of(LEARNER))[0] == []


def test_a_full_resync_keeps_records_with_unsent_changes(store, tablet):
    kept, gone = goal(tablet, "kept"), goal(tablet, "gone")
    phone = Client(Network(engine_transport(store)))
    tablet.sync(), phone.sync()
    tablet.delete("goals", gone, LEARNER)
    tablet.sync()
    purge_tombstones(store, through_seq=store.max_seq())
    # the first pull finds the cursor expired; the second starts the full resync
    phone.transport.before_pull(lambda: phone.write("goals", gone, {"why": "mine"}, LEARNER),
                                skip=1)

    report = phone.sync()

    assert report.full_resync
    assert set(phone.records) == {kept, gone}


def _renamed_after_a_backup():
    """A goal the tablet made and both devices pulled, a backup, then the tablet's new title,
    which the phone pulled too: (store, tablet, phone, goal id, the backup, the rename)."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    record_id = goal(tablet, "Knit a scarf")
    tablet.sync(), phone.sync()
    backup = store.snapshot()
    made = tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    assert tablet.sync().ok and phone.sync().ok
    return store, tablet, phone, record_id, backup, made


@pytest.mark.parametrize("new_epoch", [True, False])
def test_after_a_restore_the_client_sends_its_log_again_and_nothing_is_lost(new_epoch):
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    before = goal(tablet, "before the backup")
    tablet.sync()
    backup = store.snapshot()
    after = goal(tablet, "after the backup")
    tablet.sync(), phone.sync()

    store.restore(backup, new_epoch=new_epoch)
    goal(tablet, "after the restore")
    tablet.sync(), phone.sync()

    titles = {r.fields["title"] for r in store.all_records()}
    assert titles == {"before the backup", "after the backup", "after the restore"}
    assert set(phone.records) == set(tablet.records) >= {before, after}


def test_after_a_restore_what_only_this_device_still_holds_waits_to_be_sent_again():
    """The tablet that wrote an entry was wiped after the server acknowledged it, and the server
    was then restored from a backup taken before it: the phone, which had pulled the entry, is
    the only place left that holds it. The phone's pull from the start after the restore does
    not bring it, so it waits for a person (``only_here``), who sends it again, whole."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    backup = store.snapshot()
    lost = goal(tablet, "written on the tablet that was wiped", why="to see his face")
    resent = goal(phone, "written on the phone")
    tablet.sync(), phone.sync()
    tablet = Client(engine_transport(store))  # wiped: a new replica, its log gone
    store.restore(backup, new_epoch=True)

    assert tablet.sync().ok and phone.sync().ok

    # the phone's own goal came back with its log; the wiped tablet never had the other
    assert phone.local.only_here == {lost} and tablet.local.only_here == set()
    assert phone.record(lost).fields["title"] == "written on the tablet that was wiped"
    phone.send_again(lost)
    assert phone.sync().ok and phone.local.only_here == set()
    [again] = [r for r in store.all_records() if r.id == lost]
    assert again.fields == {"title": "written on the tablet that was wiped",
                            "why": "to see his face"}
    assert {r.id for r in store.all_records()} == {lost, resent}


def test_an_entry_another_device_sends_again_after_a_restore_stops_waiting():
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    backup = store.snapshot()
    theirs = goal(tablet, "written on the tablet")
    tablet.sync(), phone.sync()
    store.restore(backup, new_epoch=True)

    phone.sync()  # before the tablet: the entry is not on the server yet
    assert phone.local.only_here == {theirs}
    tablet.sync()  # the tablet sends its log again
    phone.sync()

    assert phone.local.only_here == set()
    assert [r.fields["title"] for r in store.all_records()] == ["written on the tablet"]


def _restored_after_the_tablet_changed_it(change):
    """A goal both devices have; a backup; ``change(tablet, record_id)`` made on the tablet and
    acknowledged, then pulled by the phone; the tablet wiped (its log gone with it); the
    server restored from the backup. Returns (store, phone, new tablet, record id, change)."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    record_id = goal(tablet, "Knit a scarf", why="for the winter")
    tablet.sync(), phone.sync()
    backup = store.snapshot()
    made = change(tablet, record_id)
    assert tablet.sync().ok and phone.sync().ok
    store.restore(backup, new_epoch=True)
    return store, phone, Client(engine_transport(store)), record_id, made


def test_after_a_restore_a_change_only_another_device_holds_is_sent_again_under_its_own_id():
    """The restored server sends the goal as it was at the backup. The phone held the
    tablet's change, which nothing else can send again: it goes from the phone, as the
    change it was, and reaches every device. Before, the phone took the older version."""
    store, phone, tablet, record_id, made = _restored_after_the_tablet_changed_it(
        lambda tablet, rid: tablet.write("goals", rid, {"title": "Knit a blanket"}, LEARNER))

    assert phone.sync().ok
    assert phone.record(record_id).fields["title"] == "Knit a blanket"  # never shown older
    assert phone.sync().ok and tablet.sync().ok

    [record] = store.all_records()
    assert record.fields == {"title": "Knit a blanket", "why": "for the winter"}
    assert record.revs["title"] == made.id and not record.conflicts
    assert tablet.record(record_id).fields == record.fields and phone.pending_count == 0


def test_after_a_restore_a_delete_only_another_device_holds_is_sent_again():
    store, phone, tablet, record_id, made = _restored_after_the_tablet_changed_it(
        lambda tablet, rid: tablet.delete("goals", rid, LEARNER))

    assert phone.sync().ok and phone.record(record_id) is None
    assert phone.sync().ok and tablet.sync().ok

    [record] = store.all_records()
    assert record.deleted and record.revs[DELETED] == made.id
    assert tablet.record(record_id) is None


@pytest.mark.parametrize("second", ["title", "delete"])
def test_after_a_restore_a_version_kept_aside_only_another_device_holds_is_kept_aside_again(
        second):
    """The tablet renamed the goal, and the spare tablet, which had not seen that, renamed it
    too (or deleted it): the server kept the second wish aside, for a person. Both tablets
    were then wiped and the server restored from before either. The phone held both: both
    go again, the kept version still kept aside. Before, the kept version was lost."""
    store = MemoryStore()
    tablet, spare, phone = (Client(engine_transport(store)) for _ in range(3))
    record_id = goal(tablet, "Knit a scarf")
    tablet.sync(), spare.sync(), phone.sync()
    backup = store.snapshot()
    tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    kept = (spare.write("goals", record_id, {"title": "Knit mittens"}, LEARNER)
            if second == "title" else spare.delete("goals", record_id, LEARNER))
    assert tablet.sync().ok and spare.sync().ok and phone.sync().ok
    name, value = ("title", "Knit mittens") if second == "title" else (DELETED, True)
    held = phone.local.pulled[record_id].conflicts[name]
    assert [(v["rev"], v["value"]) for v in held] == [(kept.id, value)]
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert record.fields["title"] == "Knit a blanket" and not record.deleted
    assert [(v["rev"], v["value"]) for v in record.conflicts[name]] == [(kept.id, value)]
    assert phone.local.pulled[record_id].conflicts == record.conflicts
    assert phone.pending_count == 0 and not phone.needs_person


def test_after_a_restore_a_version_another_person_wrote_is_not_sent_as_the_learners():
    """The mentor's wish was kept aside on the learner's goal; the learner's phone holds it.
    Sent from her phone, it would be written as hers: the mentor's own devices send it."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    mentor = Client(engine_transport(store, 9))
    record_id = goal(tablet, "Knit a scarf")
    tablet.sync(), mentor.sync(), phone.sync()
    backup = store.snapshot()
    tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    mentor.write("goals", record_id, {"title": "Knit mittens"}, LEARNER)
    assert tablet.sync().ok and mentor.sync().ok and phone.sync().ok
    assert phone.local.pulled[record_id].conflicts["title"][0]["author_id"] == 9
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert record.fields["title"] == "Knit a blanket" and not record.conflicts
    assert mentor.sync().ok  # his log again
    [record] = store.all_records()
    assert [(v["value"], v["author_id"]) for v in record.conflicts["title"]] == [
        ("Knit mittens", 9)]


def test_after_a_restore_a_record_another_device_brought_back_is_brought_back_again():
    """The goal was deleted before the backup. The tablet then restored it (the person chose
    to keep it) and changed it again; the phone held that. The tablet was wiped and the
    server restored: the phone restores the goal again, by the tablet's own choice, with
    what it held. Before, its changes were refused for a person, the goal left deleted."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    record_id = goal(tablet, "Knit a scarf", why="for the winter")
    tablet.sync(), phone.sync()
    tablet.delete("goals", record_id, LEARNER)
    tablet.sync(), phone.sync()
    backup = store.snapshot()
    restored = tablet.resolve("goals", record_id, LEARNER,
                              {DELETED: False, "title": "Knit a scarf", "why": "for Edna"})
    changed = tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    assert tablet.sync().ok and phone.sync().ok
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert not record.deleted and not record.conflicts
    assert record.fields == {"title": "Knit a blanket", "why": "for Edna"}
    assert (record.revs["title"], record.revs["why"], record.revs[DELETED]) == (
        changed.id, restored.id, restored.id)
    assert phone.record(record_id).fields == record.fields
    assert phone.pending_count == 0 and not phone.needs_person


def test_after_a_restore_a_lost_change_goes_over_the_version_this_device_held_before_it():
    """The phone held the tablet's new title, and then changed the goal's why. The tablet was
    wiped and the server restored. The phone's log goes first and changes the goal, so its
    server time is no longer older than the held copy; but the server's title is the one the
    phone held before the tablet's: the lost title goes over it, with no false conflict.
    Before, the backup's title came back as the current one, the lost title set aside."""
    store, tablet, phone, record_id, backup, made = _renamed_after_a_backup()
    phone.write("goals", record_id, {"why": "for the winter"}, LEARNER)
    assert phone.sync().ok
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert record.fields == {"title": "Knit a blanket", "why": "for the winter"}
    assert record.revs["title"] == made.id and not record.conflicts
    assert phone.pending_count == 0 and not phone.needs_person


@pytest.mark.parametrize("then", ["rename", "delete"])
def test_after_a_restore_this_devices_own_change_over_a_lost_one_is_chosen_again(then):
    """The phone renamed (or deleted) the goal over the tablet's new title; the tablet was wiped
    and the server restored. The phone's log goes again, but what its change was based on is
    gone, so the server keeps it aside beside the backup's title. The phone had held that
    title before: it chooses its own change again. Before, the backup's title came back as
    the current one, the phone's own change set aside for her to choose."""
    store, tablet, phone, record_id, backup, _ = _renamed_after_a_backup()
    if then == "rename":
        phone.write("goals", record_id, {"title": "Knit a rug"}, LEARNER)
    else:
        phone.delete("goals", record_id, LEARNER)
    assert phone.sync().ok
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert not record.conflicts
    if then == "rename":
        assert (record.fields["title"], record.deleted) == ("Knit a rug", False)
    else:
        assert record.deleted and phone.record(record_id) is None
    assert phone.pending_count == 0 and not phone.needs_person


@pytest.mark.parametrize("then", ["rename", "delete", "rename, answer lost"])
def test_after_a_restore_a_change_made_offline_over_a_lost_one_is_not_set_aside(then):
    """The phone held the tablet's new title and went offline; there it renamed (or deleted)
    the goal. Meanwhile the tablet was wiped and the server restored. The phone's change,
    sent when it came back (or sent before, its answer lost on the way), is based on what was
    lost, so the server kept it aside; the lost title, sent again, would then have gone over
    the backup's and her own change stayed aside. Her change is the last word on that title:
    it is chosen again, and the lost title, which it replaced, is not sent. Before, the lost
    title came back as the current one, her own change set aside for her to choose."""
    store = MemoryStore()
    tablet = Client(engine_transport(store))
    phone = Client(Network(engine_transport(store)))
    record_id = goal(tablet, "Knit a scarf", why="for the winter")
    tablet.sync(), phone.sync()
    backup = store.snapshot()
    tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    assert tablet.sync().ok and phone.sync().ok
    if then == "delete":
        phone.delete("goals", record_id, LEARNER)
    else:
        phone.write("goals", record_id, {"title": "Knit a rug"}, LEARNER)
    if then == "rename, answer lost":
        phone.transport.faults = ["lose_response"]
        assert not phone.sync().ok
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert not record.conflicts
    if then == "delete":
        assert record.deleted and phone.record(record_id) is None
    else:
        assert (record.fields, record.deleted) == (
            {"title": "Knit a rug", "why": "for the winter"}, False)
        assert phone.record(record_id).fields == record.fields
    assert phone.pending_count == 0 and not phone.needs_person


def test_after_a_restore_a_rename_sent_before_the_lost_goal_is_not_set_against_its_old_title():
    """The restore lost a goal the tablet made; the phone had it and renamed it offline. The
    phone syncs first: its new title makes the goal again. The tablet then sends its log
    again, the goal's create among it: the old title it carries is the one she renamed, not
    a second version for her to choose. Before, it was kept aside as a conflict."""
    store = MemoryStore()
    backup = store.snapshot()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    record_id = goal(tablet, "Knit a scarf", why="for the winter")
    tablet.sync(), phone.sync()
    phone.write("goals", record_id, {"title": "Knit a rug"}, LEARNER)
    store.restore(backup, new_epoch=True)

    assert phone.sync().ok and tablet.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert (record.fields, record.conflicts) == (
        {"title": "Knit a rug", "why": "for the winter"}, {})
    assert tablet.record(record_id).fields == phone.record(record_id).fields == record.fields
    assert not tablet.needs_person and not phone.needs_person


def _lost_goal_changed_on_the_phone(change):
    """A goal the tablet made and the phone pulled, lost by a restore to a backup from before
    it; ``change`` made on the phone meanwhile, offline. The phone syncs first. Returns
    (store, tablet, phone, goal id)."""
    store = MemoryStore()
    backup = store.snapshot()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    record_id = goal(tablet, "Knit a scarf", why="for the winter")
    tablet.sync(), phone.sync()
    phone.write("goals", record_id, change, LEARNER)
    store.restore(backup, new_epoch=True)
    assert phone.sync().ok
    return store, tablet, phone, record_id


@pytest.mark.parametrize("change", [{"visibility": "mentor"}, {"why": "for my granddaughter"}])
def test_after_a_restore_a_change_refused_as_its_goal_was_lost_goes_again_when_the_goal_is_back(
        change):
    """Without its title, the phone's change could not make the lost goal: it was refused,
    saying the entry is not on the server just now. When the tablet has sent the goal again,
    the phone's next pull brings it, and the change goes again by itself. Before, it waited
    for her among what needs her, with "title: is required" as its reason."""
    store, tablet, phone, record_id = _lost_goal_changed_on_the_phone(change)
    [refused] = phone.needs_person
    assert refused.error["message"].startswith("This entry is not on the server just now")

    assert tablet.sync().ok and phone.sync().ok and phone.sync().ok and tablet.sync().ok

    [record] = store.all_records()
    assert (record.fields, record.conflicts) == (
        {"title": "Knit a scarf", "why": "for the winter", **change}, {})
    assert tablet.record(record_id).fields == phone.record(record_id).fields == record.fields
    assert not phone.needs_person and phone.pending_count == 0


def test_a_lost_goal_sent_again_from_the_only_device_holding_it_carries_her_refused_change():
    """The tablet that made the goal was cleared too: the phone alone holds it (only here),
    and her change waits beside it. Sent again from there, the goal carries her change."""
    store, tablet, phone, record_id = _lost_goal_changed_on_the_phone({"why": "for Amira"})
    assert phone.local.only_here == {record_id}

    phone.send_again(record_id)
    assert phone.sync().ok

    [record] = store.all_records()
    assert record.fields == {"title": "Knit a scarf", "why": "for Amira"}
    assert not phone.needs_person and not phone.local.only_here


def test_after_two_restores_a_word_the_tablet_held_aside_is_not_written_over():
    """His phone changed the goal's title to "Knit" over her phone's same words; his phone was
    cleared. Restored to before both, her phone's words applied, and the tablet sent "Knit"
    again, kept aside beside them. Restored again, to a backup with "Knit": the tablet sends
    her phone's words again, beside "Knit", not over it, since it held the two side by side.
    Before, "Knit" was written over and gone."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    mentor = Client(engine_transport(store, 9, scope_of(LEARNER, visible={"mentor"})))
    record_id = goal(tablet, "Paint", visibility="mentor")
    assert tablet.sync().ok and phone.sync().ok and mentor.sync().ok
    before = store.snapshot()
    phone.write("goals", record_id, {"title": "Paint"}, LEARNER)
    mentor.write("goals", record_id, {"title": "Knit"}, LEARNER)
    assert mentor.sync().ok and tablet.sync().ok
    with_knit = store.snapshot()
    store.restore(before, new_epoch=True)
    assert phone.sync().ok and tablet.sync().ok
    store.restore(with_knit, new_epoch=True)

    for _ in range(2):
        assert tablet.sync().ok and phone.sync().ok

    [record] = store.all_records()
    shown = [record.fields["title"]] + [v["value"] for v in record.conflicts.get("title", [])]
    assert "Knit" in shown


def test_a_change_sent_again_under_its_id_carries_all_of_it_in_case_the_server_is_restored_again():
    """The phone held the tablet's new goal, shared with her mentor, and the server was
    restored to a backup that had the goal with a later title. The phone queued the goal's
    first title again, under the id of the change that wrote it. Before it was sent, the
    server was restored again, to a backup without the goal. The phone's change, sent first,
    made the goal again: it must carry who sees the goal too, for the tablet's own create,
    sent again under the same id, is then answered as already applied. Before, the goal came
    back private, with its title alone."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(Network(engine_transport(store)))
    empty = store.snapshot()
    record_id = goal(tablet, "Paint", visibility="mentor")
    assert tablet.sync().ok and phone.sync().ok
    tablet.write("goals", record_id, {"title": "Knit"}, LEARNER)
    assert tablet.sync().ok
    later = store.snapshot()
    store.restore(later, new_epoch=True)
    # the pull that finds the epoch changed, the pull from the start, then the push of what
    # that queued, which does not get through
    phone.transport.faults = [None, None, "down"]
    assert phone.sync().error and phone.pending_count == 1  # the first title, queued again
    store.restore(empty, new_epoch=True)

    for _ in range(2):
        assert phone.sync().ok and tablet.sync().ok

    [record] = store.all_records()
    assert record.fields == {"title": "Knit", "visibility": "mentor"}
    assert phone.record(record_id).fields == tablet.record(record_id).fields == record.fields


def test_after_a_restore_a_lost_value_her_own_change_aside_replaced_is_still_sent_again():
    """The phone gave the goal a reason, "friends"; the tablet gave it "joy" at the same time,
    kept aside, and then cleared the reason over "friends", offline. The phone was lost and
    the server restored. The tablet's log sends "joy" again, which now applies, and its
    clearing, kept aside. That is not chosen again (the server's reason is not one the tablet
    held before), so "friends", which only the tablet still holds, goes again too: every
    version is kept for her to choose."""
    store = MemoryStore()
    tablet, phone = Client(engine_transport(store)), Client(engine_transport(store))
    record_id = goal(tablet, "Paint")
    assert tablet.sync().ok and phone.sync().ok
    backup = store.snapshot()
    phone.write("goals", record_id, {"why": "friends"}, LEARNER)
    tablet.write("goals", record_id, {"why": "joy"}, LEARNER)
    assert phone.sync().ok and tablet.sync().ok
    tablet.write("goals", record_id, {"why": None}, LEARNER)
    store.restore(backup, new_epoch=True)

    assert tablet.sync().ok and tablet.sync().ok

    [record] = store.all_records()
    shown = [record.fields.get("why")] + [v["value"] for v in record.conflicts.get("why", [])]
    assert sorted(shown, key=str) == sorted(["joy", None, "friends"], key=str)


def test_a_goal_made_again_in_part_by_another_device_is_filled_in_by_its_writers_log():
    """Her phone made a goal, private, shared it with her mentor, and the tablet and his
    phone pulled it; he gave it another title. The server was restored, and the tablet queued
    the goal's first title again, under the id of her create (who sees the goal it held from
    her later change). She deleted the goal on her phone, offline. The server was restored
    again, to a backup without the goal, before the tablet's change went: sent first, it made
    the goal with its title alone. Her phone's own create, sent again, fills in what the goal
    never had, so that her sharing and her delete, based on it, apply, and the goal leaves
    the mentor's phone. Before, her create was answered as applied and changed nothing; her
    sharing and her delete were kept aside, and his phone kept the goal."""
    store = MemoryStore()
    tablet, phone = Client(Network(engine_transport(store))), Client(engine_transport(store))
    mentor = Client(engine_transport(store, 9, scope_of(LEARNER, visible={"mentor", "care_team"})))
    empty = store.snapshot()
    record_id = goal(phone, "Paint", visibility="private")
    assert phone.sync().ok
    phone.write("goals", record_id, {"visibility": "mentor"}, LEARNER)
    assert phone.sync().ok and tablet.sync().ok and mentor.sync().ok
    mentor.write("goals", record_id, {"title": "Paint in oils"}, LEARNER)
    assert mentor.sync().ok
    store.restore(store.snapshot(), new_epoch=True)
    tablet.transport.faults = [None, None, "down"]  # what the pull from the start queues stays
    assert tablet.sync().error and tablet.pending_count == 1  # her first title, queued again
    phone.delete("goals", record_id, LEARNER)
    store.restore(empty, new_epoch=True)
    # the tablet's title goes (its push's pull finds the epoch changed), then again with its
    # log, its pull from the start; what that queues does not get through before her phone
    # syncs
    tablet.transport.faults = [None, None, "down"]
    assert tablet.sync().error and [r.id for r in store.all_records()] == [record_id]

    for _ in range(2):
        assert phone.sync().ok and tablet.sync().ok and mentor.sync().ok

    [record] = store.all_records()
    assert record.deleted and not record.conflicts
    assert tablet.records == phone.records == mentor.records == {}


def test_after_a_restore_with_the_clock_set_back_a_change_made_since_is_not_written_over():
    """The server came back from the backup with its clock an hour slow, and the goal was
    renamed on a new tablet before the phone synced: the rename is newer than the phone's
    held copy, though its server time is earlier. The seq the new epoch began at says so:
    the lost change goes based on nothing, and both names are kept for her to choose. By
    the server times alone, the lost change was applied over the rename, silently."""
    store, now = MemoryStore(), ["2026-11-20T10:00:00.000000Z"]
    device = lambda: Client(engine_transport(store, clock=lambda: now[0]))  # noqa: E731
    tablet, phone = device(), device()
    record_id = goal(tablet, "Knit a scarf")
    tablet.sync(), phone.sync()
    backup = store.snapshot()
    now[0] = "2026-11-20T11:00:00.000000Z"
    tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    assert tablet.sync().ok and phone.sync().ok
    store.restore(backup, new_epoch=True)
    now[0] = "2026-11-20T10:30:00.000000Z"  # the restored server's clock
    new = device()
    assert new.sync().ok
    new.write("goals", record_id, {"title": "Knit a rug"}, LEARNER)
    assert new.sync().ok

    assert phone.sync().ok and phone.sync().ok

    [record] = store.all_records()
    assert record.fields["title"] == "Knit a rug"
    assert [v["value"] for v in record.conflicts["title"]] == ["Knit a blanket"]


def test_a_change_its_writer_sent_again_first_is_answered_as_before_and_not_applied_twice():
    """The tablet was not wiped: it sends its log again, and changes the title once more,
    before the phone syncs. The phone's copy holds the first change, which the server has
    again: sending it again is answered as before, and the newer title stays."""
    store, tablet, phone, record_id, backup, _ = _renamed_after_a_backup()
    store.restore(backup, new_epoch=True)
    assert tablet.sync().ok  # the log again
    tablet.write("goals", record_id, {"title": "Knit a rug"}, LEARNER)
    assert tablet.sync().ok
    seq = store.max_seq()

    assert phone.sync().ok and phone.sync().ok and tablet.sync().ok

    [record] = store.all_records()
    assert (record.fields["title"], record.conflicts, store.max_seq()) == ("Knit a rug", {}, seq)
    assert phone.record(record_id).fields["title"] == "Knit a rug"
    assert phone.pending_count == 0 and not phone.needs_person


def test_after_a_restore_a_device_sends_again_only_what_its_person_may_change():
    """The mentor's phone held the learner's change; the learner's own devices are left to
    send it: a mentor may not change the learner's entries, and his phone sends nothing."""
    store = MemoryStore()
    tablet = Client(engine_transport(store))
    mentor = Client(engine_transport(store, 9), may_write=lambda record: record.author_id == 9)
    record_id = goal(tablet, "Knit a scarf", visibility="mentor")
    tablet.sync(), mentor.sync()
    backup = store.snapshot()
    tablet.write("goals", record_id, {"title": "Knit a blanket"}, LEARNER)
    tablet.sync(), mentor.sync()
    store.restore(backup, new_epoch=True)

    assert mentor.sync().ok

    assert mentor.pending_count == 0
    assert mentor.record(record_id).fields["title"] == "Knit a scarf"


def test_after_a_restore_the_client_keeps_its_local_records_while_offline():
    store = MemoryStore()
    tablet = Client(Network(engine_transport(store)))
    backup = store.snapshot()
    record_id = goal(tablet)
    tablet.sync()
    store.restore(backup)
    tablet.transport.faults = [None, "down"]  # the push reaches the server, the pull does not

    report = tablet.sync()

    assert report.epoch_changed and report.error is not None
    assert record_id in tablet.records


def test_a_client_keeps_the_replica_id_of_its_local_store(tablet, store):
    again = Client(engine_transport(store), local=tablet.local)

    assert again.replica_id == tablet.replica_id
    with pytest.raises(ValueError):
        Client(engine_transport(store), replica_id=new_id(), local=tablet.local)


def test_a_client_makes_its_mutation_ids_as_uuid7_so_they_sort_in_the_order_made(tablet):
    """Version 7: the time in milliseconds first, then random bits (docs/sync-protocol.md,
    "Limits"); ids made one after another sort together, whatever their random part."""
    before = time.time_ns() // 1_000_000
    for n in range(3):
        goal(tablet, f"Goal {n}")
    made = list(tablet.local.outbox)  # mutation ids, in the order made

    assert [uuid.UUID(i).version for i in made] == [7, 7, 7]
    assert all(uuid.UUID(i).variant == uuid.RFC_4122 for i in made)
    assert int(made[0].replace("-", "")[:12], 16) >= before
    in_time_order = [time_uuid(now_ms=ms) for ms in (1_000, 1_001, 2**40, 2**48 - 1)]
    assert sorted(in_time_order) == in_time_order
    assert in_time_order[-1].startswith("ffffffff-ffff-7")
    assert len({time_uuid(now_ms=5) for _ in range(1000)}) == 1000  # the random bits differ


def test_a_page_ahead_lost_keeps_the_pages_taken_before_it(tablet, store):
    ids = [goal(tablet, f"goal {n}") for n in range(9)]
    tablet.sync()
    # the first page and the first page ahead arrive; the network goes on the second
    network = Network(engine_transport(store), None, None, "down")
    new_tablet = Client(network, page_size=2)

    report = new_tablet.sync()

    assert report.error["error"] == "network_error"
    assert report.pulled == 4 and set(new_tablet.records) == set(ids[:4])
    again = new_tablet.sync()  # on from the pages taken: nothing comes twice
    assert again.ok and again.pulled == 5 and set(new_tablet.records) == set(ids)


@pytest.mark.parametrize("hidden", [False, True])
def test_a_learner_out_of_sight_while_pages_ahead_are_read_is_pulled_whole_when_back(
        store, tablet, hidden):
    """The mentor's phone asked for pages ahead; staff took the learner out of his sight while
    the first runs were read (they sent none of her entries), and gave her back before the
    last. The phone takes no page from the first that was read for another scope, and pulls
    on from the page before it: every shared entry arrives, and one she hid meanwhile leaves.
    Before, the last cursor went on from the end of the runs, and their entries never came."""
    ids = [goal(tablet, f"shared {n}", visibility="mentor") for n in range(5)]
    assert tablet.sync().ok
    mentor_scope = scope_of(LEARNER, visible={"mentor", "care_team"})
    network = Network(engine_transport(store, 9, mentor_scope))
    phone = Client(network, page_size=1, ahead=4)
    hide = hidden and (lambda: tablet.write("goals", ids[0], {"visibility": "private"},
                                            LEARNER) and tablet.sync())

    def out_of_sight():
        network.transport.scope = scope_of()
        if hide:
            hide()

    def back():
        network.transport.scope = mentor_scope

    # the first page brings the list; its runs are read out of sight; the last is read back
    network._before_pull = [None, out_of_sight, None, back]

    assert phone.sync().ok

    assert set(phone.records) == set(ids[hidden:])
    again = phone.sync()
    assert again.ok and set(phone.records) == set(ids[hidden:])


def test_a_write_changed_elsewhere_stays_shown_until_its_new_version_arrives(store, phone):
    """Between the pages of a pull, a device's own new goal stays shown though another device
    changed it since: its answer's seq is passed by a page whose ``through`` is above it,
    but the record itself moved to a later seq, on a page still to come."""
    first, second = goal(phone, "Knit a scarf"), goal(phone, "Read the paper")
    phone.sync()
    network = Network(engine_transport(store), None, None, None, "down")
    tablet = Client(network, page_size=1, ahead=0)
    mine = goal(tablet, "Walk to the park")

    def phone_changes_both():  # before the tablet's first pull after its push
        phone.sync()
        phone.write("goals", first, {"title": "Knit a red scarf"}, LEARNER)
        phone.write("goals", mine, {"why": "To see the ducks"}, LEARNER)
        phone.sync()

    network.before_pull(phone_changes_both)
    report = tablet.sync()  # a page each: the first goal, the second, the first again; down

    assert report.error["error"] == "network_error"
    assert tablet.record(mine).fields["title"] == "Walk to the park"
    assert tablet.sync().ok
    assert tablet.record(mine).fields == {"title": "Walk to the park", "why": "To see the ducks"}
    assert {tablet.record(first).fields["title"], tablet.record(second).fields["title"]} == {
        "Knit a red scarf", "Read the paper"}


def test_a_push_larger_than_the_server_takes_goes_again_in_halves(store):
    """A server whose operator set a small body limit answers 413: the batch goes again in
    halves, in order, and every write arrives once."""
    engine = engine_transport(store)
    sizes = []

    def at_most_two(path, body):
        if path == PUSH_PATH and len(body["mutations"]) > 2:
            return 413, {"code": 413, "error": "payload_too_large",
                         "message": "The request is too large.", "details": {}}
        if path == PUSH_PATH:
            sizes.append([m["seq"] for m in body["mutations"]])
        return engine(path, body)

    tablet = Client(at_most_two, batch_size=5)
    ids = [goal(tablet, f"goal {n}") for n in range(7)]

    report = tablet.sync()

    assert report.ok and tablet.pending_count == 0
    assert sizes == [[1, 2], [3], [4, 5], [6, 7]]
    assert store.max_seq() == 7 and set(tablet.records) == set(ids)


def test_a_choice_to_delete_kept_aside_is_shown_as_the_server_keeps_it():
    """Her choice to delete, answered but not pulled back, kept aside because the goal's
    reason changed after she looked: the client lays it over its copy as the server stored
    it, in the place of the delete wish she saw, with the title she saw still there."""
    import copy

    from sync.local import overlay
    from sync.merge import apply
    from sync.mutation import Mutation
    from sync.records import Record, conflict_entry

    wish, title, why = (str(uuid.uuid4()) for _ in range(3))
    held = Record(new_id(), "goals", LEARNER, LEARNER,
                  {"title": "Paint", "why": "joy"}, {"title": "t0", "why": "w0"},
                  {DELETED: [conflict_entry(True, wish, 9, "2026-11-29T10:00:00Z")],
                   "title": [conflict_entry("Draw", title, 9, "2026-11-29T10:01:00Z")]})
    server = copy.deepcopy(held)
    server.fields["why"], server.revs["why"] = "calm", why  # after she looked
    choice = Mutation(time_uuid(), "tablet", 1, "resolve", "goals", held.id, LEARNER,
                      {DELETED: True}, {"title": "t0", "why": "w0"}, "2026-11-29T10:02:00Z",
                      {DELETED: [wish], "title": [title]})

    _, outcome = apply(server, choice, LEARNER, "2026-11-29T10:03:00Z")
    shown = overlay(copy.deepcopy(held), choice, outcome.conflicts)

    assert outcome.status == "conflict"
    assert {name: [v["rev"] for v in vs] for name, vs in shown.conflicts.items()} \
        == {name: [v["rev"] for v in vs] for name, vs in server.conflicts.items()} \
        == {DELETED: [choice.id], "title": [title]}
