"""A real scheduler (``backend.scheduler.serve``, its lease and its job store) in a thread, on an
app of its own, as a ``flask scheduler`` process would be: what the scheduler tests start."""
import threading
import time
import uuid

from backend import create_app
from backend.extensions import db
from backend.scheduler import Lease, serve


class SchedulerThread:
    """One scheduler named ``name`` (the app's ``NAME`` setting), its jobs stored in ``table``,
    set up by ``configure(scheduler, stored)``, with a heartbeat of 0.2 seconds."""

    def __init__(self, database_url, name, table, configure):
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                               "NAME": name})
        self.lease, self.stop, self.table = Lease(holder=name, ttl=1), threading.Event(), table
        self.thread = threading.Thread(target=serve, args=(self.app, self.lease, self.stop),
                                       kwargs={"heartbeat": 0.2, "configure": configure,
                                               "table": table}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def halt(self):
        self.stop.set()
        self.thread.join(15)
        assert not self.thread.is_alive()
        with self.app.app_context():
            db.engine.dispose()


def scheduler_threads(database_url, configure):
    """For a fixture: yields ``make(name, configure=...)``, which builds a ``SchedulerThread``
    sharing one job table with the others made; halts those still running afterwards."""
    table = f"apscheduler_test_{uuid.uuid4().hex[:8]}"
    made = []

    def make(name, configure=configure):
        made.append(SchedulerThread(database_url, name, table, configure))
        return made[-1]

    yield make
    for runner in made:
        if runner.thread.is_alive():
            runner.halt()


def wait_for(condition, timeout=20):
    """Whether ``condition()`` became true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
