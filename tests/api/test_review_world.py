"""Small worlds for the review's tests: journal entries written straight into the database on
chosen days, so every figure can be worked out by hand. (No tests here: the helpers and
fixtures that test_review_*.py import.)"""
import uuid
from datetime import date, datetime, time, timezone

import pytest

from backend.extensions import db
from backend.journal.records import allocate_seqs
from backend.models import COLLECTIONS, Person

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
JOINED = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


def noon(day):
    return datetime.combine(day, time(12), timezone.utc)


class World:
    """Writes journal entries on chosen days; ``review()`` asks the API for one."""

    def __init__(self, app, client, auth, make):
        self.app, self.client, self.auth, self.make = app, client, auth, make
        self.org = make.org(name="Elm House")
        self.staff = make.staff(self.org)
        self._headers = None

    def learners(self, count, org=None, opted_out=False):
        people = [self.make.learner(org or self.org, opted_out=opted_out) for _ in range(count)]
        with self.app.app_context():
            for person in people:
                db.session.get(Person, person.id).created_at = JOINED
            db.session.commit()
        return [p.id for p in people]

    def add(self, collection, learner_id, day=None, written=None, author_id=None,
            deleted=False, **fields):
        """An entry of ``learner_id``'s, written at ``written`` (noon on ``day``)."""
        model = COLLECTIONS[collection]
        when = written or noon(day)
        if day is not None and "date" in model.FIELDS:
            fields.setdefault("date", day)
        with self.app.app_context():
            db.session.add(model(id=str(uuid.uuid4()), learner_id=learner_id,
                                 author_id=author_id or learner_id, created_at=when,
                                 updated_at=when, deleted=deleted, seq=allocate_seqs(1),
                                 revs={}, visibility=fields.pop("visibility", "private"),
                                 **fields))
            db.session.commit()

    def session(self, learner_id, day, minutes=30, before=None, after=None, benefits=(), **kw):
        self.add("sessions", learner_id, day, minutes=minutes, feeling_before=before,
                 feeling_after=after, benefits=list(benefits), activity="Painting", **kw)

    def goal(self, learner_id, day, whose_idea="own", **kw):
        self.add("goals", learner_id, day, title="A goal", whose_idea=whose_idea, **kw)

    def headers(self):
        if self._headers is None:
            self._headers = self.auth.headers(self.staff)
        return self._headers

    def get(self, path, **params):
        return self.client.get(path, query_string=params, headers=self.headers())

    def review(self, **params):
        resp = self.get("/api/review", **{**OCTOBER, **params})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.json


@pytest.fixture
def world(app, client, auth, make):
    return World(app, client, auth, make)


def oct_(day):
    return date(2026, 10, day)


@pytest.fixture(scope="module")
def module_world(database_url):
    """A world whose entries last for a whole module, for tests that compare one review
    figure by figure (parametrized), without building it again for each figure."""
    from backend import create_app
    from tests.conftest import Auth, _empty_tables
    from tests.factories import Factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "SECRET_KEY": "test"})
    with app.app_context():
        _empty_tables()
    yield World(app, app.test_client(), Auth(app), Factories(app))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def full_journal(w, learner_id, day, mentor_id=None, level=0, change=1, minutes=30):
    """One of everything the review counts, written on ``day``."""
    w.session(learner_id, day, minutes, 2, 2 + change, ["creative"], author_id=mentor_id)
    w.goal(learner_id, day, "own", status="achieved", achieved_on=day, gas_level=level)
    w.add("contributions", learner_id, day, kind="taught", what="Knitting")
    w.add("contributions", learner_id, day, kind="offer", what="Knitting")
    w.add("checkins", learner_id, day, life_satisfaction=6, worthwhile=7, happy=6, anxious=3)
    w.add("reflections", learner_id, day, text=f"Words of {learner_id}", quote_consent=True)
