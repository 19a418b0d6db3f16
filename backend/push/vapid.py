"""The server's VAPID key pair (RFC 8292): made once and kept with the instance secrets.

``VAPID_PRIVATE_KEY`` (instance/config.py or the environment: the raw P-256 key, base64url)
wins when set; otherwise the pair lives in ``VAPID_FILE`` (``instance/vapid.json``, mode 0600),
made on first start or by ``flask push init-keys``. Every app process and the scheduler must
use the same pair: a browser's subscription is bound to the public key it was made with.
"""
import base64
import json
import os
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_of(private_b64):
    key = ec.derive_private_key(int.from_bytes(b64url_decode(private_b64), "big"), ec.SECP256R1())
    return b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint))


def generate():
    """A new pair: {"private_key": raw 32 bytes, "public_key": uncompressed point}, base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    return {"private_key": private, "public_key": _public_of(private)}


def write_new(path, keys=None):
    """Write a new pair to ``path`` (mode 0600) unless a file is there: True if written.

    The pair is written whole to a temporary file and linked into place, so two processes
    starting at once never see half a file and both end up with the first one's pair.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".vapid-")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(keys or generate(), out)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def ensure(app):
    """Make the pair on first start when none is configured (``create_app`` calls this)."""
    if not app.config.get("VAPID_PRIVATE_KEY") and not os.path.exists(app.config["VAPID_FILE"]):
        if write_new(app.config["VAPID_FILE"]):
            app.logger.info("made a new VAPID key pair in %s", app.config["VAPID_FILE"])


def private_key():
    """The private key (base64url), making the pair if it is still missing."""
    config = current_app.config
    if config.get("VAPID_PRIVATE_KEY"):
        return config["VAPID_PRIVATE_KEY"].strip()
    ensure(current_app)
    with open(config["VAPID_FILE"]) as stored:
        return json.load(stored)["private_key"]


def public_key():
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    return _public_of(private_key())


def signer():
    """A py_vapid signer for pywebpush."""
    return Vapid.from_string(private_key())


def claims():
    """Fresh claims for one send: pywebpush adds ``aud`` and ``exp`` to the dict it is given."""
    return {"sub": current_app.config["VAPID_CONTACT"]}
