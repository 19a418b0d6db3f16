"""The sync engine and protocol of What Matters: pure Python, never imports Flask or SQLAlchemy.

``push``/``pull`` apply the protocol (docs/sync-protocol.md) to a ``Store`` (``push_answer`` and
``pull_page`` build a server's response text); ``MemoryStore`` is the in-memory store;
``Client`` is the reference client the PWA follows.
"""
from .client import Client, SyncReport, TransportError
from .cursor import Cursor
from .engine import (COLLECTION_KEY, TOMBSTONE_RETENTION, Actor, PushAnswer, Validator,
                     purge_tombstones, push, push_answer)
from .errors import (MUTATION_ERRORS, CursorExpired, EpochChanged, Forbidden, InvalidRequest,
                     ProtocolError, ProtocolTooOld, Unauthorized)
from .memory_store import MemoryStore
from .protocol import (DEFAULT_LIMIT, MAX_AHEAD, MAX_LIMIT, MAX_MUTATIONS,
                       MIN_PROTOCOL_VERSION, OPS, PROTOCOL_VERSION, STATUSES, Change, Mutation,
                       MutationResult, PullRequest, PullResponse, PushRequest, PushResponse,
                       check_protocol)
from .pull import PullPage, Scope, pull, pull_page
from .records import DEFAULT_VISIBILITY, DELETED, VISIBILITIES, Record, time_uuid, utc_now
from .store import ChangeRow, Store, StoredResult, StoreTransaction
from .transport import EngineTransport

__all__ = [
    "Actor", "COLLECTION_KEY", "Change", "ChangeRow", "Client", "Cursor", "CursorExpired",
    "DEFAULT_LIMIT", "DEFAULT_VISIBILITY", "DELETED", "EngineTransport", "EpochChanged",
    "Forbidden", "InvalidRequest", "MAX_AHEAD", "MAX_LIMIT", "MAX_MUTATIONS",
    "MIN_PROTOCOL_VERSION", "MUTATION_ERRORS", "MemoryStore", "Mutation", "MutationResult", "OPS",
    "PROTOCOL_VERSION", "ProtocolError", "ProtocolTooOld", "PullRequest", "PullResponse",
    "PushRequest", "PushResponse", "Record", "STATUSES", "Scope", "Store", "StoreTransaction",
    "StoredResult", "SyncReport", "TOMBSTONE_RETENTION", "TransportError", "Unauthorized",
    "VISIBILITIES", "Validator", "PullPage", "PushAnswer", "check_protocol", "pull", "pull_page",
    "purge_tombstones", "push", "push_answer", "time_uuid", "utc_now",
]
