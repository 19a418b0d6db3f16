"""A web push service on 127.0.0.1, in a thread, for tests: it does what a real one does to
what we send, and can answer 201, 404, 410 or 500 on demand.

For each POST it checks the VAPID ``Authorization: vapid t=<JWT>,k=<key>`` header (RFC 8292:
the ES256 signature verified with ``cryptography`` against ``k``, ``aud`` this service's origin,
``exp`` in the future and within 24 hours, ``sub`` present), and decrypts the body with
``http_ece`` (aes128gcm, RFC 8291) with the subscriber's private key and auth secret, made here
as a browser would make them. What arrived is kept in ``received``; what was refused, and why,
in ``refused``.
"""
import base64
import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Subscriber:
    """The browser's side of a subscription: a P-256 key pair and a 16-byte auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    @property
    def keys(self):
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}

    def decrypt(self, body):
        return http_ece.decrypt(body, private_key=self.private_key,
                                auth_secret=self.auth_secret, version="aes128gcm")


@dataclass
class Push:
    """One push as the service accepted it."""

    token: str
    payload: dict
    claims: dict
    headers: dict
    answered: int
    at: float = field(default_factory=time.monotonic)


class VapidRefused(Exception):
    pass


def check_vapid(header, audience):
    """The JWT's claims if ``header`` is a valid RFC 8292 ``vapid t=...,k=...``; else raise."""
    scheme, _, params = (header or "").partition(" ")
    if scheme.lower() != "vapid":
        raise VapidRefused(f"scheme {scheme!r} is not vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
    token, key = parts.get("t"), parts.get("k")
    if not token or not key:
        raise VapidRefused("t= or k= missing")
    signing_input, _, signature = token.rpartition(".")
    header_b64, _, claims_b64 = signing_input.partition(".")
    if json.loads(unb64url(header_b64)).get("alg") != "ES256":
        raise VapidRefused("the JWT is not ES256")
    raw = unb64url(signature)
    if len(raw) != 64:
        raise VapidRefused("the signature is not 64 bytes (r || s)")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidRefused("the JWT's signature does not match k") from None
    claims = json.loads(unb64url(claims_b64))
    now = time.time()
    if claims.get("aud") != audience:
        raise VapidRefused(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not now < int(claims.get("exp", 0)) <= now + 24 * 3600:
        raise VapidRefused("exp is not within the next 24 hours")
    if not claims.get("sub"):
        raise VapidRefused("sub is missing")
    return {**claims, "k": key}


class PushService:
    """``start()`` it, ``subscribe()`` for a subscription to give the app, ``answer(500, 201)``
    to choose the next answers (201 once the queue is empty), ``stop()`` it."""

    def __init__(self):
        self.subscribers, self.received, self.refused = {}, [], []
        self.answers, self.lock = deque(), threading.Lock()
        self.delay = 0.0
        self._server = self._thread = None

    def start(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                service._handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def origin(self):
        return f"http://127.0.0.1:{self._server.server_port}"

    def subscribe(self):
        """A new subscriber: {"endpoint", "keys"} as ``PushSubscription.toJSON()`` gives."""
        token = b64url(os.urandom(12))
        self.subscribers[token] = Subscriber()
        return {"endpoint": f"{self.origin}/push/{token}", "keys": self.subscribers[token].keys}

    def answer(self, *codes):
        with self.lock:
            self.answers.extend(codes)

    def _handle(self, request):
        time.sleep(self.delay)
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        token = request.path.rsplit("/", 1)[-1]
        subscriber = self.subscribers.get(token)
        try:
            if subscriber is None:
                raise VapidRefused("no such subscription")
            claims = check_vapid(request.headers.get("Authorization"), self.origin)
            headers = request.headers
            if headers.get("Content-Encoding") != "aes128gcm" or not headers.get("TTL"):
                raise VapidRefused("Content-Encoding aes128gcm and TTL are required")
            payload = json.loads(subscriber.decrypt(body))
        except Exception as exc:  # anything wrong is a refusal the test can read
            self.refused.append(f"{type(exc).__name__}: {exc}")
            return self._reply(request, 404 if subscriber is None else 400)
        with self.lock:
            code = self.answers.popleft() if self.answers else 201
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.received.append(Push(token, payload, claims, headers, code))
        self._reply(request, code)

    @staticmethod
    def _reply(request, code):
        request.send_response(code)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def delivered(self):
        """The pushes answered 201: what reached the browser."""
        return [p for p in self.received if p.answered == 201]
