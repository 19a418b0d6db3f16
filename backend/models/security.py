"""Bearer tokens and the audit log."""
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONDoc, UTCDateTime, utcnow


class Token(db.Model):
    """A bearer token for one person on one device; only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    expires_at = mapped_column(UTCDateTime())
    last_used_at = mapped_column(UTCDateTime())
    revoked_at = mapped_column(UTCDateTime())

    person = relationship("Person")
    device = relationship("Device")


class AuditEntry(db.Model):
    """Who read or changed what; every staff read of a named journal is written here."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_org_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime(), default=utcnow)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    # Kept as a plain number: the entry outlives an erased learner.
    learner_id: Mapped[int | None] = mapped_column(index=True)
    detail = mapped_column(JSONDoc, default=dict)
