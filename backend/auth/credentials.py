"""Passwords and PINs (Argon2id), and the lockout after too many wrong tries."""
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..errors import ApiError
from ..models.types import utcnow

_hasher = PasswordHasher()


def hash_secret(secret):
    return _hasher.hash(secret)


def _matches(stored_hash, secret):
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY = _hasher.hash("no such account")


def spend_same_time(secret):
    """Verify against a dummy hash so an unknown email takes as long as a wrong password."""
    _matches(_DUMMY, secret)


def is_locked(person):
    """Whether ``person`` may not sign in now: until staff unlock them, or for a few minutes
    after wrong tries (a pause that has ended is no lock)."""
    return bool(person.locked_by_staff_needed
                or (person.locked_until and person.locked_until > utcnow()))


def check_not_locked(person):
    if not is_locked(person):
        return
    if person.locked_by_staff_needed:
        raise ApiError("locked", "Too many wrong tries. Please ask a member of staff to unlock.",
                       {"until": None})
    raise ApiError("locked", "Too many wrong tries. Please wait a few minutes and try again.",
                   {"until": person.locked_until.isoformat()})


def verify(person, stored_hash, secret):
    """Check a password or PIN, counting wrong tries; raise ``locked`` or ``invalid_credentials``.

    After ``LOCKOUT_SHORT_AFTER`` wrong tries in a row the person waits a few minutes; after
    ``LOCKOUT_HARD_AFTER`` only staff can lift the lock (``unlock``).
    """
    check_not_locked(person)
    if _matches(stored_hash, secret):
        person.failed_attempts = 0
        person.locked_until = None
        return
    cfg = current_app.config
    person.failed_attempts += 1
    if person.failed_attempts >= cfg["LOCKOUT_HARD_AFTER"]:
        person.locked_by_staff_needed = True
    elif person.failed_attempts % cfg["LOCKOUT_SHORT_AFTER"] == 0:
        person.locked_until = utcnow() + timedelta(minutes=cfg["LOCKOUT_SHORT_MINUTES"])
    raise ApiError("invalid_credentials", "That did not match. Please try again.")


def unlock(person):
    person.failed_attempts = 0
    person.locked_until = None
    person.locked_by_staff_needed = False
