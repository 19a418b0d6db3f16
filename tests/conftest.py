"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL when DATABASE_URL names
one), a test client, and an ``auth`` helper that signs people in."""
import os
import tempfile
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, insert

from backend import create_app
from backend.extensions import db
from backend.models import SyncState

from backend.auth import credentials

from . import factories
from .dbs import create_test_database

# Changes that take access away are logged outside the database (backend/access_log.py): every
# app the tests make, and every server they start, logs into a folder of this run's, never into
# the working copy's instance folder; the ``app`` fixture gives each test a log of its own.
os.environ.setdefault("ACCESS_LOG", os.path.join(tempfile.mkdtemp(prefix="wm-access-"),
                                                 "access.jsonl"))

# Argon2 at its production cost takes a tenth of a second a hash: too slow for hundreds of
# test sign-ins. The same algorithm at its lowest cost keeps the code path identical.
credentials._hasher = credentials.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session")
def database_url():
    url, drop = create_test_database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    drop()


def _empty_tables():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.execute(insert(SyncState).values(id=1, epoch=str(uuid.uuid4()), seq=0,
                                                purged_through_seq=0))
    db.session.commit()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "SECRET_KEY": "test", "ACCESS_LOG": str(tmp_path / "access.jsonl")})
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context, for tests that use models directly."""
    with app.app_context():
        yield


class Auth:
    """Signs people in for a test: ``auth.headers(person)`` gives a bearer header."""

    def __init__(self, app):
        self._app = app

    def headers(self, person, device=None):
        from backend.auth.tokens import issue_token

        with self._app.app_context():
            person = db.session.merge(person)
            device = db.session.merge(device) if device is not None else None
            raw = issue_token(person, device=device, label="test")
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def auth(app):
    return Auth(app)


@pytest.fixture
def make(app):
    """Factories bound to the app: ``make.learner(org)``, ``make.goal(learner, ...)``."""
    return factories.Factories(app)


def sql_store(request):
    """The backend's SQL store on this run's database, for the sync contract suite
    (tests/unit/sync/conftest.py). Learner and author ids 1-20 exist as people."""
    from backend.models import Organisation, Person
    from backend.sync_api.store import SqlStore

    app = request.getfixturevalue("app")
    ctx = app.app_context()
    ctx.push()
    request.addfinalizer(ctx.pop)
    org = Organisation(name="Contract", kind="care_home")
    db.session.add(org)
    db.session.flush()
    db.session.add_all(Person(id=i, organisation_id=org.id, role="learner",
                              display_name=f"Person {i}") for i in range(1, 21))
    db.session.commit()
    return SqlStore(db.engine)


@pytest.hookimpl(optionalhook=True)
def pytest_sync_store_factories(config):
    from .dbs import is_postgres

    return [pytest.param(sql_store, id="postgresql" if is_postgres() else "sqlite")]
