"""SQLite's write-ahead log: a large push's checkpoint runs after its answer is sent.

SQLite appends each commit to the ``-wal`` file beside the database and copies those pages back
into the database file (a checkpoint) once the log holds 1,000 pages, in whichever connection's
commit crossed that mark (``PRAGMA wal_autocheckpoint``). A push of a thousand entries writes
about that much in pages of 4 KiB (a quarter as many in the 16 KiB pages of a new database), so
large pushes paid for a checkpoint inside their commit: while holding the writer's turn, and
before their answer went back. Such a push now commits without it and checkpoints once its
answer is sent (``Response.call_on_close``), outside the writer's turn: the same work, done
while the device reads its answer (docs/performance.md).

A checkpoint is ``PASSIVE``: it copies what no reader still needs and never waits for a lock, so
a push committing meanwhile goes on. Whatever it leaves is copied by the next one. Nothing is
less durable for it: a commit is in the log before it is answered, checkpointed or not.
"""
import logging

from sqlalchemy.exc import SQLAlchemyError

LARGE_PUSH = 100  # mutations: a push this large checkpoints after its answer
AUTOCHECKPOINT = 1000  # pages, SQLite's default, for every other commit

log = logging.getLogger(__name__)


def skip_autocheckpoint(conn):
    """Before a large push's commit on ``conn``: let that commit leave the checkpoint."""
    conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")


def restore_autocheckpoint(conn):
    """After that commit, before ``conn`` goes back to the pool."""
    conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT}")


def checkpoint(engine):
    """Copy the log's pages into the database file, as far as no reader needs them. It never
    waits for a lock, and never raises: a checkpoint left undone is done by the next one."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except SQLAlchemyError as exc:
        log.warning("SQLite checkpoint after a push left for later: %s", exc)
