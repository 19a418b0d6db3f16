"""Mentor pairings and enrolled tablets of an organisation."""
from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from .. import access, access_log
from ..auth.tokens import digest, new_secret
from ..errors import ApiError
from ..extensions import db
from ..models import Device, Pairing, Person, Token
from ..models.types import utcnow
from . import audit
from .people import in_my_organisation


def list_pairings(actor):
    access.require_staff(actor)
    mentor = aliased(Person)
    stmt = (select(Pairing).join(mentor, Pairing.mentor_id == mentor.id)
            .where(mentor.organisation_id == actor.organisation_id)
            .order_by(Pairing.ended_at.is_not(None), Pairing.started_at.desc(), Pairing.id))
    return db.session.scalars(stmt).all()


def pair(actor, mentor_id, learner_id):
    """Pair a mentor with a learner of the same organisation; one active pairing per two."""
    access.require_staff(actor, admin=True)
    people = {}
    for field, person_id, role in (("mentor_id", mentor_id, "mentor"),
                                   ("learner_id", learner_id, "learner")):
        try:
            people[role] = in_my_organisation(actor, person_id)
        except ApiError:
            raise ApiError("not_found", f"{field}: there is no such person",
                           {"fields": {field: ["there is no such person"]}}) from None
        if people[role].role != role or not people[role].active:
            raise ApiError("invalid_request", f"{field}: is not an active {role}",
                           {"fields": {field: [f"is not an active {role}"]}})
    if access.is_paired(mentor_id, learner_id):
        raise ApiError("conflict", "These two are already paired.",
                       {"fields": {"learner_id": ["is already paired with this mentor"]}})
    pairing = Pairing(mentor=people["mentor"], learner=people["learner"], started_at=utcnow())
    db.session.add(pairing)
    db.session.flush()
    audit.write(actor, "pairing_created", learner_id=learner_id, pairing_id=pairing.id,
                mentor_id=mentor_id)
    access_log.note("pairing_made", pairing, pairing.started_at, mentor=pairing.mentor_id,
                    learner=pairing.learner_id)
    return pairing


def end_pairing(actor, pairing_id):
    """End a pairing: the mentor stops seeing the learner's journal at once. Ending an
    ended pairing changes nothing, so a retried request is harmless."""
    access.require_staff(actor, admin=True)
    pairing = db.session.get(Pairing, pairing_id) if 0 < pairing_id < 2**31 else None
    if pairing is None or pairing.mentor.organisation_id != actor.organisation_id:
        raise ApiError("not_found", "There is no such pairing.")
    if pairing.ended_at is None:
        pairing.ended_at = utcnow()
        audit.write(actor, "pairing_ended", learner_id=pairing.learner_id,
                    pairing_id=pairing.id, mentor_id=pairing.mentor_id)
        access_log.note("pairing_ended", pairing, pairing.ended_at)
    return pairing


def list_devices(actor):
    access.require_staff(actor)
    stmt = (select(Device).where(Device.organisation_id == actor.organisation_id)
            .order_by(Device.revoked_at.is_not(None), Device.name, Device.id))
    return db.session.scalars(stmt).all()


def enrol(actor, name):
    """Enrol a tablet; returns (device, raw key). Only the key's digest is stored."""
    access.require_staff(actor, admin=True)
    raw = new_secret("dev_")
    device = Device(organisation_id=actor.organisation_id, name=name.strip(),
                    key_hash=digest(raw), enrolled_by_id=actor.id, created_at=utcnow())
    db.session.add(device)
    db.session.flush()
    audit.write(actor, "device_enrolled", device_id=device.id)
    access_log.note("device_enrolled", device, device.created_at)
    return device, raw


def revoke_device(actor, device_id):
    """Revoke a tablet (lost, stolen, retired) and every sign-in made on it."""
    access.require_staff(actor, admin=True)
    device = db.session.get(Device, device_id) if 0 < device_id < 2**31 else None
    if device is None or device.organisation_id != actor.organisation_id:
        raise ApiError("not_found", "There is no such tablet.")
    now = utcnow()
    if device.revoked_at is None:
        device.revoked_at = now
        audit.write(actor, "device_revoked", device_id=device.id)
        access_log.note("device_revoked", device, now)
    db.session.execute(update(Token).where(Token.device_id == device.id,
                                           Token.revoked_at.is_(None)).values(revoked_at=now))
    return device
