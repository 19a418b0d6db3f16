"""Shape checks for wire data. Each raises ``InvalidRequest`` naming the failing field by path
(``mutations[3].fields.title``) so a client author can find the bug from the error alone."""
import re

from .errors import InvalidRequest

MAX_ID_CHARS = 64
MAX_NAME_CHARS = 64
MAX_TEXT_CHARS = 50_000
MAX_DEPTH = 4
MAX_ITEMS = 1_000
# the largest integer (a seq, a floor, a cursor's) any JSON number keeps exactly in every client
# (JavaScript's Number.MAX_SAFE_INTEGER), well inside the databases' 64-bit seq columns
MAX_INTEGER = 2**53 - 1
# the largest id of a person: the databases' 32-bit integer columns
MAX_PERSON_ID = 2**31 - 1
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def obj(value, field, required, optional=()):
    """Return ``value`` if it is an object with every required key and no unknown key.

    :param value: the decoded JSON value.
    :param field: the path of the value, for the error.
    :param required: keys that must be present.
    :param optional: keys that may be present.
    :raises InvalidRequest: naming the first missing or unknown key.
    """
    if not isinstance(value, dict):
        raise InvalidRequest(field or "body", "must be an object")
    for key in required:
        if key not in value:
            raise InvalidRequest(join(field, key), "is required")
    allowed = _ALLOWED.get((required, optional))
    if allowed is None:
        allowed = _ALLOWED[(required, optional)] = frozenset(required) | frozenset(optional)
    for key in value:
        if key not in allowed:
            raise InvalidRequest(join(field, str(key)), "is not a known field")
    return value


_ALLOWED = {}  # (required, optional) -> the keys allowed, built once per message shape


def join(field, key):
    """Return the path of ``key`` inside ``field``.

    :param field: a path, or ``""`` for the top of the body.
    :param key: a key inside it.
    """
    return f"{field}.{key}" if field else key


def string(value, field, max_chars=MAX_NAME_CHARS, nullable=False):
    """Return ``value`` if it is a non-empty string of at most ``max_chars`` characters.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :param max_chars: the longest allowed.
    :param nullable: whether ``None`` is allowed.
    :raises InvalidRequest: if it is not.
    """
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidRequest(field, "must be a non-empty string")
    if len(value) > max_chars:
        raise InvalidRequest(field, f"must be at most {max_chars} characters")
    return value


def integer(value, field, minimum=None, maximum=MAX_INTEGER):
    """Return ``value`` if it is an integer (not a boolean) within the bounds.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :param minimum: the smallest allowed, if any.
    :param maximum: the largest allowed: ``MAX_INTEGER`` unless said, so that no number a
        database cannot hold reaches it.
    :raises InvalidRequest: if it is not.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRequest(field, "must be an integer")
    if minimum is not None and value < minimum:
        raise InvalidRequest(field, f"must be at least {minimum}")
    if value > maximum:
        raise InvalidRequest(field, f"must be at most {maximum}")
    return value


def person_id(value, field):
    """Return ``value`` if it can be a person's id (a learner's, an author's)."""
    return integer(value, field, 1, MAX_PERSON_ID)


def path_of(parts):
    """The path of the value reached through ``parts`` (keys and list indexes), spelled as the
    errors spell it (``mutations[3].fields.title``); ``body`` for the body itself."""
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else join(path, str(part))
    return path or "body"


def boolean(value, field):
    """Return ``value`` if it is ``true`` or ``false``.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :raises InvalidRequest: if it is not.
    """
    if not isinstance(value, bool):
        raise InvalidRequest(field, "must be true or false")
    return value


def uuid_string(value, field):
    """Return ``value`` if it is a UUID in canonical lower-case form.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :raises InvalidRequest: if it is not (ids are compared as strings, so one spelling only).
    """
    if isinstance(value, str) and _UUID.match(value):
        return value
    raise InvalidRequest(field, "must be a lower-case UUID string")


def array(value, field, max_items=MAX_ITEMS):
    """Return ``value`` if it is a list of at most ``max_items`` items.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :param max_items: the most items allowed.
    :raises InvalidRequest: if it is not.
    """
    if not isinstance(value, list):
        raise InvalidRequest(field, "must be a list")
    if len(value) > max_items:
        raise InvalidRequest(field, f"must have at most {max_items} items")
    return value


def field_name(name, field, reserved=()):
    """Return ``name`` if it can name a domain field: not empty, short, not starting with ``_``
    (names starting with ``_`` are the protocol's own, such as ``_deleted``) unless listed in
    ``reserved``.

    :param name: the name.
    :param field: its path, for the error.
    :param reserved: names starting with ``_`` allowed here.
    :raises InvalidRequest: if it cannot.
    """
    string(name, field)
    if name.startswith("_") and name not in reserved:
        raise InvalidRequest(field, "names starting with _ are reserved")
    return name


def json_value(value, field, depth=0):
    """Return ``value`` if it is plain JSON (null, boolean, number, string, list, object) of
    modest size.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :param depth: how deep it sits already.
    :raises InvalidRequest: naming the offending part.
    """
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidRequest(field, "must be a finite number")
        return value
    if isinstance(value, str):
        return string(value, field, MAX_TEXT_CHARS) if value else value
    if depth >= MAX_DEPTH:
        raise InvalidRequest(field, f"must be nested at most {MAX_DEPTH} levels deep")
    if isinstance(value, list):
        for i, item in enumerate(array(value, field)):
            json_value(item, f"{field}[{i}]", depth + 1)
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            string(key, field)
            json_value(item, join(field, key), depth + 1)
        return value
    raise InvalidRequest(field, "must be a JSON value")


def mapping(value, field, check_key, check_value, max_items=MAX_ITEMS, plain=None):
    """Return ``value`` if it is an object whose keys and values pass the checks.

    :param value: the decoded JSON value.
    :param field: its path, for the error.
    :param max_items: the most entries allowed.
    :param check_key: ``(key, path) -> None``, raising ``InvalidRequest``.
    :param check_value: ``(value, path) -> None``, raising ``InvalidRequest``.
    :param plain: ``(value) -> bool``, true only when every entry would pass both checks: then
        none is checked one by one (``plain_fields``, ``plain_revs``).
    :raises InvalidRequest: naming the first bad entry.
    """
    if not isinstance(value, dict):
        raise InvalidRequest(field, "must be an object")
    if len(value) > max_items:
        raise InvalidRequest(field, f"must have at most {max_items} entries")
    if plain is not None and plain(value):
        return value
    for key, item in value.items():
        check_key(key, join(field, str(key)))
        check_value(item, join(field, str(key)))
    return value


def plain_fields(value):
    """Whether every entry of the object ``value`` passes ``field_name`` (nothing reserved) and
    ``json_value`` at once: plain names; null, booleans, integers, strings of at most
    ``MAX_TEXT_CHARS``, short lists of such strings and integers. One loop, for speed: a push
    checks tens of thousands of entries."""
    for key, item in value.items():
        if type(key) is not str or not 0 < len(key) <= MAX_NAME_CHARS or key[0] == "_":
            return False
        kind = type(item)
        if kind is str:
            if len(item) > MAX_TEXT_CHARS:
                return False
        elif kind is list:
            if len(item) > MAX_ITEMS:
                return False
            for x in item:
                if not (type(x) is int or (type(x) is str and len(x) <= MAX_TEXT_CHARS)):
                    return False
        elif not (item is None or kind is int or kind is bool):
            return False
    return True


def plain_revs(value):
    """Whether every entry of the object ``value`` passes ``field_name`` (nothing reserved)
    and is null or an id of at most ``MAX_ID_CHARS`` characters (a mutation's ``base``)."""
    for key, item in value.items():
        if type(key) is not str or not 0 < len(key) <= MAX_NAME_CHARS or key[0] == "_":
            return False
        if item is not None and (type(item) is not str or not 0 < len(item) <= MAX_ID_CHARS):
            return False
    return True
