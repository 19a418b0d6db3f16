"""``flask`` commands: set up organisations, people, pairings and tablets; demo data.

A person's mistake (an unknown id, a short password) prints one plain sentence and exits with
status 1 through ``click.ClickException``; a traceback would mean a bug.
"""
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from . import access_log
from .auth.credentials import hash_secret, unlock
from .auth.tokens import digest, new_secret
from .config import safe_view
from .demo import demo_cli
from .extensions import db
from .models import Device, Organisation, Pairing, Person, Token
from .models.people import ORG_KINDS, ROLES
from .models.types import utcnow
from .org.audit import write_unattributed
from .org.people import new_password
from .org.schemas import PersonIn, PersonPatch

DEV_SECRET = "dev-only-change-me"  # backend/config.py's default
# The API's field names as this command's options, so that a refusal names what was typed.
OPTIONS = {"display_name": "--name", "is_admin": "--admin", "opted_out": "--opted-out"}

org_cli = AppGroup("org", help="Organisations: a care home or a home-care service.")
people_cli = AppGroup("people", help="Learners, mentors and staff.")
device_cli = AppGroup("device", help="Tablets enrolled for an organisation.")


def fail(message):
    raise click.ClickException(message)


def audit(organisation_id, action, learner_id=None, **detail):
    """Log a change made here as the API logs its own; no person did it, the command line did."""
    write_unattributed(organisation_id, "command line", action, learner_id, **detail)


def _get(model, ident, what):
    # Beyond the databases' integer keys PostgreSQL would raise rather than find nothing.
    obj = db.session.get(model, ident) if 0 < ident < 2**31 else None
    if obj is None:
        fail(f"There is no {what} with id {ident}.")
    return obj


def _text(value, name, max_len):
    value = (value or "").strip()
    if not value or len(value) > max_len:
        fail(f"{name}: give 1 to {max_len} characters.")
    return value


def _timezone(value):
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"timezone: {value!r} is not a known time zone (try Europe/London).")
    return value


def _kind_label(kind):
    return kind.replace("_", " ").replace("home care", "home-care service")


@org_cli.command("create")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(ORG_KINDS), help="What it is.")
@click.option("--timezone", default=None, help="IANA time zone [default: DEFAULT_TIMEZONE].")
def org_create(name, kind, timezone):
    """Create an organisation called NAME."""
    org = Organisation(name=_text(name, "name", 200), kind=kind,
                       timezone=_timezone(timezone or current_app.config["DEFAULT_TIMEZONE"]))
    db.session.add(org)
    db.session.flush()
    audit(org.id, "organisation_created", name=org.name)
    db.session.commit()
    click.echo(f"Created organisation {org.id}: {org.name} ({_kind_label(kind)}, {org.timezone}).")


@org_cli.command("list")
def org_list():
    """List the organisations and their ids."""
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        click.echo(f"{org.id:>4}  {org.name} ({_kind_label(org.kind)})")


def _person_fields(role, name, email, password, pin, admin, opted_out):
    """The new person's fields, checked by the API's own rules (``org.schemas.PersonIn``);
    a mentor's or staff member's password is asked for once the rest is known to be right."""
    given = {"role": role, "display_name": name, "email": email, "password": password,
             "pin": pin, "is_admin": admin, "opted_out": opted_out}
    given = {k: v for k, v in given.items() if v is not None}
    if role != "learner" and password is None:
        _load_person({**given, "password": "stands in until asked"})
        given["password"] = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return _load_person(given)


def _load_person(given):
    try:
        return PersonIn().load(given)
    except ValidationError as exc:
        fail("\n".join(f"{OPTIONS.get(k, '--' + k)}: {' '.join(map(str, v))}"
                       for k, v in exc.messages.items()))


@people_cli.command("add")
@click.option("--org", "org_id", required=True, type=int, help="Organisation id.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="The name shown on tiles and entries.")
@click.option("--email", help="Mentors and staff sign in with it.")
@click.option("--password", prompt="Password", prompt_required=False, hide_input=True,
              confirmation_prompt=True, help="Mentors and staff; asked for when left out.")
@click.option("--pin", prompt="PIN", prompt_required=False, hide_input=True,
              confirmation_prompt=True, help="Learners: an optional PIN of 4 to 8 digits.")
@click.option("--admin", is_flag=True, help="Staff: may administer the organisation.")
@click.option("--opted-out", is_flag=True, help="Learners: leave out of anonymous totals.")
def people_add(org_id, role, name, email, password, pin, admin, opted_out):
    """Add a learner, mentor or member of staff to an organisation."""
    org = _get(Organisation, org_id, "organisation")
    data = _person_fields(role, name, email, password, pin, admin, opted_out)
    person = Person(organisation_id=org.id, role=role, display_name=data["display_name"].strip(),
                    is_admin=data["is_admin"], opted_out=data["opted_out"])
    if "email" in data:
        person.email = data["email"].strip().lower()
        if db.session.scalar(select(Person.id).where(Person.email == person.email)):
            fail(f"--email: someone already signs in with {person.email}.")
        person.password_hash = hash_secret(data["password"])
    if data.get("pin"):
        person.pin_hash = hash_secret(data["pin"])
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError:  # someone else took the email between the check and the insert
        fail(f"--email: someone already signs in with {person.email}.")
    audit(org.id, "person_created", person_id=person.id, role=role)
    access_log.note("person_added", person, person.created_at, role=role, organisation=org.id)
    db.session.commit()
    extra = " (administrator)" if person.is_admin else ""
    how = f"signs in as {person.email}" if person.email else (
        "has a PIN" if person.has_pin else "signs in by tile, no PIN")
    click.echo(f"Added {role} {person.id}: {person.display_name}{extra} to {org.name}; {how}.")


@people_cli.command("list")
@click.option("--org", "org_id", type=int, help="Only this organisation.")
def people_list(org_id):
    """List people and their ids."""
    stmt = select(Person).order_by(Person.organisation_id, Person.role, Person.display_name)
    if org_id is not None:
        stmt = stmt.where(Person.organisation_id == org_id)
    for p in db.session.scalars(stmt):
        extra = (" (administrator)" if p.is_admin else "") + ("" if p.active else " (inactive)")
        click.echo(f"{p.id:>4}  org {p.organisation_id}  {p.role:<8} {p.display_name}{extra}"
                   f"{'  ' + p.email if p.email else ''}")


@people_cli.command("set-password")
@click.argument("person_id", type=int)
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True,
              help="Asked for, hidden, twice when left out.")
def people_set_password(person_id, password):
    """Give a mentor or member of staff a new password: every sign-in they had ends."""
    person = _get(Person, person_id, "person")
    if person.role == "learner":
        fail("A learner has a PIN, not a password: set it in the app, under People.")
    try:
        PersonPatch().load({"password": password})
    except ValidationError as exc:
        fail(f"--password: {' '.join(exc.messages['password'])}")
    new_password(person, password)
    audit(person.organisation_id, "person_changed", person_id=person.id, fields=["password"])
    db.session.commit()
    click.echo(f"{person.display_name} has a new password; every sign-in they had has ended.")


@people_cli.command("unlock")
@click.argument("person_id", type=int)
def people_unlock(person_id):
    """Lift the lock after too many wrong passwords or PINs."""
    person = _get(Person, person_id, "person")
    unlock(person)
    audit(person.organisation_id, "unlock", person_id=person.id)
    db.session.commit()
    click.echo(f"Unlocked {person.display_name}: they can sign in again.")


def _mentor_and_learner(mentor_id, learner_id):
    mentor = _get(Person, mentor_id, "person")
    learner = _get(Person, learner_id, "person")
    for person, role in ((mentor, "mentor"), (learner, "learner")):
        if person.role != role:
            fail(f"{person.display_name} (id {person.id}) is a {person.role}, not a {role}.")
    return mentor, learner


def _active_pairing(mentor, learner):
    return db.session.scalar(select(Pairing).where(
        Pairing.mentor_id == mentor.id, Pairing.learner_id == learner.id,
        Pairing.ended_at.is_(None)))


@click.command("pair")
@click.argument("mentor_id", type=int)
@click.argument("learner_id", type=int)
@with_appcontext
def pair(mentor_id, learner_id):
    """Pair a mentor with a learner they visit."""
    mentor, learner = _mentor_and_learner(mentor_id, learner_id)
    if mentor.organisation_id != learner.organisation_id:
        fail("A mentor can only be paired with learners of their own organisation.")
    if not (mentor.active and learner.active):
        fail("Only active people can be paired.")
    if _active_pairing(mentor, learner) is not None:
        fail(f"{mentor.display_name} is already paired with {learner.display_name}.")
    pairing = Pairing(mentor_id=mentor.id, learner_id=learner.id, started_at=utcnow())
    db.session.add(pairing)
    db.session.flush()
    audit(mentor.organisation_id, "pairing_created", learner_id=learner.id,
          pairing_id=pairing.id, mentor_id=mentor.id)
    access_log.note("pairing_made", pairing, pairing.started_at, mentor=mentor.id,
                    learner=learner.id)
    db.session.commit()
    click.echo(f"Paired {mentor.display_name} with {learner.display_name}.")


@click.command("unpair")
@click.argument("mentor_id", type=int)
@click.argument("learner_id", type=int)
@with_appcontext
def unpair(mentor_id, learner_id):
    """End a pairing: the mentor no longer sees the learner's journal."""
    mentor, learner = _mentor_and_learner(mentor_id, learner_id)
    pairing = _active_pairing(mentor, learner)
    if pairing is None:
        fail(f"{mentor.display_name} is not paired with {learner.display_name}.")
    pairing.ended_at = utcnow()
    audit(mentor.organisation_id, "pairing_ended", learner_id=learner.id,
          pairing_id=pairing.id, mentor_id=mentor.id)
    access_log.note("pairing_ended", pairing, pairing.ended_at)
    db.session.commit()
    click.echo(f"Ended the pairing of {mentor.display_name} with {learner.display_name}.")


@click.command("pairings")
@click.option("--org", "org_id", type=int, help="Only this organisation.")
@with_appcontext
def pairings(org_id):
    """List pairings, active first: who visits whom, since when, and until when."""
    mentor, learner = aliased(Person), aliased(Person)
    stmt = (select(Pairing, mentor.display_name, learner.display_name)
            .join(mentor, Pairing.mentor_id == mentor.id)
            .join(learner, Pairing.learner_id == learner.id)
            .order_by(Pairing.ended_at.is_not(None), Pairing.id))
    if org_id is not None:
        stmt = stmt.where(mentor.organisation_id == org_id)
    for p, mentor_name, learner_name in db.session.execute(stmt):
        until = f"ended {p.ended_at:%Y-%m-%d %H:%M} UTC" if p.ended_at else "active"
        click.echo(f"{p.id:>4}  mentor {p.mentor_id} {mentor_name} -> learner {p.learner_id} "
                   f"{learner_name}  since {p.started_at:%Y-%m-%d}  {until}")


@device_cli.command("enrol")
@click.option("--org", "org_id", required=True, type=int, help="Organisation id.")
@click.option("--name", required=True, help='What staff call it, e.g. "Lounge tablet".')
def device_enrol(org_id, name):
    """Enrol a tablet and print its key, once."""
    org = _get(Organisation, org_id, "organisation")
    raw = new_secret("dev_")
    device = Device(organisation_id=org.id, name=_text(name, "name", 120), key_hash=digest(raw),
                    created_at=utcnow())
    db.session.add(device)
    db.session.flush()
    audit(org.id, "device_enrolled", device_id=device.id)
    access_log.note("device_enrolled", device, device.created_at)
    db.session.commit()
    click.echo(f"Enrolled tablet {device.id}: {device.name} for {org.name}.\n"
               f"Its key (shown only now; enter it on the tablet, keep it safe):\n  {raw}")


@device_cli.command("revoke")
@click.argument("device_id", type=int)
def device_revoke(device_id):
    """Revoke a tablet: its key and every sign-in on it stop working."""
    device = _get(Device, device_id, "tablet")
    if device.revoked_at is not None:
        click.echo(f"Tablet {device.id} ({device.name}) was already revoked.")
        return
    device.revoked_at = utcnow()
    # As the API does: every sign-in made on the tablet ends with it.
    db.session.execute(update(Token).where(Token.device_id == device.id,
                                           Token.revoked_at.is_(None))
                       .values(revoked_at=device.revoked_at))
    audit(device.organisation_id, "device_revoked", device_id=device.id)
    access_log.note("device_revoked", device, device.revoked_at)
    db.session.commit()
    click.echo(f"Revoked tablet {device.id} ({device.name}).")


@device_cli.command("list")
@click.option("--org", "org_id", type=int, help="Only this organisation.")
def device_list(org_id):
    """List enrolled tablets and their ids."""
    stmt = select(Device).order_by(Device.id)
    if org_id is not None:
        stmt = stmt.where(Device.organisation_id == org_id)
    for d in db.session.scalars(stmt):
        state = "revoked" if d.revoked_at else "enrolled"
        click.echo(f"{d.id:>4}  org {d.organisation_id}  {d.name} ({state})")


@click.command("show-config")
@with_appcontext
def show_config():
    """Show the configuration in use, secrets masked."""
    click.echo(f"instance folder = {current_app.instance_path}")
    for key, value in safe_view(current_app.config).items():
        click.echo(f"{key} = {value}")
    if current_app.config["SECRET_KEY"] == DEV_SECRET:
        click.echo("warning: SECRET_KEY is the development default; set your own before "
                   "serving anyone (docs/deployment.md).")
    trouble = access_log.problem(current_app.config["ACCESS_LOG"])
    if trouble:
        click.echo(f"warning: {trouble} (docs/deployment.md, 'Restoring').")
    if not os.path.exists(os.path.join(current_app.instance_path, "config.py")):
        click.echo("(no config.py in the instance folder: everything above comes from defaults "
                   "and the environment)")


def init_app(app):
    for command in (org_cli, people_cli, device_cli, demo_cli, pair, unpair, pairings,
                    show_config):
        app.cli.add_command(command)
