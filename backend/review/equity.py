"""Equity: who has gone quiet, how the mentors' load is shared, which tablets are silent."""
from datetime import timedelta

from sqlalchemy import exists, func, or_, select

from ..extensions import db
from ..models import COLLECTIONS, Device, Pairing, Person
from .period import QUIET_DAYS, SILENT_DAYS
from .queries import counted_ids


def _wrote_between(person_id, start, end):
    """Whether the learner wrote anything (still there) from ``start`` until ``end``."""
    return or_(*[exists().where(m.learner_id == person_id, m.deleted.is_(False),
                                m.created_at >= start, m.created_at < end)
                 for m in COLLECTIONS.values()])


def quiet_query(org_ids, start, end):
    """Learners counted by the review, with us since before ``start``, who wrote nothing from
    ``start`` until ``end``."""
    return select(Person).where(Person.id.in_(counted_ids(org_ids)), Person.active.is_(True),
                                Person.created_at < start, ~_wrote_between(Person.id, start, end))


def quiet_ids(org_ids, start, end):
    stmt = quiet_query(org_ids, start, end).with_only_columns(Person.id)
    return set(db.session.scalars(stmt))


def _shares_with_care_team(person_id):
    return or_(*[exists().where(m.learner_id == person_id, m.deleted.is_(False),
                                m.visibility == "care_team") for m in COLLECTIONS.values()])


def quiet_named(org_ids, now):
    """The quiet learners (nothing written in the last 14 days) who share entries with the
    care team, by name: for staff to check on, each naming audited by the caller."""
    start = now - timedelta(days=QUIET_DAYS)
    stmt = (quiet_query(org_ids, start, now + timedelta(seconds=1))
            .where(_shares_with_care_team(Person.id)).order_by(Person.display_name, Person.id))
    return db.session.scalars(stmt).all()


def mentor_load(org_ids, logged):
    """Per active mentor: (name, learners paired now, sessions they logged, the learners
    those sessions were with). Only learners the review counts are counted.

    :param logged: (author id, learner id, sessions) of the period, from ``session_rows``
    """
    paired = (select(Pairing.mentor_id, func.count().label("n"))
              .where(Pairing.ended_at.is_(None), Pairing.learner_id.in_(counted_ids(org_ids)))
              .group_by(Pairing.mentor_id).subquery())
    mentors = db.session.execute(
        select(Person.id, Person.display_name, func.coalesce(paired.c.n, 0))
        .outerjoin(paired, paired.c.mentor_id == Person.id)
        .where(Person.organisation_id.in_(org_ids), Person.role == "mentor",
               Person.active.is_(True))
        .order_by(Person.display_name, Person.id)).all()
    sessions, learners = {}, {}
    for author_id, learner_id, n in logged:
        sessions[author_id] = sessions.get(author_id, 0) + n
        learners.setdefault(author_id, set()).add(learner_id)
    return [(name, n, sessions.get(mid, 0), learners.get(mid, set()))
            for mid, name, n in mentors]


def silent_devices(org_ids, now):
    """Enrolled tablets not heard from for 5 days or more: (name, last seen or None, days)."""
    seen = func.coalesce(Device.last_seen_at, Device.created_at)
    rows = db.session.execute(
        select(Device.name, Device.last_seen_at, Device.created_at)
        .where(Device.organisation_id.in_(org_ids), Device.revoked_at.is_(None),
               seen <= now - timedelta(days=SILENT_DAYS))
        .order_by(seen, Device.name)).all()
    return [(name, last, (now - (last or created)).days) for name, last, created in rows]
