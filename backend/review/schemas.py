"""Request and response schemas of the review API."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..journal.schemas import FIRST_DAY, Day
from .period import MAX_DAYS
from .words import TABLES

MAX_ID = 2**31 - 1
# the days a review may start and end on, FIRST_DAY to LAST_DAY: wide for any care home's
# journals, and far enough inside Python's calendar (years 1 to 9999) for a period's weeks,
# months and quiet window
LAST_DAY = date(2999, 12, 31)


def Id(**kw):
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kw)


def _within_the_calendar():
    return validate.Range(FIRST_DAY, LAST_DAY,
                          error=f"must be a day from {FIRST_DAY} to {LAST_DAY}")


class ReviewQuery(Schema):
    """Which review: ``organisation`` (yours, when left out) and the days ``from`` to ``to``,
    both included (the last full calendar month, when left out)."""

    organisation = Id(metadata={"description": "an organisation id: your own"})
    first = Day(data_key="from", validate=_within_the_calendar(),
                        metadata={"description": "YYYY-MM-DD"})
    last = Day(data_key="to", validate=_within_the_calendar(),
                       metadata={"description": "YYYY-MM-DD, included"})

    @validates_schema
    def _period(self, data, **_kw):
        first, last = data.get("first"), data.get("last")
        if (first is None) != (last is None):
            missing = "to" if last is None else "from"
            raise ValidationError({missing: ["give both from and to, or neither"]})
        if first is not None and last < first:
            raise ValidationError({"to": ["must not be before from"]})
        if first is not None and (last - first).days + 1 > MAX_DAYS:
            raise ValidationError({"to": [f"a review covers at most {MAX_DAYS} days"]})


class CsvQuery(ReviewQuery):
    """One table of a review as CSV: of the review asked for, or of a stored ``snapshot``."""

    table = fields.String(required=True, validate=validate.OneOf(tuple(TABLES)))
    snapshot = Id(metadata={"description": "a stored review's id, instead of a period"})

    @validates_schema
    def _one_source(self, data, **_kw):
        if "snapshot" in data and {"first", "last", "organisation"} & set(data):
            raise ValidationError({"snapshot": ["give a snapshot or a period, not both"]})


class FigureOut(Schema):
    label = fields.String()
    value = fields.Raw(allow_none=True, metadata={"description": "null when suppressed"})
    suppressed = fields.Boolean()
    learners = fields.Integer(metadata={"description": "how many learners it is drawn from"})
    reason = fields.String(metadata={"description": "why it is suppressed"})


class ColumnOut(Schema):
    key = fields.String()
    label = fields.String()


class TableOut(Schema):
    title = fields.String()
    columns = fields.List(fields.Nested(ColumnOut))
    rows = fields.List(fields.Dict(), metadata={
        "description": "one object per row: plain values, or figures shaped as FigureOut"})
    suppressed = fields.Boolean()
    reason = fields.String()
    more = fields.Integer(metadata={"description": "quotes: how many more there are"})


class OrganisationRef(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class ScopeOut(Schema):
    organisations = fields.List(fields.Nested(OrganisationRef))
    first = fields.String(attribute="from", data_key="from")
    last = fields.String(attribute="to", data_key="to")
    days = fields.Integer()
    weeks = fields.Float()
    trend_from = fields.String()
    trend_to = fields.String()
    timezone = fields.String()


class ReviewOut(Schema):
    scope = fields.Nested(ScopeOut)
    made_at = fields.String()
    minimum_learners = fields.Integer()
    figures = fields.Dict(keys=fields.String(), values=fields.Nested(FigureOut))
    tables = fields.Dict(keys=fields.String(), values=fields.Nested(TableOut))
    left_out = fields.List(fields.String(), metadata={
        "description": "stored reviews: the people-level tables they do not keep"})


class SnapshotSummaryOut(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    period_from = fields.Date(data_key="from")
    period_to = fields.Date(data_key="to")
    created_at = fields.DateTime()


class SnapshotsOut(Schema):
    items = fields.List(fields.Nested(SnapshotSummaryOut))


class SnapshotOut(SnapshotSummaryOut):
    review = fields.Nested(ReviewOut, attribute="figures")


class QuietLearnerOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    journal = fields.List(fields.String(), metadata={
        "description": "the journal endpoints that show what they share (audited reads)"})


class QuietOut(Schema):
    as_of = fields.DateTime()
    items = fields.List(fields.Nested(QuietLearnerOut))


class OrganisationQuery(Schema):
    organisation = Id(metadata={"description": "an organisation id: your own"})
