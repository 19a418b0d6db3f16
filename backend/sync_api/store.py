"""The SQL ``Store`` of the sync engine: the journal's tables on SQLite or PostgreSQL.

Each step of a push is one batched statement (docs/sync-protocol.md). A push's transaction
first row-locks the one row of ``sync_state`` and holds the lock until it commits, so pushes run
one after another: they read the records they merge only once the previous push is committed
(no lost update), and they commit in seq order (a pull never skips a change).
"""
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter

import orjson
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sync import ChangeRow, Record
from sync.records import format_time
from sync.store import WholeRow, wire_text

from ..models import COLLECTIONS, SyncMutation, SyncReplica, SyncState
from ..models.types import json_text
from . import wal
from .driver import CHUNK, Direct, Pipeline, in_list_sizes, precompile, read_all
from .page_sql import EPOCH_BEGAN, HEAD, HEAD_AND_PURGED, PURGED, changes_sql, seqs_sql
from .writer_turn import writer_turn

STATE = SyncState.__table__
REPLICAS = SyncReplica.__table__
MUTATIONS = SyncMutation.__table__
TABLES = {name: model.__table__ for name, model in COLLECTIONS.items()}
FIELDS = {name: model.FIELDS for name, model in COLLECTIONS.items()}
DATE_FIELDS = {name: {c.name for c in table.columns if c.type.python_type is date}
               for name, table in TABLES.items()}
READ_COLUMNS = {name: [c for c in table.columns if c.name != "wire"]
                for name, table in TABLES.items()}


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def record_from_row(collection, row):
    """A sync ``Record`` from a row of the collection's table. Null fields are left out, as
    the engine's records leave them out; so is a visibility no one set (the column's default,
    "private", is also what an absent visibility means)."""
    revs = row["revs"] or {}
    fields = {name: _json_value(row[name]) for name in FIELDS[collection]
              if row[name] is not None
              and (name != "visibility" or name in revs or row[name] != "private")}
    return Record(row["id"], collection, row["learner_id"], row["author_id"], fields,
                  dict(revs), row["conflicts"] or {}, row["deleted"], row["seq"],
                  format_time(row["created_at"]), format_time(row["updated_at"]),
                  row["widest_visibility"] or "")


def row_from_record(record):
    """The column values of a sync ``Record``: every domain field, unset ones as NULL."""
    dates = DATE_FIELDS[record.collection]
    row = {"id": record.id, "learner_id": record.learner_id, "author_id": record.author_id,
           "deleted": record.deleted, "seq": record.seq, "revs": record.revs,
           "conflicts": record.conflicts or None,
           "created_at": _parse_time(record.created_at),
           "updated_at": _parse_time(record.updated_at)}
    for name in FIELDS[record.collection]:
        value = record.fields.get(name)
        if name in dates and isinstance(value, str):
            value = date.fromisoformat(value)
        row[name] = value
    row["visibility"] = record.visibility
    row["widest_visibility"] = record.widest or None
    row["wire"] = wire_text(record, json_text)
    return row


class SqlStore:
    """A ``Store`` over the app's database.

    :param engine: the SQLAlchemy engine (``db.engine``)
    :param person_id: who is pushing, recorded on replicas seen for the first time
    :param device_id: the enrolled tablet they push from, if any
    :param reader: a connection for the reads of a pull (the request's own: no second
        checkout), instead of one from the engine per read

    ``checkpoint_due`` is true once a large push committed on SQLite without its checkpoint,
    which ``wal.checkpoint`` should then run after the answer is sent.
    """

    def __init__(self, engine, person_id=None, device_id=None, reader=None):
        self.engine, self.person_id, self.device_id = engine, person_id, device_id
        self.reader = reader
        self.checkpoint_due = False

    @contextmanager
    def _reading(self):
        if self.reader is not None:
            yield self.reader
        else:
            with self.engine.connect() as conn:
                yield conn

    def _state(self, column):
        with self._reading() as conn:
            sql = f"SELECT {column} FROM sync_state WHERE id = 1"
            return conn.exec_driver_sql(sql).scalar_one()

    @staticmethod
    def record_of(collection, model_obj):
        """The sync ``Record`` of an ORM journal object."""
        row = {c.name: getattr(model_obj, c.key) for c in READ_COLUMNS[collection]}
        return record_from_row(collection, row)

    def epoch(self):
        return self._state("epoch")

    def max_seq(self):
        return self._state("seq")

    def head(self):
        with self._reading() as conn:
            return tuple(conn.exec_driver_sql(HEAD).one())

    def epoch_began(self):
        with self._reading() as conn:
            return tuple(conn.exec_driver_sql(EPOCH_BEGAN).one())

    def purged_through_seq(self):
        return self._state("purged_through_seq")

    @contextmanager
    def transaction(self):
        if self.engine.dialect.name == "postgresql":
            # on the request's connection, its reads and its writes each in one round trip
            with self._reading() as conn, Pipeline(conn).transaction() as run:
                yield _SqlTransaction(run, self.person_id, self.device_id)
            return
        with writer_turn(self.engine), self.engine.connect() as conn:
            try:
                with Direct(conn).transaction() as run:
                    tx = _SqlTransaction(run, self.person_id, self.device_id)
                    yield tx
                    if tx.mutations >= wal.LARGE_PUSH:  # its checkpoint after its answer
                        wal.skip_autocheckpoint(conn)
                        self.checkpoint_due = True
            finally:
                if self.checkpoint_due:
                    wal.restore_autocheckpoint(conn)

    def changes(self, after, limit, until=0):
        """Rows of the learners' records changed after their seqs, in seq order, with the wire
        text written with each record (built from the columns where a row has none)."""
        with self._reading() as conn:
            found = read_all(conn, changes_sql(after, limit, conn.dialect.name, until))
            return _change_rows(conn, [row for rows in found for row in rows], limit, ChangeRow)

    def page(self, after, limit, until=0, whole=False):
        """``head()`` with ``purged_through_seq()``, ``changes()`` (as ``WholeRow``s with
        ``whole``) and ``purged_through_seq()`` again, in that order, on the driver's own
        cursor; on PostgreSQL in one round trip, through the driver's pipeline: still
        statements run one after another, each seeing what committed before it."""
        with self._reading() as conn:
            changes = changes_sql(after, limit, conn.dialect.name, until, whole) if after else []
            head, *found, purged = read_all(conn, [(HEAD_AND_PURGED, ()), *changes,
                                                   (PURGED, ())])
            rows = _change_rows(conn, [row for rows in found for row in rows], limit,
                                WholeRow if whole else ChangeRow)
            return (*head[0], rows, purged[0][0])

    def seqs(self, after, limit):
        """The seqs of the first ``limit`` rows after ``after``, from the (learner_id, seq)
        indexes alone."""
        with self._reading() as conn:
            found = [rows[0][0] for rows in read_all(conn, seqs_sql(after, limit,
                                                                     conn.dialect.name))]
            seqs = []
            for value in filter(None, found):
                # SQLite's group_concat is "1,2,3": read as a JSON array, five times as fast
                # as splitting it and converting each seq (item 20)
                seqs.extend(orjson.loads(f"[{value}]") if isinstance(value, str) else value)
            return sorted(seqs)[:limit]

    def purge_tombstones(self, older_than, through_seq):
        """Delete old tombstones and raise ``purged_through_seq`` to the newest purged."""
        purged, top = 0, 0
        with self.engine.begin() as conn:
            for table in TABLES.values():
                cond = [table.c.deleted.is_(True)]
                if older_than is not None:
                    cond.append(table.c.updated_at < _parse_time(older_than))
                if through_seq is not None:
                    cond.append(table.c.seq <= through_seq)
                top = max(top, conn.execute(select(func.max(table.c.seq)).where(*cond))
                          .scalar() or 0)
                purged += conn.execute(delete(table).where(*cond)).rowcount
            if top:
                conn.execute(update(STATE).where(STATE.c.id == 1).values(
                    purged_through_seq=func.max(STATE.c.purged_through_seq, top)
                    if conn.dialect.name == "sqlite"
                    else func.greatest(STATE.c.purged_through_seq, top)))
        return purged


def _change_rows(conn, found, limit, shape):
    """The rows ``changes_sql`` found, in seq order, at most ``limit``: plain tuples in the
    order of ``shape`` (``ChangeRow`` or ``WholeRow``), as the driver gave them; a row with no
    wire text (written another way) is a ``shape`` with the text built from its columns."""
    found.sort(key=itemgetter(0))
    rows = found[:limit]
    key = slice(shape._fields.index("collection"), shape._fields.index("id") + 1)
    missing = [row[key] for row in rows if row[-1] is None]
    if missing:
        built = _SqlTransaction.send_records(Direct(conn), missing)()
        rows = [row if row[-1] is not None else shape.of(built[row[key]]) for row in rows]
    return rows


class _SqlTransaction:
    """A push's transaction; ``run`` (``driver.Direct`` or ``driver.Pipeline``) runs its
    statements, and answers each read's rows when they are asked for."""

    def __init__(self, run, person_id, device_id):
        self.run, self.person_id, self.device_id = run, person_id, device_id
        # Lock first, read after: on PostgreSQL the row lock waits for the push before us to
        # commit; on SQLite it takes the write lock, where a read-then-write transaction could
        # fail at once with SQLITE_BUSY_SNAPSHOT instead of waiting its turn. The lock's
        # statement also answers the epoch the push is written in, and the seq it starts at
        # (on PostgreSQL, together with the first read).
        self._locked, self._head, self._ahead = run.send(_LOCK), None, {}
        self.mutations = 0  # results written

    def head(self):
        if self._head is None:
            [self._head] = self._locked()
        return self._head

    def read_ahead(self, replicas, mutation_ids, keys):
        # on PostgreSQL sent with the lock and answered in one round trip; on SQLite read now
        self._ahead = {"next_seqs": (set(replicas), self._next_seqs(replicas)),
                       "stored_results": (set(mutation_ids), self._stored_results(mutation_ids)),
                       "records": (set(keys), self.send_records(self.run, keys))}

    def _answer(self, name, asked, send):
        """The rows read ahead for ``name`` if they cover ``asked``, else read now."""
        known, answer = self._ahead.pop(name, (None, None))
        if known is None or not known.issuperset(asked):
            answer = send(asked)
        return answer()

    def next_seqs(self, replicas):
        found = self._answer("next_seqs", replicas, self._next_seqs)
        return {r: found.get(r, 1) for r in replicas}

    def stored_results(self, mutation_ids):
        found = self._answer("stored_results", mutation_ids, self._stored_results)
        return {i: found[i] for i in mutation_ids if i in found}

    def kept_payloads(self, mutation_ids):
        pending = [self.run.send(_KEPT, chunk) for chunk in _chunks(mutation_ids)]
        return {i: payload for rows in pending for i, payload in rows() if payload}

    def records(self, keys):
        found = self._answer("records", keys, lambda asked: self.send_records(self.run, asked))
        return {key: found[key] for key in keys if key in found}

    def _next_seqs(self, replicas):
        rows = self.run.send(_NEXT_SEQS, list(replicas))
        return lambda: dict(rows())

    def _stored_results(self, mutation_ids):
        pending = [self.run.send(_STORED_RESULTS, chunk) for chunk in _chunks(mutation_ids)]
        return lambda: {i: result for rows in pending for i, result in rows()}

    @staticmethod
    def send_records(run, keys):
        """Send the reads of the records with these ``(collection, id)`` keys through ``run``;
        return a function answering them by key."""
        pending = []
        for collection in TABLES:
            ids = [record_id for name, record_id in keys if name == collection]
            pending.extend((collection, run.send(_READ[collection], chunk))
                           for chunk in _chunks(ids))

        def answer():
            out = {}
            for collection, rows in pending:
                names = [c.name for c in READ_COLUMNS[collection]]
                for values in rows():
                    row = dict(zip(names, values))
                    out[(collection, row["id"])] = record_from_row(collection, row)
            return out
        return answer

    def allocate_seqs(self, n):
        # the lock holds the counter: no other push moves it before this one commits, so the
        # block starts after the seq the lock answered and nothing waits for this statement
        epoch, top = self.head()
        self.run.send(_ALLOCATE, n=n)
        self._head = (epoch, top + n)
        return top + 1

    def put_records(self, created, updated):
        for collection in TABLES:
            new = [row_from_record(r) for r in created if r.collection == collection]
            if new:
                self.run.send_many(_INSERT[collection], new)
            changed = [row_from_record(r) for r in updated if r.collection == collection]
            if changed:
                self.run.send_many(_UPDATE[collection],
                                   [{f"p_{k}": v for k, v in row.items()} for row in changed])

    def put_results(self, results):
        self.mutations += len(results)
        rows = [{"id": r.mutation_id, "replica_id": r.replica, "seq": r.seq,
                 "status": r.status, "result": r.result, "payload": r.payload,
                 "learner_id": r.learner_id, "created_at": _parse_time(r.at)} for r in results]
        if rows:
            self.run.send_many(_INSERT_RESULTS, rows)

    def set_next_seqs(self, next_seqs):
        now = datetime.now().astimezone()
        self.run.send_many(_UPSERT_REPLICA[self.run.conn.dialect.name], [
            {"id": replica, "person_id": self.person_id, "device_id": self.device_id,
             "next_seq": next_seq, "last_seen_at": now}
            for replica, next_seq in next_seqs.items()])


# The statements of a push, built once: building SQLAlchemy statements anew for every push
# cost more than running them.
_IDS = bindparam("ids", expanding=True)
_LOCK = (update(STATE).where(STATE.c.id == 1).values(seq=STATE.c.seq)
         .returning(STATE.c.epoch, STATE.c.seq))
_ALLOCATE = update(STATE).where(STATE.c.id == 1).values(seq=STATE.c.seq + bindparam("n"))
_NEXT_SEQS = select(REPLICAS.c.id, REPLICAS.c.next_seq).where(REPLICAS.c.id.in_(_IDS))
_STORED_RESULTS = select(MUTATIONS.c.id, MUTATIONS.c.result).where(MUTATIONS.c.id.in_(_IDS))
_KEPT = select(MUTATIONS.c.id, MUTATIONS.c.payload).where(
    MUTATIONS.c.id.in_(_IDS), MUTATIONS.c.payload.is_not(None))
_READ = {name: select(*READ_COLUMNS[name]).where(table.c.id.in_(_IDS))
         for name, table in TABLES.items()}
_INSERT = {name: insert(table) for name, table in TABLES.items()}
# bound names must differ from the column names in an executemany UPDATE
_UPDATE = {name: update(table).where(table.c.id == bindparam("p_id")).values(
    {c.name: bindparam(f"p_{c.name}") for c in table.columns if c.name != "id"})
    for name, table in TABLES.items()}
_INSERT_RESULTS = insert(MUTATIONS)


def _upsert_replica(dialect_insert):
    stmt = dialect_insert(REPLICAS)
    return stmt.on_conflict_do_update(index_elements=[REPLICAS.c.id], set_={
        "next_seq": stmt.excluded.next_seq, "last_seen_at": stmt.excluded.last_seen_at})


_UPSERT_REPLICA = {"sqlite": _upsert_replica(sqlite_insert),
                   "postgresql": _upsert_replica(pg_insert)}


def compile_statements(dialect):
    """Compile every statement of a push for ``dialect``, each ``IN`` list in every size it is
    padded to, as the first pushes would: a gunicorn worker does it as it starts
    (``backend.gunicorn_conf``), so that no device's push waits for it."""
    for stmt in (_NEXT_SEQS, _STORED_RESULTS, *_READ.values()):
        precompile(stmt, dialect, in_list_sizes())
    for stmt in (_LOCK, _ALLOCATE, *_INSERT.values(), *_UPDATE.values(), _INSERT_RESULTS,
                 _UPSERT_REPLICA[dialect.name]):
        precompile(stmt, dialect)
