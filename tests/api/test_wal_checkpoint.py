"""A large push to a SQLite file checkpoints after its answer, not inside its commit
(backend/sync_api/wal.py). These run on a SQLite file of their own on either CI pass: what they
check is how SQLite's log is handled, which PostgreSQL does not have."""
import json as _json
import shutil
import sqlite3
import urllib.request
import uuid

import pytest
from flask_migrate import upgrade

from backend import SQLITE_PAGE_SIZE, create_app
from backend.extensions import db
from backend.sync_api.wal import LARGE_PUSH

from .. import factories
from ..conftest import Auth
from ..live_server import ServerProcess


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/journal.sqlite",
                      "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:  # the tables in the file itself, the log empty
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    yield app
    with app.app_context():
        db.engine.dispose()


def _push(client, headers, learner_id, count):
    replica = str(uuid.uuid4())
    mutations = [{"id": str(uuid.uuid4()), "replica": replica, "seq": n, "op": "upsert",
                  "collection": "sessions", "record_id": str(uuid.uuid4()),
                  "learner_id": learner_id, "base": {}, "at": "2026-11-27T10:00:00Z",
                  "fields": {"activity": f"Walk {n}", "minutes": 20, "date": "2026-11-27",
                             "note": "Along the river to the bridge and back. " * 175}}
                 for n in range(1, count + 1)]
    return client.post("/api/sync/push", headers=headers, json={
        "protocol": 3, "replica": replica, "floor": 1, "mutations": mutations})


def _sessions_in_the_database_file(path, tmp_path):
    """Count the sessions the main database file holds by itself, without its log: a copy of
    the file alone, opened where no ``-wal`` lies beside it."""
    alone = tmp_path / "file-alone.sqlite"
    shutil.copyfile(path, alone)
    with sqlite3.connect(alone) as conn:
        return conn.execute("SELECT count(*) FROM learning_sessions").fetchone()[0]


def _frames_in_the_log(path):
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    size = path.with_name(path.name + "-wal").stat().st_size
    return (size - 32) // (page + 24)  # the log's header, then each page with its own


@pytest.mark.parametrize("count", [1000, LARGE_PUSH, 5])
def test_a_large_push_leaves_its_checkpoint_until_its_answer_is_sent(sqlite_app, tmp_path, count):
    make = factories.Factories(sqlite_app)
    learner = make.learner(make.org())
    headers = Auth(sqlite_app).headers(learner)
    path = tmp_path / "journal.sqlite"
    client = sqlite_app.test_client()

    response = _push(client, headers, learner.id, count)

    assert response.status_code == 200
    assert {r["status"] for r in response.json["results"]} == {"applied"}
    large = count >= LARGE_PUSH
    if large:
        # answered, and every entry committed, but not yet copied out of the log
        assert _sessions_in_the_database_file(path, tmp_path) == 0
        if count == 1000:  # past SQLite's mark: its commit alone would have checkpointed
            assert _frames_in_the_log(path) > 1000
        with sqlite3.connect(path) as reader:
            assert reader.execute("SELECT count(*) FROM learning_sessions").fetchone()[0] == count
    response.close()  # the answer is sent: the server closes it, and then checkpoints
    if large:
        assert _sessions_in_the_database_file(path, tmp_path) == count
    with sqlite_app.app_context():
        # every pooled connection is back to SQLite's own checkpoints for any later commit
        pooled = [db.engine.connect() for _ in range(db.engine.pool.checkedin())]
        assert len(pooled) >= 2  # the request's, and the push's own
        assert [c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() for c in pooled] == [
            1000] * len(pooled)
        for conn in pooled:
            conn.close()


def test_a_new_database_has_pages_of_16_kib_and_an_old_one_keeps_its_own(sqlite_app, tmp_path):
    with sqlite3.connect(tmp_path / "journal.sqlite") as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == SQLITE_PAGE_SIZE == 16384
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")  # made with SQLite's default pages
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{old}", "TESTING": True})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
        assert conn.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 0
        db.engine.dispose()


def test_a_stopped_server_leaves_every_write_in_the_database_file(sqlite_app, tmp_path):
    """gunicorn, run as docs/deployment.md runs it, then stopped: its workers close their
    connections as they exit, and the last to close copies SQLite's log into the database
    file. A copy of the file alone then holds every write; before, what the log held was
    missing from it (docs/deployment.md, "Backups")."""
    make = factories.Factories(sqlite_app)
    learner = make.learner(make.org())
    headers = Auth(sqlite_app).headers(learner)
    path = tmp_path / "journal.sqlite"
    with sqlite_app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection of this process keeps the log open
    server = ServerProcess(f"sqlite:///{path}", str(tmp_path / "instance"),
                           deployed=True).start()
    try:
        pushed = _push(_Http(server.url), headers, learner.id, 5)
        assert {r["status"] for r in pushed["results"]} == {"applied"}
        assert _sessions_in_the_database_file(path, tmp_path) == 0  # in the log as yet
    finally:
        server.stop()

    assert _sessions_in_the_database_file(path, tmp_path) == 5


class _Http:
    """``post`` as the Flask test client has it, over real HTTP; answers the JSON body."""

    def __init__(self, url):
        self.url = url

    def post(self, path, headers, json):
        request = urllib.request.Request(self.url + path, data=_json.dumps(json).encode(),
                                         headers={**headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return _json.loads(answer.read())
