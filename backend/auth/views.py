"""Sign-in: staff and mentors by email and password; learners by tile and PIN on a tablet."""
from flask import Blueprint, g
from sqlalchemy import select

from ..apidoc import documented
from ..errors import ApiError, json_body
from ..extensions import db
from ..models import Person, Token
from ..push.subscriptions import forget_sign_in
from . import credentials
from .schemas import DeviceKeyIn, LoginIn, OkOut, PersonOut, PinLoginIn, TilesOut, TokenOut
from .tokens import (auth_required, device_for_key, digest, issue_token, revoke,
                     tablet_signed_in_on)

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def _signed_in(person, raw):
    token = db.session.scalar(select(Token).where(Token.token_hash == digest(raw)))
    db.session.commit()
    return TokenOut().dump({"token": raw, "expires_at": token.expires_at, "person": person})


@bp.post("/login")
@documented(body=LoginIn, response=TokenOut, public=True, errors={
    401: "The email and password did not match", 423: "Locked after too many wrong tries"})
def login():
    """Sign in a member of staff or a mentor with email and password."""
    data = LoginIn().load(json_body())
    person = db.session.scalar(select(Person).where(Person.email == data["email"].lower()))
    if person is None or person.role == "learner" or not person.active:
        # Same answer and similar time as a wrong password: no account discovery.
        credentials.spend_same_time(data["password"])
        raise ApiError("invalid_credentials", "That did not match. Please try again.")
    try:
        credentials.verify(person, person.password_hash, data["password"])
    finally:
        db.session.commit()
    device = tablet_signed_in_on(data.get("device_key"), person)
    return _signed_in(person, issue_token(person, device=device, label=data["device_name"]))


@bp.post("/tiles")
@documented(body=DeviceKeyIn, response=TilesOut, public=True,
            errors={401: "The tablet is not enrolled (`details.tablet_not_enrolled`)"})
def tiles():
    """The person tiles of an enrolled tablet: the learners of its organisation."""
    device = device_for_key(DeviceKeyIn().load(json_body())["device_key"])
    people = db.session.scalars(
        select(Person).where(Person.organisation_id == device.organisation_id,
                             Person.role == "learner", Person.active.is_(True))
        .order_by(Person.display_name)).all()
    db.session.commit()
    return TilesOut().dump({"organisation": device.organisation.name, "device": device.name,
                            "people": people})


@bp.post("/pin")
@documented(body=PinLoginIn, response=TokenOut, public=True, errors={
    401: "The tablet is not enrolled (`unauthorized`, `details.tablet_not_enrolled`: no PIN "
         "is checked or counted), or the PIN did not match (`invalid_credentials`)",
    423: "Locked after too many wrong tries"})
def pin_login():
    """Sign in a learner on an enrolled tablet by their tile and, if they have one, their PIN."""
    data = PinLoginIn().load(json_body())
    device = device_for_key(data["device_key"])
    person = db.session.get(Person, data["person_id"])
    if (person is None or person.role != "learner" or not person.active
            or person.organisation_id != device.organisation_id):
        raise ApiError("not_found", "There is no such person on this tablet.")
    if person.has_pin:
        if not data["pin"]:
            raise ApiError("invalid_request", "pin: please enter your PIN",
                           {"fields": {"pin": ["please enter your PIN"]}})
        try:
            credentials.verify(person, person.pin_hash, data["pin"])
        finally:
            db.session.commit()
    else:
        credentials.check_not_locked(person)
    return _signed_in(person, issue_token(person, device=device, label=device.name))


@bp.post("/logout")
@auth_required
@documented(response=OkOut)
def logout():
    """Revoke the token used for this request, and the reminders asked for with it."""
    revoke(g.token)
    forget_sign_in(g.token)
    db.session.commit()
    return OkOut().dump({"ok": True})


@bp.get("/me")
@auth_required
@documented(response=PersonOut)
def me():
    """The signed-in person."""
    db.session.commit()
    return PersonOut().dump(g.person)
