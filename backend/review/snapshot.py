"""Monthly snapshots: each month's review stored as it was, and a notice that it is ready.

A snapshot keeps figures only. The consented quotes and the dose chart's points are left out:
they are one person's words or one person's numbers, and a learner who later withdraws
consent, deletes an entry or has their journal erased must not stay in a stored report.
Preparing a month twice makes one snapshot and one notice.
"""
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError
from ..extensions import db
from ..models import Organisation
from ..models.review import ReviewSnapshot, StaffNotice
from ..models.types import utcnow
from . import figures
from .period import month_period
from .service import organisations_for
from .suppression import guard

PEOPLE_LEVEL = ("quotes", "dose_points")
NOTICE_KIND = "review_ready"


def snapshot_figures(review):
    """The review without its people-level tables, as a snapshot stores it."""
    tables = {k: v for k, v in review["tables"].items() if k not in PEOPLE_LEVEL}
    return guard({**review, "tables": tables, "left_out": list(PEOPLE_LEVEL)})


def _existing(org_id, period):
    return db.session.scalar(select(ReviewSnapshot).where(
        ReviewSnapshot.organisation_id == org_id, ReviewSnapshot.period_from == period.first,
        ReviewSnapshot.period_to == period.last))


def prepare(org, month):
    """Snapshot ``org``'s review of ``month`` ("YYYY-MM") and note that staff should be told;
    returns (snapshot, made now?). Commits."""
    period = month_period(month, ZoneInfo(org.timezone or "Europe/London"))
    snapshot, made = _existing(org.id, period), False
    if snapshot is None:
        review = figures.build([org], period, utcnow())
        snapshot = ReviewSnapshot(organisation_id=org.id, period_from=period.first,
                                  period_to=period.last, figures=snapshot_figures(review))
        db.session.add(snapshot)
        made = _commit_once()
        snapshot = _existing(org.id, period)
    _notice(org, month, snapshot)
    return snapshot, made


def _notice(org, month, snapshot):
    found = db.session.scalar(select(StaffNotice.id).where(
        StaffNotice.organisation_id == org.id, StaffNotice.kind == NOTICE_KIND,
        StaffNotice.key == month))
    if found is None:
        db.session.add(StaffNotice(organisation_id=org.id, kind=NOTICE_KIND, key=month,
                                   detail={"snapshot_id": snapshot.id, "month": month}))
        _commit_once()


def _commit_once():
    """Commit; a unique-key clash means another run made the same row first: that is fine."""
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def prepare_all(month):
    """Every organisation's snapshot of ``month``; returns [(organisation, snapshot, made)]."""
    done = []
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)).all():
        snapshot, made = prepare(org, month)
        done.append((org, snapshot, made))
    return done


def list_for(person, organisation_id=None):
    """The stored snapshots of the person's organisation, newest period first."""
    ids = [o.id for o in organisations_for(person, organisation_id)]
    return db.session.scalars(select(ReviewSnapshot).where(
        ReviewSnapshot.organisation_id.in_(ids))
        .order_by(ReviewSnapshot.period_from.desc(), ReviewSnapshot.id.desc())).all()


def get_for(person, snapshot_id):
    """One snapshot, if it belongs to the person's organisation; else there is no such one."""
    ids = [o.id for o in organisations_for(person)]
    found = db.session.get(ReviewSnapshot, snapshot_id) if 0 < snapshot_id < 2**31 else None
    if found is None or found.organisation_id not in ids:
        raise ApiError("not_found", "There is no such review.")
    return found
