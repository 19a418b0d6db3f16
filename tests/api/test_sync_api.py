"""The sync endpoints over HTTP: who may push and pull what, and how errors look."""
import threading
import uuid

import pytest

from backend.sync_api import store as sql_store
from sync import Client

from .sync_http import FlaskTransport


def _client(client, headers):
    return Client(FlaskTransport(client, headers))


@pytest.fixture
def home(make):
    org = make.org()
    ada, bert = make.learner(org, name="Ada Lovelace"), make.learner(org, name="Bert Jones")
    mentor = make.mentor(org)
    make.pairing(mentor, ada)
    return {"org": org, "ada": ada, "bert": bert, "mentor": mentor}


def test_a_learner_pushes_a_goal_and_a_second_device_pulls_it(client, auth, home):
    tablet = _client(client, auth.headers(home["ada"]))
    phone = _client(client, auth.headers(home["ada"]))
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Paint the sea", "whose_idea": "own"}, home["ada"].id)

    assert tablet.sync().ok
    phone.sync()

    assert phone.records[goal].fields["title"] == "Paint the sea"


def test_the_pushed_goal_is_readable_through_the_rest_api(client, auth, home):
    headers = auth.headers(home["ada"])
    tablet = _client(client, headers)
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Paint the sea"}, home["ada"].id)
    tablet.sync()

    resp = client.get(f"/api/learners/{home['ada'].id}/goals/{goal}", headers=headers)

    assert resp.status_code == 200
    assert resp.json["title"] == "Paint the sea"


def test_a_mutation_that_breaks_a_field_rule_is_rejected_and_kept_for_a_person(
        client, auth, home):
    tablet = _client(client, auth.headers(home["ada"]))
    tablet.write("sessions", str(uuid.uuid4()), {"activity": "Knitting", "minutes": 5000},
                 home["ada"].id)

    report = tablet.sync()

    assert len(report.rejected) == 1
    [kept] = tablet.needs_person
    assert kept.error["details"]["field"] == "minutes"


@pytest.mark.parametrize("title, reason", [("   ", "is required for a new entry"),
                                           (None, "is required for a new entry")])
def test_a_new_goal_without_words_for_its_title_is_rejected(client, auth, home, title, reason):
    tablet = _client(client, auth.headers(home["ada"]))
    tablet.write("goals", str(uuid.uuid4()), {"title": title}, home["ada"].id)

    assert len(tablet.sync().rejected) == 1
    assert tablet.needs_person[0].error["details"]["fields"] == {"title": reason}


def test_a_change_that_empties_a_required_field_is_rejected_and_the_words_stay(
        client, auth, home):
    tablet = _client(client, auth.headers(home["ada"]))
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Paint the sea"}, home["ada"].id)
    tablet.sync()
    tablet.write("goals", goal, {"title": " "}, home["ada"].id)

    assert len(tablet.sync().rejected) == 1
    assert tablet.needs_person[0].error["details"]["fields"] == {"title": "must not be empty"}
    resp = client.get(f"/api/learners/{home['ada'].id}/goals/{goal}",
                      headers=auth.headers(home["ada"]))
    assert resp.json["title"] == "Paint the sea"


def test_a_learner_has_one_profile_whose_id_comes_from_theirs(client, auth, home):
    from backend.journal.schemas import profile_id

    tablet = _client(client, auth.headers(home["ada"]))
    tablet.write("profile", str(uuid.uuid4()), {"needs": "Large print"}, home["ada"].id)
    tablet.write("profile", profile_id(home["ada"].id), {"needs": "Large print"},
                 home["ada"].id)

    report = tablet.sync()

    assert (len(report.rejected), len(report.applied)) == (1, 1)
    [refused] = tablet.needs_person
    assert refused.error["details"] == {
        "field": "record_id", "reason": f"a learner has one profile, whose id is "
                                        f"{profile_id(home['ada'].id)}"}
    listed = client.get(f"/api/learners/{home['ada'].id}/profile",
                        headers=auth.headers(home["ada"])).json["items"]
    assert [p["id"] for p in listed] == [profile_id(home["ada"].id)]


def test_the_rest_api_gives_a_new_profile_its_one_id_and_refuses_another(client, auth, home):
    from backend.journal.schemas import profile_id

    url, headers = f"/api/learners/{home['ada'].id}/profile", auth.headers(home["ada"])

    other = client.post(url, headers=headers, json={"id": str(uuid.uuid4()), "needs": "Quiet"})
    made = client.post(url, headers=headers, json={"needs": "Quiet"})
    again = client.post(url, headers=headers, json={"needs": "Mornings"})

    assert other.status_code == 403 and "id" in other.json["details"]["fields"]
    assert (made.status_code, made.json["id"]) == (201, profile_id(home["ada"].id))
    assert again.status_code == 409  # one profile: a change is a PATCH


def test_hiding_a_mentors_visit_without_making_it_private_is_rejected(client, auth, home, make):
    visit = make.session(home["ada"], author=home["mentor"], visibility="mentor")
    tablet = _client(client, auth.headers(home["ada"]))
    tablet.sync()
    tablet.write("sessions", visit.id, {"learner_response": "hidden"}, home["ada"].id)

    assert len(tablet.sync().rejected) == 1
    assert tablet.needs_person[0].error["details"] == {
        "field": "visibility", "reason": "a hidden entry is private: send 'private' with it"}
    phone = _client(client, auth.headers(home["mentor"]))
    phone.sync()
    assert visit.id in phone.records  # the mentor still sees it: nothing was half done


def test_an_entry_hidden_while_its_mentor_was_changing_it_leaves_their_phone(
        client, auth, home):
    """The learner hides a visit while the mentor's change to it is on the way: the page that
    says it left comes while the outbox still holds the change, so the phone keeps the entry
    for it; once the change is refused, the entry leaves the phone, and the mentor's words
    wait in what needs a person."""
    phone_transport = FlaskTransport(client, auth.headers(home["mentor"]))
    phone = Client(phone_transport)
    visit = str(uuid.uuid4())
    phone.write("sessions", visit, {"activity": "Choir", "visibility": "mentor"},
                home["ada"].id)
    assert phone.sync().ok
    tablet = _client(client, auth.headers(home["ada"]))
    tablet.sync()
    tablet.write("sessions", visit, {"learner_response": "hidden", "visibility": "private"},
                 home["ada"].id)
    assert tablet.sync().ok

    def change_during_the_pull(path, body):
        if path.endswith("/pull") and not phone.pending_count:
            phone.write("sessions", visit, {"note": "She sang all of it"}, home["ada"].id)
        return phone_transport(path, body)

    phone.transport = change_during_the_pull
    phone.sync()
    assert visit in phone.records  # kept while its change waits to be sent
    phone.sync()

    assert visit not in phone.records and not phone.pending_count
    [refused] = phone.needs_person
    assert refused.mutation.fields == {"note": "She sang all of it"}
    assert refused.error["error"] == "forbidden"


def test_a_change_sent_again_after_a_restore_does_not_bring_back_a_deleted_entry(
        app, client, auth, home):
    """The tablet changed a goal; the phone deleted it, the tombstone was purged, and the
    tablet's full resync forgot the goal. After a restore the tablet sends its log again and
    is answered as before: that old answer must not lay the goal back over nothing, even when
    the pull that would settle it does not come (the network fails after the push)."""
    import sync
    from backend.extensions import db
    from backend.sync_api.restore import start_new_epoch
    from backend.sync_api.store import SqlStore

    ada = home["ada"].id
    tablet_transport = FlaskTransport(client, auth.headers(home["ada"]))
    tablet = Client(tablet_transport)
    phone = _client(client, auth.headers(home["ada"]))
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Learn the names of the birds"}, ada)
    assert tablet.sync().ok
    tablet.write("goals", goal, {"visibility": "mentor"}, ada)
    assert tablet.sync().ok
    phone.sync()
    phone.delete("goals", goal, ada)
    assert phone.sync().ok
    with app.app_context():
        assert sync.purge_tombstones(SqlStore(db.engine), through_seq=10 ** 9) == 1
    assert tablet.sync().full_resync and goal not in tablet.records
    with app.app_context():
        start_new_epoch()

    def no_pull(path, body):
        if path.endswith("/pull"):
            raise OSError("the signal went")
        return tablet_transport(path, {**body, "pull": None} if "pull" in body else body)

    tablet.transport = no_pull
    tablet.write("goals", str(uuid.uuid4()), {"title": "Walk to the park"}, ada)
    report = tablet.sync()

    assert report.epoch_changed and report.error["error"] == "network_error"
    assert goal not in tablet.records
    assert not tablet.local.outbox and not tablet.local.resend_log


def test_a_mentors_visit_sent_again_after_the_delete_that_saw_it_leaves_their_phone(
        client, auth, home):
    """After a restore the learner's tablet sent its delete of the mentor's visit first: the
    server had lost the visit, so its tombstone is the learner's and private. The mentor's
    phone then sends the visit again; the delete saw it, so it is answered applied, changing
    nothing, and the tombstone, now known to have been shared with the mentor, takes the visit
    off the phone (docs/sync-protocol.md, "Merge rules")."""
    ada = home["ada"].id
    phone = _client(client, auth.headers(home["mentor"]))
    visit = str(uuid.uuid4())
    phone.write("sessions", visit, {"activity": "Choir", "visibility": "mentor"}, ada)
    [create] = phone.local.outbox.values()
    tablet, replica = FlaskTransport(client, auth.headers(home["ada"])), str(uuid.uuid4())
    status, answer = tablet("/api/sync/push", {
        "protocol": 3, "replica": replica, "floor": 1, "mutations": [{
            "id": str(uuid.uuid4()), "replica": replica, "seq": 1, "op": "delete",
            "collection": "sessions", "record_id": visit, "learner_id": ada, "fields": {},
            "base": {"activity": create.id, "visibility": create.id},
            "at": "2026-11-27T10:00:00Z"}]})
    assert status == 200, answer
    assert answer["results"][0]["status"] == "applied"

    report = phone.sync()

    assert report.ok and report.applied == [create.id]
    assert visit not in phone.records and not phone.needs_person


@pytest.mark.parametrize("says_mentor, error, field", [
    (False, "forbidden", "visibility"), (True, "record_deleted", "record_id")])
def test_a_mentors_change_of_a_visit_deleted_and_purged_meets_the_access_checks_first(
        app, client, auth, home, says_mentor, error, field):
    """The mentor's phone was away while the learner deleted his visit and the tombstone was
    purged. His change of it is checked as a mentor's new entry first (check 7), and only then
    refused as gone (check 10, docs/sync-protocol.md "Order of the checks")."""
    import sync
    from backend.extensions import db
    from backend.sync_api.store import SqlStore

    ada = home["ada"].id
    phone = _client(client, auth.headers(home["mentor"]))
    tablet = _client(client, auth.headers(home["ada"]))
    visit = str(uuid.uuid4())
    phone.write("sessions", visit, {"activity": "Choir", "visibility": "mentor"}, ada)
    assert phone.sync().ok and tablet.sync().ok
    tablet.delete("sessions", visit, ada)
    assert tablet.sync().ok
    with app.app_context():
        assert sync.purge_tombstones(SqlStore(db.engine), through_seq=10 ** 9) == 1
    change = {"note": "She sang the descant", **({"visibility": "mentor"} if says_mentor else {})}
    phone.write("sessions", visit, change, ada)

    report = phone.sync()

    assert len(report.rejected) == 1
    [kept] = phone.needs_person
    assert (kept.error["error"], kept.error["details"]["field"]) == (error, field)


def test_a_mentor_cannot_write_a_goal_for_their_learner(client, auth, home):
    phone = _client(client, auth.headers(home["mentor"]))
    phone.write("goals", str(uuid.uuid4()), {"title": "Walk daily"}, home["ada"].id)

    report = phone.sync()

    assert len(report.rejected) == 1
    assert phone.needs_person[0].error["error"] == "forbidden"


def test_a_mentor_logs_a_visit_that_the_learner_then_sees_as_written_by_the_mentor(
        client, auth, home):
    phone = _client(client, auth.headers(home["mentor"]))
    visit = str(uuid.uuid4())
    phone.write("sessions", visit, {"activity": "Video call practice", "minutes": 40,
                                    "visibility": "mentor"}, home["ada"].id)
    assert phone.sync().ok
    tablet = _client(client, auth.headers(home["ada"]))

    tablet.sync()

    assert tablet.records[visit].author_id == home["mentor"].id


@pytest.mark.parametrize("visibility", ["care_team", "private"])
def test_a_mentors_new_visit_is_shared_with_the_mentor_only_as_the_learner_did_not_choose(
        client, auth, home, visibility):
    phone = _client(client, auth.headers(home["mentor"]))
    phone.write("sessions", str(uuid.uuid4()), {"activity": "Video call practice",
                                                "visibility": visibility}, home["ada"].id)

    phone.sync()

    [kept] = phone.needs_person
    assert (kept.error["error"], kept.error["details"]["field"]) == ("forbidden", "visibility")


def test_a_mentors_delete_of_an_entry_the_server_does_not_have_is_refused_saying_so(
        client, auth, home):
    # after a restore lost it, say: whose it was cannot be checked any more
    phone = _client(client, auth.headers(home["mentor"]))
    phone.delete("sessions", str(uuid.uuid4()), home["ada"].id)

    phone.sync()

    [kept] = phone.needs_person
    assert (kept.error["error"], kept.error["details"]) == (
        "forbidden", {"field": "record_id",
                      "reason": "a mentor can only delete an entry the server has"})


def test_a_mentor_never_changes_who_sees_a_visit_the_learner_shared_wider(client, auth, home):
    phone = _client(client, auth.headers(home["mentor"]))
    tablet = _client(client, auth.headers(home["ada"]))
    visit = str(uuid.uuid4())
    phone.write("sessions", visit, {"activity": "Video call practice",
                                    "visibility": "mentor"}, home["ada"].id)
    phone.sync()
    tablet.sync()
    tablet.write("sessions", visit, {"visibility": "care_team"}, home["ada"].id)
    assert tablet.sync().ok
    phone.sync()

    phone.write("sessions", visit, {"note": "She called Tom on her own"}, home["ada"].id)
    phone.write("sessions", visit, {"visibility": "care_team"}, home["ada"].id)  # as it is
    assert phone.sync().ok and not phone.needs_person
    phone.write("sessions", visit, {"visibility": "mentor"}, home["ada"].id)
    phone.sync()
    tablet.sync()

    [kept] = phone.needs_person
    assert (kept.error["error"], kept.error["details"]["field"]) == ("forbidden", "visibility")
    assert kept.error["details"]["reason"] == "only the learner chooses who else sees an entry"
    assert tablet.records[visit].fields["visibility"] == "care_team"
    assert tablet.records[visit].fields["note"] == "She called Tom on her own"


@pytest.mark.parametrize("visibility, mentor_sees", [
    ("private", False), ("mentor", True), ("care_team", True)])
def test_a_mentor_pulls_only_what_the_learner_shared_with_them(
        client, auth, home, visibility, mentor_sees):
    tablet = _client(client, auth.headers(home["ada"]))
    reflection = str(uuid.uuid4())
    tablet.write("reflections", reflection, {"text": "I liked it", "visibility": visibility},
                 home["ada"].id)
    tablet.sync()
    phone = _client(client, auth.headers(home["mentor"]))

    phone.sync()

    assert (reflection in phone.records) is mentor_sees


def test_withdrawn_sharing_removes_the_record_from_the_mentors_device(client, auth, home):
    tablet = _client(client, auth.headers(home["ada"]))
    phone = _client(client, auth.headers(home["mentor"]))
    reflection = str(uuid.uuid4())
    tablet.write("reflections", reflection, {"text": "Feeling low", "visibility": "mentor"},
                 home["ada"].id)
    tablet.sync(), phone.sync()
    assert reflection in phone.records

    tablet.write("reflections", reflection, {"visibility": "private"}, home["ada"].id)
    tablet.sync(), phone.sync()

    assert reflection not in phone.records


def test_an_entry_stored_without_its_widest_sight_still_leaves_the_mentor_when_made_private(
        client, auth, home, make):
    """An entry written outside the sync engine (an import, a fix in SQL) has no record of who
    could ever see it; made private, it is still taken off the mentor's phone."""
    shared = make.record("reflections", home["ada"], text="Feeling low", visibility="mentor",
                         widest_visibility=None)
    tablet = _client(client, auth.headers(home["ada"]))
    phone = _client(client, auth.headers(home["mentor"]))
    tablet.sync(), phone.sync()
    assert shared.id in phone.records

    tablet.write("reflections", shared.id, {"visibility": "private"}, home["ada"].id)
    tablet.sync(), phone.sync()

    assert shared.id not in phone.records


def test_an_ended_pairing_removes_the_learners_records_from_the_mentors_device(
        client, auth, home, app):
    from backend.extensions import db
    from backend.models import Pairing
    from backend.models.types import utcnow

    tablet = _client(client, auth.headers(home["ada"]))
    phone = _client(client, auth.headers(home["mentor"]))
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Read Hardy", "visibility": "mentor"}, home["ada"].id)
    tablet.sync(), phone.sync()
    assert goal in phone.records
    with app.app_context():
        db.session.execute(db.update(Pairing).values(ended_at=utcnow()))
        db.session.commit()

    phone.sync()

    assert phone.records == {}


def test_a_learner_marked_as_left_leaves_the_mentors_device_and_comes_back_with_her(
        client, auth, home, make):
    """Staff mark Ada as left: her shared goal leaves her mentor's phone at its next sync, as
    it no longer shows through the REST API, and the visit he logged for her meanwhile waits
    on his phone with a reason he can act on. Marked back, her goal comes back and the visit
    goes when he tries again."""
    admin = make.staff(home["org"], is_admin=True)
    staff = auth.headers(admin)
    ada = home["ada"]
    tablet = _client(client, auth.headers(ada))
    phone = _client(client, auth.headers(home["mentor"]))
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Read Hardy", "visibility": "mentor"}, ada.id)
    tablet.sync(), phone.sync()
    assert goal in phone.records

    left = client.patch(f"/api/people/{ada.id}", json={"active": False}, headers=staff)
    assert left.status_code == 200, left.json
    visit = str(uuid.uuid4())
    phone.write("sessions", visit, {"activity": "Read a chapter together",
                                    "visibility": "mentor"}, ada.id)
    report = phone.sync()

    assert report.ok and goal not in phone.records
    [waiting] = phone.needs_person
    assert waiting.error["details"]["reason"] == "this learner is marked as having left"
    assert client.get(f"/api/learners/{ada.id}/goals/{goal}",
                      headers=auth.headers(home["mentor"])).status_code in (403, 404)

    back = client.patch(f"/api/people/{ada.id}", json={"active": True}, headers=staff)
    assert back.status_code == 200, back.json
    phone.write("sessions", visit, waiting.mutation.fields, ada.id)  # "Try again"
    phone.dismiss(waiting.mutation.id)
    assert phone.sync().ok

    assert set(phone.records) == {goal, visit} and not phone.needs_person


def test_another_learners_records_never_reach_a_learners_device(client, auth, home):
    ada = _client(client, auth.headers(home["ada"]))
    goal = str(uuid.uuid4())
    ada.write("goals", goal, {"title": "Mine", "visibility": "care_team"}, home["ada"].id)
    ada.sync()
    bert = _client(client, auth.headers(home["bert"]))

    bert.sync()

    assert bert.records == {}


def test_a_learner_cannot_write_into_another_learners_journal(client, auth, home):
    bert = _client(client, auth.headers(home["bert"]))
    bert.write("goals", str(uuid.uuid4()), {"title": "Sneaky"}, home["ada"].id)

    report = bert.sync()

    assert len(report.rejected) == 1


@pytest.mark.parametrize("path", ["/api/sync/push", "/api/sync/pull"])
def test_sync_needs_a_bearer_token(client, path):
    resp = client.post(path, json={"protocol": 2})
    assert resp.status_code == 401
    assert resp.json["error"] == "unauthorized"


def _spoil(app, how, person, tablet):
    """Make the newest token unusable in the way ``how`` names."""
    from datetime import timedelta

    from backend.extensions import db
    from backend.models import Device, Person, Token
    from backend.models.types import utcnow

    now = utcnow()
    with app.app_context():
        if how == "revoked token":
            db.session.execute(db.update(Token).values(revoked_at=now))
        elif how == "expired token":
            db.session.execute(db.update(Token).values(expires_at=now - timedelta(seconds=1)))
        elif how == "inactive person":
            db.session.execute(db.update(Person).where(Person.id == person.id)
                               .values(active=False))
        elif how == "revoked tablet":
            db.session.execute(db.update(Device).where(Device.id == tablet.id)
                               .values(revoked_at=now))
        db.session.commit()


@pytest.mark.parametrize("how, error, message", [
    ("unknown token", "unauthorized", "Please sign in again."),
    ("revoked token", "unauthorized", "Please sign in again."),
    ("inactive person", "unauthorized", "Please sign in again."),
    ("expired token", "token_expired", "Your sign-in has expired. Please sign in again."),
    ("revoked tablet", "unauthorized", "This tablet is no longer enrolled."),
])
def test_a_sync_refuses_a_token_as_the_rest_of_the_api_does(
        app, client, auth, make, home, how, error, message):
    """The sync reads its sign-in in a query of its own (``tokens.signed_in``): it refuses
    every token ``/api/auth/me`` refuses, with the same answer, and writes nothing."""
    tablet = make.device(home["org"])
    headers = auth.headers(home["ada"], device=tablet)
    if how == "unknown token":
        headers = {"Authorization": "Bearer wm_nobody-has-this-one"}
    _spoil(app, how, home["ada"], tablet)
    goal = {"id": str(uuid.uuid4()), "replica": str(uuid.uuid4()), "seq": 1, "op": "upsert",
            "collection": "goals", "record_id": str(uuid.uuid4()),
            "learner_id": home["ada"].id, "fields": {"title": "Sing"}, "base": {},
            "at": "2026-11-27T10:00:00Z"}
    answers = [
        client.get("/api/auth/me", headers=headers),
        client.post("/api/sync/pull", headers=headers,
                    json={"protocol": 3, "replica": goal["replica"], "cursor": None}),
        client.post("/api/sync/push", headers=headers,
                    json={"protocol": 3, "replica": goal["replica"], "floor": 1,
                          "mutations": [goal]}),
    ]

    for resp in answers:
        assert resp.status_code == 401, resp.get_data(as_text=True)
        assert (resp.json["error"], resp.json["message"]) == (error, message)
    with app.app_context():
        from backend.extensions import db
        from backend.models import Goal

        assert db.session.scalar(db.select(db.func.count(Goal.id))) == 0


def test_a_sync_from_an_enrolled_tablet_notes_when_it_was_last_seen(
        app, client, auth, make, home):
    from datetime import timedelta

    from backend.extensions import db
    from backend.models import Device, Token
    from backend.models.types import utcnow

    tablet = make.device(home["org"])
    device = _client(client, auth.headers(home["ada"], device=tablet))
    a_day_ago = utcnow() - timedelta(days=1)
    with app.app_context():
        db.session.execute(db.update(Device).values(last_seen_at=a_day_ago))
        db.session.execute(db.update(Token).values(last_used_at=a_day_ago))
        db.session.commit()

    assert device.sync().ok

    with app.app_context():
        seen = db.session.get(Device, tablet.id).last_seen_at
        [used] = db.session.scalars(db.select(Token.last_used_at)).all()
    assert seen > a_day_ago and used > a_day_ago


@pytest.mark.parametrize("path, body", [
    ("/api/sync/push", {"protocol": 0, "replica": str(uuid.uuid4()), "floor": 1,
                        "mutations": []}),
    ("/api/sync/pull", {"protocol": 0, "replica": str(uuid.uuid4()), "cursor": None}),
])
def test_a_client_too_old_gets_426_protocol_too_old(client, auth, home, path, body):
    resp = client.post(path, json=body, headers=auth.headers(home["ada"]))
    assert resp.status_code == 426
    assert resp.json["error"] == "protocol_too_old"


@pytest.mark.parametrize("body, field", [
    ({"protocol": 2, "floor": 1, "mutations": []}, "replica"),
    ({"protocol": 2, "replica": "not-a-uuid", "floor": 1, "mutations": []}, "replica"),
    ({"protocol": 2, "replica": str(uuid.uuid4()), "floor": "x", "mutations": []}, "floor"),
    ({"protocol": 2, "replica": str(uuid.uuid4()), "floor": 1, "mutations": [{}]},
     "mutations[0]"),
    ({"protocol": "one"}, "protocol"),
])
def test_a_malformed_push_is_a_400_naming_the_field(client, auth, home, body, field):
    resp = client.post("/api/sync/push", json=body, headers=auth.headers(home["ada"]))
    assert resp.status_code == 400
    assert resp.json["error"] == "invalid_request"
    assert any(name.startswith(field) for name in resp.json["details"]["fields"])


@pytest.mark.parametrize("where, value, field", [
    ("floor", 2**63, "floor"),
    ("learner_id", 2**63, "mutations[0].learner_id"),
    ("learner_id", 2**31, "mutations[0].learner_id"),
    ("seq", 10**30, "mutations[0].seq"),
])
def test_a_number_too_large_to_store_is_a_400_naming_it_and_stores_nothing(
        client, auth, home, where, value, field):
    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())
    body = _push_body(replica, home["ada"].id)
    if where == "floor":
        body["floor"] = value
    else:
        body["mutations"][0][where] = value

    resp = client.post("/api/sync/push", json=body, headers=headers)

    assert resp.status_code == 400, resp.json
    assert resp.json["details"]["field"] == field
    assert "must be at most" in resp.json["details"]["reason"]
    everything = client.post("/api/sync/pull", json={"protocol": 3, "replica": replica,
                                                     "cursor": None}, headers=headers).json
    assert everything["changes"] == []


def test_text_no_database_stores_is_a_400_naming_its_path_as_the_protocol_spells_it(
        client, auth, home):
    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())
    body = _push_body(replica, home["ada"].id)
    body["mutations"][0]["fields"]["title"] = "Paint\x00 the sea"  # sent as \u0000

    resp = client.post("/api/sync/push", json=body, headers=headers)

    assert resp.status_code == 400, resp.json
    assert resp.json["error"] == "invalid_request"
    details = resp.json["details"]
    assert details["field"] == "mutations[0].fields.title"
    assert details["reason"] == "contains characters that cannot be stored"
    assert details["fields"] == {"mutations[0].fields.title": [details["reason"]]}


def test_an_old_client_hears_it_must_update_whatever_text_its_body_holds(client, auth, home):
    body = {"protocol": 1, "replica": str(uuid.uuid4()), "note": "a\x00b"}

    resp = client.post("/api/sync/push", json=body, headers=auth.headers(home["ada"]))

    assert resp.status_code == 426
    assert resp.json["error"] == "protocol_too_old"


def test_a_push_that_is_not_json_is_a_400(client, auth, home):
    resp = client.post("/api/sync/push", data="{not json", headers=auth.headers(home["ada"]),
                       content_type="application/json")
    assert resp.status_code == 400
    assert resp.json["error"] == "invalid_json"


@pytest.mark.parametrize("body, reason", [
    ('{"protocol": 3, "seq": ' + "9" * 5000 + "}",
     "a number in the body has more digits than the server reads (4,300)"),
    ("[" * 100_000 + "]" * 100_000, "the body is nested deeper than the server reads"),
])
def test_valid_json_the_server_cannot_read_is_a_400_that_says_why(client, auth, home, body,
                                                                   reason):
    resp = client.post("/api/sync/push", data=body, headers=auth.headers(home["ada"]),
                       content_type="application/json")

    assert resp.status_code == 400
    assert (resp.json["error"], resp.json["details"]["fields"]) == (
        "invalid_json", {"_body": [reason]})


def test_a_pull_with_a_cursor_from_another_epoch_gets_epoch_changed(client, auth, home, app):
    from backend.sync_api.restore import start_new_epoch

    headers = auth.headers(home["ada"])
    replica = str(uuid.uuid4())
    first = client.post("/api/sync/pull", json={"protocol": 2, "replica": replica,
                                                "cursor": None}, headers=headers).json
    with app.app_context():
        start_new_epoch()

    resp = client.post("/api/sync/pull", json={"protocol": 2, "replica": replica,
                                               "cursor": first["cursor"]}, headers=headers)

    assert resp.status_code == 409
    assert resp.json["error"] == "epoch_changed"


def test_a_pull_from_the_start_says_the_seq_its_epoch_began_at(client, auth, home, app):
    """Only a pull from the start says it: 0 in the first epoch, and the seq the database held
    when a new epoch was set (after a restore: the backup's last change)."""
    from backend.sync_api.restore import start_new_epoch

    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())
    assert client.post("/api/sync/push", json=_push_body(replica, home["ada"].id),
                       headers=headers).status_code == 200

    def pull(cursor=None):
        return client.post("/api/sync/pull", json={"protocol": 3, "replica": replica,
                                                   "cursor": cursor}, headers=headers).json

    first = pull()
    assert first["epoch_seq"] == 0 and "epoch_seq" not in pull(first["cursor"])
    with app.app_context():
        start_new_epoch()
    assert client.post("/api/sync/push", json=_push_body(str(uuid.uuid4()), home["ada"].id),
                       headers=headers).status_code == 200

    again = pull()
    assert again["epoch"] != first["epoch"] and again["epoch_seq"] == first["through"]
    assert [c["seq"] > again["epoch_seq"] for c in again["changes"]].count(True) == 1


def _push_body(replica, learner_id, **extra):
    mutation = {"id": str(uuid.uuid4()), "replica": replica, "seq": 1, "op": "upsert",
                "collection": "goals", "record_id": str(uuid.uuid4()),
                "learner_id": learner_id, "fields": {"title": "Paint the sea"}, "base": {},
                "at": "2026-11-26T10:00:00Z"}
    return {"protocol": 3, "replica": replica, "floor": 1, "mutations": [mutation], **extra}


def test_a_push_carrying_a_pull_is_answered_with_the_page_in_one_round_trip(
        client, auth, home):
    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())
    body = _push_body(replica, home["ada"].id, pull={"cursor": None, "limit": 10})

    resp = client.post("/api/sync/push", json=body, headers=headers)

    assert resp.status_code == 200
    [result] = resp.json["results"]
    [change] = resp.json["pull"]["changes"]
    assert (result["status"], change["id"], change["seq"]) == (
        "applied", body["mutations"][0]["record_id"], result["seq"])
    after = client.post("/api/sync/pull", json={
        "protocol": 3, "replica": replica, "cursor": resp.json["pull"]["cursor"]},
        headers=headers).json
    assert after["changes"] == []


def test_pages_fetched_ahead_over_http_bring_a_mentors_learners_whole(client, auth, home, make):
    for learner in (home["ada"], home["bert"]):
        for n in range(5):
            make.goal(learner, title=f"Goal {n}", visibility="mentor")
    make.pairing(home["mentor"], home["bert"])
    headers, replica = auth.headers(home["mentor"]), str(uuid.uuid4())

    def pull(cursor, ahead=0):
        resp = client.post("/api/sync/pull", headers=headers, json={
            "protocol": 3, "replica": replica, "cursor": cursor, "limit": 3, "ahead": ahead})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.json

    first = pull(None, ahead=2)
    pages = [first, *[pull(cursor) for cursor in reversed(first["ahead"])][::-1]]
    rest = pages[-1]
    while rest["more"]:
        rest = pull(rest["cursor"])
        pages.append(rest)

    assert len(first["ahead"]) == 2
    assert [len(page["changes"]) for page in pages[:2]] == [3, 3]
    titles = [c["fields"]["title"] for page in pages for c in page["changes"]]
    assert sorted(titles) == sorted([f"Goal {n}" for n in range(5)] * 2)


def test_a_push_may_carry_a_pull_that_asks_for_pages_ahead(client, auth, home):
    """The carried pull takes ``ahead`` as a pull request does (docs/sync-protocol.md, "Push");
    its runs then bring the rest, every change once."""
    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())
    tablet = _client(client, headers)
    for n in range(5):  # and the push's own: six in all
        tablet.write("goals", str(uuid.uuid4()), {"title": f"Goal {n}"}, home["ada"].id)
    assert tablet.sync().ok

    resp = client.post("/api/sync/push", json=_push_body(
        replica, home["ada"].id, pull={"cursor": None, "limit": 2, "ahead": 2}), headers=headers)

    assert resp.status_code == 200, resp.json
    page = resp.json["pull"]
    assert page["more"] and len(page["changes"]) == 2 and len(page["ahead"]) == 2
    pages = [client.post("/api/sync/pull", headers=headers, json={
        "protocol": 3, "replica": replica, "cursor": cursor, "limit": 2}).json
        for cursor in page["ahead"]]
    ids = [c["id"] for p in (page, *pages) for c in p["changes"]]
    assert len(ids) == len(set(ids)) == 6 and not pages[-1]["more"]


@pytest.mark.parametrize("protocol, pull, field", [
    (2, {"cursor": None}, "pull"),
    (3, {"cursor": "bm90IGEgY3Vyc29y"}, "pull.cursor"),
    (3, {"cursor": None, "limit": 5000}, "pull.limit"),
    (3, {"cursor": None, "ahead": 17}, "pull.ahead"),
])
def test_a_push_carrying_a_bad_pull_is_a_400_and_applies_nothing(
        client, auth, home, protocol, pull, field):
    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())

    resp = client.post("/api/sync/push", json=_push_body(
        replica, home["ada"].id, protocol=protocol, pull=pull), headers=headers)

    assert resp.status_code == 400
    assert resp.json["details"]["field"] == field
    everything = client.post("/api/sync/pull", json={"protocol": 3, "replica": replica,
                                                     "cursor": None}, headers=headers).json
    assert everything["changes"] == []


def test_a_carried_pull_from_another_epoch_answers_the_error_beside_the_applied_push(
        client, auth, home, app):
    from backend.sync_api.restore import start_new_epoch

    headers, replica = auth.headers(home["ada"]), str(uuid.uuid4())
    first = client.post("/api/sync/pull", json={"protocol": 3, "replica": replica,
                                                "cursor": None}, headers=headers).json
    with app.app_context():
        start_new_epoch()

    resp = client.post("/api/sync/push", json=_push_body(
        replica, home["ada"].id, pull={"cursor": first["cursor"]}), headers=headers)

    assert resp.status_code == 200
    assert resp.json["results"][0]["status"] == "applied"
    assert "pull" not in resp.json
    assert (resp.json["pull_error"]["code"], resp.json["pull_error"]["error"]) == (
        409, "epoch_changed")


def test_a_sync_after_a_minute_away_notes_the_sign_in_and_still_applies(client, auth, home, app):
    """The first request after a minute notes the token's use, committed before the push (on
    PostgreSQL the push then runs on a connection that has just read the person again)."""
    from datetime import timedelta

    from backend.extensions import db
    from backend.models import Token
    from backend.models.types import utcnow

    headers = auth.headers(home["ada"])
    tablet = _client(client, headers)
    goal = str(uuid.uuid4())
    tablet.write("goals", goal, {"title": "Paint the sea"}, home["ada"].id)
    an_hour_ago = utcnow() - timedelta(hours=1)
    with app.app_context():
        db.session.execute(db.update(Token).values(last_used_at=an_hour_ago))
        db.session.commit()

    assert tablet.sync().ok
    tablet.write("goals", goal, {"title": "Paint the sea at dawn"}, home["ada"].id)
    with app.app_context():
        db.session.execute(db.update(Token).values(last_used_at=an_hour_ago))
        db.session.commit()
    assert tablet.sync().ok

    with app.app_context():
        [used] = db.session.scalars(db.select(Token.last_used_at)).all()
    assert used > an_hour_ago
    phone = _client(client, auth.headers(home["ada"]))
    phone.sync()
    assert phone.records[goal].fields["title"] == "Paint the sea at dawn"


def test_the_profile_id_of_a_learner_is_the_one_the_document_gives():
    from backend.journal.schemas import profile_id

    assert profile_id(42) == "8f089d98-03c5-57e8-ac35-6c178cc257cf"  # docs/sync-protocol.md


def test_a_push_over_the_body_limit_is_413_and_the_client_sends_it_again_in_halves(
        app, client, auth, home):
    """An operator's small ``MAX_CONTENT_LENGTH``: the server answers 413 in the protocol's
    error shape, and the reference client sends the batch again in halves until each fits."""
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    headers = auth.headers(home["ada"])
    tablet = _client(client, headers)
    goals = [str(uuid.uuid4()) for _ in range(6)]
    for n, goal in enumerate(goals):
        tablet.write("goals", goal, {"title": f"Walk to the {n}th bench " + "far " * 40},
                     home["ada"].id)
    whole = _push_body(str(uuid.uuid4()), home["ada"].id)
    whole["mutations"] *= 8

    too_large = client.post("/api/sync/push", json=whole, headers=headers)
    report = tablet.sync()

    assert too_large.status_code == 413
    assert too_large.json["error"] == "payload_too_large"
    assert report.ok and tablet.pending_count == 0
    phone = _client(client, headers)
    assert phone.sync().ok and set(phone.records) == set(goals)


@pytest.mark.parametrize("after", ["SELECT epoch, seq, purged_through_seq", " FROM goals "],
                         ids=["after the head", "between two tables"])
def test_a_page_read_while_a_push_commits_skips_nothing(client, auth, home, app, monkeypatch,
                                                        after):
    """A page reads the head, then the changes: on SQLite each collection's table in a
    statement of its own, each seeing what committed before it. A push that commits between
    two of them, changing a goal whose table was read and a session whose table was not, must
    not move the cursor past the goal's new seq: the page leaves rows above the head it read
    first for the next one, and says there is more, so it comes in the same sync."""
    if after == " FROM goals " and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL reads every table in one statement")
    tablet = _client(app.test_client(), auth.headers(home["ada"]))
    phone = _client(client, auth.headers(home["ada"]))
    goal, session, ada = str(uuid.uuid4()), str(uuid.uuid4()), home["ada"].id
    tablet.write("goals", goal, {"title": "Paint the sea"}, ada)
    tablet.write("sessions", session, {"activity": "Walk"}, ada)
    assert tablet.sync().ok and phone.sync().ok
    tablet.write("goals", goal, {"title": "Paint the harbour"}, ada)
    tablet.write("sessions", session, {"activity": "Swim"}, ada)

    pushes = [lambda: tablet.sync()]
    read_all = sql_store.read_all

    def with_a_push_between(conn, statements):
        answers = []
        for statement in statements:
            answers += read_all(conn, [statement])
            if pushes and after in statement[0]:
                push = threading.Thread(target=pushes.pop())  # another connection, as a device
                push.start()
                push.join()
        return answers

    monkeypatch.setattr(sql_store, "read_all", with_a_push_between)
    assert phone.sync().ok
    assert not pushes and not tablet.pending_count  # the push went between the reads
    assert phone.records[goal].fields["title"] == "Paint the harbour"
    assert phone.records[session].fields["activity"] == "Swim"
