"""The review's SQL: aggregates computed in the database, grouped by learner at the finest.

Every query counts only live records (not deleted) of learners who have not opted out, in the
organisations of the review. Records of any visibility count: numbers are anonymous totals
(docs/review.md, "Privacy"). Rows come back grouped by learner (and month, or rung), never one
per journal record, so the Python that follows handles at most a few thousand rows, and
suppression can know exactly which learners each figure is drawn from.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import (Text, and_, case, cast, exists, func, literal, or_, select, union,
                        union_all)

from ..extensions import db
from ..journal.schemas import BENEFITS, LADDER
from ..models import Checkin, Contribution, Goal, LearningSession, Person, Profile, Reflection
from .period import Period

ONS4 = ("life_satisfaction", "worthwhile", "happy", "anxious")
MAX_QUOTES = 30
DATED = (LearningSession, Contribution, Reflection, Checkin)


def _all(stmt):
    # Core rows, not ORM ones: the review reads thousands of plain tuples.
    return db.session.connection().execute(stmt).all()


def counted_ids(org_ids):
    """The learners the review may count: in these organisations, not opted out. Learners who
    have since left (inactive) still count for the days they took part."""
    return select(Person.id).where(Person.organisation_id.in_(org_ids),
                                   Person.role == "learner", Person.opted_out.is_(False))


def population(org_ids, period, took_part):
    """The learners taking part in the review of ``period``: counted, joined by its end, and
    still active, or made inactive since but with entries in it (``took_part``, the period's
    active learners). A learner who joins later is not counted in an earlier period."""
    still_here = counted_ids(org_ids).where(Person.active.is_(True),
                                            Person.created_at < period.end)
    return set(db.session.scalars(still_here)) | set(took_part)


def _live(model, org_ids):
    return and_(model.deleted.is_(False), model.learner_id.in_(counted_ids(org_ids)))


def _between(column, start, end):
    return and_(column >= start, column < end)


def trend_period(period):
    """The days of the trend's months (``Period.months``)."""
    months = period.months()
    return Period(months[0][1], months[-1][2] - timedelta(days=1), period.tz)


@dataclass(frozen=True)
class Scope:
    """What a review counts: the organisations, the period, and the kinds of entry of which
    some have no date (rare: the app always gives one)."""

    org_ids: tuple
    period: Period
    undated: frozenset

    @classmethod
    def of(cls, org_ids, period):
        # Any undated entry at all, not just in the period: a quick look along the indexes
        # (learner, date), where a look by day written would read the whole period.
        checks = [select(literal(model.__tablename__)).where(exists().where(
            _live(model, org_ids), model.date.is_(None))) for model in DATED]
        return cls(tuple(org_ids), period, frozenset(r[0] for r in _all(union_all(*checks))))


def in_period(model, columns, scope, period=None):
    """The live records of ``model`` in the period (the scope's, unless given), with
    ``columns``, as a subquery.

    A record's day is its own ``date`` when it has one, else the day it was written. An OR
    between the two would keep the database from reading one index range per learner, so the
    dated ones are read on their own, and those without a date are added with UNION ALL only
    when the scope has some.
    """
    period = period or scope.period
    base = select(*columns).where(_live(model, scope.org_ids))
    written = _between(model.created_at, period.start, period.end)
    if not hasattr(model, "date"):
        return base.where(written).subquery()
    dated = base.where(model.date.between(period.first, period.last))
    if model.__tablename__ not in scope.undated:
        return dated.subquery()
    return union_all(dated, base.where(model.date.is_(None), written)).subquery()


def _moment(day, tz):
    return datetime.combine(day, time(), tz)


def month_of(rows, months, tz):
    """A CASE giving the "YYYY-MM" of each row's day (see ``in_period``), among ``months``;
    ``rows`` has a ``created_at`` column, and a ``date`` column if the record has one."""
    written = case(*[(rows.c.created_at < _moment(after, tz), label)
                     for label, _, after in months])
    if "date" not in rows.c:
        return written
    dated = case(*[(rows.c.date < after, label) for label, _, after in months])
    return case((rows.c.date.is_not(None), dated), else_=written)


def session_rows(scope):
    """Per learner: sessions, minutes, the sum and number of before/after changes (sessions
    with both faces), their benefit tags, and who else wrote their sessions.

    The tags come as all the sessions' JSON lists joined in one string: counting tags in it
    (``tag_counts``) costs far less than testing every session's tags in SQL. Sessions written
    by someone else (a mentor) come as their number and the lowest and highest author id: one
    author, the usual case, needs no further query (``mentor_rows``)."""
    s = LearningSession
    r = in_period(s, [s.learner_id, s.author_id, s.minutes, s.feeling_before, s.feeling_after,
                      s.benefits], scope).c
    change = r.feeling_after - r.feeling_before  # NULL unless both faces were given
    other = case((r.author_id != r.learner_id, r.author_id))
    return _all(select(r.learner_id.label("learner"), func.count().label("sessions"),
                       func.coalesce(func.sum(r.minutes), 0).label("minutes"),
                       func.coalesce(func.sum(change), 0).label("change_sum"),
                       func.count(change).label("changes"),
                       func.aggregate_strings(cast(r.benefits, Text), ",").label("tags"),
                       func.count(other).label("by_others"),
                       func.min(other).label("first_other"), func.max(other).label("last_other"))
                .group_by(r.learner_id))


def tag_counts(joined):
    """{tag: sessions with it} from a learner's joined benefit lists (``session_rows``): each
    tag is written once per session, in quotes, so no tag can be mistaken for another."""
    return {tag: joined.count(f'"{tag}"') for tag in BENEFITS} if joined else {}


def mentor_rows(scope, rows):
    """(author, learner, sessions) of the sessions written by someone other than the learner:
    the mentors' load. From ``session_rows`` where one other author wrote them all, and from
    the database for the learners with more than one."""
    found = [(r.first_other, r.learner, r.by_others) for r in rows
             if r.by_others and r.first_other == r.last_other]
    several = [r.learner for r in rows if r.by_others and r.first_other != r.last_other]
    if several:
        s = LearningSession
        sub = in_period(s, [s.learner_id, s.author_id], scope).c
        found += _all(select(sub.author_id, sub.learner_id, func.count())
                      .where(sub.author_id != sub.learner_id, sub.learner_id.in_(several))
                      .group_by(sub.author_id, sub.learner_id))
    return found


def contribution_rows(scope):
    """Per learner: contributions made to others, and "learn from me" offers."""
    c = Contribution
    r = in_period(c, [c.learner_id, c.kind], scope).c
    offer = r.kind == "offer"
    return _all(select(r.learner_id.label("learner"),
                       func.count(case((or_(r.kind.is_(None), ~offer), 1))).label("made"),
                       func.count(case((offer, 1))).label("offers")).group_by(r.learner_id))


def goal_rows(scope):
    """Per learner: goals set in the period, goals achieved in it, and the sum and number of
    Goal Attainment Scaling levels of their goals set by the period's end."""
    g, period = Goal, scope.period
    achieved = and_(g.status == "achieved", or_(
        g.achieved_on.between(period.first, period.last),
        and_(g.achieved_on.is_(None), _between(g.updated_at, period.start, period.end))))
    scaled = and_(g.gas_level.is_not(None), g.created_at < period.end)
    set_in_period = _between(g.created_at, period.start, period.end)
    return _all(select(g.learner_id.label("learner"),
                       func.count(case((set_in_period, 1))).label("set"),
                       func.count(case((achieved, 1))).label("achieved"),
                       func.sum(case((scaled, g.gas_level))).label("level_sum"),
                       func.count(case((scaled, 1))).label("levels"))
                .where(_live(g, scope.org_ids)).group_by(g.learner_id))


def ladder_rows(scope):
    """(month, learner id, then goals set at each rung of ``LADDER``) for each month of the
    trend: per learner, so suppression knows who is behind each rung and each month."""
    g = Goal
    rows = in_period(g, [g.learner_id, g.whose_idea, g.created_at], scope,
                     trend_period(scope.period))
    month = month_of(rows, scope.period.months(), scope.period.tz).label("month")
    r = rows.c
    return _all(select(month, r.learner_id,
                       *[func.count(case((r.whose_idea == rung, 1))) for rung in LADDER])
                .where(r.whose_idea.is_not(None)).group_by(month, r.learner_id))


def checkin_months(scope):
    """Per month of the trend: for each ONS question, the mean of the answers given, and how
    many learners gave them. The questions stay apart: never summed."""
    c = Checkin
    rows = in_period(c, [c.learner_id, c.date, c.created_at]
                     + [getattr(c, name) for name in ONS4], scope, trend_period(scope.period))
    month = month_of(rows, scope.period.months(), scope.period.tz).label("month")
    cols = [month]
    for name in ONS4:
        answered = case((rows.c[name].is_not(None), rows.c.learner_id))
        cols += [func.avg(rows.c[name]), func.count(answered.distinct())]
    return _all(select(*cols).group_by(month))


def active_learners(scope, known):
    """Learners with any entry in the period: ``known`` (from sessions, goals and
    contributions already counted) and those with a reflection, check-in or profile."""
    kinds = [select(in_period(m, [m.learner_id], scope).c.learner_id)
             for m in (Reflection, Checkin, Profile)]
    return set(known) | {r[0] for r in _all(union(*kinds))}


def quotes(scope):
    """Consented quotes: (month, text) of reflections marked ``quote_consent``, and how many
    there are. Ordered by their random ids, which carry nothing of who wrote them or when."""
    r = Reflection
    rows = in_period(r, [r.id, r.date, r.created_at, r.text, r.quote_consent], scope).c
    found = _all(select(rows.date, rows.created_at, rows.text, func.count().over())
                 .where(rows.quote_consent.is_(True), rows.text.is_not(None))
                 .order_by(rows.id).limit(MAX_QUOTES))
    tz = scope.period.tz
    return ([((day or written.astimezone(tz).date()).strftime("%Y-%m"), text)
             for day, written, text, _ in found], found[0][3] if found else 0)
