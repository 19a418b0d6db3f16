"""What the review's endpoints do, under the access rules: the views only parse and answer."""
from zoneinfo import ZoneInfo

from .. import access
from ..extensions import db
from ..models import COLLECTIONS
from ..models.types import utcnow
from ..org import audit
from . import equity, figures
from .period import Period, last_full_month


def organisations_for(person, organisation_id=None):
    """The organisations whose review ``person`` may see: staff, their own organisation only
    (a care home or a home-care service is one organisation). Anyone else is refused."""
    access.require_staff(person, organisation_id)
    return [person.organisation]


def period_for(organisations, first=None, last=None):
    """The days asked for, or the last full calendar month, in the organisation's timezone."""
    tz = ZoneInfo(organisations[0].timezone or "Europe/London")
    if first is None:
        return last_full_month(tz)
    return Period(first, last, tz)


def review(person, organisation_id=None, first=None, last=None):
    """The review ``person`` asked for: staff of the organisation only."""
    organisations = organisations_for(person, organisation_id)
    return figures.build(organisations, period_for(organisations, first, last), utcnow())


def quiet_named(person, organisation_id=None):
    """Learners with nothing written for 14 days who share entries with the care team, by
    name, with the journal endpoints that show what they share. Naming each one is audited:
    it says something about a named person's journal (that it has gone quiet)."""
    organisations = organisations_for(person, organisation_id)
    now = utcnow()
    people = equity.quiet_named([o.id for o in organisations], now)
    for learner in people:
        audit.write(person, "review_named_quiet", learner_id=learner.id)
    return {"as_of": now, "items": [
        {"id": p.id, "display_name": p.display_name,
         "journal": [f"/api/learners/{p.id}/{name}" for name in COLLECTIONS]} for p in people]}


def commit():
    # Signing in touched the token (last used): keep that, and any audit entries written.
    db.session.commit()
