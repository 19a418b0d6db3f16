"""When reminders go: at the chosen local time across the changes to and from summer time,
once across a scheduler restart, and once with two schedulers started by mistake."""
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from backend import create_app
from backend.extensions import db
from backend.models import PushSubscription, SentReminder
from backend.models.types import utcnow
from backend.push import jobs as push_jobs
from backend.push.jobs import send_due_reminders
from backend.push.reminders import next_moment

from ..live_server import ROOT
from ..push_service import PushService
from ..scheduler_thread import scheduler_threads, wait_for

UK = ZoneInfo("Europe/London")
SPRING_FORWARD, FALL_BACK = date(2026, 3, 29), date(2026, 10, 25)


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def subscribe(client, auth, make, push_service):
    org = make.org()

    def subscribe(at="18:30"):
        learner = make.learner(org)
        body = {**push_service.subscribe(),
                "reminders": {"kinds": ["record"], "time": at, "timezone": "Europe/London"}}
        resp = client.post("/api/push/subscriptions", json=body, headers=auth.headers(learner))
        assert resp.status_code == 201, resp.json
        return resp.json["id"]

    return subscribe


def set_next(app, sub_id, when):
    with app.app_context():
        db.session.execute(update(PushSubscription).where(PushSubscription.id == sub_id)
                           .values(next_due_at=when))
        db.session.commit()


def sent_at(app):
    """When each reminder was claimed, in UK time (the scheduler's clock, simulated or not)."""
    with app.app_context():
        try:
            return [t.astimezone(UK) for t in db.session.scalars(
                select(SentReminder.claimed_at).where(SentReminder.status == "sent")
                .order_by(SentReminder.id))]
        finally:
            db.session.rollback()


def run_clock(app, start, end, step=timedelta(minutes=5)):
    """Tick the reminder job as the scheduler would, on a simulated clock."""
    with app.app_context():
        now = start
        while now <= end:
            send_due_reminders(now)
            now += step


@pytest.mark.parametrize("day, chosen, expected", [
    (SPRING_FORWARD, "18:30", "18:30 BST"),
    (FALL_BACK, "18:30", "18:30 GMT"),
    (SPRING_FORWARD, "01:30", "02:30 BST"),  # 01:30 never happens that night: an hour later
    (FALL_BACK, "01:30", "01:30 BST"),  # 01:30 happens twice: the first one only
])
def test_a_reminder_goes_once_at_the_chosen_local_time_when_the_clocks_change(
        app, subscribe, push_service, day, chosen, expected):
    sub_id = subscribe(chosen)
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), UK)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UK)
    with app.app_context():
        sub = db.session.get(PushSubscription, sub_id)
        set_next(app, sub_id, next_moment(start, sub.days, sub.at, UK))
    run_clock(app, start.astimezone(timezone.utc), end.astimezone(timezone.utc))
    day_before, on_the_day = sent_at(app)
    assert on_the_day.date() == day and on_the_day.strftime("%H:%M %Z") == expected
    assert day_before.date() == day - timedelta(days=1)
    assert len(push_service.delivered()) == 2


def test_a_reminder_missed_by_a_few_minutes_still_goes_and_one_missed_by_hours_does_not(
        app, subscribe, push_service):
    sub_id = subscribe("18:30")
    moment = datetime(2026, 6, 1, 18, 30, tzinfo=UK)
    set_next(app, sub_id, moment)
    with app.app_context():
        assert send_due_reminders(moment + timedelta(minutes=40)) == {"sent": 1}
    set_next(app, sub_id, moment + timedelta(days=1))
    with app.app_context():
        assert send_due_reminders(moment + timedelta(days=1, hours=5)) == {}
        next_due = db.session.get(PushSubscription, sub_id).next_due_at
    assert next_due.astimezone(UK) == moment + timedelta(days=2)


def test_two_senders_at_once_send_each_reminder_once(app, subscribe, push_service):
    """Even without the scheduler's lease, the claim keeps it to one."""
    ids = [subscribe() for _ in range(4)]
    now = utcnow()
    for sub_id in ids:
        set_next(app, sub_id, now - timedelta(minutes=1))
    apps = [create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "TESTING": True}) for _ in range(2)]
    gate = threading.Barrier(2)

    def sender(other):
        with other.app_context():
            gate.wait()
            send_due_reminders(now)
            db.engine.dispose()

    threads = [threading.Thread(target=sender, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(p.token for p in push_service.received) == sorted(
        {p.token for p in push_service.received})
    assert len(push_service.received) == 4


@pytest.fixture
def runners(database_url):
    # the reminder job ticks every 0.2 seconds instead of every minute
    yield from scheduler_threads(database_url, functools.partial(push_jobs.schedule, every=0.2))


def test_a_reminder_due_while_no_scheduler_ran_goes_once_when_one_starts(
        app, subscribe, push_service, runners):
    sub_id = subscribe()
    set_next(app, sub_id, utcnow() - timedelta(minutes=20))
    runners("after a restart").start()
    assert wait_for(lambda: len(push_service.received) == 1)
    time.sleep(1)  # five more ticks
    assert len(push_service.received) == 1


def test_a_restarted_scheduler_does_not_send_again_what_was_sent(app, subscribe, push_service,
                                                                 runners):
    sub_id = subscribe()
    moment = utcnow() - timedelta(minutes=2)
    set_next(app, sub_id, moment)
    first = runners("first").start()
    assert wait_for(lambda: len(push_service.received) == 1)
    first.halt()
    set_next(app, sub_id, moment)  # as if the move to the next moment had been lost
    runners("second").start()
    assert wait_for(lambda: _next_due(app, sub_id) > utcnow())
    time.sleep(0.6)
    assert len(push_service.received) == 1


def _next_due(app, sub_id):
    with app.app_context():
        try:
            return db.session.get(PushSubscription, sub_id).next_due_at
        finally:
            db.session.rollback()


def test_two_schedulers_started_by_mistake_send_each_reminder_once(app, subscribe, push_service,
                                                                   runners):
    ids = [subscribe() for _ in range(3)]
    runners("one").start(), runners("two").start()
    time.sleep(0.5)  # both are up: one holds the lease, the other waits
    for sub_id in ids:
        set_next(app, sub_id, utcnow() - timedelta(minutes=1))
    assert wait_for(lambda: len(push_service.received) == 3)
    time.sleep(1.5)
    assert len({p.token for p in push_service.received}) == len(push_service.received) == 3


@pytest.mark.slow
def test_two_flask_scheduler_processes_send_a_reminder_once(app, subscribe, push_service,
                                                            database_url, tmp_path):
    sub_id = subscribe()
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path),
           "FLASK_APP": "backend", "SECRET_KEY": "test", "PUSH_ALLOW_LOOPBACK": "1",
           "PUSH_TICK_SECONDS": "0.5"}
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "--lease-seconds", "5"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        time.sleep(3)  # both started
        set_next(app, sub_id, utcnow() - timedelta(minutes=1))
        assert wait_for(lambda: len(push_service.received) == 1, 30)
        time.sleep(3)
        assert len(push_service.received) == 1
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
