"""The access log: every change of who may reach what, written to a file outside the database
as its transaction commits. After a restore from a backup older than them, ``flask sync
new-epoch`` makes again each change that took access away (a pairing ended, a tablet revoked, a
sign-in ended, a person made inactive, a learner erased), and names each that gave access (a
pairing made, a tablet enrolled, a person added or made active again, a PIN changed) for a
person to make again: those need someone's say, a new key or a new PIN (docs/deployment.md,
"Restoring").

The file (the ``ACCESS_LOG`` setting; empty: no log) holds one JSON object a line: ``at`` (UTC),
``change``, and the ``id`` of the row it changed with ``born``, when that row was made; a
pairing made also names its ``mentor`` and ``learner`` ids, a person added their ``role`` and
``organisation``, and a PIN changed a ``pin`` fingerprint (a digest of the PIN's stored hash,
from which no PIN can be tried). It names no one and holds no journal content.

Tablets send again what people wrote after a restore; nothing sends again these changes, and
the audit log in the database is restored to the backup's day with the rest.
"""
import hashlib
import json
import os
from datetime import datetime
from operator import itemgetter

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import Device, Pairing, Person, Token

_PENDING = "access_log_pending"  # Session.info key: lines waiting for the commit


def note(change, row, at, born=None, **also):
    """Write ``change`` of ``row``, made at ``at``, to the access log once the session's
    transaction commits (nothing, if it rolls back). The row is named by its id and the time
    it was made (``born``, if the change itself overwrites it), so that a row made later under
    the same id is never taken for it; ``also`` are ids or words the change is told by."""
    path = current_app.config.get("ACCESS_LOG")
    if path:
        born = born or getattr(row, _ROWS[change][1].key)
        line = json.dumps({"at": at.isoformat(), "change": change, "id": row.id,
                           "born": born.isoformat(), **also})
        db.session.info.setdefault(_PENDING, []).append((path, line))


def secret_changed(kind, person, at):
    """Note that ``person``'s ``kind`` of secret ("pin" or "password") was set to what it now
    is, by its fingerprint."""
    note(f"{kind}_changed", person, at, **{kind: fingerprint(getattr(person, f"{kind}_hash"))})


def fingerprint(stored_hash):
    """A short digest of a stored PIN or password hash ("none": no PIN): tells whether a
    restored secret is the one set, and gives nothing to try secrets against (the hash's salt
    is not in it)."""
    if stored_hash is None:
        return "none"
    return hashlib.sha256(stored_hash.encode()).hexdigest()[:16]


def problem(path):
    """Why changes could not be written to the access log at ``path``, or None."""
    if not path:
        return ("ACCESS_LOG is empty: changes that take access away are not logged, and a "
                "restore cannot make them again")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK) or (
            os.path.exists(path) and not os.access(path, os.W_OK)):
        return f"the access log {path} cannot be written here"
    return None


@event.listens_for(Session, "after_commit")
def _write(session):
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        for path, line in pending:
            _append(path, line)
    except OSError:
        # the change is made and cannot be undone now: say so loudly, for the operator
        current_app.logger.exception("Could not write to the access log: %s", pending)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_PENDING, None)


def _append(path, line):
    """One line, in one write to a file opened for appending (gunicorn's workers append to the
    same file), on the disk before the request is answered."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


# change -> the model of its row, and when that row came to be
_ROWS = {
    "pairing_ended": (Pairing, Pairing.started_at),
    "device_revoked": (Device, Device.created_at),
    "sign_in_ended": (Token, Token.created_at),
    "person_deactivated": (Person, Person.created_at),
    "learner_erased": (Person, Person.created_at),
}
_ROWS["person_reactivated"] = _ROWS["person_deactivated"]
_ACTIVE = ("person_deactivated", "person_reactivated")
# changes that gave access: named after a restore, for a person to make again
_GIVEN = {"pairing_made": (Pairing, Pairing.started_at), "device_enrolled": _ROWS["device_revoked"],
          "person_added": (Person, Person.created_at), "pin_changed": (Person, Person.created_at),
          "password_changed": (Person, Person.created_at)}
# a secret changed -> its field, whose it is, and what the one before it does until it is set
_SECRETS = {"pin_changed": ("pin", "the PIN of learner", "the PIN before it opens their journal"),
            "password_changed": ("password", "the password of person",
                                 "the password before it signs them in")}
_ROWS.update(_GIVEN)
_TAKEN_BACK = {"pairing_made": "pairing_ended", "device_enrolled": "device_revoked",
               "person_added": "learner_erased"}  # given, then taken away again in the log


def read(path):
    """The changes of the log at ``path`` in the order they were made (by ``at``: the logs of
    several machines may be joined one after the other), and the numbers of the lines that are
    not a change (a line cut short when the machine stopped mid-write)."""
    changes, unreadable = [], []
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
                change = {**entry, "at": datetime.fromisoformat(entry["at"]),
                          "born": datetime.fromisoformat(entry["born"]),
                          "change": str(entry["change"]), "id": int(entry["id"])}
                if change["at"].tzinfo is None or change["born"].tzinfo is None:
                    raise ValueError("a time without its zone")
            except (ValueError, KeyError, TypeError, AttributeError):
                unreadable.append(number)
                continue
            changes.append(change)
    return sorted(changes, key=itemgetter("at")), unreadable


def replay(path):
    """Make again each change of the log that took access away and that the database does not
    show, on the row it was made on: the same id, made at the same time (a row made since under
    an id used again is not touched). A person made inactive and then active again is left as
    they are. Each change made again is written to the audit log, by "restore". Then name each
    change that gave access and that the database does not show.

    :returns: (a sentence for each change made again, one for each change that gave access to
        make again by hand, the numbers of unreadable lines).
    """
    changes, unreadable = read(path)
    last_of_person = {c["id"]: c for c in changes if c["change"] in _ACTIVE}
    done = []
    for change in changes:
        kind = change["change"]
        if kind not in _ROWS or kind == "person_reactivated" or kind in _GIVEN or (
                kind in _ACTIVE and last_of_person[change["id"]] is not change):
            continue
        row = _row(change)
        if row is not None:
            said = _make_again(kind, row, change["at"])
            if said:
                done.append(said)
    db.session.commit()
    return done, _given_since(changes, last_of_person), unreadable


def _row(change):
    """The row ``change`` was made on, if the database holds it: the same id, made then."""
    model, born = _ROWS[change["change"]]
    return db.session.scalar(select(model).where(model.id == change["id"],
                                                 born == change["born"]))


def _given_since(changes, last_of_person):
    """A sentence for each change of the log that gave access and that the database does not
    show, unless the log takes it back later (a pairing made and then ended)."""
    taken = {(c["change"], c["id"], c["born"]) for c in changes}
    last_secret = {(c["change"], c["id"]): c for c in changes if c["change"] in _SECRETS}
    out = []
    for change in changes:
        kind, number = change["change"], change["id"]
        if kind not in _GIVEN or (_TAKEN_BACK.get(kind), number, change["born"]) in taken or (
                kind in _SECRETS and last_secret[kind, number] is not change) or (
                kind == "person_added" and number in last_of_person
                and last_of_person[number]["change"] == "person_deactivated"):
            continue
        row, when = _row(change), _when(change)
        if kind == "pairing_made" and row is None:
            out.append(f"pairing {number} of mentor {change.get('mentor')} with learner "
                       f"{change.get('learner')}, made {when}: pair them again")
        elif kind == "device_enrolled" and row is None:
            out.append(f"tablet {number}, enrolled {when}: enrol it again and set it up with "
                       "its new key")
        elif kind == "person_added" and row is None:
            out.append(f"{change.get('role', 'person')} {number} of organisation "
                       f"{change.get('organisation')}, added {when}: add them again")
        elif kind in _SECRETS and row is not None:
            field, whose, until = _SECRETS[kind]
            if fingerprint(getattr(row, f"{field}_hash")) != change.get(field):
                out.append(f"{whose} {number}, changed {when}: set it again (until then {until})")
    for change in last_of_person.values():
        if change["change"] == "person_reactivated":
            row = _row(change)
            if row is not None and not row.active:
                out.append(f"person {change['id']}, made active again {_when(change)}: make "
                           "them active again")
    return out


def _when(change):
    return f"{change['at']:%Y-%m-%d %H:%M} UTC"


def _make_again(kind, row, at):
    """Make the change ``kind`` again on ``row`` unless the row already shows it.

    :returns: what was made again, in a few words, or None.
    """
    from .org.audit import is_erased
    from .org.people import erase_person

    if kind == "pairing_ended" and row.ended_at is None:
        row.ended_at = at
        _audit(at, row.mentor.organisation_id, "pairing_ended", row.learner_id,
               pairing_id=row.id, mentor_id=row.mentor_id)
        return f"ended pairing {row.id} (mentor {row.mentor_id}, learner {row.learner_id})"
    if kind == "device_revoked" and row.revoked_at is None:
        row.revoked_at = at
        db.session.execute(update(Token).where(Token.device_id == row.id,
                                               Token.revoked_at.is_(None)).values(revoked_at=at))
        _audit(at, row.organisation_id, "device_revoked", None, device_id=row.id)
        return f"revoked tablet {row.id} ({row.name}) and its sign-ins"
    if kind == "sign_in_ended" and row.revoked_at is None:
        row.revoked_at = at
        _audit(at, row.person.organisation_id, "sign_in_ended", None, token_id=row.id,
               person_id=row.person_id)
        return f"ended sign-in {row.id} of person {row.person_id}"
    if kind == "person_deactivated" and row.active:
        row.active = False
        _audit(at, row.organisation_id, "person_changed", None, person_id=row.id,
               fields=["active"])
        return f"made person {row.id} inactive"
    if kind == "learner_erased" and row.role == "learner" and not is_erased(row.id):
        entries = erase_person(row)
        _audit(at, row.organisation_id, "erase_journal", row.id, entries=entries)
        return f"erased learner {row.id} again ({entries} entr{'y' if entries == 1 else 'ies'})"
    return None


def _audit(at, organisation_id, action, learner_id, **detail):
    """An audit entry of a change made again, with the time it was first made (``logged_at``):
    the entry the change first had was lost with the rest of the restored database."""
    from .org.audit import write_unattributed

    write_unattributed(organisation_id, "restore", action, learner_id, **detail,
                       logged_at=at.isoformat())
