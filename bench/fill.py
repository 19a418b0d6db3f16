"""Grow our store to a million records without a million HTTP requests: SQL bulk inserts into
the real tables, through the app's models and engine.

The rows are what the sync store itself writes for a pushed session: a seq from the one change
counter (``allocate_seqs``, per chunk, committed in order as a push would), per-field revs, and
timestamps. Learners are interleaved so each one's records are spread over the whole seq range,
as they would be after years of use, and no learner's rows are clustered together.
"""
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
        owners, templates = cycle(ids), cycle(_row_templates())
        table = LearningSession.__table__
        for offset in range(0, need, CHUNK):
            size = min(CHUNK, need - offset)
            first = allocate_seqs(size)
            rows = []
            for i in range(size):
                learner, fields, rev = next(owners), next(templates), str(uuid.uuid4())
                rows.append({**fields, "id": str(uuid.uuid4()), "learner_id": learner,
                             "author_id": learner, "created_at": now, "updated_at": now,
                             "deleted": False, "seq": first + i, "conflicts": None,
                             "revs": dict.fromkeys(fields, rev)})
            db.session.execute(insert(table), rows)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would have done long before a table reached this size.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        db.session.remove()
    seconds = time.perf_counter() - start
    return {"inserted": need, "stored": total, "learners": learners, "seconds": seconds,
            "rows_per_s": need / seconds}
