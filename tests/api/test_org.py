"""The organisation admin API: people, lockouts, pairings, tablets, the audit log."""
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from backend.auth import credentials
from backend.auth.tokens import digest
from backend.extensions import db
from backend.models import AuditEntry, Device, Person, Token


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    # Argon2 at full cost takes ~0.2 s a hash; the rules under test do not depend on it.
    monkeypatch.setattr(credentials, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def home(make):
    org = make.org("Elmfield House")
    return {"org": org, "admin": make.staff(org, is_admin=True), "staff": make.staff(org),
            "learner": make.learner(org, name="Ada Lovelace"), "mentor": make.mentor(org)}


def _audit_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_organisation_answers_with_my_organisation(client, auth, home):
    resp = client.get("/api/organisation", headers=auth.headers(home["learner"]))
    assert resp.status_code == 200
    assert resp.json == {"id": home["org"].id, "name": "Elmfield House", "kind": "care_home",
                         "timezone": "Europe/London"}


def test_staff_list_only_the_people_of_their_organisation(client, auth, make, home):
    make.learner(make.org(), name="Somebody Elsewhere")
    resp = client.get("/api/people", headers=auth.headers(home["staff"]))
    assert resp.status_code == 200
    assert {p["id"] for p in resp.json["items"]} == {
        home[k].id for k in ("admin", "staff", "learner", "mentor")}


def test_people_can_be_listed_by_role(client, auth, home):
    resp = client.get("/api/people?role=learner", headers=auth.headers(home["staff"]))
    assert [p["display_name"] for p in resp.json["items"]] == ["Ada Lovelace"]


def test_admin_adds_a_learner_with_a_pin_who_can_then_sign_in(client, auth, make, home):
    resp = client.post("/api/people", headers=auth.headers(home["admin"]),
                       json={"role": "learner", "display_name": "Bert Higgins", "pin": "2468"})
    assert resp.status_code == 201
    assert resp.json["has_pin"] is True and resp.json["email"] is None
    tablet = make.device(home["org"])
    signed_in = client.post("/api/auth/pin", json={"device_key": tablet.raw_key,
                                                   "person_id": resp.json["id"], "pin": "2468"})
    assert signed_in.status_code == 200


def test_admin_adds_a_mentor_whose_email_is_stored_lower_case(client, auth, home):
    resp = client.post("/api/people", headers=auth.headers(home["admin"]), json={
        "role": "mentor", "display_name": "Mo Khan", "email": "Mo.Khan@Example.ORG",
        "password": "a long enough password"})
    assert resp.status_code == 201
    assert resp.json["email"] == "mo.khan@example.org"
    login = client.post("/api/auth/login", json={"email": "mo.khan@example.org",
                                                 "password": "a long enough password"})
    assert login.status_code == 200


def test_a_used_email_in_any_case_is_a_conflict_naming_email(client, auth, home):
    body = {"role": "staff", "display_name": "Sam", "email": "sam@example.org",
            "password": "a long enough password"}
    assert client.post("/api/people", headers=auth.headers(home["admin"]),
                       json=body).status_code == 201
    again = client.post("/api/people", headers=auth.headers(home["admin"]),
                        json={**body, "email": "SAM@example.org"})
    assert again.status_code == 409
    assert again.json["error"] == "conflict"
    assert "email" in again.json["details"]["fields"]


@pytest.mark.parametrize("body, field", [
    ({"role": "staff", "display_name": "S", "email": "s@example.org", "password": "short"},
     "password"),
    ({"role": "mentor", "display_name": "M", "password": "a long enough password"}, "email"),
    ({"role": "learner", "display_name": "L", "email": "l@example.org"}, "email"),
    ({"role": "mentor", "display_name": "M", "email": "m@example.org",
      "password": "a long enough password", "pin": "1234"}, "pin"),
    ({"role": "learner", "display_name": "L", "is_admin": True}, "is_admin"),
    ({"role": "learner", "display_name": "   "}, "display_name"),
])
def test_a_person_that_does_not_fit_their_role_is_refused_naming_the_field(
        client, auth, home, body, field):
    resp = client.post("/api/people", headers=auth.headers(home["admin"]), json=body)
    assert resp.status_code == 400
    assert field in resp.json["details"]["fields"]


def test_staff_who_are_not_administrators_cannot_add_people(client, auth, home):
    resp = client.post("/api/people", headers=auth.headers(home["staff"]),
                       json={"role": "learner", "display_name": "Bert"})
    assert resp.status_code == 403


def test_admin_renames_a_person_and_the_change_is_audited(client, app, auth, home):
    resp = client.patch(f"/api/people/{home['learner'].id}", headers=auth.headers(home["admin"]),
                        json={"display_name": "Ada King"})
    assert resp.status_code == 200 and resp.json["display_name"] == "Ada King"
    assert "person_changed" in _audit_actions(app)


def test_admin_sets_and_then_clears_a_pin(client, auth, home):
    url, headers = f"/api/people/{home['learner'].id}", auth.headers(home["admin"])
    assert client.patch(url, headers=headers, json={"pin": "9753"}).json["has_pin"] is True
    assert client.patch(url, headers=headers, json={"pin": None}).json["has_pin"] is False


def test_a_pin_for_a_mentor_is_refused_naming_pin(client, auth, home):
    resp = client.patch(f"/api/people/{home['mentor'].id}", headers=auth.headers(home["admin"]),
                        json={"pin": "1234"})
    assert resp.status_code == 400 and "pin" in resp.json["details"]["fields"]


def test_a_deactivated_person_can_no_longer_use_their_sign_in(client, auth, home):
    mentor_headers = auth.headers(home["mentor"])
    client.patch(f"/api/people/{home['mentor'].id}", headers=auth.headers(home["admin"]),
                 json={"active": False})
    assert client.get("/api/auth/me", headers=mentor_headers).status_code == 401


def test_an_administrator_cannot_deactivate_themself(client, auth, home):
    resp = client.patch(f"/api/people/{home['admin'].id}", headers=auth.headers(home["admin"]),
                        json={"active": False})
    assert resp.status_code == 400 and "active" in resp.json["details"]["fields"]


def test_a_change_with_no_fields_is_a_400(client, auth, home):
    resp = client.patch(f"/api/people/{home['learner'].id}", headers=auth.headers(home["admin"]),
                        json={})
    assert resp.status_code == 400 and resp.json["error"] == "invalid_request"


def test_another_organisations_person_answers_404(client, auth, make, home):
    stranger = make.learner(make.org())
    resp = client.get(f"/api/people/{stranger.id}", headers=auth.headers(home["admin"]))
    assert resp.status_code == 404


def _pin(client, device, learner, pin):
    return client.post("/api/auth/pin", json={"device_key": device.raw_key,
                                              "person_id": learner.id, "pin": pin})


def test_too_many_wrong_pins_lock_a_learner_until_staff_unlock(app, client, auth, make, home):
    app.config.update(LOCKOUT_SHORT_AFTER=100, LOCKOUT_HARD_AFTER=3)
    learner, tablet = make.learner(home["org"], pin="1357"), make.device(home["org"])
    assert [_pin(client, tablet, learner, "0000").status_code for _ in range(3)] == [401] * 3
    assert _pin(client, tablet, learner, "1357").status_code == 423
    unlocked = client.post(f"/api/people/{learner.id}/unlock", headers=auth.headers(home["staff"]))
    assert unlocked.status_code == 200 and unlocked.json["locked"] is False
    assert _pin(client, tablet, learner, "1357").status_code == 200


def test_a_short_lockout_can_be_lifted_by_staff_before_it_runs_out(app, client, auth, make, home):
    app.config.update(LOCKOUT_SHORT_AFTER=2, LOCKOUT_HARD_AFTER=100)
    learner, tablet = make.learner(home["org"], pin="1357"), make.device(home["org"])
    _pin(client, tablet, learner, "0000"), _pin(client, tablet, learner, "0000")
    assert _pin(client, tablet, learner, "1357").status_code == 423
    client.post(f"/api/people/{learner.id}/unlock", headers=auth.headers(home["staff"]))
    assert _pin(client, tablet, learner, "1357").status_code == 200


def test_a_short_lockout_that_has_run_out_no_longer_shows_as_locked(app, client, auth, make,
                                                                   home):
    app.config.update(LOCKOUT_SHORT_AFTER=2, LOCKOUT_HARD_AFTER=100)
    learner, tablet = make.learner(home["org"], pin="1357"), make.device(home["org"])
    _pin(client, tablet, learner, "0000"), _pin(client, tablet, learner, "0000")
    url = f"/api/people/{learner.id}"
    assert client.get(url, headers=auth.headers(home["staff"])).json["locked"] is True
    with app.app_context():
        db.session.execute(update(Person).where(Person.id == learner.id).values(
            locked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(url, headers=auth.headers(home["staff"])).json["locked"] is False
    assert _pin(client, tablet, learner, "1357").status_code == 200


def test_an_administrator_gives_a_mentor_a_new_password_and_their_sign_ins_end(
        app, client, auth, home):
    mentor = home["mentor"]
    phone = auth.headers(mentor)
    assert client.get("/api/auth/me", headers=phone).status_code == 200
    resp = client.patch(f"/api/people/{mentor.id}", headers=auth.headers(home["admin"]),
                        json={"password": "a brand new password"})
    assert resp.status_code == 200, resp.json
    assert client.get("/api/auth/me", headers=phone).status_code == 401  # the lost phone
    old = client.post("/api/auth/login",
                      json={"email": mentor.email, "password": "correct horse battery"})
    assert old.status_code == 401
    new = client.post("/api/auth/login",
                      json={"email": mentor.email, "password": "a brand new password"})
    assert new.status_code == 200
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "person_changed")).one()
        assert entry.detail == {"person_id": mentor.id, "fields": ["password"]}


@pytest.mark.parametrize("who, body, field", [
    ("learner", {"password": "a brand new password"}, "password"),  # a learner has a PIN
    ("mentor", {"password": "short"}, "password"),
    ("admin", {"password": "a brand new password"}, "password"),  # not one's own, here
])
def test_a_new_password_is_refused_with_its_reason(client, auth, home, who, body, field):
    resp = client.patch(f"/api/people/{home[who].id}", headers=auth.headers(home["admin"]),
                        json=body)
    assert resp.status_code == 400 and field in resp.json["details"]["fields"], resp.json


def test_only_an_administrator_gives_a_new_password(client, auth, home):
    resp = client.patch(f"/api/people/{home['mentor'].id}", headers=auth.headers(home["staff"]),
                        json={"password": "a brand new password"})
    assert resp.status_code == 403


def test_only_an_administrator_can_unlock_a_mentor(client, auth, home):
    url = f"/api/people/{home['mentor'].id}/unlock"
    assert client.post(url, headers=auth.headers(home["staff"])).status_code == 403
    assert client.post(url, headers=auth.headers(home["admin"])).status_code == 200


def test_admin_pairs_a_mentor_with_a_learner(client, auth, home):
    resp = client.post("/api/pairings", headers=auth.headers(home["admin"]), json={
        "mentor_id": home["mentor"].id, "learner_id": home["learner"].id})
    assert resp.status_code == 201
    assert resp.json["active"] is True and resp.json["learner_name"] == "Ada Lovelace"
    listed = client.get("/api/pairings", headers=auth.headers(home["staff"])).json["items"]
    assert [p["id"] for p in listed] == [resp.json["id"]]


def test_pairing_the_same_two_twice_is_a_conflict(client, auth, make, home):
    make.pairing(home["mentor"], home["learner"])
    resp = client.post("/api/pairings", headers=auth.headers(home["admin"]), json={
        "mentor_id": home["mentor"].id, "learner_id": home["learner"].id})
    assert resp.status_code == 409


def test_pairing_with_another_organisations_learner_is_a_404_naming_the_field(
        client, auth, make, home):
    stranger = make.learner(make.org())
    resp = client.post("/api/pairings", headers=auth.headers(home["admin"]), json={
        "mentor_id": home["mentor"].id, "learner_id": stranger.id})
    assert resp.status_code == 404 and "learner_id" in resp.json["details"]["fields"]


def test_pairing_two_learners_is_refused_naming_mentor_id(client, auth, make, home):
    other = make.learner(home["org"])
    resp = client.post("/api/pairings", headers=auth.headers(home["admin"]), json={
        "mentor_id": other.id, "learner_id": home["learner"].id})
    assert resp.status_code == 400 and "mentor_id" in resp.json["details"]["fields"]


def test_ending_a_pairing_takes_the_journal_from_the_mentor(client, auth, make, home):
    pairing = make.pairing(home["mentor"], home["learner"])
    make.goal(home["learner"], visibility="mentor")
    mentor = auth.headers(home["mentor"])
    url = f"/api/learners/{home['learner'].id}/goals"
    assert client.get(url, headers=mentor).status_code == 200
    ended = client.post(f"/api/pairings/{pairing.id}/end", headers=auth.headers(home["admin"]))
    assert ended.status_code == 200 and ended.json["active"] is False
    assert client.get(url, headers=mentor).status_code == 404


def test_ending_an_ended_pairing_again_changes_nothing(client, auth, make, home):
    pairing = make.pairing(home["mentor"], home["learner"], ended=True)
    first = client.get("/api/pairings", headers=auth.headers(home["staff"])).json["items"][0]
    resp = client.post(f"/api/pairings/{pairing.id}/end", headers=auth.headers(home["admin"]))
    assert resp.status_code == 200 and resp.json["ended_at"] == first["ended_at"]


def test_enrolling_a_tablet_shows_its_key_once_and_stores_only_its_digest(
        app, client, auth, home):
    resp = client.post("/api/devices", headers=auth.headers(home["admin"]),
                       json={"name": "Lounge tablet"})
    assert resp.status_code == 201
    key = resp.json["device_key"]
    with app.app_context():
        device = db.session.get(Device, resp.json["device"]["id"])
        assert device.key_hash == digest(key) and key not in device.key_hash
    listed = client.get("/api/devices", headers=auth.headers(home["staff"]))
    assert key not in listed.get_data(as_text=True)
    assert client.post("/api/auth/tiles", json={"device_key": key}).status_code == 200


def test_revoking_a_tablet_signs_out_everyone_on_it(client, auth, make, home):
    tablet = make.device(home["org"])
    learner = auth.headers(home["learner"], device=tablet)
    resp = client.post(f"/api/devices/{tablet.id}/revoke", headers=auth.headers(home["admin"]))
    assert resp.status_code == 200 and resp.json["revoked_at"]
    assert client.get("/api/auth/me", headers=learner).status_code == 401
    assert client.post("/api/auth/tiles", json={"device_key": tablet.raw_key}).status_code == 401


def _email_sign_in(client, person, **extra):
    resp = client.post("/api/auth/login", json={"email": person.email,
                                                "password": "correct horse battery", **extra})
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['token']}"}


def test_a_mentor_signed_in_on_a_tablet_by_email_is_signed_out_when_it_is_revoked(
        client, auth, make, home):
    tablet = make.device(home["org"])
    on_tablet = _email_sign_in(client, home["mentor"], device_key=tablet.raw_key)
    phone = _email_sign_in(client, home["mentor"])  # his own phone: no tablet's key
    client.post(f"/api/devices/{tablet.id}/revoke", headers=auth.headers(home["admin"]))
    assert client.get("/api/auth/me", headers=on_tablet).status_code == 401
    assert client.get("/api/auth/me", headers=phone).status_code == 200


@pytest.mark.parametrize("key", ["revoked", "elsewhere", "unknown"])
def test_a_tablet_key_that_is_not_this_organisations_working_tablet_ties_nothing(
        client, auth, make, home, key):
    """A revoked tablet is set up again by a member of staff signing in on it: the stale key
    it still holds neither refuses the sign-in nor ties it to anything."""
    revoked = make.device(home["org"])
    client.post(f"/api/devices/{revoked.id}/revoke", headers=auth.headers(home["admin"]))
    raw = {"revoked": revoked.raw_key, "elsewhere": make.device(make.org()).raw_key,
           "unknown": "dev_" + "x" * 40}[key]
    signed_in = _email_sign_in(client, home["admin"], device_key=raw)
    assert client.get("/api/auth/me", headers=signed_in).status_code == 200
    with client.application.app_context():
        tied = db.session.scalars(select(Token.device_id).where(
            Token.person_id == home["admin"].id)).all()
    assert tied and set(tied) == {None}


def test_the_audit_log_is_paged_newest_first(client, auth, home):
    admin = auth.headers(home["admin"])
    for name in ("One", "Two", "Three"):
        client.post("/api/devices", headers=admin, json={"name": name})
    page = client.get("/api/audit?per_page=2&page=1", headers=admin).json
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["id"] > page["items"][1]["id"]
    assert len(client.get("/api/audit?per_page=2&page=2", headers=admin).json["items"]) == 1


def test_the_audit_log_shows_only_my_organisation(client, auth, make, home):
    elsewhere = make.staff(make.org(), is_admin=True)
    client.post("/api/devices", headers=auth.headers(elsewhere), json={"name": "Theirs"})
    assert client.get("/api/audit", headers=auth.headers(home["admin"])).json["total"] == 0


def test_the_audit_log_can_be_read_for_one_learner(client, auth, make, home):
    make.goal(home["learner"], visibility="care_team")
    client.get(f"/api/learners/{home['learner'].id}/goals", headers=auth.headers(home["staff"]))
    client.post("/api/devices", headers=auth.headers(home["admin"]), json={"name": "T"})
    page = client.get(f"/api/audit?learner_id={home['learner'].id}",
                      headers=auth.headers(home["admin"])).json
    assert [e["action"] for e in page["items"]] == ["read_journal"]
    entry = page["items"][0]
    assert entry["learner_name"] == home["learner"].display_name
    assert entry["actor_name"] == home["staff"].display_name


def test_a_mentor_lists_only_the_learners_they_are_paired_with_now(client, auth, make, home):
    former = make.learner(home["org"])
    make.pairing(home["mentor"], home["learner"])
    make.pairing(home["mentor"], former, ended=True)
    resp = client.get("/api/me/learners", headers=auth.headers(home["mentor"]))
    assert [p["id"] for p in resp.json["items"]] == [home["learner"].id]


def test_staff_list_the_active_learners_of_their_organisation(client, auth, make, home):
    make.learner(home["org"], active=False)
    make.learner(make.org())
    resp = client.get("/api/me/learners", headers=auth.headers(home["staff"]))
    assert [p["id"] for p in resp.json["items"]] == [home["learner"].id]


def test_adding_a_person_writes_no_password_into_the_audit_log(app, client, auth, home):
    client.post("/api/people", headers=auth.headers(home["admin"]), json={
        "role": "staff", "display_name": "Pat", "email": "pat@example.org",
        "password": "a secret long password"})
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person_created"))
        count = db.session.scalar(select(func.count()).select_from(Person))
    assert "secret" not in str(entry.detail) and count == 5


def test_a_learner_sees_who_on_the_staff_read_or_downloaded_her_journal(client, auth, make,
                                                                       home):
    ada, other = home["learner"], make.learner(home["org"])
    goal = make.goal(ada, visibility="care_team")
    staff, admin = auth.headers(home["staff"]), auth.headers(home["admin"])
    client.get(f"/api/learners/{ada.id}/goals", headers=staff)
    client.get(f"/api/learners/{ada.id}/goals/{goal.id}", headers=staff)
    client.get(f"/api/learners/{ada.id}/export.json", headers=admin)
    client.get(f"/api/learners/{other.id}/goals", headers=staff)  # someone else's
    client.post("/api/devices", headers=admin, json={"name": "Lounge"})  # not about her
    resp = client.get("/api/me/readers", headers=auth.headers(ada))
    assert resp.status_code == 200, resp.json
    assert resp.json["total"] == 3
    got = [(e["who"], e["action"], e["collection"], e["one_entry"], e["count"], e["format"])
           for e in resp.json["items"]]
    assert got == [
        (home["admin"].display_name, "export_journal", None, False, None, "json"),
        (home["staff"].display_name, "read_journal", "goals", True, None, None),
        (home["staff"].display_name, "read_journal", "goals", False, 1, None)]
    assert client.get("/api/me/readers?limit=1", headers=auth.headers(ada)).json["total"] == 3
    assert len(client.get("/api/me/readers?limit=1", headers=auth.headers(ada)).json["items"]) == 1


def test_reads_after_the_newest_she_was_shown_are_new(client, auth, home):
    ada = home["learner"]
    mine, staff = auth.headers(ada), auth.headers(home["staff"])
    client.get(f"/api/learners/{ada.id}/goals", headers=staff)
    client.get(f"/api/learners/{ada.id}/reflections", headers=staff)
    first = client.get("/api/me/readers", headers=mine).json
    assert (first["total"], first["unseen"], [e["new"] for e in first["items"]]) == (
        2, 2, [True, True])
    # she is shown the older of the two only (the list had one item when she looked)
    resp = client.post("/api/me/readers/seen", headers=mine,
                       json={"through": first["items"][1]["at"]})
    assert resp.status_code == 200, resp.json
    assert (resp.json["total"], resp.json["unseen"]) == (2, 1)
    after = client.get("/api/me/readers", headers=mine).json
    assert [e["new"] for e in after["items"]] == [True, False] and after["unseen"] == 1
    # looking again at all of them, then a read that comes after
    client.post("/api/me/readers/seen", headers=mine, json={"through": first["items"][0]["at"]})
    assert client.get("/api/me/readers", headers=mine).json["unseen"] == 0
    client.get(f"/api/learners/{ada.id}/export.json", headers=auth.headers(home["admin"]))
    last = client.get("/api/me/readers", headers=mine).json
    assert (last["unseen"], [e["new"] for e in last["items"]]) == (1, [True, False, False])
    assert last["items"][0]["action"] == "export_journal"


def test_the_mark_of_what_she_was_shown_never_goes_back(client, auth, home):
    ada = home["learner"]
    mine = auth.headers(ada)
    client.get(f"/api/learners/{ada.id}/goals", headers=auth.headers(home["staff"]))
    newest = client.get("/api/me/readers", headers=mine).json["items"][0]["at"]
    client.post("/api/me/readers/seen", headers=mine, json={"through": newest})
    # an older page, still open on another tablet, says what it showed
    resp = client.post("/api/me/readers/seen", headers=mine,
                       json={"through": "2020-01-01T00:00:00Z"})
    assert resp.status_code == 200 and resp.json["unseen"] == 0


@pytest.mark.parametrize("who, body, code, reason", [
    ("learner", {}, 400, "Missing data for required field."),
    ("learner", {"through": "yesterday"}, 400, "Not a valid datetime."),
    ("learner", {"through": "2999-01-01T00:00:00Z"}, 400, "Is later than now."),
    ("mentor", {"through": "2026-01-01T00:00:00Z"}, 403, None),
    ("staff", {"through": "2026-01-01T00:00:00Z"}, 403, None)])
def test_marking_reads_as_seen_is_hers_and_checked(client, auth, home, who, body, code, reason):
    resp = client.post("/api/me/readers/seen", headers=auth.headers(home[who]), json=body)
    assert resp.status_code == code, resp.json
    if reason:
        assert resp.json["details"]["fields"] == {"through": [reason]}


@pytest.mark.parametrize("who, query, code", [
    ("mentor", "", 403), ("staff", "", 403), ("learner", "?limit=0", 400),
    ("learner", "?limit=many", 400)])
def test_who_read_my_journal_is_for_the_learner_alone(client, auth, home, who, query, code):
    resp = client.get(f"/api/me/readers{query}", headers=auth.headers(home[who]))
    assert resp.status_code == code
