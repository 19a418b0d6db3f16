"""Send one encrypted push through pywebpush, always with a timeout, and say what became of it.

The push service's answer decides: 201 (or any 2xx) sent; 404 or 410 the subscription is gone
for good; 408, 429 and 5xx, a timeout or a refused connection are worth another try later;
anything else (400, 403, 413: our request or our key is wrong) is a failure to look into.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from flask import current_app
from pywebpush import WebPushException, webpush

from . import destinations, vapid

GONE = frozenset({404, 410})
RETRY = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Outcome:
    """``status`` is "sent", "gone", "retry" or "failed"; ``retry_after`` in seconds."""

    status: str
    code: int | None = None
    detail: str = ""
    retry_after: float | None = None


def send(subscription, payload, ttl, topic=None, session=None):
    """Encrypt ``payload`` (a dict of general words) for ``subscription`` and send it.

    :param ttl: seconds the push service may keep it for a device that is off
    :param topic: a push service keeps only the newest undelivered message of one topic
    """
    refused = _inside_network(subscription)
    if refused:
        return refused
    info = {"endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    headers = {"Urgency": "normal", **({"Topic": topic} if topic else {})}
    try:
        response = webpush(info, data=json.dumps(payload), vapid_private_key=vapid.signer(),
                           vapid_claims=vapid.claims(), ttl=ttl, headers=headers,
                           timeout=current_app.config["PUSH_TIMEOUT"], requests_session=session)
    except WebPushException as exc:
        return _refused(exc)
    except requests.RequestException as exc:  # a timeout, a refused connection, bad TLS
        return Outcome("retry", None, f"{type(exc).__name__} from {host(subscription)}")
    return Outcome("sent", response.status_code)


def _inside_network(subscription):
    """An Outcome if the endpoint's host now resolves to an address inside a network
    (``destinations``): "failed", not sent; "retry" if the name does not resolve just now."""
    parts = urlsplit(subscription.endpoint)
    try:
        address = destinations.inside_address(parts.hostname, parts.port or 443,
                                              destinations.loopback_ok())
    except (OSError, UnicodeError) as exc:
        return Outcome("retry", None, f"{type(exc).__name__}: {host(subscription)} not found")
    if address:
        return Outcome("failed", None, f"not sent: {host(subscription)} is at {address}, "
                                       "an address inside a network")
    return None


def _refused(exc):
    code = exc.status_code
    if code is None:
        return Outcome("retry", None, exc.message[:200])
    status = "gone" if code in GONE else "retry" if code in RETRY else "failed"
    return Outcome(status, code, f"{code} {getattr(exc.response, 'reason', '')}".strip(),
                   _seconds(exc.retry_after))


def _seconds(retry_after):
    """Retry-After as seconds: a number, or an HTTP date."""
    if not retry_after:
        return None
    try:
        return max(0.0, float(retry_after))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def host(subscription):
    """The push service's host: what logs name, since the endpoint itself is a secret URL."""
    return urlsplit(subscription.endpoint).hostname or "?"
