"""The sync engine's bookkeeping: the epoch and change counter, replicas, applied mutations."""
from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import JSONDoc, UTCDateTime, utcnow


class SyncState(db.Model):
    """One row. ``seq`` is the change counter: bumping it row-locks, so writers commit in seq
    order and a pull never skips a change (docs/sync-protocol.md)."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    epoch: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    purged_through_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # the highest seq when the epoch began: a restore's new epoch starts from the backup's seq
    epoch_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SyncReplica(db.Model):
    """A client replica: one person's copy of the journal in one browser or app."""

    __tablename__ = "sync_replicas"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                                  index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    next_seq: Mapped[int] = mapped_column(BigInteger, default=1)
    last_seen_at = mapped_column(UTCDateTime(), default=utcnow)


class SyncMutation(db.Model):
    """Every mutation processed, by its client-made id: a resend gets the same answer.
    A rejected mutation keeps its payload so a person can see it; so does a change that made
    its record before the record's create came (docs/sync-protocol.md, "Merge rules")."""

    __tablename__ = "sync_mutations"
    __table_args__ = (Index("ix_sync_mutations_replica_seq", "replica_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    replica_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    result = mapped_column(JSONDoc)
    payload = mapped_column(JSONDoc)
    learner_id: Mapped[int | None] = mapped_column(index=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
