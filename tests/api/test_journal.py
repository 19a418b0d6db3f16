"""The journal over REST: entries created, read, changed and deleted under the access rules."""
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from backend.auth import credentials
from backend.extensions import db
from backend.models import AuditEntry

RECORD_KEYS = {"id", "learner_id", "author_id", "created_at", "updated_at", "seq", "deleted",
               "conflicts", "visibility"}


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    # Argon2 at full cost takes ~0.2 s a hash; the rules under test do not depend on it.
    monkeypatch.setattr(credentials, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def home(make):
    org = make.org()
    learner, mentor = make.learner(org), make.mentor(org)
    make.pairing(mentor, learner)
    return {"org": org, "learner": learner, "mentor": mentor, "staff": make.staff(org)}


def _url(learner, collection, record_id=None):
    url = f"/api/learners/{learner.id}/{collection}"
    return f"{url}/{record_id}" if record_id else url


def _audit(app):
    with app.app_context():
        return [(e.action, e.actor_id, e.learner_id, e.detail)
                for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_learner_adds_a_goal_with_the_id_their_tablet_made(client, auth, home):
    goal_id = str(uuid.uuid4())
    resp = client.post(_url(home["learner"], "goals"), headers=auth.headers(home["learner"]),
                       json={"id": goal_id, "title": "Read Far from the Madding Crowd",
                             "whose_idea": "own", "benefits": ["mind_active"]})
    assert resp.status_code == 201
    assert resp.json["id"] == goal_id and resp.json["title"] == "Read Far from the Madding Crowd"
    assert RECORD_KEYS <= set(resp.json)
    assert resp.json["author_id"] == home["learner"].id and resp.json["visibility"] == "private"


def test_the_server_makes_an_id_when_the_client_gives_none(client, auth, home):
    resp = client.post(_url(home["learner"], "reflections"),
                       headers=auth.headers(home["learner"]), json={"text": "A good week."})
    assert resp.status_code == 201 and uuid.UUID(resp.json["id"])


@pytest.mark.parametrize("collection, body", [
    ("profile", {"needs": "Large print", "networks": "My church choir"}),
    ("goals", {"title": "Video-call my grandson", "status": "active", "gas_level": 0}),
    ("sessions", {"activity": "Watercolours", "minutes": 45, "date": "2026-11-02",
                  "feeling_before": 2, "feeling_after": 4}),
    ("contributions", {"kind": "offer", "what": "I can teach cable stitch"}),
    ("reflections", {"text": "I surprised myself.", "quote_consent": True}),
    ("checkins", {"life_satisfaction": 7, "worthwhile": 8, "happy": 6, "anxious": 2}),
])
def test_every_collection_takes_a_new_entry_and_lists_it(client, auth, home, collection, body):
    headers = auth.headers(home["learner"])
    created = client.post(_url(home["learner"], collection), headers=headers, json=body)
    assert created.status_code == 201
    listed = client.get(_url(home["learner"], collection), headers=headers).json["items"]
    assert [r["id"] for r in listed] == [created.json["id"]]
    assert {k: listed[0][k] for k in body} == body


def test_an_id_already_used_is_a_conflict(client, auth, make, home):
    goal = make.goal(home["learner"])
    resp = client.post(_url(home["learner"], "goals"), headers=auth.headers(home["learner"]),
                       json={"id": goal.id, "title": "Another"})
    assert resp.status_code == 409


def test_a_create_whose_id_is_taken_after_the_first_look_is_refused_whole(app, make, home):
    """Two creates of one id at once both find it free; the engine, under its lock, refuses
    the second (409), instead of merging it into the first as a conflict while both are told
    201. Here the first look is passed by calling the push itself once the id is taken."""
    from backend.errors import ApiError
    from backend.journal.records import model_for
    from backend.journal.writes import TAKEN, _push

    goal = make.goal(home["learner"], title="The first")
    with app.app_context():
        learner = db.session.get(type(home["learner"]), home["learner"].id)
        with pytest.raises(ApiError) as refused:
            _push(learner, learner, "goals", goal.id, "upsert", {"title": "The second"}, {},
                  create=True)
        assert (refused.value.error, refused.value.message) == ("conflict", TAKEN)
        stored = db.session.get(model_for("goals"), goal.id)
        assert stored.title == "The first" and not stored.conflicts


def test_a_change_updates_the_field_and_takes_a_later_seq(client, auth, make, home):
    goal = make.goal(home["learner"])
    resp = client.patch(_url(home["learner"], "goals", goal.id),
                        headers=auth.headers(home["learner"]), json={"status": "achieved"})
    assert resp.status_code == 200
    assert resp.json["status"] == "achieved" and resp.json["seq"] > goal.seq
    assert resp.json["title"] == goal.title


def test_a_change_with_no_fields_is_a_400(client, auth, make, home):
    goal = make.goal(home["learner"])
    resp = client.patch(_url(home["learner"], "goals", goal.id),
                        headers=auth.headers(home["learner"]), json={})
    assert resp.status_code == 400 and "_schema" in resp.json["details"]["fields"]


def test_a_deleted_entry_becomes_an_empty_tombstone_that_no_list_shows(client, auth, make, home):
    goal, headers = make.goal(home["learner"]), auth.headers(home["learner"])
    resp = client.delete(_url(home["learner"], "goals", goal.id), headers=headers)
    assert resp.status_code == 200
    assert resp.json["deleted"] is True and resp.json["title"] is None
    assert client.get(_url(home["learner"], "goals"), headers=headers).json["items"] == []
    assert client.get(_url(home["learner"], "goals", goal.id), headers=headers).status_code == 404


def test_an_entry_can_be_read_by_its_id_in_capitals(client, auth, make, home):
    goal = make.goal(home["learner"])
    resp = client.get(_url(home["learner"], "goals", goal.id.upper()),
                      headers=auth.headers(home["learner"]))
    assert resp.status_code == 200 and resp.json["id"] == goal.id


def test_an_unknown_collection_is_a_404(client, auth, home):
    resp = client.get(_url(home["learner"], "diaries"), headers=auth.headers(home["learner"]))
    assert resp.status_code == 404


def test_a_paired_mentor_logs_a_session_shared_with_them_by_default(client, auth, home):
    resp = client.post(_url(home["learner"], "sessions"), headers=auth.headers(home["mentor"]),
                       json={"activity": "Looked at old photos", "minutes": 40})
    assert resp.status_code == 201
    assert resp.json["author_id"] == home["mentor"].id and resp.json["visibility"] == "mentor"


def test_a_mentor_cannot_add_a_goal_for_a_learner(client, auth, home):
    resp = client.post(_url(home["learner"], "goals"), headers=auth.headers(home["mentor"]),
                       json={"title": "Walk more"})
    assert resp.status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"activity": "Chess", "visibility": "care_team"}, "visibility"),
    ({"activity": "Chess", "visibility": "private"}, "visibility"),
    ({"activity": "Chess", "learner_response": "agreed"}, "learner_response"),
])
def test_a_mentor_cannot_decide_the_learners_say(client, auth, home, body, field):
    resp = client.post(_url(home["learner"], "sessions"), headers=auth.headers(home["mentor"]),
                       json=body)
    assert resp.status_code == 403 and field in resp.json["details"]["fields"]


def test_a_learner_hides_a_mentors_entry_from_the_mentor(client, auth, make, home):
    session = make.session(home["learner"], author=home["mentor"], visibility="mentor")
    hidden = client.patch(_url(home["learner"], "sessions", session.id),
                          headers=auth.headers(home["learner"]),
                          json={"visibility": "private", "learner_response": "hidden"})
    assert hidden.status_code == 200
    resp = client.get(_url(home["learner"], "sessions"), headers=auth.headers(home["mentor"]))
    assert resp.json["items"] == []


@pytest.mark.parametrize("body", [{"learner_response": "hidden"},
                                  {"learner_response": "hidden", "visibility": "care_team"}])
def test_hiding_an_entry_that_would_stay_shared_is_refused(client, auth, make, home, body):
    session = make.session(home["learner"], author=home["mentor"], visibility="mentor")
    resp = client.patch(_url(home["learner"], "sessions", session.id),
                        headers=auth.headers(home["learner"]), json=body)
    assert resp.status_code == 403
    assert resp.json["details"]["fields"] == {
        "visibility": ["a hidden entry is private: send 'private' with it"]}
    seen = client.get(_url(home["learner"], "sessions"), headers=auth.headers(home["mentor"]))
    assert [s["id"] for s in seen.json["items"]] == [session.id]  # still shared, unchanged


def test_a_mentor_can_change_their_own_session_but_not_the_learners(client, auth, make, home):
    own = make.session(home["learner"], author=home["mentor"], visibility="mentor")
    theirs = make.session(home["learner"], visibility="mentor")
    headers = auth.headers(home["mentor"])
    assert client.patch(_url(home["learner"], "sessions", own.id), headers=headers,
                        json={"minutes": 50}).status_code == 200
    assert client.patch(_url(home["learner"], "sessions", theirs.id), headers=headers,
                        json={"minutes": 50}).status_code == 403


def test_staff_cannot_write_in_a_journal(client, auth, make, home):
    goal = make.goal(home["learner"], visibility="care_team")
    resp = client.patch(_url(home["learner"], "goals", goal.id),
                        headers=auth.headers(home["staff"]), json={"title": "Changed"})
    assert resp.status_code == 403


def test_a_staff_read_of_a_list_is_audited_with_the_collection(app, client, auth, make, home):
    make.goal(home["learner"], visibility="care_team")
    client.get(_url(home["learner"], "goals"), headers=auth.headers(home["staff"]))
    assert _audit(app) == [("read_journal", home["staff"].id, home["learner"].id,
                            {"collection": "goals", "count": 1})]


def test_a_staff_read_of_one_entry_is_audited_with_its_id(app, client, auth, make, home):
    goal = make.goal(home["learner"], visibility="care_team")
    client.get(_url(home["learner"], "goals", goal.id), headers=auth.headers(home["staff"]))
    assert _audit(app) == [("read_journal", home["staff"].id, home["learner"].id,
                            {"collection": "goals", "record_id": goal.id})]


def test_reads_by_the_learner_and_their_mentor_are_not_audited(app, client, auth, make, home):
    make.goal(home["learner"], visibility="mentor")
    for who in ("learner", "mentor"):
        client.get(_url(home["learner"], "goals"), headers=auth.headers(home[who]))
    assert _audit(app) == []


def test_a_deactivated_learners_journal_answers_404(client, auth, make, home):
    gone = make.learner(home["org"], active=False)
    resp = client.get(_url(gone, "goals"), headers=auth.headers(home["staff"]))
    assert resp.status_code == 404
