"""Web push: who asked for reminders on which device, and every reminder claimed for sending."""
from datetime import time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONDoc, UTCDateTime, utcnow


class PushSubscription(db.Model):
    """A browser's push subscription, held for one person: on a shared tablet each person who
    said yes has their own row for the same endpoint. ``next_due_at`` is the next chosen
    moment (UTC), so the scheduler finds what is due with one indexed query."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (UniqueConstraint("person_id", "endpoint",
                                       name="uq_push_subscriptions_person"),
                      Index("ix_push_subscriptions_due", "enabled", "next_due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The tablet it was asked on (from the sign-in token); none on a mentor's or staff phone.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"),
                                                  index=True)
    # The sign-in that asked last: signing out with it removes the subscription.
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id", ondelete="SET NULL"),
                                                 index=True)
    endpoint: Mapped[str] = mapped_column(String(1024))
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(default=True)
    kinds = mapped_column(JSONDoc, default=list)
    days = mapped_column(JSONDoc, default=list)
    at: Mapped[time]
    timezone: Mapped[str] = mapped_column(String(64))
    next_due_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    updated_at = mapped_column(UTCDateTime(), default=utcnow)

    person = relationship("Person")


class SentReminder(db.Model):
    """One reminder claimed for one subscription. The unique (subscription, kind, occurrence)
    key is inserted and committed before the push is sent, so no reminder goes twice, whoever
    sends it; ``status`` says what became of it: sending, sent, retry, failed."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("subscription_id", "kind", "occurrence",
                                       name="uq_sent_reminders_once"),
                      Index("ix_sent_reminders_retry", "status", "retry_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    occurrence: Mapped[str] = mapped_column(String(64))
    # General words only (see backend/push/reminders.py): never journal content, never names.
    payload = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(16), default="sending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at = mapped_column(UTCDateTime(), default=utcnow)
    retry_at = mapped_column(UTCDateTime())
    sent_at = mapped_column(UTCDateTime())
