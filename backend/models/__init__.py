"""SQLAlchemy models only: they never touch ``request`` or ``g``."""
from .people import Device, Organisation, Pairing, Person
from .security import AuditEntry, Token
from .journal import (COLLECTIONS, Checkin, Contribution, Goal, JournalRecord, LearningSession,
                      Profile, Reflection)
from .sync_state import SyncMutation, SyncReplica, SyncState
from .review import ReviewSnapshot, SchedulerLease, StaffNotice
from .push import PushSubscription, SentReminder

__all__ = [
    "Organisation", "Person", "Pairing", "Device", "Token", "AuditEntry", "COLLECTIONS",
    "JournalRecord", "Profile", "Goal", "LearningSession", "Contribution", "Reflection", "Checkin",
    "SyncState", "SyncReplica", "SyncMutation", "ReviewSnapshot", "StaffNotice",
    "SchedulerLease", "PushSubscription", "SentReminder",
]
