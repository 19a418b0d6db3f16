"""The errors of the sync protocol: one JSON shape, one table of stable names.

Every error travels as ``{"code": int, "error": str, "message": str, "details": {...}}``.
``error`` is a stable snake_case name that clients switch on; ``code`` is the HTTP status the
backend answers with when the error ends a whole request. The same shape describes why a single
mutation was rejected inside a successful push (see ``mutation_error``).
"""


class ProtocolError(Exception):
    """A request the engine cannot answer; the backend maps it to one HTTP error response."""

    error = "protocol_error"
    code = 400
    message = "The request does not follow the sync protocol."

    def __init__(self, message=None, details=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = dict(details or {})

    def to_wire(self):
        """Return the error as the JSON object sent to the client."""
        return {"code": self.code, "error": self.error, "message": self.message,
                "details": self.details}

    @classmethod
    def from_wire(cls, wire):
        """Rebuild an error received from a server, as its own subclass when the name is known.

        :param wire: an error object, ``{"code", "error", "message", "details"}``.
        """
        wire = wire if isinstance(wire, dict) else {}
        details = wire.get("details") if isinstance(wire.get("details"), dict) else {}
        kind = _BY_NAME.get(wire.get("error"))
        if kind is InvalidRequest:
            return InvalidRequest(details.get("field", "?"), details.get("reason", "?"),
                                  wire.get("message"))
        if kind is not None:
            return kind(wire.get("message"), details)
        # an error this client does not know: keep its name and code for the person to see
        error = ProtocolError(wire.get("message"), details)
        error.error = str(wire.get("error", "unknown_error"))
        error.code = wire.get("code") if isinstance(wire.get("code"), int) else 500
        return error


class InvalidRequest(ProtocolError):
    """The request is not valid JSON of the protocol's shape; ``details`` names the field."""

    error = "invalid_request"
    code = 400
    message = "The request is not valid."

    def __init__(self, field, reason, message=None):
        super().__init__(message or f"{field}: {reason}", {"field": field, "reason": reason})


class Unauthorized(ProtocolError):
    """No valid bearer token (raised by the backend, listed here so every name is in one table)."""

    error = "unauthorized"
    code = 401
    message = "Please sign in again."


class Forbidden(ProtocolError):
    """The person may not use sync at all (a per-mutation refusal is a rejected result)."""

    error = "forbidden"
    code = 403
    message = "You are not allowed to do this."


class EpochChanged(ProtocolError):
    """The server was restored from a backup: the client re-sends its log and pulls afresh."""

    error = "epoch_changed"
    code = 409
    message = "The server was restored from a backup; sync again from the start."


class CursorExpired(ProtocolError):
    """Deletions older than the cursor were purged: the client must do a full resync."""

    error = "cursor_expired"
    code = 409
    message = "This device has been away too long; it will fetch everything again."


class ProtocolTooOld(ProtocolError):
    """The client speaks a protocol version the server no longer accepts: it must update."""

    error = "protocol_too_old"
    code = 426
    message = "This app needs updating before it can sync."


_BY_NAME = {kind.error: kind for kind in (
    InvalidRequest, Unauthorized, Forbidden, EpochChanged, CursorExpired, ProtocolTooOld)}


# Why a single mutation was rejected: name -> (code, message). The push itself succeeds.
MUTATION_ERRORS = {
    "validation_failed": (422, "Some of this entry is not valid."),
    "unknown_collection": (422, "This kind of entry is not known."),
    "forbidden": (403, "You are not allowed to write this entry."),
    "learner_mismatch": (409, "An entry cannot move to another person's journal."),
    "record_deleted": (409, "This entry was deleted on another device."),
    "not_found": (404, "There is no such entry to resolve."),
}


def mutation_error(name, field, reason, message=None, **extra):
    """Build the ``error`` object of a rejected mutation result.

    :param name: a key of ``MUTATION_ERRORS``.
    :param field: the field that failed (or ``learner_id``, ``collection``, ``record_id``).
    :param reason: why, in plain words.
    :param message: a sentence for people (default: the table's).
    :param extra: more details, e.g. ``fields`` with every failing field.
    :raises KeyError: if ``name`` is not in ``MUTATION_ERRORS``.
    """
    code, default = MUTATION_ERRORS[name]
    return {"code": code, "error": name, "message": message or default,
            "details": {"field": field, "reason": reason, **extra}}
