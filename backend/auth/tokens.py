"""Bearer tokens per device: issued at sign-in, expiring, revocable; no cookies for the API."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from .. import access_log
from ..errors import ApiError
from ..extensions import db
from ..models import Device, Person, Token
from ..models.types import utcnow

PREFIX = "wm_"
TOUCH_EVERY = timedelta(minutes=1)
# what a 401 says in ``details`` when the tablet it came from is not (or no longer) enrolled:
# no sign-in can help there, so the app asks for staff rather than for a PIN
# (docs/sync-protocol.md, "Errors")
NOT_ENROLLED = {"tablet_not_enrolled": True}


def digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix=PREFIX):
    return prefix + secrets.token_urlsafe(32)


def issue_token(person, device=None, label=""):
    """Create a token for ``person`` (on ``device``) and return the raw value, shown once."""
    lifetime = current_app.config[f"TOKEN_LIFETIME_{person.role.upper()}"]
    raw, now = new_secret(), utcnow()
    # signing in is its first use: the first sync after it then writes nothing to the token
    db.session.add(Token(token_hash=digest(raw), person=person, device=device, label=label[:120],
                         expires_at=now + lifetime, last_used_at=now))
    return raw


def _enrolled(raw_key):
    """The enrolled, unrevoked tablet holding ``raw_key``, or None."""
    device = db.session.scalar(select(Device).where(Device.key_hash == digest(raw_key or "")))
    return device if device is not None and device.revoked_at is None else None


def device_for_key(raw_key):
    """The enrolled, unrevoked tablet holding ``raw_key``, or raise ``unauthorized``."""
    device = _enrolled(raw_key)
    if device is None:
        raise ApiError("unauthorized", "This tablet is not enrolled. Please ask staff to enrol it.",
                       dict(NOT_ENROLLED))
    device.last_seen_at = utcnow()
    return device


def tablet_signed_in_on(raw_key, person):
    """The enrolled tablet a mentor or member of staff signs in on with their email, if its key
    is given, is their organisation's, and is not revoked: their sign-in is then the tablet's
    too, and ends when it is revoked. Any other key ties nothing, and refuses nothing: setting
    up a revoked tablet again starts with a member of staff signing in on it."""
    device = _enrolled(raw_key) if raw_key else None
    if device is None or device.organisation_id != person.organisation_id:
        return None
    return device


# the token with its person and device in one query: every API request asks for them
_BY_HASH = (select(Token).where(Token.token_hash == bindparam("hash"))
            .options(joinedload(Token.person), joinedload(Token.device)))

# what a sync request needs of its sign-in, as one row: no ORM objects to build
_SIGN_IN = (select(Token.id, Token.person_id, Token.device_id, Token.expires_at,
                   Token.last_used_at, Token.revoked_at, Person.role, Person.organisation_id,
                   Person.is_admin, Person.active, Device.revoked_at.label("device_revoked_at"),
                   Device.last_seen_at.label("device_last_seen_at"))
            .join(Person, Person.id == Token.person_id)
            .outerjoin(Device, Device.id == Token.device_id)
            .where(Token.token_hash == bindparam("hash")))


def token_with_hash(hashed):
    """The token whose hash is ``hashed``, with its person and device, or ``None``."""
    return db.session.scalar(_BY_HASH, {"hash": hashed})


def sign_in_with_hash(hashed):
    """The row of ``_SIGN_IN`` for the token whose hash is ``hashed``, or ``None``."""
    return db.session.connection().execute(_SIGN_IN, {"hash": hashed}).first()


@dataclass(frozen=True)
class SignedIn:
    """The person behind a sync request's token, with what the access rules ask of a person
    (``backend.access``), read without the ORM: a sync is the API's most frequent request."""

    id: int
    role: str
    organisation_id: int
    is_admin: bool
    active: bool
    device_id: int | None


def _hashed_bearer():
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError("unauthorized", "Please sign in.")
    return digest(raw.strip())


def _check(found):
    """Raise unless a token is good for a request: the one place these rules live.

    :param found: None (no such token), or the token's (revoked_at, its person's active,
        expires_at, its tablet's revoked_at or None)
    """
    if found is None:
        raise ApiError("unauthorized", "Please sign in again.")
    revoked_at, active, expires_at, device_revoked_at = found
    # first: revoking a tablet also ends its sign-ins, and signing in again cannot help there
    if device_revoked_at is not None:
        raise ApiError("unauthorized", "This tablet is no longer enrolled.", dict(NOT_ENROLLED))
    if revoked_at is not None or not active:
        raise ApiError("unauthorized", "Please sign in again.")
    if expires_at <= utcnow():
        raise ApiError("token_expired", "Your sign-in has expired. Please sign in again.")


def _due(last, now):
    """Whether a last use or sighting at ``last`` is to be noted again at ``now``: at most once
    a minute, so a request that only reads writes nothing, and never waits behind a push for
    SQLite's one writer."""
    return last is None or now - last > TOUCH_EVERY


def _token_from_request():
    token = token_with_hash(_hashed_bearer())
    _check(None if token is None else (token.revoked_at, token.person.active, token.expires_at,
                                        token.device and token.device.revoked_at))
    return token


def auth_required(view):
    """Resolve the bearer token to ``g.person`` and ``g.token`` before the view runs."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = _token_from_request()
        now = utcnow()
        if _due(token.last_used_at, now):
            token.last_used_at = now
        device = token.device
        if device is not None and _due(device.last_seen_at, now):
            device.last_seen_at = now
        g.token, g.person = token, token.person
        return view(*args, **kwargs)

    return wrapped


def signed_in():
    """The ``SignedIn`` of the request's bearer token, checked as ``auth_required`` checks it,
    and the statements that note the token's last use and its tablet's (none within a minute of
    the last), for the caller to run when it may write."""
    row = sign_in_with_hash(_hashed_bearer())
    _check(None if row is None else (row.revoked_at, row.active, row.expires_at,
                                      row.device_revoked_at))
    now, notes = utcnow(), []
    if _due(row.last_used_at, now):
        notes.append(update(Token).where(Token.id == row.id).values(last_used_at=now))
    if row.device_id is not None and _due(row.device_last_seen_at, now):
        notes.append(update(Device).where(Device.id == row.device_id).values(last_seen_at=now))
    return SignedIn(row.person_id, row.role, row.organisation_id, row.is_admin, row.active,
                    row.device_id), notes


def revoke(token):
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        access_log.note("sign_in_ended", token, token.revoked_at)
