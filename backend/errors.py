"""Domain errors and the one JSON error shape every failure of the API takes.

``{"code": 409, "error": "conflict", "message": "...", "details": {...}}``: ``error`` is a
stable snake_case name from ``ERRORS``; the PWA mirrors this table in ``pwa/store/errors.js``.
"""
import json
import re
import sys

import orjson
from flask import jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

ERRORS = {
    "invalid_request": 400,
    "invalid_json": 400,
    "unauthorized": 401,
    "invalid_credentials": 401,
    "token_expired": 401,
    "forbidden": 403,
    "locked": 423,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "epoch_changed": 409,
    "cursor_expired": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "protocol_too_old": 426,
    "too_many_requests": 429,
    "server_error": 500,
}

_HTTP_NAMES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "too_many_requests"}


class ApiError(Exception):
    """An error the API reports to the client; raised by models and services, mapped once here."""

    def __init__(self, error, message, details=None):
        super().__init__(message)
        self.error = error
        self.code = ERRORS[error]
        self.message = message
        self.details = details or {}


def invalid(field, reason):
    """An ``invalid_request`` naming one field and why."""
    return ApiError("invalid_request", f"{field}: {reason}", {"fields": {field: [reason]}})


def json_body(check_text=True):
    """The request's JSON body, or an ``invalid_json`` 400 that names the problem.

    Parsed whatever the Content-Type says (a missing header is not worth a 415: the API uses
    no cookies, so there is no cross-site form to fear), and checked for text that no database
    can store, so that a NUL or a lone surrogate is a 400 naming the field, not a 500.

    :param check_text: False to leave that check to the caller (``unstorable_text``), as the
        sync endpoints do, after the protocol version.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise _bad_body("a JSON body is required")
    try:
        body = _loads(raw)
    except json.JSONDecodeError:
        raise _bad_body("the body is not valid JSON") from None
    except ValueError:  # valid JSON, beyond what the parser takes
        raise _bad_body("a number in the body has more digits than the server reads "
                        f"({sys.get_int_max_str_digits():,})") from None
    except RecursionError:
        raise _bad_body("the body is nested deeper than the server reads") from None
    if check_text:
        where = unstorable_text(body)
        if where is not None:
            raise invalid(".".join(map(str, where)) or "_body",
                          "contains characters that cannot be stored")
    return body


def unstorable_text(body):
    """Where in the request's decoded JSON ``body`` the first string sits that no database can
    store (a NUL, a lone surrogate): the keys and list indexes leading to it (empty for the body
    itself, or for an object holding such a key), or None when every string can be stored."""
    # Only an escape (\u0000, \ud800) or a NUL byte (a UTF-16 body) can make such text;
    # a body with neither needs no walk.
    raw = request.get_data(cache=True)
    if b"\x00" not in raw and not _ESCAPE.search(raw):
        return None
    stack = [((), body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, sub in value.items():
                if not _storable(key):
                    return list(path)
                stack.append(((*path, key), sub))
        elif isinstance(value, list):
            stack.extend(((*path, i), sub) for i, sub in enumerate(value))
        elif isinstance(value, str) and not _storable(value):
            return list(path)
    return None


_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def _loads(raw):
    """Decode JSON with orjson (a push of a thousand entries in a third of the time), and with
    the standard library wherever the two could differ: a number of 19 digits or more (orjson
    reads an integer beyond 64 bits as a float), or a body orjson refuses (a lone surrogate,
    NaN), so that such bodies get the same answer as always."""
    if _LONG_NUMBER not in raw.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def _bad_body(reason):
    return ApiError("invalid_json", f"_body: {reason}", {"fields": {"_body": [reason]}})


def _storable(text):
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def error_response(error, message, details=None, code=None):
    body = {"code": code or ERRORS[error], "error": error, "message": message,
            "details": details or {}}
    return jsonify(body), body["code"]


def _flatten(messages):
    """marshmallow's nested messages -> {"a.b": ["reason"]} so every field is named."""
    flat = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        else:
            flat[prefix or "_schema"] = value if isinstance(value, list) else [value]

    walk("", messages)
    return flat


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def _api_error(exc):
        return error_response(exc.error, exc.message, exc.details)

    @app.errorhandler(ValidationError)
    def _validation_error(exc):
        fields = _flatten(exc.messages)
        first = next(iter(fields))
        return error_response("invalid_request", f"{first}: {fields[first][0]}", {"fields": fields})

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        name = _HTTP_NAMES.get(exc.code, "invalid_request" if exc.code < 500 else "server_error")
        if exc.code == 400 and "JSON" in (exc.description or ""):
            name = "invalid_json"
        return error_response(name, exc.description or name, code=exc.code)

    @app.errorhandler(Exception)
    def _unexpected(exc):  # pragma: no cover - last resort, logged with its traceback
        app.logger.exception("unhandled error")
        return error_response("server_error", "Something went wrong on the server.")
