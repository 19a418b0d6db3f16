"""Bearer tokens per device: issued at sign-in, expiring, revocable; no cookies for the API."""
import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..errors import ApiError
from ..extensions import db
from ..models import Device, Token
from ..models.types import utcnow

PREFIX = "wm_"
TOUCH_EVERY = timedelta(minutes=1)


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


def device_for_key(raw_key):
    """The enrolled, unrevoked tablet holding ``raw_key``, or raise ``unauthorized``."""
    device = db.session.scalar(select(Device).where(Device.key_hash == digest(raw_key or "")))
    if device is None or device.revoked_at is not None:
        raise ApiError("unauthorized", "This tablet is not enrolled. Please ask staff to enrol it.")
    device.last_seen_at = utcnow()
    return device


# the token with its person and device in one query: every API request asks for them
_BY_HASH = (select(Token).where(Token.token_hash == bindparam("hash"))
            .options(joinedload(Token.person), joinedload(Token.device)))


def token_with_hash(hashed):
    """The token whose hash is ``hashed``, with its person and device, or ``None``."""
    return db.session.scalar(_BY_HASH, {"hash": hashed})


def _token_from_request():
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError("unauthorized", "Please sign in.")
    token = token_with_hash(digest(raw.strip()))
    if token is None or token.revoked_at is not None or not token.person.active:
        raise ApiError("unauthorized", "Please sign in again.")
    if token.expires_at <= utcnow():
        raise ApiError("token_expired", "Your sign-in has expired. Please sign in again.")
    if token.device is not None and token.device.revoked_at is not None:
        raise ApiError("unauthorized", "This tablet is no longer enrolled.")
    return token


def auth_required(view):
    """Resolve the bearer token to ``g.person`` and ``g.token`` before the view runs."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = _token_from_request()
        now = utcnow()
        # Noted at most once a minute: a request that only reads then writes nothing, and
        # never waits behind a push for SQLite's one writer.
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            token.last_used_at = now
        device = token.device
        if device is not None and (device.last_seen_at is None
                                   or now - device.last_seen_at > TOUCH_EVERY):
            device.last_seen_at = now
        g.token, g.person = token, token.person
        return view(*args, **kwargs)

    return wrapped


def revoke(token):
    if token.revoked_at is None:
        token.revoked_at = utcnow()
