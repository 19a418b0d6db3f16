"""Demo data: a care home and a home-care service with six weeks of journals ending today.

Everything is made up. The same "today" always gives the same journals (a seeded ``Random``);
tablet keys alone are random, because a demo left running on a network should not open to a
key printed in a repository. The raw sign-ins are saved in ``instance/demo-sign-ins.json``,
readable only by its owner, so that ``flask demo sign-ins`` can print them later.
"""
import json
import os
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .auth.credentials import hash_secret
from .auth.tokens import digest, new_secret
from .demo_brookside import BROOKSIDE
from .demo_elmfield import ELMFIELD
from .demo_journal import DAYS, Journal, Writer, delete_one, fill_gaps, write_journal
from .demo_stories import PASSWORD
from .extensions import db
from .models import AuditEntry, Device, Goal, Organisation, Pairing, Person
from .models.types import utcnow

ORGS = (ELMFIELD, BROOKSIDE)
TIMEZONE = "Europe/London"
SIGN_INS_FILE = "demo-sign-ins.json"

demo_cli = AppGroup("demo", help="Demo data to try the service with.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when any organisation exists.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Make the six weeks end here.")
def load_command(if_empty, today):
    """Load the demo: a care home and a home-care service with six weeks of journals."""
    if db.session.scalar(select(Organisation.id).limit(1)) is not None:
        if if_empty:
            click.echo("The database already has organisations; the demo was not loaded.")
            return
        raise click.ClickException(
            "The database already has organisations; the demo loads only into an empty one.")
    counts = load(today.date() if today else None)
    click.echo("Loaded the demo: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
    click.echo(f"Its sign-ins are in {sign_ins_path()}; `flask demo sign-ins` prints them.")


@demo_cli.command("sign-ins")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=5000, type=int, show_default=True)
def sign_ins_command(host, port):
    """Print the demo's address and sign-ins (passwords, tablet keys, PINs)."""
    click.echo(sign_ins_text(f"http://{host}:{port}"))


def sign_ins_path():
    return os.path.join(current_app.instance_path, SIGN_INS_FILE)


def load(today=None):
    """Write the demo into the database and the sign-ins file; return what was made, counted.

    :param today: the last day of the six weeks; today in the UK when left out
    """
    today = today or datetime.now(ZoneInfo(TIMEZONE)).date()
    now = utcnow()
    # People were signed up four weeks before their journals begin.
    joined = datetime.combine(today - timedelta(days=DAYS - 1 + 28), time(10), ZoneInfo(TIMEZONE))
    hashes = _hashes()
    sign_ins, writers = [], []
    for story in ORGS:
        org_sign_ins, org_writers = _organisation(story, hashes, joined, now)
        sign_ins.append(org_sign_ins)
        writers += org_writers
    records = make_journal(today, writers, now).insert(db.session)
    db.session.flush()
    _staff_reads(now - timedelta(days=2))
    db.session.commit()
    _save_sign_ins({"today": today.isoformat(), "password": PASSWORD,
                    "organisations": sign_ins})
    return _counts(records)


def make_journal(today, writers, now):
    """Every learner's six weeks, the same for the same ``today``."""
    journal = Journal(random.Random(f"what-matters-demo {today.isoformat()}"), today,
                      ZoneInfo(TIMEZONE), now)
    for writer in writers:
        write_journal(journal, writer)
    fill_gaps(journal, writers)
    delete_one(journal, writers[1])
    return journal


def _hashes():
    """Argon2 hashes of the demo's password and PINs, made side by side: each takes a while."""
    secrets = [PASSWORD] + sorted({l.pin for org in ORGS for l in org.learners if l.pin})
    with ThreadPoolExecutor() as pool:
        return dict(zip(secrets, pool.map(hash_secret, secrets)))


def _organisation(story, hashes, before, now):
    """The organisation, its people, tablet and pairings; returns its sign-ins and writers."""
    org = Organisation(name=story.name, kind=story.kind, timezone=TIMEZONE, created_at=before)
    staff = [Person(organisation=org, role="staff", display_name=name, email=email,
                    password_hash=hashes[PASSWORD], is_admin=admin, created_at=before)
             for name, email, admin in story.staff]
    mentors = {name: Person(organisation=org, role="mentor", display_name=name, email=email,
                            password_hash=hashes[PASSWORD], created_at=before)
               for name, email in story.mentors}
    learners = [Person(organisation=org, role="learner", display_name=l.name,
                       pin_hash=hashes.get(l.pin), opted_out=l.opted_out, created_at=before)
                for l in story.learners]
    pairings = [Pairing(mentor=mentors[l.mentor], learner=p, started_at=before)
                for l, p in zip(story.learners, learners) if l.mentor]
    db.session.add_all([org, *staff, *mentors.values(), *learners, *pairings])
    db.session.flush()
    key = new_secret("dev_")
    tablet = Device(organisation=org, name=story.tablet, key_hash=digest(key),
                    enrolled_by_id=staff[0].id, created_at=before,
                    last_seen_at=now - timedelta(days=story.tablet_silent_days, hours=1))
    db.session.add(tablet)
    db.session.flush()
    _setting_up(staff[0], [*staff[1:], *mentors.values(), *learners], pairings, tablet, before)
    writers = [Writer(p.id, l, _mentor_of(mentors, l), story.groups, {})
               for l, p in zip(story.learners, learners)]
    return {"name": org.name, "kind": org.kind,
            "staff": [{"name": p.display_name, "email": p.email, "admin": p.is_admin}
                      for p in staff],
            "mentors": [{"name": p.display_name, "email": p.email} for p in mentors.values()],
            "tablets": [{"name": tablet.name, "key": key}],
            "learners": [{"name": l.name, "pin": l.pin} for l in story.learners]}, writers


def _setting_up(admin, people, pairings, tablet, at):
    """The audit log of the organisation's setting up, as the app writes it when an
    administrator adds people, pairs them and sets up a tablet ("Who read or changed what")."""
    entries = [("person_created", None, {"person_id": p.id, "role": p.role}) for p in people]
    entries += [("pairing_created", p.learner_id, {"pairing_id": p.id, "mentor_id": p.mentor_id})
                for p in pairings]
    entries.append(("device_enrolled", None, {"device_id": tablet.id}))
    db.session.add_all(AuditEntry(organisation_id=admin.organisation_id, actor_id=admin.id,
                                  at=at, action=action, learner_id=learner, detail=detail)
                       for action, learner, detail in entries)


def _staff_reads(at):
    """In each organisation, a member of staff read the goals one learner shares with the care
    team, two days ago: the audit log and that learner's "Who has read my journal" (and her
    home page, until she looks) show it, as a staff read through the app writes it."""
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        staff = [p for p in org.people if p.role == "staff"]
        reader = sorted(staff, key=lambda p: (p.is_admin, p.id))[0]
        shared = db.session.execute(
            select(Goal.learner_id, func.count()).where(
                Goal.learner_id.in_([p.id for p in org.people if p.role == "learner"]),
                Goal.visibility == "care_team", Goal.deleted.is_(False))
            .group_by(Goal.learner_id).order_by(Goal.learner_id).limit(1)).first()
        if shared is not None:
            db.session.add(AuditEntry(organisation_id=org.id, actor_id=reader.id, at=at,
                                      action="read_journal", learner_id=shared[0],
                                      detail={"collection": "goals", "count": shared[1]}))


def _mentor_of(mentors, story):
    mentor = mentors.get(story.mentor)
    return (mentor.id, mentor.display_name.split()[0]) if mentor else None


def _counts(records):
    people = {role: sum(len(getattr(org, role)) for org in ORGS)
              for role in ("learners", "mentors", "staff")}
    return {"organisations": len(ORGS), **people, "tablets": len(ORGS),
            "profiles": records.get("profile", 0), "goals": records.get("goals", 0),
            f"sessions over {DAYS} days": records.get("sessions", 0),
            "contributions and offers": records.get("contributions", 0),
            "reflections": records.get("reflections", 0),
            "check-ins": records.get("checkins", 0)}


def _save_sign_ins(data):
    """Write the sign-ins readable by their owner only (mode 0600), replacing any old ones."""
    path = sign_ins_path()
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.chmod(tmp, 0o600)  # in case an old .tmp file had looser permissions
    os.replace(tmp, path)


def read_sign_ins():
    """The saved demo sign-ins, or None when this instance never loaded the demo."""
    try:
        with open(sign_ins_path()) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def _still_here(data):
    """Whether the database still holds the demo these sign-ins were saved for."""
    hashes = [digest(t["key"]) for org in data["organisations"] for t in org["tablets"]]
    return db.session.scalar(select(Device.id).where(Device.key_hash.in_(hashes))) is not None


def sign_ins_text(address):
    """The address and the demo's sign-ins, as printed by ``flask demo sign-ins``."""
    data = read_sign_ins()
    if data is None:
        return (f"What Matters is at {address}\n"
                "No demo sign-ins: the demo was not loaded into this instance "
                "(`flask demo load` loads it into an empty database).")
    lines = [f"What Matters is at {address}", ""]
    if not _still_here(data):
        lines += [f"The demo sign-ins in {sign_ins_path()} no longer match the database:",
                  "it was replaced or changed since the demo was loaded.", ""]
    lines += [f"Demo sign-ins (made-up people; every password is {data['password']}):"]
    for org in data["organisations"]:
        lines += ["", f"{org['name']} ({org['kind'].replace('_', ' ')})"]
        lines += [_row("staff", p["name"] + (" (admin)" if p["admin"] else ""), p["email"])
                  for p in org["staff"]]
        lines += [_row("mentor", p["name"], p["email"]) for p in org["mentors"]]
        lines += [_row("tablet", t["name"], "key " + t["key"]) for t in org["tablets"]]
        lines += [_row("learner", p["name"], f"PIN {p['pin']}" if p["pin"] else "no PIN")
                  for p in org["learners"]]
    lines += ["", "Staff and mentors sign in with email and password; learners choose their "
              "tile on the tablet, then their PIN if they have one."]
    return "\n".join(lines)


def _row(what, name, how):
    return f"  {what:<8} {name:<28} {how}"
