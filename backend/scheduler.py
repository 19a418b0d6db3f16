"""The scheduler: APScheduler 3 with its jobs stored in the application database, run by
``flask scheduler`` in one process of its own, never inside the gunicorn workers.

Exactly one scheduler runs, even when a second ``flask scheduler`` is started by mistake (or on
a second machine): a lease row in the database (``scheduler_leases``) names the process that
runs the jobs, until ``expires_at``. The holder renews it every third of its lifetime from a
heartbeat job of its own, and checks it again before every job; a second process finds the
lease held and waits, taking over only when the holder has stopped renewing (it crashed, or
lost the database). A lease row works the same on SQLite and PostgreSQL, and across machines
(an advisory lock or a file lock would not), at the cost of a takeover delay of up to one lease
lifetime. The hosts' clocks must agree (NTP), as they must for tokens anyway.
"""
import concurrent.futures
import logging
import os
import signal
import socket
import threading
import uuid
from datetime import datetime, timedelta

import click
from apscheduler.executors.pool import BasePoolExecutor, ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from . import jobs
from .extensions import db
from .models.review import SchedulerLease
from .models.types import utcnow

log = logging.getLogger(__name__)

LEASE = "scheduler"
JOB_TABLE = "apscheduler_jobs"  # APScheduler makes it itself; migrations leave it alone


class LeaseLost(RuntimeError):
    """This process no longer holds the lease: another scheduler runs the jobs now."""


class Lease:
    """The database row that says which process runs the scheduler. Each call is its own
    short transaction on its own connection, apart from any job's session."""

    def __init__(self, name=LEASE, holder=None, ttl=60):
        self.name, self.ttl = name, timedelta(seconds=ttl)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def acquire(self):
        """Take the lease if it is free or expired, or renew it if it is ours: True if ours."""
        table, now = SchedulerLease.__table__, utcnow()
        with db.engine.begin() as conn:
            taken = conn.execute(update(table).where(
                table.c.name == self.name,
                or_(table.c.holder == self.holder, table.c.expires_at < now))
                .values(holder=self.holder, expires_at=now + self.ttl)).rowcount
        if taken:
            return True
        try:
            with db.engine.begin() as conn:
                conn.execute(insert(table).values(name=self.name, holder=self.holder,
                                                  acquired_at=now, expires_at=now + self.ttl))
            return True
        except IntegrityError:
            return False  # someone else holds it

    def check(self):
        """Renew the lease or raise ``LeaseLost``: called before every job."""
        if not self.acquire():
            raise LeaseLost(f"{self.holder} no longer holds the scheduler lease")

    def release(self):
        table = SchedulerLease.__table__
        with db.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.name == self.name,
                                             table.c.holder == self.holder))


class _AppPool(concurrent.futures.ThreadPoolExecutor):
    """A thread pool that runs each job inside the app's context, once the lease is checked."""

    def __init__(self, app, lease, workers):
        super().__init__(workers, thread_name_prefix="job")
        self.app, self.lease = app, lease

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(self._in_app, fn, *args, **kwargs)

    def _in_app(self, fn, *args, **kwargs):
        with self.app.app_context():
            try:
                self.lease.check()
                return fn(*args, **kwargs)
            finally:
                db.session.remove()


class AppExecutor(BasePoolExecutor):
    def __init__(self, app, lease, workers=4):
        super().__init__(_AppPool(app, lease, workers))


class _JobStore(SQLAlchemyJobStore):
    """The job store, whose engine ``serve`` disposes once the scheduler's loop has ended: the
    heartbeat stops the scheduler from its own thread, and disposing the engine there would
    pull connections from under the loop while it reads the jobs."""

    def shutdown(self):
        pass


def make_scheduler(app, lease, stop, heartbeat, table=JOB_TABLE):
    """A BlockingScheduler with the job store in the app's database and a heartbeat that
    renews the lease, and stops the scheduler when ``stop`` is set (it then beats at once) or
    the lease is lost; returns it, the executor that runs the jobs and the job store."""
    executor = AppExecutor(app, lease)
    store = _JobStore(url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=table,
                      engine_options={"pool_pre_ping": True})
    scheduler = BlockingScheduler(
        jobstores={"default": store, "local": MemoryJobStore()},
        executors={"default": executor, "heartbeat": ThreadPoolExecutor(1)},
        # A job missed while no scheduler ran runs once when one starts again, however late.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=jobs.UK)

    def beat():
        with app.app_context():
            held = lease.acquire()
        if stop.is_set() or not held:
            log.info("scheduler %s stopping (%s)", lease.holder,
                     "asked to" if stop.is_set() else "lease lost")
            scheduler.shutdown(wait=False)

    scheduler.add_job(beat, "interval", seconds=heartbeat, id="heartbeat", jobstore="local",
                      executor="heartbeat")

    def beat_when_stopped():
        # a stop is acted on at once, not at the next beat (up to a third of the lease away)
        stop.wait()
        try:
            scheduler.modify_job("heartbeat", "local", next_run_time=datetime.now(jobs.UK))
        except JobLookupError:
            pass  # this scheduler has stopped already (the lease was lost)

    threading.Thread(target=beat_when_stopped, name="stop", daemon=True).start()
    return scheduler, executor, store


def stored_run_times(app, table=JOB_TABLE):
    """{job id: next run time} of the jobs already in the store. Adding a standing job again
    at start would otherwise move its next run to the future, and a run missed while no
    scheduler ran (the 1st of the month, 06:00) would be lost."""
    store = SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=table)
    store.start(BackgroundScheduler(timezone=jobs.UK), "default")  # only to read the jobs
    try:
        return {job.id: job.next_run_time for job in store.get_all_jobs()}
    finally:
        store.shutdown()


def serve(app, lease, stop, heartbeat=None, configure=jobs.schedule, table=JOB_TABLE):
    """Wait for the lease, then run the scheduler until ``stop`` is set; if the lease is
    lost meanwhile, wait for it again.

    :param configure: ``configure(scheduler, stored_run_times)`` adds the jobs
    """
    heartbeat = heartbeat or lease.ttl.total_seconds() / 3
    waiting = False
    try:
        while not stop.is_set():
            with app.app_context():
                held = lease.acquire()
            if not held:
                if not waiting:
                    log.info("another scheduler holds the lease; %s waits", lease.holder)
                waiting = True
                stop.wait(heartbeat)
                continue
            waiting = False
            log.info("scheduler %s holds the lease and runs the jobs", lease.holder)
            scheduler, executor, store = make_scheduler(app, lease, stop, heartbeat, table)
            configure(scheduler, stored_run_times(app, table))
            try:
                scheduler.start()
            finally:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                executor.shutdown(wait=True)  # a job under way finishes before we go on
                store.engine.dispose()
    finally:
        with app.app_context():
            lease.release()


@click.command("scheduler")
@click.option("--lease-seconds", default=60, show_default=True, type=click.IntRange(5, 3600),
              help="How long the lease lasts without a heartbeat: the takeover delay.")
@with_appcontext
def scheduler_command(lease_seconds):
    """Run the scheduled jobs (the monthly review, reminders) in this one process; a second
    one started by mistake waits, and takes over if this one stops."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        # APScheduler's executors say "Running job" and "executed successfully" at INFO for
        # every run: with the heartbeat every 20 s, six lines a minute of nothing happening.
        # A missed run (WARNING) and a job that fails (ERROR) are still logged.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)

    stop = threading.Event()

    def interrupted(*_):
        # Only ask: the heartbeat stops the scheduler and serve() releases the lease. Raising
        # here could break into a database call and leave its row lock held, so that releasing
        # the lease then waits on ourselves for ever.
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):  # systemd's stop, and Ctrl+C
        signal.signal(signum, interrupted)
    serve(current_app._get_current_object(), Lease(ttl=lease_seconds), stop)
    click.echo("Scheduler stopped.")
