"""The regular review's stored state: monthly snapshots, notices for staff, the scheduler lease."""
from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .journal import Checkin, Contribution, Goal, LearningSession, Profile, Reflection
from .types import JSONDoc, UTCDateTime, utcnow


class ReviewSnapshot(db.Model):
    """A review as it was prepared, already suppressed, so past reviews stay comparable even
    when the journals change later. Holds figures only: never words, never names of learners."""

    __tablename__ = "review_snapshots"
    __table_args__ = (UniqueConstraint("organisation_id", "period_from", "period_to",
                                       name="uq_review_snapshots_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    figures = mapped_column(JSONDoc)


class StaffNotice(db.Model):
    """Something staff should be told (e.g. "the review is ready"); ``sent_at`` stays NULL
    until the reminders service has sent it. ``key`` makes a notice once-only per subject."""

    __tablename__ = "staff_notices"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "key",
                                       name="uq_staff_notices_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    detail = mapped_column(JSONDoc, default=dict)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    sent_at = mapped_column(UTCDateTime())


class SchedulerLease(db.Model):
    """Who runs the scheduler: one row per lease, held until ``expires_at`` and renewed by a
    heartbeat, so a second ``flask scheduler`` started by mistake waits instead of running."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at = mapped_column(UTCDateTime(), default=utcnow)
    expires_at = mapped_column(UTCDateTime(), nullable=False)


# The review's indexes on the journal's tables, declared beside the review that needs them.
# Each reads a period's entries as one index range per learner, from the index alone (without
# visiting the rows, which carry the words): what makes a provider's review fast on SQLite.
Index("ix_learning_sessions_review", LearningSession.learner_id, LearningSession.date,
      LearningSession.deleted, LearningSession.author_id, LearningSession.minutes,
      LearningSession.feeling_before, LearningSession.feeling_after, LearningSession.benefits)
Index("ix_goals_review", Goal.learner_id, Goal.created_at, Goal.deleted, Goal.whose_idea,
      Goal.status, Goal.achieved_on, Goal.gas_level, Goal.updated_at)
Index("ix_checkins_review", Checkin.learner_id, Checkin.date, Checkin.deleted,
      Checkin.created_at, Checkin.life_satisfaction, Checkin.worthwhile, Checkin.happy,
      Checkin.anxious)
Index("ix_contributions_review", Contribution.learner_id, Contribution.date,
      Contribution.deleted, Contribution.kind)
Index("ix_reflections_review", Reflection.learner_id, Reflection.date, Reflection.deleted,
      Reflection.quote_consent)
# Who has written nothing lately: a learner's entries by when they were written (for goals,
# ix_goals_review begins with the same two columns).
for _model in (LearningSession, Checkin, Contribution, Reflection, Profile):
    Index(f"ix_{_model.__tablename__}_learner_created", _model.learner_id, _model.created_at)
