"""The scheduler: one lease, so two schedulers started by mistake run each job once; jobs run
inside the app's context; a job missed while no scheduler ran runs once when one starts."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import current_app
from sqlalchemy import MetaData, Table, create_engine, func, inspect, select, update

from backend import jobs
from backend.extensions import db
from backend.models import ReviewSnapshot, SchedulerLease
from backend.models.types import utcnow
from backend.scheduler import Lease

from ..live_server import ROOT
from ..scheduler_thread import scheduler_threads, wait_for

UK = ZoneInfo("Europe/London")
RAN = []  # (scheduler name, time) of every tick


def tick():
    """A test job: notes which scheduler's app ran it (so it ran inside an app context)."""
    RAN.append((current_app.config["NAME"], time.monotonic()))


def _every_fifth_of_a_second(scheduler, stored):
    scheduler.add_job("tests.api.test_scheduler:tick", "interval", seconds=0.2, id="tick",
                      replace_existing=True)


@pytest.fixture
def runners(app, database_url):
    RAN.clear()
    yield from scheduler_threads(database_url, _every_fifth_of_a_second)


def _scalar(app, stmt):
    """A fresh read (SQLite would otherwise keep showing the transaction's first snapshot)."""
    with app.app_context():
        try:
            return db.session.scalar(stmt)
        finally:
            db.session.rollback()


def test_a_free_lease_is_taken_and_a_held_one_refused(app):
    with app.app_context():
        first, second = Lease(holder="first"), Lease(holder="second")
        assert first.acquire() and not second.acquire()
        assert first.acquire()  # renewing our own


def test_an_expired_lease_passes_to_the_next_scheduler(app):
    with app.app_context():
        first, second = Lease(holder="first"), Lease(holder="second")
        first.acquire()
        gone = utcnow() - timedelta(seconds=1)
        db.session.execute(update(SchedulerLease).values(expires_at=gone))
        db.session.commit()
        assert second.acquire() and not first.acquire()


def test_only_the_holder_releases_the_lease(app):
    with app.app_context():
        first, second = Lease(holder="first"), Lease(holder="second")
        first.acquire()
        second.release()
        assert not second.acquire()
        first.release()
        assert second.acquire()


def test_two_schedulers_started_by_mistake_run_each_job_once(runners):
    one, two = runners("one").start(), runners("two").start()
    assert wait_for(lambda: len(RAN) >= 8)
    ran_by = {name for name, _ in RAN}
    assert len(ran_by) == 1
    winner, waiting = (one, two) if ran_by == {"one"} else (two, one)
    winner.halt()
    count = len(RAN)
    assert wait_for(lambda: any(name == waiting.lease.holder for name, _ in RAN[count:]))


def test_a_scheduler_that_loses_its_lease_stops_running_jobs(runners, app):
    one = runners("one").start()
    assert wait_for(lambda: len(RAN) >= 2)
    with app.app_context():
        db.session.execute(update(SchedulerLease).values(
            holder="another machine", expires_at=utcnow() + timedelta(hours=1)))
        db.session.commit()
    time.sleep(0.6)  # a heartbeat notices; a job about to run checks the lease first
    count = len(RAN)
    time.sleep(1)
    assert len(RAN) == count
    assert one.thread.is_alive()  # waiting for the lease, not gone


def test_the_monthly_review_is_due_on_the_first_at_six_uk_time():
    scheduler = BackgroundScheduler(timezone=UK)
    jobs.schedule(scheduler)
    trigger = scheduler.get_job(jobs.MONTHLY_REVIEW).trigger
    after = trigger.get_next_fire_time(None, datetime(2026, 11, 26, 12, tzinfo=UK))
    assert after == datetime(2026, 12, 1, 6, tzinfo=UK)
    # across the change to summer time: 06:00 BST is 05:00 UTC
    spring = trigger.get_next_fire_time(None, datetime(2027, 3, 15, tzinfo=UK))
    assert (spring.isoformat(), spring.utcoffset()) == ("2027-04-01T06:00:00+01:00",
                                                         timedelta(hours=1))


def _drop_table(database_url, table):
    engine = create_engine(database_url)
    try:
        Table(table, MetaData()).drop(engine, checkfirst=True)
    finally:
        engine.dispose()


def _stored_job(database_url, table, keep_open=False):
    """The monthly job as stored (None while the scheduler has not made its table yet)."""
    engine = create_engine(database_url)
    try:
        if not inspect(engine).has_table(table):
            return None
    finally:
        engine.dispose()
    store = SQLAlchemyJobStore(url=database_url, tablename=table)
    store.start(BackgroundScheduler(timezone=UK), "default")
    job = store.lookup_job(jobs.MONTHLY_REVIEW)
    if keep_open:
        return store, job
    store.shutdown()
    return job


def test_a_monthly_review_missed_while_no_scheduler_ran_runs_once_on_restart(
        runners, app, make, database_url):
    make.org()
    first = runners("before", configure=jobs.schedule).start()
    assert wait_for(lambda: _stored_job(database_url, first.table) is not None)
    first.halt()
    store, job = _stored_job(database_url, first.table, keep_open=True)
    job._modify(next_run_time=datetime.now(UK) - timedelta(days=3))  # down on the 1st
    store.update_job(job)
    store.shutdown()
    runners("after restart", configure=jobs.schedule).start()
    assert wait_for(lambda: _scalar(app, select(func.count()).select_from(ReviewSnapshot)) == 1)
    assert wait_for(lambda: _stored_job(database_url, first.table).next_run_time
                     > datetime.now(UK))


def _flask_scheduler(database_url, tmp_path, lease_seconds=6):
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path),
           "FLASK_APP": "backend", "SECRET_KEY": "test"}
    return subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "--lease-seconds",
                             str(lease_seconds)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _stop(proc, database_url):
    """SIGTERM the ``flask scheduler`` process; its return code and what it printed."""
    try:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        # the jobs it stored would outlive the test, next run times and all
        _drop_table(database_url, "apscheduler_jobs")
    return proc.returncode, output


def _at_work(app, database_url, proc):
    """Wait until the ``flask scheduler`` process ``proc`` holds the lease (its signal handlers
    are set by then) and its jobs are stored (a table left by another test does not count
    before that)."""
    assert wait_for(lambda: f":{proc.pid}:" in (
        _scalar(app, select(SchedulerLease.holder)) or ""), 30)
    assert wait_for(lambda: _stored_job(database_url, "apscheduler_jobs") is not None, 30)


def test_flask_scheduler_holds_the_lease_and_lets_it_go_on_sigterm(app, database_url,
                                                                   tmp_path):
    proc = _flask_scheduler(database_url, tmp_path)
    try:
        _at_work(app, database_url, proc)  # stopping now is stopping a scheduler at work
    finally:
        returncode, output = _stop(proc, database_url)
    assert returncode == 0, output
    assert "Scheduler stopped." in output
    assert _scalar(app, select(func.count()).select_from(SchedulerLease)) == 0


def test_flask_scheduler_stops_on_sigterm_without_waiting_for_its_next_heartbeat(
        app, database_url, tmp_path):
    """With a lease of an hour its heartbeat beats every 20 minutes; `systemctl stop`, or
    Ctrl+C under `make run`, still stops it at once (``_stop`` waits 30 s at most)."""
    proc = _flask_scheduler(database_url, tmp_path, lease_seconds=3600)
    try:
        _at_work(app, database_url, proc)
    finally:
        returncode, output = _stop(proc, database_url)
    assert returncode == 0, output
    assert "stopping (asked to)" in output and "Scheduler stopped." in output
    assert _scalar(app, select(func.count()).select_from(SchedulerLease)) == 0


def test_flask_scheduler_logs_its_lease_but_not_each_heartbeat(app, database_url, tmp_path):
    proc = _flask_scheduler(database_url, tmp_path)
    try:
        assert wait_for(lambda: _scalar(app, select(SchedulerLease.expires_at)) is not None, 30)
        first = _scalar(app, select(SchedulerLease.expires_at))
        # renewed: the heartbeat (every 2 s with a lease of 6) has run at least once
        assert wait_for(lambda: _scalar(app, select(SchedulerLease.expires_at)) > first, 30)
    finally:
        returncode, output = _stop(proc, database_url)
    assert returncode == 0, output
    assert "holds the lease and runs the jobs" in output
    assert "Running job" not in output and "executed successfully" not in output, output
