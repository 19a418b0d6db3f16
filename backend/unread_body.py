"""A request body the app answered without reading to its end is read and dropped before the
answer goes out (up to ``DRAIN_LIMIT``).

An answer that comes before the body is read (``401`` for a token gone stale, ``413`` for a push
larger than ``MAX_CONTENT_LENGTH``) is otherwise followed by the server closing the connection
with the rest of the body unread: the kernel then resets it, and a client that sends its whole
body before it reads the answer, as most HTTP clients and browsers do, sees a broken
connection instead of the answer. It would take that for a network that is down, and send the
same push again and again, never halving a batch too large or asking the person to sign in
again (docs/sync-protocol.md, "Transport")."""
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import LimitedStream

# a body larger than this is not read to its end: the connection is closed, as before
DRAIN_LIMIT = 64 * 1024 * 1024
CHUNK = 64 * 1024


def init_app(app):
    app.teardown_request(_drop_the_rest)


def _drop_the_rest(_error=None):
    """Read what is left of the request's body, if it has a length within ``DRAIN_LIMIT``.
    Runs before the server sends the answer (the WSGI server writes it once the app returns).
    A body read to its end (every request that is answered in full) costs nothing here."""
    length = request.content_length
    if not length or length > DRAIN_LIMIT:
        return
    stream = request.__dict__.get("stream")  # werkzeug's cached stream, if the app opened it
    if stream is None:  # nothing of the body was read
        stream = LimitedStream(request.environ["wsgi.input"], length)
    elif getattr(stream, "is_exhausted", False):
        # read to its limit, nothing is left; and one more read of a stream whose limit is
        # MAX_CONTENT_LENGTH (a body exactly that long) would raise a 413 after the answer
        return
    try:
        while stream.read(CHUNK):
            pass
    except (OSError, HTTPException):  # the client went away: nothing to answer
        pass
