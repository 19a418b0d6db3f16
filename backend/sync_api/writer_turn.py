"""Pushes to a SQLite file wait their turn in the kernel, not in SQLite's busy loop.

SQLite lets one connection write at a time; a writer that finds the database locked sleeps and
retries (1, 2, 5, 10 ... 100 ms), so with a few gunicorn workers pushing at once a push could
sleep far longer than the push before it took. Pushes therefore take an exclusive ``flock`` on
a file beside the database first: the kernel wakes the next one the moment the lock is free.
PostgreSQL needs none of this: its row lock on ``sync_state`` queues pushes the same way.
"""
import fcntl
import os
import threading
from contextlib import contextmanager

_TURNS = {}
_GUARD = threading.Lock()


def _turn(path):
    """The (thread lock, lock file) of ``path``, one pair per process."""
    with _GUARD:
        if path not in _TURNS:
            # a plain descriptor, open for the life of the process
            _TURNS[path] = (threading.Lock(), os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        return _TURNS[path]


@contextmanager
def writer_turn(engine):
    """Hold the database's writer turn for the block (nothing to hold but on a SQLite file).

    :param engine: the SQLAlchemy engine the block writes through.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    thread_lock, handle = _turn(os.path.abspath(url.database) + ".writer-lock")
    with thread_lock:  # flock is per open file: threads of one process queue here first
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
