"""The reminder job: every minute, send what has come due (and the retries whose wait is over).

It runs in the one ``flask scheduler`` process (``backend/scheduler.py``), inside the app's
context, and is stored in the job store by reference like the review's job. What is due lives
in the database (``push_subscriptions.next_due_at``, ``sent_reminders``), not in APScheduler,
so a restart, a missed tick or a second scheduler started by mistake loses and repeats nothing.
"""
import logging
import os
from collections import Counter

import requests

from ..models.types import utcnow
from . import delivery

log = logging.getLogger(__name__)

TICK = "push-reminders"


def send_due_reminders(now=None):
    """Send every reminder that has come due by ``now``; returns {outcome: count}."""
    now = now or utcnow()
    done = Counter()
    with requests.Session() as session:  # one connection per push service, reused
        for row_id in delivery.due_retries(now):
            done[delivery.deliver(row_id, now, session)] += 1
        for subscription_id in delivery.due_subscriptions(now):
            for row_id in delivery.plan(subscription_id, now):
                done[delivery.deliver(row_id, now, session)] += 1
    if done:
        log.info("reminders: %s", ", ".join(f"{n} {status}" for status, n in sorted(done.items())))
    return dict(done)


def schedule(scheduler, stored=None, every=None):
    """Add the reminder job, keeping a stored next run time (``backend.jobs.schedule`` calls
    this). ``PUSH_TICK_SECONDS`` in the environment shortens the minute, for tests."""
    every = every or float(os.environ.get("PUSH_TICK_SECONDS", "60"))
    keep = {"next_run_time": stored[TICK]} if (stored or {}).get(TICK) else {}
    scheduler.add_job("backend.push.jobs:send_due_reminders", "interval", seconds=every,
                      id=TICK, name="Send the reminders that have come due",
                      replace_existing=True, **keep)
