"""Claim what is due, send it, write down what became of it: each reminder at most once.

A reminder is *claimed* by inserting its unique (subscription, kind, occurrence) row and
committing, in the same transaction that moves the subscription on to its next moment, before
anything is sent. Whoever claims second (a second scheduler, a rerun after a restart) finds
the row, or the moved moment, and sends nothing. A process that dies between the claim and the
send loses that one reminder: at most once, never twice, is the promise.
"""
import logging
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Device, PushSubscription, SentReminder, StaffNotice
from . import reminders, sender

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  # doubled after each failure: 1, 2, 4, 8 minutes
MAX_WAIT = timedelta(hours=1)  # however long a push service's Retry-After asks for
LATE = timedelta(hours=3)  # a moment missed by more than this (no scheduler ran) is let go


def due_subscriptions(now):
    """Ids of the switched-on subscriptions whose chosen moment has come."""
    return db.session.scalars(
        select(PushSubscription.id).where(PushSubscription.enabled.is_(True),
                                          PushSubscription.next_due_at <= now)
        .order_by(PushSubscription.next_due_at)).all()


def plan(subscription_id, now):
    """Claim this subscription's reminders for its due moment and move it on to the next one;
    returns the ids of the claimed rows, to send after the commit."""
    # Lock first, read after: PostgreSQL waits here for another claimer's commit; SQLite takes
    # its write lock now rather than failing later with SQLITE_BUSY_SNAPSHOT.
    db.session.execute(update(PushSubscription).where(PushSubscription.id == subscription_id)
                       .values(next_due_at=PushSubscription.next_due_at))
    sub = db.session.get(PushSubscription, subscription_id, populate_existing=True)
    if sub is None or not sub.enabled or sub.next_due_at is None or sub.next_due_at > now:
        db.session.commit()
        return []
    if not _still_wanted(sub):
        log.info("push subscription %s removed: its person or tablet is gone", sub.id)
        db.session.delete(sub)
        db.session.commit()
        return []
    tz = reminders.zone(sub.timezone)
    moment = sub.next_due_at
    if now - moment > LATE:
        moment = reminders.next_moment(now - LATE, sub.days, sub.at, tz)
    rows = []
    if moment is not None and moment <= now:
        wanted = reminders.messages(sub.person, sub.kinds, moment.astimezone(tz).date(), now)
        rows = _claim(sub, wanted, now)
        moment = reminders.next_moment(moment, sub.days, sub.at, tz)
    sub.next_due_at = moment
    try:
        db.session.commit()
    except IntegrityError:  # claimed meanwhile by another process: theirs to send
        db.session.rollback()
        return []
    return [row.id for row in rows]


def _still_wanted(sub):
    if not sub.person.active:
        return False
    device = db.session.get(Device, sub.device_id) if sub.device_id else None
    return device is None or device.revoked_at is None


def _claim(sub, wanted, now):
    taken = set(db.session.execute(
        select(SentReminder.kind, SentReminder.occurrence)
        .where(SentReminder.subscription_id == sub.id)).all())
    rows = [SentReminder(subscription_id=sub.id, kind=m.kind, occurrence=m.occurrence,
                         payload=m.payload, status="sending", attempts=0, claimed_at=now)
            for m in wanted if (m.kind, m.occurrence) not in taken]
    db.session.add_all(rows)
    return rows


def due_retries(now):
    """Claim the failed sends whose wait is over; returns their ids."""
    ids = db.session.scalars(select(SentReminder.id).where(SentReminder.status == "retry",
                                                           SentReminder.retry_at <= now)).all()
    claimed = []
    for row_id in ids:
        taken = db.session.execute(
            update(SentReminder).where(SentReminder.id == row_id, SentReminder.status == "retry")
            .values(status="sending")).rowcount
        db.session.commit()
        if taken:
            claimed.append(row_id)
    return claimed


def deliver(row_id, now, session=None):
    """Send one claimed reminder and record the outcome; returns the outcome's status."""
    row = db.session.get(SentReminder, row_id)
    sub = db.session.get(PushSubscription, row.subscription_id)
    if not sub.enabled:  # switched off while this waited to be tried again
        row.status, row.last_error = "failed", "switched off before it could be sent"
        db.session.commit()
        return row.status
    target = SimpleNamespace(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth)
    kind, payload = row.kind, row.payload
    db.session.commit()  # no transaction stays open while the push service answers
    outcome = sender.send(target, payload, reminders.WORDS[kind][3], topic=kind,
                          session=session)
    _record(row_id, target, outcome, now)
    return outcome.status


def _record(row_id, target, outcome, now):
    row = db.session.get(SentReminder, row_id)
    where = f"reminder {row.id} ({row.kind}) to {sender.host(target)}"
    if outcome.status == "gone":
        log.info("%s: the push service answered %s; subscription %s removed", where,
                 outcome.code, row.subscription_id)
        db.session.execute(delete(PushSubscription)
                           .where(PushSubscription.id == row.subscription_id))
        db.session.commit()
        return
    row.attempts += 1
    if outcome.status == "sent":
        row.status, row.sent_at, row.last_error = "sent", now, None
        _notice_sent(row, now)
    elif outcome.status == "retry" and row.attempts < MAX_ATTEMPTS:
        wait = min(max(BACKOFF * 2 ** (row.attempts - 1),
                       timedelta(seconds=outcome.retry_after or 0)), MAX_WAIT)
        row.status, row.retry_at, row.last_error = "retry", now + wait, outcome.detail
        log.warning("%s failed (%s); try %d of %d in %d s", where, outcome.detail,
                    row.attempts + 1, MAX_ATTEMPTS, wait.total_seconds())
    else:
        row.status, row.last_error = "failed", outcome.detail
        log.error("%s failed (%s) after %d tries; given up", where, outcome.detail, row.attempts)
    db.session.commit()


def _notice_sent(row, now):
    """Tell the review's notice that it reached staff (``StaffNotice.sent_at``)."""
    if row.kind == "review" and row.occurrence.startswith("notice-"):
        db.session.execute(update(StaffNotice).where(
            StaffNotice.id == int(row.occurrence.removeprefix("notice-")),
            StaffNotice.sent_at.is_(None)).values(sent_at=now))
