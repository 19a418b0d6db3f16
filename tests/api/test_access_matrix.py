"""Every endpoint of the journal service against every role and relationship.

Each table row is one endpoint; its columns are the callers in ``CALLERS`` order, each cell the
exact status that caller gets. Lists also say exactly which entries each caller receives.
Journal entries exist at each visibility: ``private`` (only me), ``mentor`` (me and my mentor)
and ``care_team``; sessions also hold one the paired mentor wrote (``mentors_own``).
"""
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from backend.auth.tokens import digest, issue_token, revoke
from backend.extensions import db
from backend.journal.records import allocate_seqs
from backend.models import (COLLECTIONS, AuditEntry, Device, Organisation, Pairing, Person,
                            Token)
from backend.models.types import utcnow

from ..factories import DEFAULTS

CALLERS = ("self", "peer", "mentor", "unpaired", "ended", "staff", "admin", "outsider",
           "anon", "expired", "revoked")
# self: the learner whose journal it is; peer: another learner of the same home;
# mentor: paired with the learner; unpaired: a mentor of the same home paired with the peer;
# ended: a mentor whose pairing with the learner has ended; staff / admin: of the same home;
# outsider: an administrator of another organisation; anon: no token;
# expired / revoked: the admin's token, expired or revoked.
PERSON_CALLERS = CALLERS[:8]
PASSWORD = "correct horse battery"
# Made cheaply once: verifying reads the cost from the hash, so sign-in still works.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
PIN_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("2468")
LEVELS = ("private", "mentor", "care_team")
DEVICE_KEY = "dev_matrix-tablet-key"


def codes(text):
    """``"200 404 ..."`` -> a tuple of eleven status codes, one per caller."""
    found = tuple(int(c) for c in text.split())
    assert len(found) == len(CALLERS), text
    return found


@dataclass
class World:
    app: object
    ids: dict
    records: dict = field(default_factory=dict)  # (collection, label) -> id

    def label_of(self, person_id):
        return next(k for k, v in self.ids.items() if v == person_id)

    def headers(self, caller):
        if caller == "anon":
            return {}
        person = "admin" if caller in ("expired", "revoked") else caller
        with self.app.app_context():
            raw = issue_token(db.session.get(Person, self.ids[person]))
            db.session.flush()
            token = db.session.scalar(select(Token).where(Token.token_hash == digest(raw)))
            if caller == "expired":
                token.expires_at = utcnow() - timedelta(minutes=1)
            elif caller == "revoked":
                revoke(token)
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}


def _people(org, other):
    spec = {"self": (org, "learner"), "peer": (org, "learner"), "mentor": (org, "mentor"),
            "unpaired": (org, "mentor"), "ended": (org, "mentor"), "staff": (org, "staff"),
            "admin": (org, "staff"), "outsider": (other, "staff"),
            "outsider_learner": (other, "learner")}
    people = {}
    for label, (where, role) in spec.items():
        person = Person(organisation=where, role=role, display_name=f"The {label}",
                        is_admin=label in ("admin", "outsider"))
        if role == "learner":
            person.pin_hash = PIN_HASH
        else:
            person.email, person.password_hash = f"{label}@example.org", PASSWORD_HASH
        people[label] = person
    return people


def _records(people):
    """Every collection's entries of the learner at each level, and the mentor's session."""
    wanted = [(c, level, "self") for c in COLLECTIONS for level in LEVELS]
    wanted.append(("sessions", "mentors_own", "mentor"))
    first, now = allocate_seqs(len(wanted)), utcnow()
    return {(c, label): COLLECTIONS[c](
        id=str(uuid.uuid4()), learner_id=people["self"].id, author_id=people[author].id,
        created_at=now, updated_at=now, deleted=False, seq=first + n, revs={},
        visibility="mentor" if label == "mentors_own" else label, **DEFAULTS[c])
        for n, (c, label, author) in enumerate(wanted)}


@pytest.fixture
def world(app):
    with app.app_context():
        org = Organisation(name="Elmfield House", kind="care_home")
        other = Organisation(name="Riverside Care", kind="home_care")
        people = _people(org, other)
        db.session.add_all(people.values())
        db.session.flush()
        pairings = {"active": Pairing(mentor=people["mentor"], learner=people["self"]),
                    "peer": Pairing(mentor=people["unpaired"], learner=people["peer"]),
                    "ended": Pairing(mentor=people["ended"], learner=people["self"],
                                     ended_at=utcnow())}
        device = Device(organisation=org, name="Lounge tablet", key_hash=digest(DEVICE_KEY))
        db.session.add_all([*pairings.values(), device,
                            AuditEntry(organisation_id=org.id, action="ours"),
                            AuditEntry(organisation_id=other.id, action="theirs")])
        made = _records(people)
        db.session.add_all(made.values())
        db.session.commit()
        ids = {label: p.id for label, p in people.items()}
        ids.update({f"pairing_{k}": p.id for k, p in pairings.items()}, device=device.id)
        return World(app, ids, {k: r.id for k, r in made.items()})


# ---------------------------------------------------------------- sign-in and setup endpoints

@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    expected: tuple
    body: Callable = None
    sees: Callable = None  # response -> set of labels, compared with ``SEES[name]``


def _people_seen(world, resp):
    return {world.label_of(p["id"]) for p in resp.json["items"]}


def _pairings_seen(world, resp):
    return {(world.label_of(p["mentor_id"]), world.label_of(p["learner_id"]))
            for p in resp.json["items"]}


EVERYONE_SIGNED_IN = codes("200 200 200 200 200 200 200 200 401 401 401")
STAFF_READ = codes("403 403 403 403 403 200 200 200 401 401 401")
ADMIN_HERE = codes("403 403 403 403 403 403 200 404 401 401 401")

ENDPOINTS = [
    Endpoint("login", "POST", "/api/auth/login", codes("200 " * 11),
             body=lambda w: {"email": "staff@example.org", "password": PASSWORD}),
    Endpoint("tiles", "POST", "/api/auth/tiles", codes("200 " * 11),
             body=lambda w: {"device_key": DEVICE_KEY}),
    Endpoint("pin", "POST", "/api/auth/pin", codes("200 " * 11),
             body=lambda w: {"device_key": DEVICE_KEY, "person_id": w.ids["self"],
                             "pin": "2468"}),
    Endpoint("logout", "POST", "/api/auth/logout", EVERYONE_SIGNED_IN),
    Endpoint("me", "GET", "/api/auth/me", EVERYONE_SIGNED_IN,
             sees=lambda w, r: {w.label_of(r.json["id"])}),
    Endpoint("organisation", "GET", "/api/organisation", EVERYONE_SIGNED_IN,
             sees=lambda w, r: {r.json["name"]}),
    Endpoint("people", "GET", "/api/people", STAFF_READ, sees=_people_seen),
    Endpoint("add person", "POST", "/api/people",
             codes("403 403 403 403 403 403 201 201 401 401 401"),
             body=lambda w: {"role": "learner", "display_name": "Newcomer"}),
    Endpoint("person", "GET", "/api/people/{self}",
             codes("403 403 403 403 403 200 200 404 401 401 401")),
    Endpoint("change person", "PATCH", "/api/people/{self}", ADMIN_HERE,
             body=lambda w: {"display_name": "Renamed"}),
    Endpoint("unlock learner", "POST", "/api/people/{self}/unlock",
             codes("403 403 403 403 403 200 200 404 401 401 401")),
    Endpoint("unlock mentor", "POST", "/api/people/{mentor}/unlock", ADMIN_HERE),
    Endpoint("pairings", "GET", "/api/pairings", STAFF_READ, sees=_pairings_seen),
    Endpoint("pair", "POST", "/api/pairings", codes("403 403 403 403 403 403 201 404 401 401 401"),
             body=lambda w: {"mentor_id": w.ids["unpaired"], "learner_id": w.ids["self"]}),
    Endpoint("end pairing", "POST", "/api/pairings/{pairing_active}/end", ADMIN_HERE),
    Endpoint("devices", "GET", "/api/devices", STAFF_READ,
             sees=lambda w, r: {d["name"] for d in r.json["items"]}),
    Endpoint("enrol", "POST", "/api/devices",
             codes("403 403 403 403 403 403 201 201 401 401 401"),
             body=lambda w: {"name": "Garden room tablet"}),
    Endpoint("revoke", "POST", "/api/devices/{device}/revoke", ADMIN_HERE),
    Endpoint("audit", "GET", "/api/audit",
             codes("403 403 403 403 403 403 200 200 401 401 401"),
             sees=lambda w, r: {e["action"] for e in r.json["items"]}),
    Endpoint("my mentors", "GET", "/api/me/mentors",
             codes("200 200 403 403 403 403 403 403 401 401 401"), sees=_people_seen),
    Endpoint("my learners", "GET", "/api/me/learners",
             codes("403 403 200 200 200 200 200 200 401 401 401"), sees=_people_seen),
    Endpoint("export json", "GET", "/api/learners/{self}/export.json",
             codes("200 404 403 404 404 403 200 404 401 401 401")),
    Endpoint("export page", "GET", "/api/learners/{self}/export.html",
             codes("200 404 403 404 404 403 200 404 401 401 401")),
    Endpoint("erase", "POST", "/api/learners/{self}/erase",
             codes("200 404 403 404 404 403 200 404 401 401 401"),
             body=lambda w: {"confirm": "The self"}),
]
ALL_HERE = {"self", "peer", "mentor", "unpaired", "ended", "staff", "admin"}
SEES = {
    "me": {c: {c} for c in PERSON_CALLERS},
    "organisation": {**{c: {"Elmfield House"} for c in PERSON_CALLERS},
                     "outsider": {"Riverside Care"}},
    "people": {"staff": ALL_HERE, "admin": ALL_HERE,
               "outsider": {"outsider", "outsider_learner"}},
    "pairings": {"staff": {("mentor", "self"), ("unpaired", "peer"), ("ended", "self")},
                 "admin": {("mentor", "self"), ("unpaired", "peer"), ("ended", "self")},
                 "outsider": set()},
    "devices": {"staff": {"Lounge tablet"}, "admin": {"Lounge tablet"}, "outsider": set()},
    "audit": {"admin": {"ours"}, "outsider": {"theirs"}},
    "my mentors": {"self": {"mentor", "ended"}, "peer": {"unpaired"}},
    "my learners": {"mentor": {"self"}, "unpaired": {"peer"}, "ended": set(),
                    "staff": {"self", "peer"}, "admin": {"self", "peer"},
                    "outsider": {"outsider_learner"}},
}


def _call(client, world, caller, method, path, body=None):
    return client.open(path.format(**world.ids), method=method, json=body,
                       headers=world.headers(caller))


def _check_shape(resp, expected):
    assert resp.status_code == expected, resp.get_data(as_text=True)[:300]
    if expected >= 400:
        assert resp.json["code"] == expected and resp.json["error"]
    if expected == 401:
        assert resp.json["error"] in ("unauthorized", "token_expired")


@pytest.mark.parametrize("endpoint, caller, expected", [
    pytest.param(e, c, x, id=f"{e.method} {e.path} as {c}")
    for e in ENDPOINTS for c, x in zip(CALLERS, e.expected)])
def test_every_endpoint_answers_every_caller_as_the_table_says(
        client, world, endpoint, caller, expected):
    body = endpoint.body(world) if endpoint.body else None
    resp = _call(client, world, caller, endpoint.method, endpoint.path, body)
    _check_shape(resp, expected)
    if endpoint.sees and expected == 200:
        assert endpoint.sees(world, resp) == SEES[endpoint.name][caller]


# ---------------------------------------------------------------------------- journal entries

LIST_SEES = {"self": {"private", "mentor", "care_team"}, "mentor": {"mentor", "care_team"},
             "staff": {"care_team"}, "admin": {"care_team"}}
LIST_CODES = codes("200 404 200 404 404 200 200 404 401 401 401")
NEW_ENTRY = {"profile": {"needs": "Large print"}, "goals": {"title": "Walk to the shop"},
             "sessions": {"activity": "Chess"}, "contributions": {"what": "Taught a song"},
             "reflections": {"text": "A good day"}, "checkins": {"happy": 7}}
CHANGE = {"profile": {"needs": "Quiet"}, "goals": {"status": "paused"},
          "sessions": {"minutes": 20}, "contributions": {"note": "Went well"},
          "reflections": {"text": "Changed my mind"}, "checkins": {"happy": 5}}
NOBODY = (404, 404, 404)
UNSIGNED = (401, 401, 401)
# One tuple per caller: the status for the (private, mentor, care_team) entries.
READ_ENTRY = dict(zip(CALLERS, [(200, 200, 200), NOBODY, (404, 200, 200), NOBODY, NOBODY,
                                (404, 404, 200), (404, 404, 200), NOBODY, UNSIGNED, UNSIGNED,
                                UNSIGNED]))
WRITE_ENTRY = dict(zip(CALLERS, [(200, 200, 200), NOBODY, (404, 403, 403), NOBODY, NOBODY,
                                 (404, 404, 403), (404, 404, 403), NOBODY, UNSIGNED, UNSIGNED,
                                 UNSIGNED]))
MENTORS_OWN_SESSION = codes("200 404 200 404 404 404 404 404 401 401 401")


def _entries(collection, caller):
    seen = set(LIST_SEES.get(caller, ()))
    if collection == "sessions" and caller in ("self", "mentor"):
        seen.add("mentors_own")
    return seen


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("caller, expected", list(zip(CALLERS, LIST_CODES)))
def test_a_journal_list_gives_each_caller_exactly_the_entries_they_may_see(
        client, world, collection, caller, expected):
    resp = _call(client, world, caller, "GET", f"/api/learners/{{self}}/{collection}")
    _check_shape(resp, expected)
    if expected == 200:
        labels = {label for (c, label), rid in world.records.items() if c == collection
                  for item in resp.json["items"] if item["id"] == rid}
        assert labels == _entries(collection, caller)
        assert len(resp.json["items"]) == len(labels)


def _create_codes(collection):
    mentor = 201 if collection == "sessions" else 403
    return codes(f"201 404 {mentor} 404 404 403 403 404 401 401 401")


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_adding_an_entry_is_for_the_learner_and_a_mentor_logging_a_session(
        client, world, collection, caller):
    expected = _create_codes(collection)[CALLERS.index(caller)]
    resp = _call(client, world, caller, "POST", f"/api/learners/{{self}}/{collection}",
                 NEW_ENTRY[collection])
    _check_shape(resp, expected)


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_each_entry_answers_each_caller_by_its_visibility(client, world, collection, caller):
    got = {}
    for method in ("GET", "PATCH", "DELETE"):  # deleting last: the others need the entries
        for level in LEVELS:
            path = f"/api/learners/{{self}}/{collection}/{world.records[collection, level]}"
            resp = _call(client, world, caller, method, path,
                         CHANGE[collection] if method == "PATCH" else None)
            if resp.status_code >= 400:
                assert resp.json["error"]
            got.setdefault(method, []).append(resp.status_code)
    assert {m: tuple(c) for m, c in got.items()} == {
        "GET": READ_ENTRY[caller], "PATCH": WRITE_ENTRY[caller], "DELETE": WRITE_ENTRY[caller]}


@pytest.mark.parametrize("caller, expected", list(zip(CALLERS, MENTORS_OWN_SESSION)))
def test_a_session_the_mentor_wrote_is_theirs_and_the_learners_to_change(
        client, world, caller, expected):
    path = f"/api/learners/{{self}}/sessions/{world.records['sessions', 'mentors_own']}"
    for method, body in (("GET", None), ("PATCH", {"note": "We laughed"}), ("DELETE", None)):
        _check_shape(_call(client, world, caller, method, path, body), expected)
