"""Grow our store to a million records without a million HTTP requests: SQL bulk inserts into
the real tables, through the app's models and engine (``executemany`` on SQLite, ``COPY`` on
PostgreSQL, on the engine's own connection and in its transaction).

The rows are what the sync store itself writes for a pushed session: a seq from the one change
counter (``allocate_seqs``, per chunk, committed in order as a push would), per-field revs, and
timestamps. Learners are interleaved so each one's records are spread over the whole seq range,
as they would be after years of use, and no learner's rows are clustered together.
"""
import json
import time
import uuid
from datetime import date, datetime, timezone
from itertools import cycle

from sqlalchemy import func, insert, select, text

from .records import make_records

CHUNK = 20_000


def _row_templates(count=200):
    """A few hundred distinct field sets, converted to the column types."""
    templates = []
    for _, fields in make_records(count, seed=7):
        row = dict(fields)
        row["date"] = date.fromisoformat(row["date"])
        templates.append(row)
    return templates


def fill(app, org_id, total, learners):
    """Insert sessions until ``total`` records are stored, over ``learners`` new learners.

    :returns: what was inserted and how fast.
    """
    from backend.extensions import db
    from backend.journal.records import allocate_seqs
    from backend.models import COLLECTIONS, LearningSession, Person

    start = time.perf_counter()
    with app.app_context():
        stored = sum(db.session.scalar(select(func.count()).select_from(m)) or 0
                     for m in COLLECTIONS.values())
        need = total - stored
        if need <= 0:
            return {"inserted": 0, "stored": stored}
        now = datetime.now(timezone.utc)
        db.session.execute(insert(Person), [
            {"organisation_id": org_id, "role": "learner", "display_name": f"Filled {n}",
             "created_at": now} for n in range(learners)])
        ids = db.session.scalars(select(Person.id).where(Person.display_name.like("Filled %"))
                                 .order_by(Person.id)).all()[-learners:]
        db.session.commit()
        columns = [c.name for c in LearningSession.__table__.columns]
        dialect = db.engine.dialect.name
        rows = _Rows(columns, ids, now, dialect)
        for offset in range(0, need, CHUNK):
            size = min(CHUNK, need - offset)
            first = allocate_seqs(size)  # in the session's transaction, committed below
            dbapi = db.session.connection().connection.dbapi_connection
            _COPIERS[dialect](dbapi, columns, rows.chunk(first, size))
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would have done long before a table reached this size.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        db.session.remove()
    seconds = time.perf_counter() - start
    return {"inserted": need, "stored": total, "learners": learners, "seconds": seconds,
            "rows_per_s": need / seconds, "filled_learner": ids[0]}


JSON_COLUMNS = ("revs", "conflicts", "benefits", "goal_ids")


class _Rows:
    """Row tuples in column order, with everything but the ids, owner, seq and revs encoded
    once per template: the values SQLAlchemy's column types would store (on SQLite: UTC
    datetimes as text without an offset, dates as ISO text, JSON as text, booleans as 0/1)."""

    def __init__(self, columns, owners, now, dialect):
        self.columns, self.owners = columns, cycle(owners)
        stamp = (now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
                 if dialect == "sqlite" else now)
        self.templates = []
        for fields in _row_templates():
            row = {**fields, "created_at": stamp, "updated_at": stamp, "conflicts": None,
                   "deleted": 0 if dialect == "sqlite" else False}
            for name in ("benefits", "goal_ids"):
                row[name] = None if row.get(name) is None else json.dumps(row[name])
            if dialect == "sqlite":
                row["date"] = row["date"].isoformat()
            keys = ", ".join(f'"{k}": "%(rev)s"' for k in fields)
            self.templates.append(([row.get(c) for c in columns], "{" + keys + "}"))
        self.next_template = cycle(self.templates)
        self.at = {name: columns.index(name) for name in ("id", "learner_id", "author_id",
                                                            "seq", "revs")}

    def chunk(self, first_seq, size):
        at = self.at
        for i in range(size):
            values, revs = next(self.next_template)
            row, owner = list(values), next(self.owners)
            row[at["id"]] = str(uuid.uuid4())
            row[at["learner_id"]] = row[at["author_id"]] = owner
            row[at["seq"]] = first_seq + i
            row[at["revs"]] = revs % {"rev": str(uuid.uuid4())}
            yield row


def _copy_sqlite(dbapi, columns, rows):
    marks = ", ".join("?" * len(columns))
    dbapi.cursor().executemany(
        f"INSERT INTO learning_sessions ({', '.join(columns)}) VALUES ({marks})", rows)


def _copy_postgresql(dbapi, columns, rows):
    # COPY's text format: the server parses each JSON text into jsonb.
    with dbapi.cursor() as cur:
        with cur.copy(f"COPY learning_sessions ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


_COPIERS = {"sqlite": _copy_sqlite, "postgresql": _copy_postgresql}
