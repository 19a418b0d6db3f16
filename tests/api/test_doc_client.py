"""A second sync client, written from docs/sync-protocol.md alone (tests/api/doc_client.py),
against the real server over real HTTP (gunicorn, tests/live_server.py), with faults injected
in its own transport: lost answers, duplicated and late requests, batches in flight at once,
a gateway error after the server did the work, restores from an earlier backup (with
``flask sync new-epoch`` after them, as docs/deployment.md says, and once without), purged
tombstones, a device wiped after its writes were acknowledged, an app too old to sync.

After each run: every device shows what the server holds for its person, no acknowledged write
is missing, nothing is duplicated, and conflicts are kept rather than lost.
"""
import http.client
import json
import os
import random
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, insert, select

from backend.extensions import db
from backend.models import COLLECTIONS, SyncMutation, SyncReplica, SyncState

from ..live_server import ServerProcess
from .doc_client import (PULL, PUSH, Client, HttpTransport, NetworkError, profile_id,
                         result_revs, uuid7)

SEEDS = [20261126, 7, 1984] + list(range(int(os.environ.get("DOC_CLIENT_EXTRA_RUNS", "0"))))
STEPS = int(os.environ.get("DOC_CLIENT_STEPS", "160"))
TABLES = [m.__table__ for m in COLLECTIONS.values()] + [
    SyncState.__table__, SyncReplica.__table__, SyncMutation.__table__]


# --------------------------------------------------------------------------- the server

@pytest.fixture(scope="module")
def live(database_url, tmp_path_factory):
    """One gunicorn for the module; a restore stops and starts it on the same port."""
    server = ServerProcess(database_url, str(tmp_path_factory.mktemp("instance")))
    server.start()
    yield server
    server.stop()


class Operator:
    """Backups and restores as docs/deployment.md describes them: stop the app, put the
    backup in place, ``flask sync new-epoch``, start the app."""

    def __init__(self, app, live):
        self.app, self.live = app, live

    def backup(self):
        with self.app.app_context(), db.engine.begin() as conn:
            return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()]
                    for t in TABLES}

    def restore(self, dump, new_epoch=True, stop=True):
        """``stop=False`` puts the backup in place under the running server (no request is in
        flight then), which is quicker than the operator's procedure."""
        if stop:
            self.live.stop()
        with self.app.app_context():
            with db.engine.begin() as conn:
                for table in reversed(TABLES):
                    conn.execute(delete(table))
                for table in TABLES:
                    if dump[table.name]:
                        conn.execute(insert(table), dump[table.name])
            db.engine.dispose()
        if new_epoch:
            self.cli("sync", "new-epoch")
        if stop:
            self.live.start()

    def cli(self, *args):
        outcome = self.app.test_cli_runner().invoke(args=list(args))
        assert outcome.exit_code == 0, outcome.output
        return outcome.output

    def tombstones(self):
        with self.app.app_context(), db.engine.connect() as conn:
            return {row.id for m in COLLECTIONS.values() for row in conn.execute(
                select(m.__table__.c.id).where(m.__table__.c.deleted.is_(True)))}

    def purge_tombstones(self):
        """The retention job, with a retention of 0 days: every tombstone is old enough.
        Returns the ids of the tombstones it purged."""
        before = self.tombstones()
        self.app.config["TOMBSTONE_RETENTION_DAYS"] = 0
        time.sleep(0.01)
        self.cli("sync", "purge-tombstones")
        return before - self.tombstones()

    def rows(self, learner_id):
        with self.app.app_context(), db.engine.connect() as conn:
            return sum(conn.execute(select(func.count()).select_from(m.__table__).where(
                m.__table__.c.learner_id == learner_id)).scalar() for m in COLLECTIONS.values())


@pytest.fixture
def operator(app, live):
    return Operator(app, live)


@pytest.fixture
def people(make, auth):
    org = make.org()
    learner, mentor = make.learner(org), make.mentor(org)
    make.pairing(mentor, learner)
    token = {p.id: auth.headers(p)["Authorization"].split()[1] for p in (learner, mentor)}
    return learner.id, mentor.id, token


# --------------------------------------------------------------------------- faults

class FaultyNetwork:
    """A transport that loses, repeats, delays and holds back requests. ``odds`` maps a fault
    to its probability per request; with no odds it is a plain network."""

    FAULTS = ("lose_request", "lose_answer", "repeat", "repeat_at_once", "hold",
              "gateway_error")

    def __init__(self, inner, rng, odds=None):
        self.inner, self.rng, self.odds = inner, rng, dict(odds or {})
        self.held = []
        self.lock = threading.Lock()
        self.sent = 0
        self.faults = {name: 0 for name in self.FAULTS}
        self.server_errors = []

    def _pick(self):
        with self.lock:
            for name in self.FAULTS:
                if self.rng.random() < self.odds.get(name, 0.0):
                    self.faults[name] += 1
                    return name, self.rng.random()
            return None, self.rng.random()

    def _send(self, path, body):
        self.sent += 1
        status, answer = self.inner(path, body)
        if status >= 500 or (status != 200 and status not in (409, 426)):
            self.server_errors.append((path, status, answer))
        return status, answer

    def __call__(self, path, body):
        fault, coin = self._pick()
        if self.odds.get("jitter"):
            time.sleep(coin * self.odds["jitter"])
        if fault == "lose_request":
            raise NetworkError("the request never arrived")
        if fault == "hold":
            with self.lock:
                self.held.append((path, body))
            raise NetworkError("the request is stuck in the network")
        answer = self._send(path, body)
        self.deliver_held()
        if fault == "lose_answer":
            raise NetworkError("the answer was lost")
        if fault == "gateway_error":
            return 502, None
        if fault == "repeat":
            again = self._send(path, body)
            return again if coin < 0.5 else answer
        if fault == "repeat_at_once":
            answers = []
            twins = [threading.Thread(target=lambda: answers.append(self._send(path, body)))
                     for _ in range(2)]
            for twin in twins:
                twin.start()
            for twin in twins:
                twin.join()
            return answers[0] if coin < 0.5 else answer
        return answer

    def deliver_held(self):
        """Requests held back arrive now, late; their answers go nowhere."""
        with self.lock:
            late, self.held = self.held, []
        for path, body in late:
            try:
                self._send(path, body)
            except NetworkError:
                pass


# --------------------------------------------------------------------------- checks

def visible_to_mentor(record):
    return record["fields"].get("visibility") in ("mentor", "care_team")


def comparable(record):
    return {k: record[k] for k in ("collection", "learner_id", "fields", "revs", "conflicts",
                                   "deleted")}


def auditor(url, token, person_id):
    """What the server holds for a person: a new replica pulling from the start, no faults."""
    client = Client(HttpTransport(url, token), person_id, page_size=1000, ahead=0)
    report = client.sync()
    assert report.ok, report
    return {rid: client.record(rid) for rid in client.local.pulled}


def settle(devices, rounds=8):
    """Sync every device without faults until nothing is left to send, then once more each."""
    for device in devices:
        device.network.odds = {}
        device.network.deliver_held()
    for _ in range(rounds):
        reports = [device.client.sync() for device in devices]
        if all(r.ok and r.pending == 0 for r in reports):
            break
    reports = [device.client.sync() for device in devices]
    assert all(r.ok and r.pending == 0 for r in reports), reports


def assert_converged(device, truth):
    """The device shows exactly what the server holds for its person."""
    client = device.client
    assert client.local.outbox == []
    assert client.local.unpulled == {}, (
        f"{device.name}: answered mutations that no pull brought back nor passed: "
        f"{list(client.local.unpulled)}")
    shown = client.records()
    # A tombstone the device pulled before the server purged it stays on the device: nothing
    # in the protocol tells it to forget one. It shows nothing to the person.
    extra = {rid for rid in set(shown) - set(truth) if not shown[rid]["deleted"]}
    missing = set(truth) - set(shown)
    assert not extra and not missing, f"{device.name}: extra {extra}, missing {missing}"
    shown = {rid: record for rid, record in shown.items() if rid in truth}
    for record_id, record in truth.items():
        assert comparable(shown[record_id]) == comparable(record), (device.name, record_id)


def all_answered(devices):
    """Every answered mutation of every device, current or wiped: id -> (entry, device)."""
    found = {}
    for device in devices:
        for client in [device.client] + device.retired:
            for mid, entry in client.local.log.items():
                found[mid] = (entry, device, client)
    return found


def assert_nothing_lost(devices, truth, purged=()):
    """Each acknowledged mutation is on the server (its value, a conflict version, or replaced
    by a later mutation that saw it), or, when its latest answer is a refusal, kept for a
    person on its device. Nothing is duplicated."""
    answered = all_answered(devices)
    applied = [e["mutation"] for e, _, _ in answered.values()
               if e["result"]["status"] in ("applied", "conflict")]

    def replaced(record_id, name, mid, value):
        for other in applied:
            if other["record_id"] != record_id or other["id"] == mid:
                continue
            if other["base"].get(name) == mid:
                return True
            if mid in (other.get("seen_conflicts") or {}).get(name, []):
                return True
            if name in other["fields"] and other["fields"][name] == value:
                return True
        return False

    for mid, (entry, device, client) in answered.items():
        mutation, result = entry["mutation"], entry["result"]
        where = f"{device.name} {mutation['op']} {mid} {result['status']}"
        if result["status"] == "rejected":
            if client is device.client:
                assert mid in client.local.needs_person or mid in client.local.dismissed, where
            continue
        record = truth.get(mutation["record_id"])
        if record is None and mutation["record_id"] in purged:
            continue
        assert record is not None, f"{where}: the record is gone from the server"
        wishes = [v["rev"] for v in record["conflicts"].get("_deleted", [])]
        if mutation["op"] == "delete" or mutation["fields"].get("_deleted") is True:
            undone = any(mid in (o.get("seen_conflicts") or {}).get("_deleted", [])
                         for o in applied if o["record_id"] == mutation["record_id"])
            if result["status"] == "applied":
                assert record["deleted"] or undone, where
            else:
                assert mid in wishes or record["deleted"] or undone, where
            continue
        if record["deleted"]:
            continue
        for name, value in mutation["fields"].items():
            if name == "_deleted":
                continue
            here = (record["revs"].get(name) == mid
                    and record["fields"].get(name) == value)
            kept = mid in [v["rev"] for v in record["conflicts"].get(name, [])]
            assert here or kept or replaced(mutation["record_id"], name, mid, value), (
                f"{where}: {name}={value!r} is lost: {record}")
    written = {e["mutation"]["record_id"] for e, _, _ in answered.values()}
    assert set(truth) <= written, "a record no device wrote"
    for record in truth.values():
        for name, versions in record["conflicts"].items():
            revs = [v["rev"] for v in versions]
            assert len(revs) == len(set(revs)), f"a version kept twice: {record}"


# --------------------------------------------------------------------------- devices

class Device:
    """One install: a client with its faulty network; ``wipe()`` clears its storage."""

    def __init__(self, name, person_id, url, token, rng, **options):
        self.name, self.person_id, self.rng = name, person_id, rng
        self.network = FaultyNetwork(HttpTransport(url, token), rng)
        self.options = options
        self.client = Client(self.network, person_id, **options)
        self.retired = []

    def wipe(self):
        self.retired.append(self.client)
        self.client = Client(self.network, self.person_id, **self.options)


GOAL_VALUES = {"title": ["Video-call Tom", "Knit a scarf", "Walk to the shop", "Bake bread"],
               "why": ["to see his face", "for the grandchildren", None, "for the fresh air"],
               "status": ["active", "achieved", "paused", "let_go"]}


class Journal:
    """Random edits by a learner's two devices and their mentor's phone."""

    def __init__(self, rng, learner_id, mentor_id, devices):
        self.rng, self.learner, self.mentor = rng, learner_id, mentor_id
        self.devices = devices

    def live_records(self, client, collection=None, mine=None):
        found = []
        for record_id, record in sorted(client.records().items()):
            if record["deleted"] or (collection and record["collection"] != collection):
                continue
            if mine is not None and record.get("author_id") != mine:
                continue
            found.append(record)
        return found

    def learner_edit(self, client):
        rng = self.rng
        goals = self.live_records(client, "goals")
        choice = rng.random()
        if choice < 0.2 or not goals:
            client.create("goals", self.learner, {
                "title": rng.choice(GOAL_VALUES["title"]),
                "visibility": rng.choice(["private", "mentor", "care_team"])})
        elif choice < 0.5:
            goal = rng.choice(goals)
            name = rng.choice(list(GOAL_VALUES))
            client.write(goal["id"], {name: rng.choice(GOAL_VALUES[name])})
        elif choice < 0.58:
            goal = rng.choice(goals)
            client.write(goal["id"], {"visibility": rng.choice(["private", "mentor"])})
        elif choice < 0.66:
            client.delete(rng.choice(goals)["id"])
        elif choice < 0.76:
            self.resolve_something(client)
        elif choice < 0.84:
            client.write(profile_id(self.learner), {
                rng.choice(["needs", "preferences"]): rng.choice(["Quiet mornings",
                                                                 "The garden", "Music"])},
                collection="profile", learner_id=self.learner)
        elif choice < 0.92:
            sessions = self.live_records(client, "sessions", mine=self.mentor)
            if sessions:
                session = rng.choice(sessions)
                if session["fields"].get("visibility") == "private":
                    client.write(session["id"], {"visibility": "mentor"})
                else:
                    client.write(session["id"], {"learner_response": "hidden",
                                                 "visibility": "private"})
        else:
            client.create("sessions", self.learner, {"activity": "Garden walk",
                                                     "minutes": "about an hour"})

    def resolve_something(self, client):
        rng = self.rng
        torn = [r for r in self.live_records(client) if r["conflicts"]]
        if not torn:
            return
        record = rng.choice(torn)
        name = rng.choice(sorted(record["conflicts"]))
        if name == "_deleted":
            client.resolve(record["id"], {"_deleted": rng.random() < 0.5})
            return
        options = [v["value"] for v in record["conflicts"][name]]
        options.append(record["fields"].get(name))
        client.resolve(record["id"], {name: rng.choice(options)})

    def mentor_edit(self, client):
        rng = self.rng
        own = self.live_records(client, "sessions", mine=self.mentor)
        choice = rng.random()
        if choice < 0.45 or not own:
            client.create("sessions", self.learner, {"activity": "Video call practice",
                                                     "visibility": "mentor",
                                                     "minutes": rng.randint(5, 90)})
        elif choice < 0.8:
            client.write(rng.choice(own)["id"], {"minutes": rng.randint(5, 90),
                                                 "note": rng.choice(["Went well", "Tired"])})
        elif choice < 0.9:
            client.delete(rng.choice(own)["id"])
        else:
            goals = self.live_records(client, "goals")
            if goals:
                client.write(rng.choice(goals)["id"], {"title": "Mentor's idea"})


FAULTS = {"lose_request": 0.04, "lose_answer": 0.06, "repeat": 0.05, "repeat_at_once": 0.03,
          "hold": 0.04, "gateway_error": 0.03, "jitter": 0.004}


def run_journal(seed, live, operator, people, steps=STEPS):
    """Random edits, syncs and operator actions; then everyone settles and is checked."""
    learner_id, mentor_id, token = people
    rng = random.Random(seed)
    options = dict(batch_size=2, page_size=3, ahead=3, parallel_batches=True)
    devices = [Device("tablet", learner_id, live.url, token[learner_id], rng, **options),
               Device("phone", learner_id, live.url, token[learner_id], rng,
                      **{**options, "batch_size": 3, "ahead": 2}),
               Device("mentor", mentor_id, live.url, token[mentor_id], rng,
                      **{**options, "page_size": 2, "parallel_batches": False})]
    journal = Journal(rng, learner_id, mentor_id, devices)
    backups, events, purged, behind = [], [], set(), set()
    wipe_at = rng.randrange(steps // 3, 2 * steps // 3)
    stats = {"restores": 0, "purges": 0, "wipes": 0, "epoch_changes": 0, "full_resyncs": 0,
             "stopped": 0}
    for device in devices:
        device.network.odds = dict(FAULTS)
    for step in range(steps):
        roll = rng.random()
        device = rng.choice(devices)
        if roll < 0.45:
            if device.person_id == mentor_id:
                journal.mentor_edit(device.client)
            else:
                journal.learner_edit(device.client)
        elif roll < 0.85:
            report = device.client.sync()
            stats["epoch_changes"] += report.epoch_changes
            stats["full_resyncs"] += report.full_resyncs
            stats["stopped"] += not report.ok
            if report.ok:
                behind.discard(device)
        elif roll < 0.9:
            backups.append(operator.backup())
            events.append(f"{step}: backup {len(backups)}")
        elif roll < 0.94 and backups and stats["restores"] < 3 and not behind:
            which = rng.randrange(len(backups))
            operator.restore(backups[which], stop=False)
            del backups[which + 1:]
            stats["restores"] += 1
            events.append(f"{step}: restored backup {which + 1}")
            behind = set(devices)
        elif roll < 0.96 and not behind:
            # A device away through both a restore and a purge keeps what was purged while it
            # was away ("What a restore or a purge cannot settle"): a restore or a purge waits
            # until every device has synced to the end since the last one.
            purged |= operator.purge_tombstones()
            stats["purges"] += 1
            events.append(f"{step}: purged tombstones")
            behind = set(devices)
        else:
            device.network.deliver_held()
        if step == wipe_at:
            # Wipe a device once its writes are acknowledged. Backups from before would lose
            # them for good (no device holds them any more), so they are no longer used.
            device = rng.choice(devices)
            for _ in range(3):
                if device.client.sync().ok and not device.client.local.outbox:
                    device.wipe()
                    backups.clear()
                    stats["wipes"] += 1
                    events.append(f"{step}: wiped {device.name}")
                    break
    settle(devices)
    truth = {learner_id: auditor(live.url, token[learner_id], learner_id),
             mentor_id: auditor(live.url, token[mentor_id], mentor_id)}
    for device in devices:
        assert_converged(device, truth[device.person_id])
    assert_nothing_lost(devices, truth[learner_id], purged)
    assert operator.rows(learner_id) == len(truth[learner_id])
    assert all(visible_to_mentor(r) for r in truth[mentor_id].values())
    assert [e for d in devices for e in d.network.server_errors] == []
    for name in FaultyNetwork.FAULTS:
        stats[name] = sum(d.network.faults[name] for d in devices)
    for entry, _, _ in all_answered(devices).values():
        status = entry["result"]["status"]
        stats[status] = stats.get(status, 0) + 1
    stats["records"] = len(truth[learner_id])
    return events, stats


@pytest.mark.parametrize("seed", SEEDS)
def test_three_devices_editing_at_random_through_faults_converge(seed, live, operator,
                                                                 people):
    events, stats = run_journal(seed, live, operator, people)
    assert stats["records"] and stats["applied"], (events, stats)
    assert stats["restores"] + stats["purges"] and sum(
        stats[name] for name in FaultyNetwork.FAULTS), (events, stats)


# --------------------------------------------------------------------------- single cases

def plain(live, token, person_id, **options):
    return Client(HttpTransport(live.url, token), person_id, **options)


def test_lost_answers_and_repeats_apply_nothing_twice(live, people, operator):
    learner_id, _, token = people
    rng = random.Random(3)
    network = FaultyNetwork(HttpTransport(live.url, token[learner_id]), rng,
                            {"lose_answer": 1.0})
    client = Client(network, learner_id, batch_size=2)
    goal = client.create("goals", learner_id, {"title": "Bake bread"})["record_id"]
    client.write(goal, {"why": "for the smell"})
    assert client.sync().error == "network"
    assert client.pending_count == 2
    network.odds = {"repeat": 1.0}
    report = client.sync()
    assert report.ok and report.pending == 0
    statuses = [e["result"]["status"] for e in client.local.log.values()]
    assert statuses == ["applied", "applied"]
    shown = client.record(goal)
    assert shown["fields"] == {"title": "Bake bread", "why": "for the smell"}
    assert shown["conflicts"] == {}
    assert operator.rows(learner_id) == 1


def test_a_later_batch_arriving_first_is_deferred_then_applied(live, people):
    """Batch 2 reaches the server before batch 1: deferred, then sent again and applied."""
    learner_id, _, token = people
    order = []

    def slow_first_batch(path, body):
        if path == PUSH and body["mutations"][0]["seq"] == 1:
            time.sleep(0.3)
        order.append(body["mutations"][0]["seq"] if path == PUSH else "pull")
        return inner(path, body)

    inner = HttpTransport(live.url, token[learner_id])
    client = Client(slow_first_batch, learner_id, batch_size=2, parallel_batches=True)
    goal = client.create("goals", learner_id, {"title": "Walk"})["record_id"]
    for name, value in (("why", "air"), ("status", "active"), ("title", "Walk daily")):
        client.write(goal, {name: value})
    report = client.sync()
    assert report.ok and report.pending == 0, report
    assert order[:2] == [3, 1], order
    deferred_then_sent = order.count(3)
    assert deferred_then_sent == 2, order
    assert client.record(goal)["fields"] == {"title": "Walk daily", "why": "air",
                                             "status": "active"}


def test_concurrent_edits_keep_both_versions_until_a_person_settles_them(live, people):
    learner_id, _, token = people
    tablet = plain(live, token[learner_id], learner_id)
    phone = plain(live, token[learner_id], learner_id)
    goal = tablet.create("goals", learner_id, {"title": "Knit", "visibility": "mentor"})
    assert tablet.sync().ok and phone.sync().ok
    goal_id = goal["record_id"]
    tablet.write(goal_id, {"title": "Knit a scarf"})
    phone.write(goal_id, {"title": "Knit a hat", "why": "winter"})
    assert tablet.sync().ok and phone.sync().ok
    (answer,) = [e["result"] for e in phone.local.log.values() if e["result"]["seq"] and
                 e["mutation"]["fields"].get("why")]
    assert answer["status"] == "conflict" and answer["conflicts"] == ["title"]
    rebuilt = result_revs(phone.local.log[answer["id"]]["mutation"], answer)
    assert rebuilt["why"] == answer["id"] and rebuilt["title"] != answer["id"]
    assert tablet.sync().ok
    for client in (tablet, phone):
        shown = client.record(goal_id)
        assert shown["fields"]["title"] == "Knit a scarf"
        assert [v["value"] for v in shown["conflicts"]["title"]] == ["Knit a hat"]
    # A delete on the tablet while the phone changes the goal: the delete is refused as a
    # conflict, kept as a wish, and the phone's person keeps the goal.
    phone.write(goal_id, {"status": "active"})
    tablet.delete(goal_id)
    assert phone.sync().ok and tablet.sync().ok and phone.sync().ok
    shown = phone.record(goal_id)
    assert not shown["deleted"] and "_deleted" in shown["conflicts"]
    phone.resolve(goal_id, {"title": "Knit a hat", "_deleted": False})
    assert phone.sync().ok and tablet.sync().ok
    for client in (tablet, phone):
        shown = client.record(goal_id)
        assert shown["conflicts"] == {} and not shown["deleted"]
        assert shown["fields"]["title"] == "Knit a hat"


def test_restore_from_backup_resends_the_log_and_keeps_local_writing(live, people, operator):
    learner_id, mentor_id, token = people
    tablet = plain(live, token[learner_id], learner_id, page_size=2, ahead=2)
    mentor = plain(live, token[mentor_id], mentor_id, page_size=2)
    first = tablet.create("goals", learner_id, {"title": "Garden", "visibility": "mentor"})
    assert tablet.sync().ok and mentor.sync().ok
    dump = operator.backup()
    later = [tablet.create("goals", learner_id, {"title": f"Goal {i}", "visibility": "mentor"})
             for i in range(4)]
    tablet.write(first["record_id"], {"why": "to grow beans"})
    session = mentor.create("sessions", learner_id, {"activity": "Seed planting",
                                                     "visibility": "mentor"})
    assert tablet.sync().ok and mentor.sync().ok
    operator.restore(dump)
    assert operator.rows(learner_id) == 1
    offline = tablet.create("goals", learner_id, {"title": "Written during the outage"})
    report = tablet.sync()
    assert report.ok and report.epoch_changes == 1, report
    assert mentor.sync().ok and tablet.sync().ok
    truth = auditor(live.url, token[learner_id], learner_id)
    wanted = {first["record_id"], offline["record_id"], session["record_id"]}
    wanted |= {m["record_id"] for m in later}
    assert set(truth) == wanted
    assert truth[first["record_id"]]["fields"]["why"] == "to grow beans"
    assert set(tablet.records()) == wanted
    assert set(mentor.records()) == wanted - {offline["record_id"]}


def test_restore_that_kept_the_epoch_is_noticed(live, people, operator):
    """Without ``flask sync new-epoch``: a cursor ahead of the server is ``epoch_changed``,
    and a device whose acknowledged writes were lost notices when its next one is deferred."""
    learner_id, _, token = people
    tablet = plain(live, token[learner_id], learner_id)
    phone = plain(live, token[learner_id], learner_id)
    tablet.create("goals", learner_id, {"title": "Before the backup"})
    assert tablet.sync().ok
    dump = operator.backup()
    lost = tablet.create("goals", learner_id, {"title": "After the backup"})
    assert tablet.sync().ok and phone.sync().ok
    operator.restore(dump, new_epoch=False)
    report = phone.sync()
    assert report.ok and report.epoch_changes == 1, report
    tablet.create("goals", learner_id, {"title": "Next one"})
    report = tablet.sync()
    assert report.ok and report.pending == 0, report
    assert phone.sync().ok
    truth = auditor(live.url, token[learner_id], learner_id)
    assert lost["record_id"] in truth and len(truth) == 3
    assert set(phone.records()) == set(truth)


def test_floor_lets_a_replica_that_dropped_its_log_go_on(live, people, operator):
    learner_id, _, token = people
    dump = operator.backup()
    phone = plain(live, token[learner_id], learner_id)
    for i in range(3):
        phone.create("goals", learner_id, {"title": f"Old {i}"})
    assert phone.sync().ok
    phone.drop_log_through(3)
    operator.restore(dump)
    fresh = phone.create("goals", learner_id, {"title": "After the restore"})
    report = phone.sync()
    assert report.ok and report.pending == 0, report
    assert phone.local.log[fresh["id"]]["result"]["status"] == "applied"


def test_expired_cursor_leads_to_a_full_resync_that_forgets_purged_records(
        live, people, operator):
    learner_id, _, token = people
    tablet = plain(live, token[learner_id], learner_id)
    away = plain(live, token[learner_id], learner_id)
    doomed = tablet.create("goals", learner_id, {"title": "To be deleted"})["record_id"]
    kept = tablet.create("goals", learner_id, {"title": "Stays"})["record_id"]
    assert tablet.sync().ok and away.sync().ok
    away.write(kept, {"why": "written while away"})
    tablet.delete(doomed)
    assert tablet.sync().ok
    tablet.create("goals", learner_id, {"title": "After the delete"})
    assert tablet.sync().ok
    operator.purge_tombstones()
    report = away.sync()
    assert report.ok and report.full_resyncs == 1, report
    assert doomed not in away.records()
    assert away.record(kept)["fields"]["why"] == "written while away"
    fresh = plain(live, token[learner_id], learner_id, page_size=1, ahead=0)
    assert fresh.sync().ok and doomed not in fresh.records()
    assert set(away.records()) == set(tablet.records()) - {doomed}


def test_mentor_refusals_are_kept_and_hidden_entries_leave(live, people):
    learner_id, mentor_id, token = people
    tablet = plain(live, token[learner_id], learner_id)
    mentor = plain(live, token[mentor_id], mentor_id)
    goal = tablet.create("goals", learner_id, {"title": "Walk", "visibility": "mentor"})
    secret = tablet.create("goals", learner_id, {"title": "Private"})
    assert tablet.sync().ok and mentor.sync().ok
    assert set(mentor.records()) == {goal["record_id"]}
    retitle = mentor.write(goal["record_id"], {"title": "Walk further"})
    session = mentor.create("sessions", learner_id, {"activity": "Walk", "visibility": "mentor"})
    assert mentor.sync().ok
    refused = mentor.local.needs_person[retitle["id"]]["error"]
    assert refused["error"] == "forbidden" and refused["code"] == 403
    assert mentor.record(goal["record_id"])["fields"]["title"] == "Walk"
    assert tablet.sync().ok
    tablet.write(session["record_id"], {"learner_response": "hidden", "visibility": "private"})
    assert tablet.sync().ok and mentor.sync().ok
    assert set(mentor.records()) == {goal["record_id"]}
    assert secret["record_id"] not in mentor.records()
    mentor.dismiss(retitle["id"])
    assert mentor.local.needs_person == {}


def test_an_app_too_old_keeps_its_outbox_until_updated(live, people):
    learner_id, _, token = people
    old = plain(live, token[learner_id], learner_id, protocol=1)
    old.create("goals", learner_id, {"title": "Written on the old app"})
    report = old.sync()
    assert (report.error, report.status, report.pending) == ("protocol_too_old", 426, 1)
    old.protocol = 2
    report = old.sync()
    assert report.ok and report.pending == 0, report


def test_profile_id_matches_the_document_and_two_devices_merge_it(live, people):
    assert profile_id(42) == "8f089d98-03c5-57e8-ac35-6c178cc257cf"
    learner_id, _, token = people
    tablet = plain(live, token[learner_id], learner_id)
    phone = plain(live, token[learner_id], learner_id)
    pid = profile_id(learner_id)
    tablet.write(pid, {"needs": "Quiet"}, collection="profile", learner_id=learner_id)
    phone.write(pid, {"networks": "Choir"}, collection="profile", learner_id=learner_id)
    assert tablet.sync().ok and phone.sync().ok and tablet.sync().ok
    assert tablet.record(pid)["fields"] == phone.record(pid)["fields"] == {
        "needs": "Quiet", "networks": "Choir"}
    assert uuid7()[14] == "7"


def test_a_resent_mutation_does_not_bring_back_a_purged_record(live, people, operator):
    learner_id, _, token = people
    after_restore = {"pulls": None}

    def network(path, body):
        if path == PULL and after_restore["pulls"] is not None:
            after_restore["pulls"] += 1
            if after_restore["pulls"] > 1:
                raise NetworkError("the signal went")
        return inner(path, body)

    inner = HttpTransport(live.url, token[learner_id])
    tablet = Client(network, learner_id, carry_pull=False)
    phone = plain(live, token[learner_id], learner_id)
    goal = phone.create("goals", learner_id, {"title": "Bake bread", "visibility": "mentor"})
    goal_id = goal["record_id"]
    assert phone.sync().ok and tablet.sync().ok
    tablet.write(goal_id, {"visibility": "private"})
    assert tablet.sync().ok and phone.sync().ok
    phone.delete(goal_id)
    phone.create("goals", learner_id, {"title": "Something else"})
    assert phone.sync().ok
    operator.purge_tombstones()
    report = tablet.sync()
    assert report.ok and report.full_resyncs == 1 and goal_id not in tablet.records()
    operator.restore(operator.backup(), stop=False)
    after_restore["pulls"] = 0
    report = tablet.sync()
    assert report.error == "network" and tablet.local.resend_log is False, report
    if goal_id in tablet.records():
        # The person sees the goal again, and changes it.
        tablet.write(goal_id, {"title": "Bake rye bread"})
    after_restore["pulls"] = None
    assert tablet.sync().ok
    assert goal_id not in auditor(live.url, token[learner_id], learner_id), (
        "a deleted goal came back")
    assert goal_id not in tablet.records()


def test_a_hidden_entry_kept_for_a_pending_change_leaves_once_it_is_refused(live, people):
    learner_id, mentor_id, token = people
    typing = {"while_pulling": None}

    def network(path, body):
        if path == PULL and typing["while_pulling"]:
            # The mentor types while the pull is on its way.
            typing["while_pulling"], change = None, typing["while_pulling"]
            change()
        return inner(path, body)

    inner = HttpTransport(live.url, token[mentor_id])
    mentor = Client(network, mentor_id, carry_pull=False)
    tablet = plain(live, token[learner_id], learner_id)
    session = mentor.create("sessions", learner_id, {"activity": "Walk", "visibility": "mentor",
                                                     "note": "Talked about her late husband"})
    session_id = session["record_id"]
    assert mentor.sync().ok and tablet.sync().ok
    tablet.write(session_id, {"learner_response": "hidden", "visibility": "private"})
    assert tablet.sync().ok
    typing["while_pulling"] = lambda: mentor.write(session_id, {"minutes": 40})
    assert mentor.sync().ok
    assert session_id in mentor.records(), "kept while the outbox holds a change to it"
    report = mentor.sync()
    assert report.ok and report.pending == 0
    (refused,) = mentor.local.needs_person.values()
    assert refused["error"]["details"]["reason"] == "the learner has hidden this entry"
    assert session_id not in mentor.records(), "a hidden entry stays on the mentor's device"


def raw_post(live, token, path, data, method="POST"):
    """One request with a body sent as given (bytes), for answers a client never provokes."""
    parts = urlsplit(live.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, body=data, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def a_mutation(replica, seq, learner_id, fields, record_id=None):
    return {"id": uuid7(), "replica": replica, "seq": seq, "op": "upsert",
            "collection": "goals", "record_id": record_id or uuid7(), "learner_id": learner_id,
            "fields": fields, "base": {}, "at": "2025-03-05T08:45:00.000Z"}


def test_answers_on_the_wire_are_those_the_document_gives(live, people, operator):
    learner_id, _, token = people
    replica = str(uuid.uuid4())
    status, answer = raw_post(live, token[learner_id], PUSH, None, method="GET")
    assert (status, answer["error"]) == (405, "method_not_allowed")
    status, answer = raw_post(live, "not-a-token", PUSH, b"{{ not json")
    assert (status, answer["error"]) == (401, "unauthorized")
    old = json.dumps({"protocol": 1, "whatever": [1, 2]}).encode()
    status, answer = raw_post(live, token[learner_id], PULL, old)
    assert (status, answer["error"]) == (426, "protocol_too_old")
    assert answer["details"] == {"protocol": 1, "min_protocol": 2}
    send = HttpTransport(live.url, token[learner_id])
    status, answer = send(PULL, {"protocol": 4, "replica": replica, "cursor": None})
    assert (status, answer["details"]["field"]) == (400, "protocol")
    status, answer = send(PULL, {"protocol": 3, "replica": replica, "cursor": None, "x": 1})
    assert (status, answer["details"]["reason"]) == (400, "is not a known field")
    first = a_mutation(replica, 1, learner_id, {"title": "A"})
    second = a_mutation(replica, 2, learner_id, {"why": "B"}, first["record_id"])
    status, answer = send(PUSH, {"protocol": 3, "replica": replica, "floor": 1,
                                 "mutations": [second, first]})
    assert status == 200
    assert [(r["id"], r["status"]) for r in answer["results"]] == [
        (second["id"], "applied"), (first["id"], "applied")]
    status, page = send(PULL, {"protocol": 3, "replica": replica, "cursor": None})
    operator.cli("sync", "new-epoch")
    third = a_mutation(replica, 3, learner_id, {"title": "C"})
    status, answer = send(PUSH, {"protocol": 3, "replica": replica, "floor": 1,
                                 "mutations": [third], "pull": {"cursor": page["cursor"]}})
    assert status == 200 and answer["results"][0]["status"] == "applied"
    assert "pull" not in answer and answer["pull_error"]["error"] == "epoch_changed"
    assert answer["pull_error"]["details"]["epoch"] == answer["epoch"] != page["epoch"]


def test_a_push_may_carry_a_pull_that_asks_for_pages_ahead(live, people):
    learner_id, _, token = people
    replica = str(uuid.uuid4())
    send = HttpTransport(live.url, token[learner_id])
    mutations = [a_mutation(replica, seq, learner_id, {"title": f"Goal {seq}"})
                 for seq in (1, 2, 3)]
    status, answer = send(PUSH, {"protocol": 3, "replica": replica, "floor": 1,
                                 "mutations": mutations,
                                 "pull": {"cursor": None, "limit": 1, "ahead": 2}})
    assert status == 200, answer
    assert answer["pull"]["more"] and len(answer["pull"]["ahead"]) == 2


def test_a_wiped_device_comes_back_as_a_new_replica_with_everything(live, people):
    learner_id, _, token = people
    tablet = plain(live, token[learner_id], learner_id)
    phone = plain(live, token[learner_id], learner_id)
    goals = [tablet.create("goals", learner_id, {"title": f"Goal {i}"})["record_id"]
             for i in range(3)]
    tablet.write(goals[0], {"why": "acknowledged before the wipe"})
    assert tablet.sync().ok and not tablet.local.outbox
    old_replica = tablet.local.replica_id
    tablet = plain(live, token[learner_id], learner_id)
    assert tablet.local.replica_id != old_replica and tablet.local.next_seq == 1
    assert tablet.sync().ok
    assert set(tablet.records()) == set(goals)
    assert tablet.record(goals[0])["fields"]["why"] == "acknowledged before the wipe"
    tablet.write(goals[1], {"status": "achieved"})
    report = tablet.sync()
    assert report.ok and tablet.local.log[next(iter(tablet.local.log))]["result"]["status"] \
        == "applied"
    assert phone.sync().ok and phone.record(goals[1])["fields"]["status"] == "achieved"
