"""gunicorn settings for What Matters (docs/deployment.md):

    gunicorn -c python:backend.gunicorn_conf -b 127.0.0.1:8000 'backend:create_app()'

How many workers, unless ``-w`` or ``WEB_CONCURRENCY`` says: as many as the machine has CPU
cores with SQLite, twice that with PostgreSQL, and never fewer than two (``default_workers``).
With SQLite a worker does the database's work itself, in its own process, so a worker more than
there are cores only waits for a core, and every idle worker is woken for each new connection
(gunicorn's sync workers all watch the one listening socket); with PostgreSQL a worker waits
for the database server for part of each request, and another can use the core meanwhile
(docs/performance.md, item 16).

Python's cyclic garbage collector is tuned in each worker once the app is loaded: what the app
built at start-up is frozen out of collection, and collections run after 50,000 net allocations
rather than 700. A sync request allocates tens of thousands of short-lived objects (a push of a
thousand entries, a pull page of a thousand records); with the default threshold the collector
ran dozens of times per request, each time walking the whole app, and took about a third of the
request's time (docs/performance.md). Almost all of those objects are freed by reference counting
anyway; the rarer collections still find any cycles.

Before that, each worker compiles the statements a sync runs (``backend.warm_up``), so that what
it builds is frozen with the rest. As it stops, a worker closes its database connections
(``worker_exit``), so that SQLite's log reaches the database file.
"""
import gc
import os
import runpy
from pathlib import Path

GC_THRESHOLD = (50_000, 20, 100)


def default_workers(database_url, cores):
    """The number of workers for a database URL on a machine of ``cores`` CPU cores."""
    per_core = 2 if database_url.startswith("postgres") else 1
    return max(2, per_core * cores)


def database_url(environ):
    """The database the app will use, found as ``create_app`` finds it: ``SQLALCHEMY_DATABASE_URI``
    in the instance folder's ``config.py``, else ``DATABASE_URL``; "" for the default, SQLite."""
    instance = environ.get("INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance"
    config = Path(instance, "config.py")
    if config.is_file():
        url = runpy.run_path(str(config)).get("SQLALCHEMY_DATABASE_URI")
        if url:
            return str(url)
    return environ.get("DATABASE_URL", "")


def _cores():
    """The CPU cores this process may run on (not the whole machine's, in a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


workers = int(os.environ.get("WEB_CONCURRENCY")
              or default_workers(database_url(os.environ), _cores()))
# No control socket (gunicorn 25 and later, for its ``gunicornc`` tool): systemd starts and stops
# the service (docs/deployment.md). By default gunicorn would make one in the home folder of
# the user it runs as, outside the instance folder, shared by every gunicorn of that user.
control_socket_disable = True


def post_worker_init(worker):
    """Runs in each worker after it loaded the app."""
    from backend.warm_up import warm_up  # the app's modules, imported in the worker only

    warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def worker_exit(server, worker):
    """Runs in each worker as it stops: its database connections are closed. With SQLite, the
    last connection to close copies the log (the ``-wal`` file) into the database file and
    removes it, so a stopped server's file holds every write; left to the interpreter's exit,
    they were not closed, and a copy of the file alone lacked what the log held
    (docs/deployment.md, "Backups")."""
    app = getattr(worker, "wsgi", None)
    if app is None:  # the worker stopped before it loaded the app
        return
    from backend.extensions import db

    with app.app_context():
        db.engine.dispose()
