"""The scheduler's jobs. Each runs inside ``app.app_context()`` (the scheduler's executor sees
to that, see ``backend.scheduler``), so a job is a plain function using ``db`` and
``current_app``. Jobs are stored in the application database by reference
("backend.jobs:monthly_review"), so a restarted scheduler finds them again.

Every job must be safe to run twice: the lease keeps one scheduler running, and the job's own
unique keys make a second run change nothing.
"""
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
MONTHLY_REVIEW = "monthly-review"


def previous_month(now=None):
    """"YYYY-MM" of the month before ``now`` (UK time)."""
    today = (now or datetime.now(UK)).astimezone(UK).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def monthly_review(month=None):
    """Prepare last month's review for every organisation and note that staff should be told."""
    from .review.snapshot import prepare_all

    month = month or previous_month()
    done = prepare_all(month)
    made = sum(1 for _, _, new in done if new)
    log.info("monthly review %s: %d organisations, %d new snapshots", month, len(done), made)
    return made


def schedule(scheduler, stored=None):
    """Add the standing jobs, replacing stored copies (their trigger may have changed) but
    keeping a stored next run time, so that a run missed while no scheduler ran still happens.

    :param stored: {job id: next run time} already in the job store
    """
    from .push import jobs as push_jobs

    _standing(scheduler, stored or {}, "backend.jobs:monthly_review",
              CronTrigger(day=1, hour=6, timezone=UK), MONTHLY_REVIEW,
              "Prepare last month's review")
    push_jobs.schedule(scheduler, stored)  # the reminders, every minute


def _standing(scheduler, stored, func, trigger, job_id, name):
    keep = {"next_run_time": stored[job_id]} if stored.get(job_id) else {}
    scheduler.add_job(func, trigger, id=job_id, name=name, replace_existing=True, **keep)
