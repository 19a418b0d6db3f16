"""A person's push subscriptions and choices, and the mentor's planned visits.

A subscription belongs to the person who said yes, on the device they were signed in on: on a
shared tablet that is the person whose token asked (``device_id`` from it), never the tablet.
Signing out with that sign-in, or having the journal erased, removes it.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from .. import access
from ..errors import ApiError, invalid
from ..extensions import db
from ..models import Pairing, Person, PushSubscription
from ..models.types import utcnow
from .reminders import DAYS, DEFAULT_AT, DEFAULT_DAYS, KINDS, next_moment, zone

MAX_ID = 2**31 - 1


def kinds_for(person):
    return list(KINDS.get(person.role, ()))


def mine(person):
    return db.session.scalars(select(PushSubscription)
                              .where(PushSubscription.person_id == person.id)
                              .order_by(PushSubscription.id)).all()


def one_of_mine(person, subscription_id):
    sub = db.session.get(PushSubscription, subscription_id) if subscription_id <= MAX_ID else None
    if sub is None or sub.person_id != person.id:
        raise ApiError("not_found", "There is no such reminder subscription.")
    return sub


def subscribe(person, token, data, now=None):
    """Register (or refresh) this browser's subscription for ``person``; new ones start with
    every reminder of their role on, at the default time, on the default days."""
    sub = db.session.scalar(select(PushSubscription).where(
        PushSubscription.person_id == person.id, PushSubscription.endpoint == data["endpoint"]))
    if sub is None:
        sub = PushSubscription(person_id=person.id, endpoint=data["endpoint"], enabled=True,
                               kinds=kinds_for(person), days=list(DEFAULT_DAYS[person.role]),
                               at=DEFAULT_AT[person.role], timezone=_home_timezone(person),
                               created_at=now or utcnow())
        db.session.add(sub)
    sub.p256dh, sub.auth = data["keys"]["p256dh"], data["keys"]["auth"]
    sub.token_id, sub.device_id = token.id, token.device_id
    return choose(person, sub, data.get("reminders") or {}, now)


def choose(person, sub, choices, now=None):
    """Apply the person's choices (any of enabled, kinds, days, time, timezone)."""
    if "kinds" in choices:
        allowed = KINDS.get(person.role, ())
        wrong = [k for k in choices["kinds"] if k not in allowed]
        if wrong:
            raise invalid("reminders.kinds", f"{wrong[0]} is not a reminder for a {person.role}")
        sub.kinds = [k for k in allowed if k in choices["kinds"]]
    if "days" in choices:
        sub.days = [d for d in DAYS if d in choices["days"]]
    if "time" in choices:
        sub.at = datetime.strptime(choices["time"], "%H:%M").time()
    if "enabled" in choices:
        sub.enabled = choices["enabled"]
    if "timezone" in choices:
        sub.timezone = choices["timezone"]
    now = now or utcnow()
    sub.updated_at = now
    sub.next_due_at = next_moment(now, sub.days, sub.at, zone(sub.timezone))
    return sub


def _home_timezone(person):
    return (person.timezone or person.organisation.timezone
            or current_app.config["DEFAULT_TIMEZONE"])


def remove(person, subscription_id):
    db.session.delete(one_of_mine(person, subscription_id))


def forget_sign_in(token):
    """Signing out: remove the person's subscriptions made with this sign-in or, on a
    tablet, on this tablet."""
    same = [PushSubscription.token_id == token.id]
    if token.device_id is not None:
        same.append(PushSubscription.device_id == token.device_id)
    db.session.execute(delete(PushSubscription).where(
        PushSubscription.person_id == token.person_id, or_(*same)))


def forget_person(person_id):
    """Erasure: every subscription of the person goes."""
    db.session.execute(delete(PushSubscription).where(PushSubscription.person_id == person_id))


def planned_visits(mentor):
    """The mentor's learners (active pairings) with the next visit each has planned."""
    if mentor.role != "mentor":
        raise ApiError("forbidden", "Only mentors plan visits.")
    rows = db.session.execute(
        select(Pairing, Person).join(Person, Person.id == Pairing.learner_id)
        .where(Pairing.mentor_id == mentor.id, Pairing.ended_at.is_(None),
               Person.active.is_(True))
        .order_by(Person.display_name, Person.id)).all()
    return [{"learner_id": p.id, "display_name": p.display_name,
             "next_visit_on": pairing.next_visit_on} for pairing, p in rows]


def plan_visit(mentor, learner_id, day):
    """Set (or with None, clear) the next visit to a learner the mentor is paired with."""
    if mentor.role != "mentor":
        raise ApiError("forbidden", "Only mentors plan visits.")
    learner = db.session.get(Person, learner_id) if 0 < learner_id <= MAX_ID else None
    pairing = db.session.scalar(select(Pairing).where(
        Pairing.mentor_id == mentor.id, Pairing.learner_id == learner_id,
        Pairing.ended_at.is_(None))) if learner is not None else None
    if pairing is None or not access.can_see_person(mentor, learner) or not learner.active:
        raise ApiError("not_found", "There is no such learner among yours.")
    if day is not None and day < (utcnow() - timedelta(days=1)).date():
        raise invalid("next_visit_on", "is in the past")
    pairing.next_visit_on = day
    return {"learner_id": learner.id, "display_name": learner.display_name,
            "next_visit_on": day}
