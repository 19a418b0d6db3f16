"""The learner's rights: all of their journal as JSON and as a printable page; erasure."""
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from backend.auth import credentials
from backend.extensions import db
from backend.models import (COLLECTIONS, AuditEntry, Pairing, Person, SyncMutation, SyncReplica,
                            Token)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    # Argon2 at full cost takes ~0.2 s a hash; the rules under test do not depend on it.
    monkeypatch.setattr(credentials, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def home(make):
    org = make.org("Elmfield House")
    learner, mentor = make.learner(org, name="Ada Lovelace", pin="2468"), make.mentor(org)
    make.pairing(mentor, learner)
    return {"org": org, "learner": learner, "mentor": mentor, "staff": make.staff(org),
            "admin": make.staff(org, is_admin=True)}


def _export(client, auth, person, learner, kind="json"):
    return client.get(f"/api/learners/{learner.id}/export.{kind}", headers=auth.headers(person))


def _erase(client, headers, learner, confirm):
    return client.post(f"/api/learners/{learner.id}/erase", headers=headers,
                       json={"confirm": confirm})


def _count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)


def _actions(app):
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.scalars(select(AuditEntry))]


def test_the_json_export_holds_every_entry_private_ones_too(client, auth, make, home):
    made = {c: make.record(c, home["learner"], visibility=v)
            for c, v in zip(COLLECTIONS, ["private", "mentor", "care_team"] * 2)}
    resp = _export(client, auth, home["learner"], home["learner"])
    assert resp.status_code == 200
    assert resp.json["person"]["display_name"] == "Ada Lovelace"
    assert {c: [r["id"] for r in resp.json[c]] for c in COLLECTIONS} == {
        c: [r.id for r in [made[c]]] for c in COLLECTIONS}


def test_the_json_export_names_the_mentors_and_authors(client, auth, make, home):
    make.session(home["learner"], author=home["mentor"], visibility="mentor")
    doc = _export(client, auth, home["learner"], home["learner"]).json
    mentor_name = home["mentor"].display_name
    assert [m["mentor_name"] for m in doc["mentors"]] == [mentor_name]
    assert doc["authors"] == {str(home["mentor"].id): mentor_name}


def test_the_json_export_leaves_out_deleted_entries(client, auth, make, home):
    goal = make.goal(home["learner"])
    client.delete(f"/api/learners/{home['learner'].id}/goals/{goal.id}",
                  headers=auth.headers(home["learner"]))
    assert _export(client, auth, home["learner"], home["learner"]).json["goals"] == []


def test_the_json_export_downloads_as_a_file(client, auth, home):
    resp = _export(client, auth, home["learner"], home["learner"])
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["Cache-Control"] == "no-store"


def test_an_administrators_export_is_audited_and_the_learners_is_not(app, client, auth, home):
    _export(client, auth, home["learner"], home["learner"])
    assert _actions(app) == []
    assert _export(client, auth, home["admin"], home["learner"]).status_code == 200
    assert _actions(app) == [("export_journal", {"format": "json"})]


@pytest.mark.parametrize("who", ["staff", "mentor"])
def test_staff_who_are_not_administrators_and_mentors_cannot_export(client, auth, home, who):
    assert _export(client, auth, home[who], home["learner"]).status_code == 403


def test_the_page_shows_the_learners_own_words_under_plain_headings(client, auth, make, home):
    make.goal(home["learner"], title="Paint the view from my window", whose_idea="own")
    make.record("reflections", home["learner"], text="I had forgotten how much I loved it.")
    page = _export(client, auth, home["learner"], home["learner"], "html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for words in ("Paint the view from my window", "My own idea",
                  "I had forgotten how much I loved it.", "What matters to me", "My goals"):
        assert words in text


def test_the_page_shows_a_version_kept_from_another_place_in_words(client, auth, make, home):
    """Changed in two places and not yet settled: the other version is on the page as words,
    with who wrote it and when, never as the data it is kept as."""
    learner, mentor = home["learner"], home["mentor"]
    make.record("profile", learner, needs="Big print, please.", conflicts={
        "needs": [{"value": "Good light by the window.", "rev": str(uuid.uuid4()),
                   "author_id": learner.id, "at": "2026-11-26T10:00:00.000000Z"}]})
    make.goal(learner, title="Knit a blanket", conflicts={
        "why": [{"value": "For my great-granddaughter.", "rev": str(uuid.uuid4()),
                 "author_id": mentor.id, "at": "2026-11-27T15:30:00Z"}],
        "_deleted": [{"value": True, "rev": str(uuid.uuid4()), "author_id": learner.id,
                      "at": "2026-11-27T16:00:00Z"}]})
    text = _export(client, auth, learner, learner, "html").get_data(as_text=True)
    assert ("Another version of &#34;My needs&#34;, written by me on Thursday 26 November 2026"
            in text)
    assert "Good light by the window." in text
    assert f"written by {mentor.display_name} on Friday 27 November 2026" in text
    assert "Deleted by me on Friday 27 November 2026 while it was being changed" in text
    assert "author_id" not in text and "'value'" not in text


def test_the_page_escapes_html_in_the_learners_words(client, auth, make, home):
    make.record("reflections", home["learner"], text='<script>alert("x")</script> & <b>me</b>')
    text = _export(client, auth, home["learner"], home["learner"], "html").get_data(as_text=True)
    assert "<script>" not in text and "<b>me</b>" not in text
    assert "&lt;script&gt;" in text and "&amp; &lt;b&gt;me&lt;/b&gt;" in text


def test_the_page_prints_and_loads_nothing_from_anywhere(client, auth, home):
    page = _export(client, auth, home["learner"], home["learner"], "html")
    text = page.get_data(as_text=True)
    assert "@media print" in text and "font-size: 22px" in text
    assert "http://" not in text and "https://" not in text and "src=" not in text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_an_administrators_page_export_is_audited(app, client, auth, home):
    _export(client, auth, home["admin"], home["learner"], "html")
    assert _actions(app) == [("export_journal", {"format": "html"})]


def test_erasing_needs_the_learners_name_and_changes_nothing_without_it(
        app, client, auth, make, home):
    make.goal(home["learner"])
    resp = _erase(client, auth.headers(home["learner"]), home["learner"], "Someone Else")
    assert resp.status_code == 400 and "confirm" in resp.json["details"]["fields"]
    assert _count(app, COLLECTIONS["goals"]) == 1


def test_a_learner_erases_their_journal_for_good(app, client, auth, make, home):
    for collection in COLLECTIONS:
        make.record(collection, home["learner"])
    make.session(home["learner"], author=home["mentor"], visibility="mentor")
    resp = _erase(client, auth.headers(home["learner"]), home["learner"], "ada lovelace")
    assert resp.status_code == 200 and resp.json["entries_deleted"] == 7
    assert sum(_count(app, model) for model in COLLECTIONS.values()) == 0


def test_erasure_removes_sign_ins_pairings_and_sync_state(app, client, auth, home):
    learner = home["learner"]
    headers = auth.headers(learner)
    with app.app_context():
        replica = SyncReplica(id=str(uuid.uuid4()), person_id=learner.id)
        db.session.add(replica)
        db.session.add(SyncMutation(id=str(uuid.uuid4()), replica_id=replica.id, seq=1,
                                    status="rejected", payload={"text": "words"},
                                    learner_id=learner.id))
        db.session.commit()
    _erase(client, headers, learner, "Ada Lovelace")
    for model, where in ((Token, {"person_id": learner.id}), (Pairing, {"learner_id": learner.id}),
                         (SyncReplica, {}), (SyncMutation, {})):
        assert _count(app, model, **where) == 0, model.__name__
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_an_erased_learner_is_left_as_an_anonymous_stub(app, client, auth, home):
    _erase(client, auth.headers(home["admin"]), home["learner"], "Ada Lovelace")
    with app.app_context():
        stub = db.session.get(Person, home["learner"].id)
        assert (stub.display_name, stub.pin_hash, stub.email, stub.active) == (
            "Erased learner", None, None, False)


def test_erasure_is_audited_without_any_content(app, client, auth, make, home):
    make.goal(home["learner"], title="Private words")
    _erase(client, auth.headers(home["admin"]), home["learner"], "Ada Lovelace")
    entries = _actions(app)
    assert entries == [("erase_journal", {"entries": 1, "by": "administrator"})]
    assert "Ada" not in str(entries) and "Private" not in str(entries)


def test_earlier_audit_entries_outlive_the_erasure(app, client, auth, make, home):
    make.goal(home["learner"], visibility="care_team")
    client.get(f"/api/learners/{home['learner'].id}/goals", headers=auth.headers(home["staff"]))
    _erase(client, auth.headers(home["admin"]), home["learner"], "Ada Lovelace")
    assert [a for a, _ in _actions(app)] == ["read_journal", "erase_journal"]


@pytest.mark.parametrize("path", ["goals", "export.json"])
def test_an_erased_learner_answers_404_afterwards(client, auth, home, path):
    admin = auth.headers(home["admin"])
    _erase(client, admin, home["learner"], "Ada Lovelace")
    assert client.get(f"/api/learners/{home['learner'].id}/{path}",
                      headers=admin).status_code == 404
    assert client.get(f"/api/people/{home['learner'].id}", headers=admin).status_code == 404


def test_an_erased_learner_cannot_be_erased_again(client, auth, home):
    admin = auth.headers(home["admin"])
    _erase(client, admin, home["learner"], "Ada Lovelace")
    assert _erase(client, admin, home["learner"], "Erased learner").status_code == 404


def test_a_deactivated_learner_can_still_be_exported_and_erased_by_an_administrator(
        client, auth, make, home):
    gone = make.learner(home["org"], name="Moved Away", active=False)
    admin = auth.headers(home["admin"])
    assert client.get(f"/api/learners/{gone.id}/export.json", headers=admin).status_code == 200
    assert _erase(client, admin, gone, "Moved Away").status_code == 200


@pytest.mark.parametrize("who", ["staff", "mentor"])
def test_staff_who_are_not_administrators_and_mentors_cannot_erase(
        app, client, auth, make, home, who):
    make.goal(home["learner"])
    resp = _erase(client, auth.headers(home[who]), home["learner"], "Ada Lovelace")
    assert resp.status_code == 403 and _count(app, COLLECTIONS["goals"]) == 1
