"""People of an organisation: staff create them, change them, lift their lockouts.

Everything is limited to the caller's organisation: a person of another organisation, or an
erased learner, answers ``not_found`` exactly as an id that was never used.
"""
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from .. import access, access_log
from ..auth import credentials, tokens
from ..errors import ApiError, invalid
from ..extensions import db
from ..journal import records
from ..models import Pairing, Person, SyncMutation, SyncReplica, Token
from ..models.types import utcnow
from ..push.subscriptions import forget_person
from . import audit

ERASED_NAME = "Erased learner"


def _conflict_email():
    return ApiError("conflict", "email: is already in use",
                    {"fields": {"email": ["is already in use"]}})


def in_my_organisation(actor, person_id, admin=False):
    """The person ``person_id`` of ``actor``'s organisation, for its staff; else 404/403."""
    access.require_staff(actor, admin=admin)
    person = db.session.get(Person, person_id) if 0 < person_id < 2**31 else None
    if (person is None or person.organisation_id != actor.organisation_id
            or audit.is_erased(person.id)):
        raise ApiError("not_found", "There is no such person.")
    return person


def list_people(actor, role=None):
    access.require_staff(actor)
    stmt = (select(Person).where(Person.organisation_id == actor.organisation_id,
                                 Person.id.not_in(audit.erased_ids()))
            .order_by(Person.role, Person.display_name, Person.id))
    if role:
        stmt = stmt.where(Person.role == role)
    return db.session.scalars(stmt).all()


def create(actor, data):
    """Add a learner, mentor or member of staff to the administrator's organisation."""
    access.require_staff(actor, admin=True)
    person = Person(organisation_id=actor.organisation_id, role=data["role"],
                    display_name=data["display_name"].strip(),
                    is_admin=data["is_admin"], opted_out=data["opted_out"])
    if "email" in data:
        person.email = data["email"].strip().lower()
        if db.session.scalar(select(Person.id).where(Person.email == person.email)):
            raise _conflict_email()
        person.password_hash = credentials.hash_secret(data["password"])
    if data.get("pin"):
        person.pin_hash = credentials.hash_secret(data["pin"])
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError:  # another request took the email between our check and insert
        db.session.rollback()
        raise _conflict_email() from None
    audit.write(actor, "person_created", person_id=person.id, role=person.role)
    access_log.note("person_added", person, person.created_at, role=person.role,
                    organisation=person.organisation_id)
    return person


def update(actor, person_id, data):
    """Change a person's name, PIN or password, opting out of the totals, or whether they are
    active."""
    person = in_my_organisation(actor, person_id, admin=True)
    if person.role != "learner":
        for name in ("pin", "opted_out"):
            if name in data:
                raise invalid(name, "only applies to a learner")
    elif "password" in data:
        raise invalid("password", "a learner has a PIN, not a password")
    if data.get("active") is False and person.id == actor.id:
        raise invalid("active", "you cannot deactivate yourself")
    if "password" in data and person.id == actor.id:
        raise invalid("password", "another administrator, or the command line, sets your own")
    if "password" in data:
        new_password(person, data["password"])
    if "display_name" in data:
        person.display_name = data["display_name"].strip()
    if "pin" in data:
        person.pin_hash = credentials.hash_secret(data["pin"]) if data["pin"] else None
        access_log.secret_changed("pin", person, utcnow())
    if "active" in data and data["active"] != person.active:
        access_log.note("person_reactivated" if data["active"] else "person_deactivated",
                        person, utcnow())
    for name in ("opted_out", "active"):
        if name in data:
            setattr(person, name, data[name])
    audit.write(actor, "person_changed", person_id=person.id, fields=sorted(data))
    return person


def new_password(person, password):
    """Give a mentor or member of staff a new password (forgotten, or a phone lost): every
    sign-in they had ends, and any lockout is lifted. A restore ends those sign-ins again and
    names the password for setting again (``access_log``)."""
    person.password_hash = credentials.hash_secret(password)
    credentials.unlock(person)
    for token in db.session.scalars(select(Token).where(Token.person_id == person.id,
                                                        Token.revoked_at.is_(None))):
        tokens.revoke(token)
    access_log.secret_changed("password", person, utcnow())


def unlock(actor, person_id):
    """Lift a lockout. Any staff may unlock a learner at a tablet; only an administrator
    may unlock a mentor or a colleague, whose accounts reach further."""
    access.require_staff(actor)
    person = in_my_organisation(actor, person_id)
    if person.role != "learner":
        access.require_staff(actor, admin=True)
    credentials.unlock(person)
    audit.write(actor, "unlock", person_id=person.id)
    return person


def my_learners(actor):
    """The learners a mentor visits (active pairings), or all active learners for staff."""
    if actor.role == "mentor":
        ids = access.paired_learner_ids(actor.id)
        where = [Person.id.in_(ids)]
    elif actor.role == "staff":
        where = [Person.organisation_id == actor.organisation_id]
    else:
        raise ApiError("forbidden", "Only mentors and staff have learners.")
    stmt = (select(Person).where(Person.role == "learner", Person.active.is_(True), *where)
            .order_by(Person.display_name, Person.id))
    return db.session.scalars(stmt).all()


def my_mentors(actor):
    """A learner's mentors, past and present: the names under the visits they wrote."""
    if actor.role != "learner":
        raise ApiError("forbidden", "Only a learner has mentors.")
    ids = select(Pairing.mentor_id).where(Pairing.learner_id == actor.id)
    stmt = select(Person).where(Person.id.in_(ids)).order_by(Person.display_name, Person.id)
    return db.session.scalars(stmt).all()


def erase(actor, learner, confirm):
    """Erase ``learner`` for good (the reasons are in the erase view's docstring): hard-delete
    their journal, sign-ins, pairings and sync state; keep an anonymous stub so that the id is
    never reused and the audit log stays true; log the erasure without any content."""
    if " ".join(confirm.split()).casefold() != " ".join(learner.display_name.split()).casefold():
        raise invalid("confirm", "type the learner's name exactly as it is shown")
    born = learner.created_at
    entries = erase_person(learner)
    audit.write(actor, audit.ERASED, learner_id=learner.id, entries=entries,
                by="learner" if actor.id == learner.id else "administrator")
    access_log.note("learner_erased", learner, utcnow(), born=born)
    return {"learner_id": learner.id, "entries_deleted": entries}


def erase_person(learner):
    """The erasure itself, as ``erase`` and a restore's access log make it: the number of
    journal entries deleted."""
    db.session.flush()  # pending changes (this token's last use) first, then the bulk deletes
    entries = records.erase_journal(learner)
    replicas = select(SyncReplica.id).where(SyncReplica.person_id == learner.id)
    db.session.execute(delete(SyncMutation).where(or_(SyncMutation.learner_id == learner.id,
                                                      SyncMutation.replica_id.in_(replicas))))
    for model, column in ((SyncReplica, SyncReplica.person_id), (Token, Token.person_id),
                          (Pairing, Pairing.learner_id)):
        db.session.execute(delete(model).where(column == learner.id))
    forget_person(learner.id)  # reminders by web push
    _anonymise(learner)
    return entries


def _anonymise(person):
    person.display_name = ERASED_NAME
    person.email = person.password_hash = person.pin_hash = person.timezone = None
    person.active, person.opted_out = False, True
    person.failed_attempts, person.locked_until, person.locked_by_staff_needed = 0, None, False
    person.created_at = utcnow()
