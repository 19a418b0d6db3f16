"""SIGKILL the server in the middle of large pushes, many times: every acknowledged mutation
survives, and the retries that follow apply nothing twice."""
import os
import random
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import LearningSession, SyncMutation
from sync import Client

from ..http_transport import HttpTransport
from ..live_server import ServerProcess

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))
PER_ROUND = int(os.environ.get("CRASH_RECORDS", "1000"))


def _session_fields(round_no, i):
    return {"activity": f"Round {round_no}, entry {i}", "minutes": 1 + i % 120,
            "note": "Knitted with the group and talked about the old market. " * 6}


def _wait_for_first_answer(client, before, syncing, timeout=60):
    deadline = time.monotonic() + timeout
    while len(client.local.log) == before and syncing.is_alive():
        assert time.monotonic() < deadline, "the server answered no batch"
        time.sleep(0.005)


def _check_acknowledged_are_stored(app, client, written):
    """Every mutation the client holds as answered is on the server, with its record."""
    acked = set(client.local.log)
    with app.app_context():
        stored = set(db.session.scalars(select(SyncMutation.id).where(
            SyncMutation.id.in_(list(acked))))) if acked else set()
        assert stored == acked, f"{len(acked - stored)} acknowledged mutations were lost"
        record_ids = {m.record_id for m in client.local.log.values()}
        rows = db.session.execute(select(LearningSession.id, LearningSession.activity).where(
            LearningSession.id.in_(list(record_ids)))).all() if record_ids else []
        assert {rid: act for rid, act in rows} == {
            rid: written[rid]["activity"] for rid in record_ids}


def test_acknowledged_mutations_survive_sigkill_and_retries_apply_nothing_twice(
        app, database_url, make, auth, tmp_path):
    learner = make.learner(make.org())
    token = auth.headers(learner)["Authorization"].split()[1]
    server = ServerProcess(database_url, str(tmp_path)).start()
    client = Client(HttpTransport(server.url, token), batch_size=250)
    rng, written, kills = random.Random(20261126), {}, 0
    try:
        for round_no in range(ROUNDS):
            for i in range(PER_ROUND):
                record_id = str(uuid.uuid4())
                written[record_id] = _session_fields(round_no, i)
                client.write("sessions", record_id, written[record_id], learner.id)
            before = len(client.local.log)
            syncing = threading.Thread(target=client.sync)
            syncing.start()
            _wait_for_first_answer(client, before, syncing)
            time.sleep(rng.uniform(0.0, 0.3))  # then kill somewhere in the following batches
            server.kill()
            kills += 1
            syncing.join()
            _check_acknowledged_are_stored(app, client, written)
            print(f"round {round_no}: {len(client.local.log)} acknowledged, "
                  f"{client.pending_count} pending")
            server.start()
        for _ in range(5):
            if client.sync().ok and client.pending_count == 0:
                break
    finally:
        server.stop()

    assert kills == ROUNDS
    assert client.pending_count == 0
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(LearningSession))
        processed = db.session.scalar(select(func.count()).select_from(SyncMutation))
    assert count == len(written)
    assert processed == len(written)  # one processed mutation per write: no retry applied twice
    _check_acknowledged_are_stored(app, client, written)
