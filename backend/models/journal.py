"""The journal's records, one table per kind; every record belongs to one learner.

Every record has a client-made UUID, its learner, its author, who may see it, server times, a
deletion marker (a tombstone, never a hard delete while devices may still hold the record), the
server change sequence ``seq`` that pulls follow, per-field revisions ``revs`` and the versions
kept by a conflict. ``FIELDS`` lists the domain fields a client may write.
"""
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from .types import JSONDoc, UTCDateTime, utcnow

VISIBILITY = ("private", "mentor", "care_team")


class JournalRecord:
    """Columns every journal record shares."""

    FIELDS: tuple = ()

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    # The widest visibility the record has ever had: who may have a copy to take back.
    widest_visibility: Mapped[str | None] = mapped_column(String(16))
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    updated_at = mapped_column(UTCDateTime(), default=utcnow)
    deleted: Mapped[bool] = mapped_column(default=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    revs = mapped_column(JSONDoc, default=dict)
    conflicts = mapped_column(JSONDoc)
    # The record as a pull sends it (JSON text), written by the sync store with the record;
    # NULL when the row was written another way, and then built from the columns.
    wire: Mapped[str | None] = mapped_column(Text, deferred=True)

    @declared_attr.directive
    def __table_args__(cls):
        # Pulls and the review read a learner's records in change order. No index on seq alone:
        # a prepared pull could walk it past everyone else's rows (migration 0005).
        return (Index(f"ix_{cls.__tablename__}_learner_seq", "learner_id", "seq"),)

    def field_values(self):
        return {name: getattr(self, name) for name in self.FIELDS}


class Profile(JournalRecord, db.Model):
    """What matters to me: the four prompts of the lecture."""

    __tablename__ = "profiles"
    FIELDS = ("visibility", "needs", "preferences", "resources", "networks")

    needs: Mapped[str | None] = mapped_column(Text)
    preferences: Mapped[str | None] = mapped_column(Text)
    resources: Mapped[str | None] = mapped_column(Text)
    networks: Mapped[str | None] = mapped_column(Text)


class Goal(JournalRecord, db.Model):
    __tablename__ = "goals"
    FIELDS = ("visibility", "title", "why", "whose_idea", "benefits", "status", "gas_levels",
              "gas_level", "achieved_on")

    title: Mapped[str | None] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text)
    whose_idea: Mapped[str | None] = mapped_column(String(16))
    benefits = mapped_column(JSONDoc)
    status: Mapped[str | None] = mapped_column(String(16))
    gas_levels = mapped_column(JSONDoc)
    gas_level: Mapped[int | None]
    achieved_on: Mapped[date | None]


class LearningSession(JournalRecord, db.Model):
    """A session of learning (progress): what I did, for how long, how it felt."""

    __tablename__ = "learning_sessions"
    FIELDS = ("visibility", "date", "activity", "minutes", "with_whom", "goal_ids", "benefits",
              "feeling_before", "feeling_after", "note", "learner_response")

    date: Mapped[date | None]
    activity: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[int | None]
    with_whom: Mapped[str | None] = mapped_column(String(16))
    goal_ids = mapped_column(JSONDoc)
    benefits = mapped_column(JSONDoc)
    feeling_before: Mapped[int | None]
    feeling_after: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    # For an entry a mentor wrote: the learner agreed, changed it, or hid it.
    learner_response: Mapped[str | None] = mapped_column(String(16))


class Contribution(JournalRecord, db.Model):
    """Something shared, taught or helped with; ``kind="offer"`` is a "learn from me" offer."""

    __tablename__ = "contributions"
    FIELDS = ("visibility", "kind", "what", "with_whom", "date", "note")

    kind: Mapped[str | None] = mapped_column(String(16))
    what: Mapped[str | None] = mapped_column(Text)
    with_whom: Mapped[str | None] = mapped_column(Text)
    date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)


class Reflection(JournalRecord, db.Model):
    __tablename__ = "reflections"
    FIELDS = ("visibility", "date", "text", "quote_consent")

    date: Mapped[date | None]
    text: Mapped[str | None] = mapped_column(Text)
    # The learner agrees the review may show these words as a quote, without their name.
    quote_consent: Mapped[bool | None]


class Checkin(JournalRecord, db.Model):
    """The four ONS personal wellbeing questions, 0-10 each, never summed."""

    __tablename__ = "checkins"
    FIELDS = ("visibility", "date", "life_satisfaction", "worthwhile", "happy", "anxious")

    date: Mapped[date | None]
    life_satisfaction: Mapped[int | None]
    worthwhile: Mapped[int | None]
    happy: Mapped[int | None]
    anxious: Mapped[int | None]


COLLECTIONS = {
    "profile": Profile,
    "goals": Goal,
    "sessions": LearningSession,
    "contributions": Contribution,
    "reflections": Reflection,
    "checkins": Checkin,
}


def _forget_wire(_mapper, _connection, target):
    """A row changed through the ORM no longer matches the wire text the sync store wrote."""
    target.wire = None


for _model in COLLECTIONS.values():
    event.listen(_model, "before_update", _forget_wire)
