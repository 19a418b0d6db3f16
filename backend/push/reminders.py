"""What is due when: the moments people chose, and what each kind of reminder has to say.

Every reminder is looked at only at the person's chosen time, on their chosen days, in their
timezone: one gentle moment a day, never a stream. A kind with nothing to say stays quiet.
Words are general on purpose (tablets are shared): never journal content, never a name.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import Text, cast, func, select

from ..extensions import db
from ..models import COLLECTIONS, Checkin, Device, Pairing, Person, StaffNotice, SyncMutation

# Which reminders each role can have, in the order the app lists them.
KINDS = {"learner": ("record", "checkin"), "mentor": ("visit",),
         "staff": ("review", "devices", "waiting")}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
DEFAULT_AT = {"learner": time(18, 0), "mentor": time(18, 0), "staff": time(9, 0)}
DEFAULT_DAYS = {"learner": DAYS, "mentor": DAYS, "staff": DAYS[:5]}

CHECKIN_EVERY = timedelta(days=28)  # pwa/views/checkin.js's DUE_DAYS
SILENT_FOR = timedelta(days=5)  # the review's "devices silent for 5+ days"
RECENT = timedelta(days=14)  # how far back a refusal or a "review ready" notice still counts
REVIEW_NOTICE = "review_ready"  # backend/review/snapshot.py's NOTICE_KIND

TITLE = "What Matters"
# kind: (words for one, words for several, the screen a tap opens, seconds a push service
# may hold it for a device that is off)
WORDS = {
    "record": ("Would you like to note what you did today?", None, "/#/session/new", 4 * 3600),
    "checkin": ("Would you like to say how you have been feeling lately?", None,
                "/#/checkin/1", 4 * 3600),
    "visit": ("You have a visit tomorrow.", "You have {n} visits tomorrow.", "/#/mentor",
              12 * 3600),
    "review": ("The monthly review is ready to read.", None, "/review/index.html", 86400),
    "devices": ("A tablet has not been used for 5 days or more.",
                "{n} tablets have not been used for 5 days or more.", "/review/index.html",
                86400),
    "waiting": ("A change from a tablet is waiting for someone to look at it.",
                "{n} changes from tablets are waiting for someone to look at them.",
                "/#/staff", 86400),
}


@dataclass(frozen=True)
class Message:
    """One reminder for one subscription: sent at most once per (kind, occurrence)."""

    kind: str
    occurrence: str
    payload: dict
    ttl: int


@lru_cache(maxsize=1)
def timezones():
    return frozenset(available_timezones())


def zone(name):
    return ZoneInfo(name if name in timezones() else "Europe/London")


def next_moment(after, days, at, tz):
    """The first chosen moment strictly after ``after`` (aware), in UTC; None with no days.

    A time that does not exist on the day the clocks go forward (01:30) falls an hour later;
    one that happens twice when they go back is the first of the two. Either way, once a day.
    """
    wanted = {DAYS.index(d) for d in days}
    start = after.astimezone(tz).date()
    for offset in range(8):
        day = start + timedelta(days=offset)
        if day.weekday() not in wanted:
            continue
        moment = datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc)
        if moment > after:
            return moment
    return None


def payload(kind, count=1):
    one, several, url, _ = WORDS[kind]
    body = several.format(n=count) if count > 1 and several else one
    return {"title": TITLE, "body": body, "url": url, "tag": f"wm-{kind}"}


def messages(person, kinds, local_day, now):
    """What ``person`` should be told at their moment on ``local_day`` (their date)."""
    found = []
    for kind in kinds:
        if kind not in KINDS.get(person.role, ()):
            continue
        for occurrence, count in RULES[kind](person, local_day, now):
            found.append(Message(kind, occurrence, payload(kind, count), WORDS[kind][3]))
    return found


def _record(person, day, now):
    yield day.isoformat(), 1


def _checkin(person, day, now):
    """Due when there is no check-in in the last 28 days: once per due spell, not daily."""
    last_date, last_created = db.session.execute(
        select(func.max(Checkin.date), func.max(Checkin.created_at))
        .where(Checkin.learner_id == person.id, Checkin.deleted.is_(False))).one()
    days = [d for d in (last_date, last_created and last_created.date()) if d is not None]
    if not days:
        yield "first", 1
    elif day - max(days) >= CHECKIN_EVERY:
        yield f"due-{max(days) + CHECKIN_EVERY}", 1


def _visit(person, day, now):
    tomorrow = day + timedelta(days=1)
    count = db.session.scalar(
        select(func.count()).select_from(Pairing).join(Person, Person.id == Pairing.learner_id)
        .where(Pairing.mentor_id == person.id, Pairing.ended_at.is_(None),
               Pairing.next_visit_on == tomorrow, Person.active.is_(True)))
    if count:
        yield tomorrow.isoformat(), count


def _review(person, day, now):
    notices = db.session.scalars(
        select(StaffNotice.id).where(StaffNotice.organisation_id == person.organisation_id,
                                     StaffNotice.kind == REVIEW_NOTICE,
                                     StaffNotice.created_at >= now - RECENT)
        .order_by(StaffNotice.id))
    for notice_id in notices:
        yield f"notice-{notice_id}", 1


def _devices(person, day, now):
    """Once for each set of silent tablets: a tablet that goes silent again says so again."""
    last = func.coalesce(Device.last_seen_at, Device.created_at)
    rows = db.session.execute(
        select(Device.id, last).where(Device.organisation_id == person.organisation_id,
                                      Device.revoked_at.is_(None), last <= now - SILENT_FOR)
        .order_by(Device.id)).all()
    if rows:
        yield _digest(f"{device_id}@{seen}" for device_id, seen in rows), len(rows)


def _waiting(person, day, now):
    """Entries kept in two versions by a conflict, and changes the server refused lately, of
    the organisation's learners: again only when something new arrives."""
    learners = select(Person.id).where(Person.organisation_id == person.organisation_id,
                                       Person.role == "learner")
    count, latest = 0, None
    for model in COLLECTIONS.values():
        n, at = db.session.execute(
            select(func.count(), func.max(model.updated_at))
            .where(model.learner_id.in_(learners), model.deleted.is_(False),
                   # SQL NULL, JSON null and {} all mean "no conflict"
                   cast(model.conflicts, Text).not_in(["null", "{}"]))).one()
        count, latest = count + n, max(filter(None, (latest, at)), default=None)
    n, at = db.session.execute(
        select(func.count(), func.max(SyncMutation.created_at))
        .where(SyncMutation.learner_id.in_(learners), SyncMutation.status == "rejected",
               SyncMutation.created_at >= now - RECENT)).one()
    count, latest = count + n, max(filter(None, (latest, at)), default=None)
    if count:
        yield latest.isoformat(timespec="seconds"), count


def _digest(parts):
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


RULES = {"record": _record, "checkin": _checkin, "visit": _visit, "review": _review,
         "devices": _devices, "waiting": _waiting}
