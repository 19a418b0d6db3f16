"""Configuration: defaults, then the environment, then ``test_config``."""
import os
from datetime import timedelta

import click

from .models.types import json_text


def _database_url(instance_path):
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + os.path.join(instance_path, "what-matters.sqlite")


class SettingError(click.ClickException):
    """A setting the app cannot run with. A ``flask`` command prints it as one sentence and
    exits with status 1; gunicorn's worker stops with it."""


def _whole(name, default):
    """The setting ``name`` from the environment: a whole number, 0 or more."""
    value = os.environ.get(name, default).strip()
    if not (value.isascii() and value.isdigit()):
        raise SettingError(f"{name} must be a whole number, 0 or more, not {value!r}.")
    return int(value)


# the smallest request body the app may be set to take: a sync push of one mutation always
# fits (the journal's field limits keep one to tens of KiB), so one entry never stops a device's
# syncs for good (docs/sync-protocol.md, "Limits")
MIN_CONTENT_LENGTH = 1024 * 1024


def _body_limit():
    value = _whole("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))
    if value < MIN_CONTENT_LENGTH:
        raise SettingError(f"MAX_CONTENT_LENGTH must be at least {MIN_CONTENT_LENGTH} (1 MiB), "
                           f"not {value}: a sync push of one entry must always fit.")
    return value


class Config:
    """Settings read from the environment; every name can be overridden by ``test_config``."""

    def __init__(self, instance_path):
        env = os.environ.get
        # a default secret that must be overridden by instance config in production
        self.SECRET_KEY = env("SECRET_KEY", "dev-only-change-me")
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "json_serializer": json_text}
        self.TOKEN_LIFETIME_LEARNER = timedelta(days=_whole("TOKEN_DAYS_LEARNER", "30"))
        self.TOKEN_LIFETIME_MENTOR = timedelta(days=_whole("TOKEN_DAYS_MENTOR", "30"))
        self.TOKEN_LIFETIME_STAFF = timedelta(hours=_whole("TOKEN_HOURS_STAFF", "12"))
        self.LOCKOUT_SHORT_AFTER = _whole("LOCKOUT_SHORT_AFTER", "5")
        self.LOCKOUT_SHORT_MINUTES = _whole("LOCKOUT_SHORT_MINUTES", "15")
        self.LOCKOUT_HARD_AFTER = _whole("LOCKOUT_HARD_AFTER", "10")
        self.TOMBSTONE_RETENTION_DAYS = _whole("TOMBSTONE_RETENTION_DAYS", "180")
        # changes that take access away, kept outside the database for after a restore
        # (backend/access_log.py); "" keeps none
        self.ACCESS_LOG = env("ACCESS_LOG", os.path.join(instance_path, "access-changes.jsonl"))
        self.MAX_CONTENT_LENGTH = _body_limit()
        self.DEFAULT_TIMEZONE = env("DEFAULT_TIMEZONE", "Europe/London")
        # Web push (docs/reminders.md): the contact push services see, where the VAPID key pair
        # is kept (VAPID_PRIVATE_KEY, from instance/config.py or the environment, wins), how
        # long one send may take, and whether http://127.0.0.1 endpoints (a test service) count.
        self.VAPID_CONTACT = env("VAPID_CONTACT", "mailto:admin@localhost")
        self.VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY")
        self.VAPID_FILE = env("VAPID_FILE", os.path.join(instance_path, "vapid.json"))
        self.PUSH_TIMEOUT = float(env("PUSH_TIMEOUT", "10"))
        self.PUSH_ALLOW_LOOPBACK = env("PUSH_ALLOW_LOOPBACK", "") == "1"
        self.JSON_SORT_KEYS = False

    def as_dict(self):
        return {k: v for k, v in vars(self).items() if k.isupper()}


def safe_view(config):
    """The configuration with secrets masked, for ``flask show-config``."""
    shown = {}
    for key in sorted(config):
        if not key.isupper() or key.startswith(("SESSION_", "PERMANENT_", "TEMPLATES_")):
            continue
        value = config[key]
        if key in ("SECRET_KEY", "VAPID_PRIVATE_KEY"):
            value = "(set)" if value else "(not set)"
        elif key == "SQLALCHEMY_DATABASE_URI" and "@" in str(value):
            scheme, rest = str(value).split("://", 1)
            value = f"{scheme}://***@{rest.split('@', 1)[1]}"
        shown[key] = str(value)
    return shown
