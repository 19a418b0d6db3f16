"""Test data factories: ``make.goal(learner, **overrides)`` and friends [CTFd gen_user].

Each returns a detached object whose id can be used after the app context closes.
"""
import itertools
import uuid
from datetime import date

from backend.auth.credentials import hash_secret
from backend.auth.tokens import digest, new_secret
from backend.extensions import db
from backend.journal.records import allocate_seqs
from backend.models import COLLECTIONS, Device, Organisation, Pairing, Person
from backend.models.types import utcnow

_n = itertools.count(1)

DEFAULTS = {
    "profile": {"needs": "Help with my hearing aid", "preferences": "Mornings are best"},
    "goals": {"title": "Learn to video-call my grandson", "why": "He lives in Leeds",
              "whose_idea": "own", "status": "active", "benefits": ["everyday_skills"]},
    "sessions": {"date": date(2026, 11, 2), "activity": "Practised video calls", "minutes": 30,
                 "with_whom": "mentor", "feeling_before": 2, "feeling_after": 4},
    "contributions": {"kind": "taught", "what": "Showed Ada how to knit a cable stitch"},
    "reflections": {"date": date(2026, 11, 3), "text": "I surprised myself today.",
                    "quote_consent": False},
    "checkins": {"date": date(2026, 11, 1), "life_satisfaction": 7, "worthwhile": 8,
                 "happy": 6, "anxious": 3},
}


class Factories:
    def __init__(self, app):
        self.app = app

    def _save(self, obj):
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj

    def org(self, name=None, kind="care_home"):
        return self._save(Organisation(name=name or f"Home {next(_n)}", kind=kind))

    def person(self, org, role, name=None, password=None, pin=None, **overrides):
        n = next(_n)
        person = Person(organisation_id=org.id, role=role, display_name=name or f"{role} {n}",
                        **overrides)
        if role != "learner":
            person.email = overrides.get("email", f"{role}{n}@example.org")
            person.password_hash = hash_secret(password or "correct horse battery")
        if pin:
            person.pin_hash = hash_secret(pin)
        return self._save(person)

    def learner(self, org, **kw):
        return self.person(org, "learner", **kw)

    def mentor(self, org, **kw):
        return self.person(org, "mentor", **kw)

    def staff(self, org, **kw):
        return self.person(org, "staff", **kw)

    def pairing(self, mentor, learner, ended=False):
        return self._save(Pairing(mentor_id=mentor.id, learner_id=learner.id,
                                  ended_at=utcnow() if ended else None))

    def device(self, org, name="Lounge tablet"):
        """An enrolled tablet; its raw key is on ``device.raw_key``."""
        raw = new_secret("dev_")
        device = self._save(Device(organisation_id=org.id, name=name, key_hash=digest(raw)))
        device.raw_key = raw
        return device

    def record(self, collection, learner, author=None, **overrides):
        model = COLLECTIONS[collection]
        fields = {"visibility": "private", **DEFAULTS[collection], **overrides}
        # as the sync engine keeps it: the widest sight the entry has had (none while private)
        fields.setdefault("widest_visibility",
                          None if fields["visibility"] == "private" else fields["visibility"])
        with self.app.app_context():
            now = utcnow()
            rev = str(uuid.uuid4())
            obj = model(id=str(uuid.uuid4()), learner_id=learner.id,
                        author_id=(author or learner).id, created_at=now, updated_at=now,
                        deleted=False, seq=allocate_seqs(1),
                        revs={k: rev for k in fields if k in model.FIELDS}, **fields)
            db.session.add(obj)
            db.session.commit()
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj

    def goal(self, learner, **kw):
        return self.record("goals", learner, **kw)

    def session(self, learner, **kw):
        return self.record("sessions", learner, **kw)
