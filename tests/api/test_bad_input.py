"""Bad input on every endpoint that takes a body (and every query string and id in a path):
a 4xx in the one error shape naming the field, and the database exactly as it was."""
import json
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from backend.auth.tokens import digest, issue_token
from backend.extensions import db
from backend.journal.records import allocate_seqs
from backend.models import COLLECTIONS, Device, Organisation, Person
from backend.models.types import utcnow

from ..factories import DEFAULTS

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
DEVICE_KEY = "dev_bad-input-tablet-key"
MEGABYTE = "x" * 1_000_000


@pytest.fixture
def world(app):
    """A home with an administrator, a learner with one entry in every collection, an unpaired
    mentor and a tablet; and a bearer header for each person."""
    with app.app_context():
        org = Organisation(name="Elmfield House", kind="care_home")
        admin = Person(organisation=org, role="staff", display_name="Alex Admin", is_admin=True,
                       email="admin@example.org", password_hash=CHEAP.hash(PASSWORD))
        mentor = Person(organisation=org, role="mentor", display_name="Mo Mentor",
                        email="mentor@example.org", password_hash=CHEAP.hash(PASSWORD))
        learner = Person(organisation=org, role="learner", display_name="Ada Lovelace",
                         pin_hash=CHEAP.hash("2468"))
        db.session.add_all([org, admin, mentor, learner,
                            Device(organisation=org, name="Lounge", key_hash=digest(DEVICE_KEY))])
        db.session.flush()
        first, now = allocate_seqs(len(COLLECTIONS)), utcnow()
        entries = {c: COLLECTIONS[c](id=str(uuid.uuid4()), learner_id=learner.id,
                                     author_id=learner.id, created_at=now, updated_at=now,
                                     deleted=False, seq=first + n, revs={}, **DEFAULTS[c])
                   for n, c in enumerate(COLLECTIONS)}
        db.session.add_all(entries.values())
        headers = {who: {"Authorization": f"Bearer {issue_token(p)}"}
                   for who, p in (("admin", admin), ("learner", learner), ("mentor", mentor))}
        db.session.commit()
        ids = {"admin": admin.id, "mentor": mentor.id, "learner": learner.id,
               **{c: e.id for c, e in entries.items()}}
    return {"ids": ids, "headers": {None: {}, **headers}}


def snapshot(app):
    """Every row of every table: what must not change when a request is refused."""
    with app.app_context():
        return {t.name: sorted(map(repr, db.session.execute(select(t)).all()))
                for t in db.metadata.sorted_tables}


# (name, method, path, who sends it, a good body, the string field to abuse)
ENDPOINTS = [
    ("login", "POST", "/api/auth/login", None,
     {"email": "admin@example.org", "password": PASSWORD}, "password"),
    ("tiles", "POST", "/api/auth/tiles", None, {"device_key": DEVICE_KEY}, "device_key"),
    ("pin", "POST", "/api/auth/pin", None,
     {"device_key": DEVICE_KEY, "person_id": "{learner}", "pin": "2468"}, "device_key"),
    ("add person", "POST", "/api/people", "admin",
     {"role": "learner", "display_name": "Bert Higgins"}, "display_name"),
    ("change person", "PATCH", "/api/people/{learner}", "admin",
     {"display_name": "Ada King"}, "display_name"),
    ("pair", "POST", "/api/pairings", "admin",
     {"mentor_id": "{mentor}", "learner_id": "{learner}"}, None),
    ("enrol", "POST", "/api/devices", "admin", {"name": "Garden room"}, "name"),
    ("erase", "POST", "/api/learners/{learner}/erase", "learner",
     {"confirm": "Ada Lovelace"}, "confirm"),
]
NEW = {"profile": ({"needs": "Large print"}, "needs"),
       "goals": ({"title": "Walk to the shop"}, "title"),
       "sessions": ({"activity": "Chess", "minutes": 30}, "activity"),
       "contributions": ({"what": "Taught a song"}, "what"),
       "reflections": ({"text": "A good day"}, "text"),
       "checkins": ({"happy": 7}, None)}
for _c, (_body, _text) in NEW.items():
    ENDPOINTS.append((f"add {_c}", "POST", f"/api/learners/{{learner}}/{_c}", "learner",
                      _body, _text))
    ENDPOINTS.append((f"change {_c}", "PATCH", f"/api/learners/{{learner}}/{_c}/{{{_c}}}",
                      "learner", _body, _text))
BY_NAME = {e[0]: e for e in ENDPOINTS}


def _fill(value, ids):
    """Put the world's ids into ``"{learner}"`` placeholders of a body or path."""
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") \
            and value[1:-1] in ids and "/" not in value:
        return ids[value[1:-1]]
    return value


def _send(client, world, name, raw):
    _, method, path, who, _, _ = BY_NAME[name]
    return client.open(path.format(**world["ids"]), method=method, data=raw,
                       content_type="application/json", headers=world["headers"][who])


def _refused(app, client, world, name, raw, field):
    before = snapshot(app)
    resp = _send(client, world, name, raw)
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)[:300]
    assert resp.json["error"] and resp.json["code"] == resp.status_code
    assert field in resp.json["details"]["fields"], resp.json
    assert snapshot(app) == before


def _generic_cases():
    for name, _, _, _, good, text in ENDPOINTS:
        yield name, "malformed JSON", "{\"a\": ", "_body"
        yield name, "no body at all", "", "_body"
        yield name, "a list", "[1, 2]", "_schema"
        yield name, "a string", "\"hello\"", "_schema"
        yield name, "null", "null", "_schema"
        yield name, "an unknown field", {**good, "colour": "blue"}, "colour"
        if text:
            yield name, "a megabyte string", {**good, text: MEGABYTE}, text
            yield name, "a NUL character", {**good, text: "a\x00b"}, text
            yield name, "a number for text", {**good, text: 12}, text


SPECIFIC = [
    ("login", "no email", {"password": PASSWORD}, "email"),
    ("login", "not an email", {"email": "admin", "password": PASSWORD}, "email"),
    ("login", "a megabyte email", {"email": MEGABYTE + "@example.org", "password": PASSWORD},
     "email"),
    ("tiles", "no key", {}, "device_key"),
    ("pin", "an id as text", {"device_key": DEVICE_KEY, "person_id": "1", "pin": "2468"},
     "person_id"),
    ("pin", "an id too big", {"device_key": DEVICE_KEY, "person_id": 10**30, "pin": "2468"},
     "person_id"),
    ("pin", "a negative id", {"device_key": DEVICE_KEY, "person_id": -1, "pin": "2468"},
     "person_id"),
    ("pin", "letters in a PIN", {"device_key": DEVICE_KEY, "person_id": 1, "pin": "12ab"},
     "pin"),
    ("pin", "a PIN as a number", {"device_key": DEVICE_KEY, "person_id": 1, "pin": 2468}, "pin"),
    ("add person", "no name", {"role": "learner"}, "display_name"),
    ("add person", "a made-up role", {"role": "boss", "display_name": "B"}, "role"),
    ("add person", "a yes for a flag", {"role": "learner", "display_name": "B",
                                        "opted_out": "yes"}, "opted_out"),
    ("add person", "a short password", {"role": "staff", "display_name": "S",
                                        "email": "s@example.org", "password": "short"},
     "password"),
    ("add person", "a bad email", {"role": "mentor", "display_name": "M", "email": "m@",
                                   "password": "long enough password"}, "email"),
    ("add person", "a taken email", {"role": "mentor", "display_name": "M",
                                     "email": "ADMIN@example.org",
                                     "password": "long enough password"}, "email"),
    ("add person", "a one-digit PIN", {"role": "learner", "display_name": "B", "pin": "1"},
     "pin"),
    ("change person", "no fields", {}, "_schema"),
    ("change person", "a blank name", {"display_name": "  "}, "display_name"),
    ("change person", "text for a flag", {"active": "false"}, "active"),
    ("change person", "null for a flag", {"opted_out": None}, "opted_out"),
    ("change person", "letters in a PIN", {"pin": "abcd"}, "pin"),
    ("pair", "an id as text", {"mentor_id": "2", "learner_id": 3}, "mentor_id"),
    ("pair", "an id too big", {"mentor_id": 2**40, "learner_id": 3}, "mentor_id"),
    ("pair", "a fraction", {"mentor_id": 2, "learner_id": 1.5}, "learner_id"),
    ("pair", "no learner", {"mentor_id": 2}, "learner_id"),
    ("pair", "two mentors", {"mentor_id": "{mentor}", "learner_id": "{mentor}"}, "learner_id"),
    ("enrol", "no name", {}, "name"),
    ("erase", "no confirmation", {}, "confirm"),
    ("erase", "the wrong name", {"confirm": "Somebody Else"}, "confirm"),
    ("add goals", "no title", {"why": "Because"}, "title"),
    ("add goals", "a bad id", {"id": "not-a-uuid", "title": "T"}, "id"),
    ("add goals", "a number for an id", {"id": 5, "title": "T"}, "id"),
    ("add goals", "a made-up rung", {"title": "T", "whose_idea": "boss"}, "whose_idea"),
    ("add goals", "a GAS level of 3", {"title": "T", "gas_level": 3}, "gas_level"),
    ("add goals", "a GAS level as text", {"title": "T", "gas_level": "1"}, "gas_level"),
    ("add goals", "a made-up benefit", {"title": "T", "benefits": ["flying"]}, "benefits"),
    ("add goals", "benefits not a list", {"title": "T", "benefits": "creative"}, "benefits"),
    ("add goals", "an impossible date", {"title": "T", "achieved_on": "2026-02-30"},
     "achieved_on"),
    ("add goals", "a bad GAS key", {"title": "T", "gas_levels": {"5": "x"}}, "gas_levels"),
    ("add goals", "a made-up visibility", {"title": "T", "visibility": "everyone"},
     "visibility"),
    ("add sessions", "no activity", {"minutes": 30}, "activity"),
    ("add sessions", "no minutes", {"activity": "A", "minutes": 0}, "minutes"),
    ("add sessions", "a huge number", {"activity": "A", "minutes": 10**12}, "minutes"),
    ("add sessions", "minutes as text", {"activity": "A", "minutes": "30"}, "minutes"),
    ("add sessions", "a fraction", {"activity": "A", "minutes": 30.5}, "minutes"),
    ("add sessions", "a word for a date", {"activity": "A", "date": "yesterday"}, "date"),
    ("add sessions", "a month 13", {"activity": "A", "date": "2026-13-01"}, "date"),
    ("add sessions", "a bad goal id", {"activity": "A", "goal_ids": ["nope"]}, "goal_ids"),
    ("add sessions", "a sixth face", {"activity": "A", "feeling_before": 6}, "feeling_before"),
    ("add sessions", "a made-up companion", {"activity": "A", "with_whom": "dog"}, "with_whom"),
    ("add contributions", "a made-up kind", {"what": "W", "kind": "stole"}, "kind"),
    ("add contributions", "a British date", {"what": "W", "date": "31/12/2026"}, "date"),
    ("add contributions", "a date without dashes", {"what": "W", "date": "20261231"}, "date"),
    ("add checkins", "a week date", {"date": "2026-W53-4"}, "date"),
    ("add sessions", "the last day of the calendar", {"activity": "A", "date": "9999-12-31"},
     "date"),
    ("add reflections", "a day before 1900", {"text": "T", "date": "0001-01-01"}, "date"),
    ("add goals", "achieved in 2100", {"title": "T", "achieved_on": "2100-01-01"},
     "achieved_on"),
    ("add reflections", "yes for consent", {"text": "T", "quote_consent": "yes"},
     "quote_consent"),
    ("add checkins", "happy 11", {"happy": 11}, "happy"),
    ("add checkins", "anxious -1", {"anxious": -1}, "anxious"),
    ("add checkins", "a score as text", {"life_satisfaction": "7"}, "life_satisfaction"),
    ("add checkins", "a fractional score", {"worthwhile": 7.5}, "worthwhile"),
    ("add profile", "a made-up visibility", {"visibility": "public"}, "visibility"),
    ("change goals", "no fields", {}, "_schema"),
    ("change goals", "an id", {"id": str(uuid.uuid4())}, "id"),
    ("change goals", "a status of done", {"status": "done"}, "status"),
    ("add goals", "a title of only spaces", {"title": "   "}, "title"),
    ("change goals", "an emptied title", {"title": ""}, "title"),
    ("change sessions", "an activity of null", {"activity": None}, "activity"),
    ("change reflections", "words of spaces and a new line", {"text": " \n "}, "text"),
    ("change sessions", "negative minutes", {"minutes": -5}, "minutes"),
    ("change checkins", "happy 11", {"happy": 11}, "happy"),
    ("change reflections", "a megabyte", {"text": MEGABYTE}, "text"),
]


@pytest.mark.parametrize("name, case, body, field", [
    pytest.param(n, c, b, f, id=f"{n}: {c}") for n, c, b, f in [*_generic_cases(), *SPECIFIC]])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
        app, client, world, name, case, body, field):
    raw = body if isinstance(body, str) else json.dumps(_fill(body, world["ids"]))
    _refused(app, client, world, name, raw, field)


@pytest.mark.parametrize("name", [e[0] for e in ENDPOINTS])
def test_the_good_body_of_each_case_is_accepted(app, client, world, name):
    # The cases above differ from this body in one thing only, so that thing is the reason.
    good = BY_NAME[name][4]
    resp = _send(client, world, name, json.dumps(_fill(good, world["ids"])))
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)[:300]


def test_a_body_nested_too_deeply_for_the_parser_is_a_400(app, client, world):
    _refused(app, client, world, "add goals", "[" * 100_000, "_body")


def test_a_lone_surrogate_is_refused_naming_the_field(app, client, world):
    _refused(app, client, world, "add goals", '{"title": "\\ud800"}', "title")


def test_a_body_sent_as_a_form_is_a_400_not_a_415(app, client, world):
    before = snapshot(app)
    resp = client.post("/api/auth/login", data={"email": "a@example.org", "password": "x"})
    assert resp.status_code == 400 and "_body" in resp.json["details"]["fields"]
    assert snapshot(app) == before


@pytest.mark.parametrize("path, field", [
    ("/api/people?role=boss", "role"),
    ("/api/people?colour=blue", "colour"),
    ("/api/audit?page=0", "page"),
    ("/api/audit?page=first", "page"),
    ("/api/audit?per_page=100000", "per_page"),
    ("/api/audit?learner_id=99999999999999999999", "learner_id"),
    # a period at either end of the calendar: its weeks and months would overflow
    ("/api/review?from=9999-12-30&to=9999-12-31", "from"),
    ("/api/review?from=0001-01-01&to=0001-01-05", "from"),
    ("/api/review?from=2999-12-01&to=3000-01-31", "to"),
    ("/api/review.csv?table=figures&from=0001-01-01&to=0001-03-31", "from"),
])
def test_a_bad_query_string_is_a_400_naming_the_parameter(client, world, path, field):
    resp = client.get(path, headers=world["headers"]["admin"])
    assert resp.status_code == 400 and field in resp.json["details"]["fields"]


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/people/99999999999999999999999"),
    ("PATCH", "/api/people/99999999999999999999999"),
    ("POST", "/api/people/99999999999999999999999/unlock"),
    ("POST", "/api/pairings/99999999999999999999999/end"),
    ("POST", "/api/devices/99999999999999999999999/revoke"),
    ("GET", "/api/learners/99999999999999999999999/goals"),
    ("GET", "/api/learners/99999999999999999999999/export.json"),
    ("POST", "/api/learners/99999999999999999999999/erase"),
    ("GET", "/api/learners/{learner}/goals/not-a-uuid"),
    ("GET", "/api/learners/{learner}/goals/" + "f" * 5000),
    ("GET", "/api/learners/{learner}/nonsense"),
])
def test_an_impossible_id_in_a_path_is_a_404(client, world, method, path):
    resp = client.open(path.format(**world["ids"]), method=method, json={"display_name": "X"},
                       headers=world["headers"]["admin"])
    assert resp.status_code == 404 and resp.json["error"] == "not_found"
