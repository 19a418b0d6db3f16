"""``flask`` commands: set up organisations, people, pairings and tablets; demo data.

A person's mistake (an unknown id, a short password) prints one plain sentence and exits with
status 1 through ``click.ClickException``; a traceback would mean a bug.
"""
import os
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError, validate
from sqlalchemy import select

from . import demo
from .auth.credentials import hash_secret, unlock
from .auth.tokens import digest, new_secret
from .config import safe_view
from .extensions import db
from .models import Device, Organisation, Pairing, Person
from .models.people import ORG_KINDS, ROLES
from .models.types import utcnow

MIN_PASSWORD = 10
PIN_RULE = re.compile(r"^[0-9]{4,8}$")
DEV_SECRET = "dev-only-change-me"  # backend/config.py's default

org_cli = AppGroup("org", help="Organisations: a care home or a home-care service.")
people_cli = AppGroup("people", help="Learners, mentors and staff.")
device_cli = AppGroup("device", help="Tablets enrolled for an organisation.")
demo_cli = AppGroup("demo", help="Demo data to try the service with.")


def fail(message):
    raise click.ClickException(message)


def _get(model, ident, what):
    obj = db.session.get(model, ident)
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
    db.session.commit()
    click.echo(f"Created organisation {org.id}: {org.name} ({_kind_label(kind)}, {org.timezone}).")


@org_cli.command("list")
def org_list():
    """List the organisations and their ids."""
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        click.echo(f"{org.id:>4}  {org.name} ({_kind_label(org.kind)})")


def _new_password(password):
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        fail(f"password: use at least {MIN_PASSWORD} characters.")
    return password


def _check_email(email):
    email = (email or "").strip().lower()
    try:
        validate.Email()(email)
    except ValidationError:
        fail(f"email: {email or '(none)'} is not an email address.")
    if db.session.scalar(select(Person.id).where(Person.email == email)) is not None:
        fail(f"email: someone already signs in with {email}.")
    return email


def _check_role_options(role, email, password, pin, admin):
    if role == "learner" and (email or password is not None):
        fail("A learner signs in on a tablet by tile and PIN: leave out --email and --password.")
    if role != "learner" and pin is not None:
        fail("Only learners have a PIN; mentors and staff sign in with email and password.")
    if role != "learner" and not email:
        fail(f"email: a {role} signs in with an email address; add --email.")
    if admin and role != "staff":
        fail("Only staff can administer an organisation: leave out --admin.")
    if pin is not None and not PIN_RULE.match(pin):
        fail("pin: a PIN is 4 to 8 digits.")


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
def people_add(org_id, role, name, email, password, pin, admin):
    """Add a learner, mentor or member of staff to an organisation."""
    org = _get(Organisation, org_id, "organisation")
    _check_role_options(role, email, password, pin, admin)
    person = Person(organisation_id=org.id, role=role, display_name=_text(name, "name", 120),
                    is_admin=admin)
    if role != "learner":
        person.email = _check_email(email)
        person.password_hash = hash_secret(_new_password(password))
    elif pin:
        person.pin_hash = hash_secret(pin)
    db.session.add(person)
    db.session.commit()
    extra = " (administrator)" if admin else ""
    how = f"signs in as {person.email}" if person.email else (
        "has a PIN" if pin else "signs in by tile, no PIN")
    click.echo(f"Added {role} {person.id}: {person.display_name}{extra} to {org.name}; {how}.")


@people_cli.command("list")
@click.option("--org", "org_id", type=int, help="Only this organisation.")
def people_list(org_id):
    """List people and their ids."""
    stmt = select(Person).order_by(Person.organisation_id, Person.role, Person.display_name)
    if org_id is not None:
        stmt = stmt.where(Person.organisation_id == org_id)
    for p in db.session.scalars(stmt):
        extra = " (administrator)" if p.is_admin else ""
        click.echo(f"{p.id:>4}  org {p.organisation_id}  {p.role:<8} {p.display_name}{extra}"
                   f"{'  ' + p.email if p.email else ''}")


@people_cli.command("unlock")
@click.argument("person_id", type=int)
def people_unlock(person_id):
    """Lift the lock after too many wrong passwords or PINs."""
    person = _get(Person, person_id, "person")
    unlock(person)
    db.session.commit()
    click.echo(f"Unlocked {person.display_name}: they can sign in again.")


def _mentor_and_learner(mentor_id, learner_id):
    mentor = _get(Person, mentor_id, "person")
    learner = _get(Person, learner_id, "person")
    if mentor.role != "mentor":
        fail(f"{mentor.display_name} (id {mentor.id}) is a {mentor.role}, not a mentor.")
    if learner.role != "learner":
        fail(f"{learner.display_name} (id {learner.id}) is a {learner.role}, not a learner.")
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
    if _active_pairing(mentor, learner) is not None:
        fail(f"{mentor.display_name} is already paired with {learner.display_name}.")
    db.session.add(Pairing(mentor_id=mentor.id, learner_id=learner.id))
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
    db.session.commit()
    click.echo(f"Ended the pairing of {mentor.display_name} with {learner.display_name}.")


@device_cli.command("enrol")
@click.option("--org", "org_id", required=True, type=int, help="Organisation id.")
@click.option("--name", required=True, help='What staff call it, e.g. "Lounge tablet".')
def device_enrol(org_id, name):
    """Enrol a tablet and print its key, once."""
    org = _get(Organisation, org_id, "organisation")
    raw = new_secret("dev_")
    device = Device(organisation_id=org.id, name=_text(name, "name", 120), key_hash=digest(raw))
    db.session.add(device)
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


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when any organisation exists.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Make the six weeks end here.")
def demo_load(if_empty, today):
    """Load the demo: a care home and a home-care service with six weeks of journals."""
    if db.session.scalar(select(Organisation.id).limit(1)) is not None:
        if if_empty:
            click.echo("The database already has organisations; the demo was not loaded.")
            return
        fail("The database already has organisations; the demo loads only into an empty one.")
    counts = demo.load(today.date() if today else None)
    click.echo("Loaded the demo: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
    click.echo(f"Its sign-ins are in {demo.sign_ins_path()}; `flask demo sign-ins` prints them.")


@demo_cli.command("sign-ins")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=5000, type=int, show_default=True)
def demo_sign_ins(host, port):
    """Print the demo's address and sign-ins (passwords, tablet keys, PINs)."""
    click.echo(demo.sign_ins_text(f"http://{host}:{port}"))


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
    if not os.path.exists(os.path.join(current_app.instance_path, "config.py")):
        click.echo("(no instance/config.py: everything above comes from defaults and the "
                   "environment)")


def init_app(app):
    for command in (org_cli, people_cli, device_cli, demo_cli, pair, unpair, show_config):
        app.cli.add_command(command)
