"""Organisations, the people in them, mentor pairings and enrolled tablets."""
from datetime import date

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

ORG_KINDS = ("care_home", "home_care")
ROLES = ("learner", "mentor", "staff")


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    people = relationship("Person", back_populates="organisation")


class Person(db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Learners count in anonymous totals unless they opt out (PRODUCT.md, "Who sees it").
    opted_out: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until = mapped_column(UTCDateTime())
    locked_by_staff_needed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    # A learner: the newest staff read of her journal she has been shown ("Who has read my
    # journal"); her home page tells her of any after it.
    readers_seen_at = mapped_column(UTCDateTime())

    organisation = relationship("Organisation", back_populates="people")

    @property
    def initials(self):
        parts = [p for p in self.display_name.replace("-", " ").split() if p[:1].isalpha()]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def has_pin(self):
        return self.pin_hash is not None


class Pairing(db.Model):
    """A mentor visits a learner; ``ended_at`` set means the pairing has ended."""

    __tablename__ = "pairings"
    __table_args__ = (
        Index("ix_pairings_active", "mentor_id", "learner_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    started_at = mapped_column(UTCDateTime(), default=utcnow)
    ended_at = mapped_column(UTCDateTime())
    # The mentor's next planned visit: the day before, they are reminded (backend/push/).
    next_visit_on: Mapped[date | None]

    mentor = relationship("Person", foreign_keys=[mentor_id])
    learner = relationship("Person", foreign_keys=[learner_id])


class Device(db.Model):
    """A tablet enrolled by staff; learners sign in on it by tile and PIN."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at = mapped_column(UTCDateTime())
    revoked_at = mapped_column(UTCDateTime())

    organisation = relationship("Organisation")
