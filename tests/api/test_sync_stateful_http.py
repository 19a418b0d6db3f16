"""The sync state machine of tests/unit/sync/test_stateful.py, through the real HTTP API and
the real database: three devices (a learner's tablet and phone, their mentor's phone) edit
offline and sync in any order over a faulty network; the server is backed up and restored
(a logical dump of the journal and sync tables, then a new epoch, as the restore procedure
in docs/deployment.md does), and its old tombstones purged. Afterwards everyone agrees and
nothing acknowledged is lost.

The mentor may only log sessions, so every goal the mentor's phone writes is refused by the
real access rules: refused writes must stay with that device for a person to see.
"""
import os
from types import SimpleNamespace

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import delete, insert, select

from backend.extensions import db
from backend.models import COLLECTIONS, Organisation, Pairing, Person, SyncMutation
from backend.models import SyncReplica, SyncState
from backend.sync_api.restore import start_new_epoch
from backend.sync_api.store import SqlStore, record_from_row
from sync import Client

from ..unit.sync.builders import LEARNER, Network
from ..unit.sync.test_stateful import JournalSync
from .sync_http import FlaskTransport

MENTOR = 9
TABLES = [m.__table__ for m in COLLECTIONS.values()] + [
    SyncState.__table__, SyncReplica.__table__, SyncMutation.__table__]
EXAMPLES = int(os.environ.get("HTTP_STATEFUL_EXAMPLES", "15"))


class SqlServer:
    """The parts of ``MemoryStore`` the state machine uses, over the app's database."""

    def __init__(self, app):
        self.app = app

    def _conn(self):
        return db.engine.begin()

    def reset(self):
        with self.app.app_context(), self._conn() as conn:
            for table in reversed(TABLES):
                conn.execute(delete(table))
            conn.execute(insert(SyncState.__table__).values(
                id=1, epoch="first", seq=0, purged_through_seq=0))

    def snapshot(self):
        with self.app.app_context(), self._conn() as conn:
            return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()]
                    for t in TABLES}

    def restore(self, dump, new_epoch=True):
        with self.app.app_context():
            with self._conn() as conn:
                for table in reversed(TABLES):
                    conn.execute(delete(table))
                for table in TABLES:
                    if dump[table.name]:
                        conn.execute(insert(table), dump[table.name])
            if new_epoch:
                start_new_epoch()

    def stored_result(self, mutation_id):
        with self.app.app_context():
            found = db.session.get(SyncMutation, mutation_id)
            return None if found is None else SimpleNamespace(status=found.status,
                                                              result=found.result)

    def max_seq(self):
        with self.app.app_context():
            return SqlStore(db.engine).max_seq()

    def epoch(self):
        with self.app.app_context():
            return SqlStore(db.engine).epoch()

    def purge_tombstones(self, older_than, through_seq):
        """What the retention job runs (``flask sync purge-tombstones``)."""
        with self.app.app_context():
            return SqlStore(db.engine).purge_tombstones(older_than, through_seq)

    def all_records(self):
        with self.app.app_context(), db.engine.connect() as conn:
            found = []
            for name, model in COLLECTIONS.items():
                table = model.__table__
                rows = conn.execute(select(table).where(table.c.learner_id == LEARNER))
                found.extend(record_from_row(name, row) for row in rows.mappings())
            return sorted(found, key=lambda r: r.seq)


def _people(app):
    """The learner (id 1) and their mentor (id 9), paired, as the state machine expects."""
    with app.app_context():
        org = Organisation(name="Elmfield", kind="care_home")
        db.session.add(org)
        db.session.flush()
        db.session.add_all([
            Person(id=LEARNER, organisation_id=org.id, role="learner", display_name="Ada"),
            Person(id=MENTOR, organisation_id=org.id, role="mentor", display_name="Vera",
                   email="vera@example.org")])
        db.session.flush()
        db.session.add(Pairing(mentor_id=MENTOR, learner_id=LEARNER))
        db.session.commit()
        return db.session.get(Person, LEARNER), db.session.get(Person, MENTOR)


def test_devices_syncing_over_http_converge_and_lose_nothing(app, client, auth):
    learner, mentor = _people(app)
    headers = {LEARNER: auth.headers(learner), MENTOR: auth.headers(mentor)}
    server = SqlServer(app)

    class OverHttp(JournalSync):
        def __init__(self):
            server.reset()
            super().__init__()

        def _new_store(self):
            return server

        def _device(self, slot):
            person_id = (LEARNER, LEARNER, MENTOR)[slot]
            # a mentor changes only what he wrote (docs/sync-protocol.md, "Who may write what")
            may_write = None if person_id == LEARNER else \
                (lambda record: record.author_id == MENTOR)
            return Client(Network(FlaskTransport(client, headers[person_id])),
                          batch_size=3, page_size=2, may_write=may_write)

    run_state_machine_as_test(OverHttp, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=30, deadline=None, database=None,
        derandomize=True, suppress_health_check=list(HealthCheck)))
