"""The pull cursor: opaque to clients, base64url of compact JSON to the server.

It holds the server epoch it belongs to; per learner in the puller's scope, the last seq the
client has seen and a mask of the visibilities it was allowed to see (a learner whose mask
changes is pulled again from the start, so records that became visible arrive and records that
became hidden leave the device); and the server's ``purged_through_seq`` as it stood before the
last page was read: tombstones purged up to it were gone before the client read, so it holds no
record they would have removed (a cursor made before this mark was kept reads as 0). A cursor of
a page fetched ahead also holds the seq its page ends at (docs/sync-protocol.md, "Pages
fetched ahead").
"""
import base64
import binascii
import json
from dataclasses import dataclass, field

from . import wire
from .errors import InvalidRequest
from .records import VISIBILITIES

MAX_CURSOR_CHARS = 100_000


def visibility_mask(visible):
    """Return a small integer naming a set of visibilities (unknown values are ignored).

    :param visible: a set of values of ``VISIBILITIES``.
    """
    return sum(1 << i for i, name in enumerate(VISIBILITIES) if name in visible)


@dataclass(frozen=True)
class Cursor:
    """Where a replica's pull stands: ``seqs`` and ``masks`` are keyed by learner id; ``purged``
    is the purge mark the client's records are consistent with; ``until``, when not 0, the
    last seq of a page fetched ahead."""

    epoch: str
    seqs: dict = field(default_factory=dict)
    masks: dict = field(default_factory=dict)
    purged: int = 0
    until: int = 0

    def encode(self):
        """Return the opaque string sent to the client."""
        body = {"e": self.epoch,
                "s": {str(k): [v, self.masks.get(k, 0)] for k, v in sorted(self.seqs.items())}}
        if self.purged:
            body["p"] = self.purged
        if self.until:
            body["u"] = self.until
        raw = json.dumps(body, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text, path="cursor"):
        """Parse a cursor string made by ``encode``.

        :param text: the cursor as the client sent it.
        :param path: the request field it came in, for errors.
        :raises InvalidRequest: if it is not one (``details.field`` is ``cursor``).
        """
        wire.string(text, path, MAX_CURSOR_CHARS)
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            body = json.loads(raw)
            wire.obj(body, path, ("e", "s"), ("p", "u"))
            seqs, masks = {}, {}
            for key, (seq, mask) in body["s"].items():
                learner = int(key)
                seqs[learner] = wire.integer(seq, path, 0)
                masks[learner] = wire.integer(mask, path, 0)
            return cls(wire.string(body["e"], path), seqs, masks,
                       wire.integer(body.get("p", 0), path, 0),
                       wire.integer(body.get("u", 0), path, 0))
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, AttributeError,
                InvalidRequest):
            raise InvalidRequest(path, "is not a cursor this server made") from None
