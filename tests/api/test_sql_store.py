"""The SQL store's fast paths: each keeps exactly what the slow path kept."""
import json
import subprocess
import sys
import threading
import time
import uuid

from backend.extensions import db
from backend.models import LearningSession
from backend.sync_api.writer_turn import writer_turn
from sync import Client

from .sync_http import FlaskTransport


def _pull_all(client, headers):
    body = {"protocol": 2, "replica": str(uuid.uuid4()), "cursor": None, "limit": 1000}
    resp = client.post("/api/sync/pull", json=body, headers=headers)
    assert resp.status_code == 200
    return {c["id"]: c for c in resp.json["changes"]}


def test_a_record_changed_outside_the_sync_store_is_pulled_as_it_now_is(client, auth, make,
                                                                         app):
    org = make.org()
    ada = make.learner(org)
    headers = auth.headers(ada)
    tablet = Client(FlaskTransport(client, headers))
    entry = str(uuid.uuid4())
    tablet.write("sessions", entry, {"activity": "Knitting", "minutes": 20}, ada.id)
    assert tablet.sync().ok
    assert _pull_all(client, headers)[entry]["fields"]["minutes"] == 20

    with app.app_context():  # a correction made through the ORM, as a data fix would be
        row = db.session.get(LearningSession, entry)
        row.minutes = 25
        db.session.commit()

    assert _pull_all(client, headers)[entry]["fields"]["minutes"] == 25


def test_a_record_changed_outside_the_sync_store_reaches_the_mentor_as_it_now_is(
        client, auth, make, app):
    """The mentor's pull decides record by record what they may see; the learner's own pull
    (above) reads the records whole: both build a text the store no longer has."""
    org = make.org()
    ada, mentor = make.learner(org), make.mentor(org)
    make.pairing(mentor, ada)
    tablet = Client(FlaskTransport(client, auth.headers(ada)))
    shared, private = str(uuid.uuid4()), str(uuid.uuid4())
    tablet.write("sessions", shared, {"activity": "Choir", "visibility": "mentor"}, ada.id)
    tablet.write("sessions", private, {"activity": "Letters"}, ada.id)
    assert tablet.sync().ok

    with app.app_context():
        for entry in (shared, private):
            db.session.get(LearningSession, entry).minutes = 30
        db.session.commit()

    pulled = _pull_all(client, auth.headers(mentor))
    assert pulled[shared]["fields"]["minutes"] == 30 and private not in pulled


def test_a_pulled_record_is_what_the_engine_would_send(client, auth, make, app):
    org = make.org()
    ada = make.learner(org)
    headers = auth.headers(ada)
    tablet = Client(FlaskTransport(client, headers))
    entry = str(uuid.uuid4())
    tablet.write("sessions", entry, {"activity": "Chess", "benefits": ["mind_active"],
                                     "date": "2026-11-02", "note": "Tea \u00e9 \U0001F600"},
                 ada.id)
    tablet.write("sessions", entry, {"minutes": 40}, ada.id)
    assert tablet.sync().ok

    pulled = _pull_all(client, headers)[entry]
    from backend.sync_api.store import SqlStore
    with app.app_context():
        record = SqlStore.record_of("sessions", db.session.get(LearningSession, entry))

    assert pulled == json.loads(json.dumps(record.to_wire()))
    assert set(pulled["revs"]) == {"minutes"}  # one field changed later: named on its own


def test_a_number_too_wide_for_64_bits_is_read_exactly_and_refused_by_its_field(client, auth,
                                                                                 make):
    org = make.org()
    ada = make.learner(org)
    replica = str(uuid.uuid4())
    body = {"protocol": 2, "replica": replica, "floor": 1, "mutations": [{
        "id": str(uuid.uuid4()), "replica": replica, "seq": 1, "op": "upsert",
        "collection": "sessions", "record_id": str(uuid.uuid4()), "learner_id": ada.id,
        "fields": {"activity": "Sums", "minutes": 10 ** 30}, "base": {},
        "at": "2026-11-26T10:00:00.000000Z"}]}

    resp = client.post("/api/sync/push", json=body, headers=auth.headers(ada))

    [result] = resp.json["results"]
    assert result["status"] == "rejected"
    assert result["error"]["details"]["field"] == "minutes"


def test_the_push_reads_through_the_driver_what_sqlalchemy_reads(client, auth, make, app):
    """A push's reads on the driver's cursor (``driver.Direct`` on SQLite, ``driver.Pipeline``
    on PostgreSQL) return the same rows, converted the same way, as ``conn.execute`` does:
    dates, times, JSON, booleans; for any number of ids, padded or not; several statements
    queued before the first is answered."""
    from backend.sync_api import driver, page_sql, store

    org = make.org()
    ada = make.learner(org)
    tablet = Client(FlaskTransport(client, auth.headers(ada)))
    entries = [str(uuid.uuid4()) for _ in range(5)]
    for n, entry in enumerate(entries):
        tablet.write("sessions", entry, {"activity": f"Walk {n}", "date": "2026-11-02",
                                         "benefits": ["mind_active"], "minutes": 10 + n}, ada.id)
    tablet.write("sessions", entries[0], {"note": "Tea \u00e9 \U0001F600"}, ada.id)
    assert len(tablet.sync().applied) == 6
    tablet.delete("sessions", entries[4], ada.id)
    assert len(tablet.sync().applied) == 1

    with app.app_context(), db.engine.connect() as conn:
        mutation_ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM sync_mutations")]
        reads = [(store._READ["sessions"], entries[:n]) for n in (1, 3, 5)] + [
            (store._READ["sessions"], [*entries, str(uuid.uuid4())]),
            (store._STORED_RESULTS, mutation_ids),
            (store._NEXT_SEQS, [tablet.replica_id, str(uuid.uuid4())])]
        expected = [sorted((tuple(row) for row in conn.execute(stmt, {"ids": ids})), key=repr)
                    for stmt, ids in reads]
        head = tuple(conn.exec_driver_sql(page_sql.HEAD).one())
        conn.rollback()
        run = driver.Pipeline(conn) if conn.dialect.name == "postgresql" else driver.Direct(conn)
        with run.transaction():
            locked = run.send(store._LOCK)
            pending = [run.send(stmt, ids) for stmt, ids in reads]
            for rows, want, (stmt, ids) in zip(pending, expected, reads):
                assert sorted(rows(), key=repr) == want
                assert want, (stmt, ids)  # the rows compared are real rows
            assert locked() == [head]
            run.send(store._ALLOCATE, n=3)
        assert tuple(conn.exec_driver_sql(page_sql.HEAD).one()) == (head[0], head[1] + 3)
        conn.rollback()


class _FakeEngine:
    def __init__(self, path):
        from sqlalchemy.engine import make_url
        self.url = make_url(f"sqlite:///{path}")


def test_a_second_writer_waits_for_the_first_to_finish(tmp_path):
    engine = _FakeEngine(tmp_path / "db.sqlite")
    order = []

    def second():
        with writer_turn(engine):
            order.append("second")

    with writer_turn(engine):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first done")
    thread.join(5)

    assert order == ["first done", "second"]


def test_a_writer_in_another_process_waits_for_the_turn(tmp_path):
    engine = _FakeEngine(tmp_path / "db.sqlite")
    script = ("import sys, time; from sqlalchemy.engine import make_url\n"
              "from backend.sync_api.writer_turn import writer_turn\n"
              "class E: url = make_url(sys.argv[1])\n"
              "print('ready', flush=True)\n"
              "with writer_turn(E()): print(time.time(), flush=True)\n")
    with writer_turn(engine):
        other = subprocess.Popen([sys.executable, "-c", script, str(engine.url)],
                                 stdout=subprocess.PIPE, text=True)
        assert other.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        released = time.time()
    got_turn = float(other.communicate(timeout=30)[0])

    assert got_turn >= released


def test_a_pull_page_reads_through_the_learners_own_index_however_it_is_planned(app, make):
    """One learner holds almost every row, as in a new service: a page for another learner,
    from the start, still reads through (learner_id, seq). On PostgreSQL the statement is
    planned as a prepared one for any learner at all (psycopg prepares it after a few runs);
    that plan once walked an index on seq alone past everyone else's rows (migration 0005)."""
    from sqlalchemy import insert

    from backend.sync_api.page_sql import changes_sql

    org = make.org()
    busy, new = make.learner(org), make.learner(org)
    rows = [{"id": str(uuid.uuid4()), "learner_id": busy.id, "author_id": busy.id,
             "visibility": "private", "deleted": False, "seq": seq, "activity": "Walk"}
            for seq in range(1, 3001)]
    rows += [{**rows[0], "id": str(uuid.uuid4()), "learner_id": new.id, "seq": seq}
             for seq in (3001, 3002)]
    with app.app_context():
        db.session.execute(insert(LearningSession), rows)
        db.session.commit()
        conn = db.session.connection()
        conn.exec_driver_sql("ANALYZE")
        dialect = conn.dialect.name
        # SQLite: a statement per table; PostgreSQL: one UNION ALL of them
        sql, params = next((sql, params) for sql, params in
                           changes_sql({new.id: 0}, 1001, dialect) if "learning_sessions" in sql)
        if dialect == "postgresql":
            for n in range(len(params)):
                sql = sql.replace("%s", f"${n + 1}", 1)
            conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            conn.exec_driver_sql(f"PREPARE page AS {sql}")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(
                f"EXPLAIN EXECUTE page({', '.join(map(str, params))})"))
            conn.exec_driver_sql("DEALLOCATE page")
            conn.exec_driver_sql("RESET plan_cache_mode")
        else:
            plan = "\n".join(str(row[-1]) for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql}", tuple(params)))
        db.session.rollback()

    sessions = [line for line in plan.splitlines() if "learning_sessions" in line]
    assert sessions and all("ix_learning_sessions_learner_seq" in line for line in sessions), plan
