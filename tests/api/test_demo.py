"""The demo data: what it holds, that it loads once, and that its printed sign-ins work."""
import os
import stat
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sync import PullRequest, PullResponse

from backend import demo
from backend.demo_journal import Writer
from backend.extensions import db
from backend.journal.schemas import CARE_HOME_BENEFITS, GOAL_STATUS, HOME_BENEFITS, LADDER
from backend.models import (COLLECTIONS, Checkin, Contribution, Device, Goal, LearningSession,
                            Organisation, Pairing, Person, Profile, Reflection, SyncState)

TODAY = date(2026, 3, 31)  # the clocks went forward two days before: the demo copes


@pytest.fixture(autouse=True)
def instance(app, tmp_path):
    """The sign-ins file goes to a throwaway instance folder, not the repository's."""
    app.instance_path = str(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    # Full-cost Argon2 takes a fifth of a second a hash; a cheap one verifies just the same.
    monkeypatch.setattr("backend.demo.hash_secret",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash)


@pytest.fixture
def loaded(app):
    with app.app_context():
        demo.load(TODAY)
        return demo.read_sign_ins()


def scalars(app, stmt):
    with app.app_context():
        return db.session.scalars(stmt).all()


def count(app, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


@pytest.mark.parametrize("role, at_least", [("learner", 10), ("mentor", 3), ("staff", 2)])
def test_demo_has_enough_people_in_each_role(app, loaded, role, at_least):
    assert count(app, select(func.count()).where(Person.role == role)) >= at_least


def test_demo_has_a_care_home_and_a_home_care_service(app, loaded):
    assert sorted(scalars(app, select(Organisation.kind))) == ["care_home", "home_care"]


def test_demo_has_an_administrator_among_the_staff(app, loaded):
    assert count(app, select(func.count()).where(Person.role == "staff", Person.is_admin))


def test_demo_enrols_two_tablets(app, loaded):
    assert count(app, select(func.count(Device.id)).where(Device.revoked_at.is_(None))) == 2


def test_some_learners_have_a_pin_and_some_do_not(app, loaded):
    pins = {p.has_pin for p in scalars(app, select(Person).where(Person.role == "learner"))}
    assert pins == {True, False}


def test_one_learner_is_left_out_of_totals(app, loaded):
    assert count(app, select(func.count()).where(Person.opted_out)) == 1


def test_every_mentor_has_learners_and_some_learners_have_none(app, loaded):
    mentors = scalars(app, select(Person.id).where(Person.role == "mentor"))
    paired = scalars(app, select(Pairing))
    assert {p.mentor_id for p in paired} == set(mentors)
    assert count(app, select(func.count()).where(Person.role == "learner")) > len(paired)


def test_every_learner_has_a_what_matters_profile(app, loaded):
    profiles = scalars(app, select(Profile))
    assert len({p.learner_id for p in profiles}) == len(profiles) == 12
    assert all(p.needs and p.preferences and p.resources and p.networks for p in profiles)


@pytest.mark.parametrize("column, values", [(Goal.whose_idea, LADDER),
                                            (Goal.status, GOAL_STATUS)])
def test_goals_take_every_value(app, loaded, column, values):
    assert set(scalars(app, select(column).distinct())) == set(values)


def test_achieved_goals_say_when(app, loaded):
    achieved = scalars(app, select(Goal).where(Goal.status == "achieved"))
    assert achieved and all(TODAY - timedelta(days=41) <= g.achieved_on <= TODAY
                            for g in achieved)


def test_some_goals_have_attainment_scales_and_a_level(app, loaded):
    scaled = scalars(app, select(Goal).where(Goal.gas_level.is_not(None)))
    assert len(scaled) >= 5
    assert all(set(g.gas_levels) == {"-2", "-1", "0", "1", "2"} for g in scaled)
    assert {g.gas_level for g in scaled} >= {-1, 0, 1}


def test_sessions_fall_on_each_of_the_last_42_days(app, loaded):
    days = set(scalars(app, select(LearningSession.date).where(LearningSession.deleted.is_(False))))
    assert len(days) == 42 and max(days) == TODAY


def test_sessions_mostly_felt_better_after(app, loaded):
    faces = scalars(app, select(LearningSession).where(LearningSession.feeling_after.is_not(None)))
    better = [s for s in faces if s.feeling_after > s.feeling_before]
    worse = [s for s in faces if s.feeling_after < s.feeling_before]
    assert len(better) > len(faces) / 2 and worse


def test_sessions_vary_in_minutes_and_company(app, loaded):
    sessions = scalars(app, select(LearningSession).where(LearningSession.deleted.is_(False)))
    assert len({s.minutes for s in sessions}) >= 10
    assert {s.with_whom for s in sessions} == {"alone", "mentor", "group"}


def test_mentors_wrote_some_sessions_and_learners_answered(app, loaded):
    mentor_ids = set(scalars(app, select(Person.id).where(Person.role == "mentor")))
    by_mentor = [s for s in scalars(app, select(LearningSession)) if s.author_id in mentor_ids]
    assert by_mentor and {"agreed", None} <= {s.learner_response for s in by_mentor}


def test_session_goals_are_the_learners_own(app, loaded):
    goals = {g.id: g.learner_id for g in scalars(app, select(Goal))}
    sessions = scalars(app, select(LearningSession).where(LearningSession.deleted.is_(False)))
    assert all(goals[gid] == s.learner_id for s in sessions for gid in s.goal_ids)
    assert sum(bool(s.goal_ids) for s in sessions) > len(sessions) / 2


@pytest.mark.parametrize("kind, tags", [("care_home", CARE_HOME_BENEFITS),
                                        ("home_care", HOME_BENEFITS)])
def test_benefit_tags_come_from_the_setting(app, loaded, kind, tags):
    learners = select(Person.id).join(Organisation).where(Organisation.kind == kind)
    used = set()
    for model in (Goal, LearningSession):
        for benefits in scalars(app, select(model.benefits).where(model.learner_id.in_(learners))):
            used.update(benefits or ())
    assert used and used <= set(tags)


def test_contributions_include_learn_from_me_offers(app, loaded):
    kinds = set(scalars(app, select(Contribution.kind)))
    assert kinds == {"shared", "taught", "helped", "offer"}


def test_some_reflections_may_be_quoted_and_some_not(app, loaded):
    assert set(scalars(app, select(Reflection.quote_consent))) == {True, False}


def test_check_ins_come_every_two_to_four_weeks(app, loaded):
    checkins = scalars(app, select(Checkin).order_by(Checkin.learner_id, Checkin.date))
    assert len({c.learner_id for c in checkins}) == 12
    gaps = [(b.date - a.date).days for a, b in zip(checkins, checkins[1:])
            if a.learner_id == b.learner_id]
    assert gaps and all(14 <= gap <= 28 for gap in gaps)


def test_visibility_is_mostly_private_or_mentor_with_some_care_team(app, loaded):
    levels = [v for model in COLLECTIONS.values() for v in scalars(app, select(model.visibility))]
    assert levels.count("care_team") < len(levels) / 2
    assert set(levels) == {"private", "mentor", "care_team"}


def test_records_have_unique_seqs_within_the_servers_counter(app, loaded):
    seqs = [s for model in COLLECTIONS.values() for s in scalars(app, select(model.seq))]
    top = count(app, select(SyncState.seq))
    assert len(set(seqs)) == len(seqs) and max(seqs) <= top


def test_every_written_field_has_a_revision(app, loaded):
    goals = scalars(app, select(Goal))
    assert all({"title", "why", "whose_idea", "status"} <= set(g.revs) for g in goals)


def test_nothing_is_dated_in_the_future(app, loaded):
    now = datetime.now(timezone.utc)
    records = [r for model in COLLECTIONS.values() for r in scalars(app, select(model))]
    assert all(r.created_at <= r.updated_at <= now for r in records)


def test_the_same_today_gives_the_same_journals():
    def rows(day):
        writers = [Writer(n, story, (100, "Sam") if story.mentor else None, org.groups, {})
                   for n, (org, story) in enumerate(
                       (org, s) for org in demo.ORGS for s in org.learners)]
        now = datetime(2030, 1, 1, tzinfo=timezone.utc)
        return [row for _, row in demo.make_journal(day, writers, now).rows]

    assert rows(TODAY) == rows(TODAY)
    assert rows(TODAY) != rows(date(2026, 4, 1))


def test_sign_ins_file_is_readable_by_its_owner_only(loaded, instance):
    mode = os.stat(instance / "demo-sign-ins.json").st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_audit_log_holds_how_each_organisation_was_set_up(app, client, loaded):
    for org in loaded["organisations"]:
        admin = next(p for p in org["staff"] if p["admin"])
        token = client.post("/api/auth/login", json={"email": admin["email"],
                                                     "password": loaded["password"]}).json
        headers = {"Authorization": f"Bearer {token['token']}"}
        log = client.get("/api/audit?per_page=200", headers=headers).json
        actions = [e["action"] for e in log["items"]]
        people = len(org["staff"]) - 1 + len(org["mentors"]) + len(org["learners"])
        assert actions.count("person_created") == people
        assert actions.count("device_enrolled") == len(org["tablets"]) == 1
        paired = {e["learner_name"] for e in log["items"] if e["action"] == "pairing_created"}
        with app.app_context():
            pairings = db.session.scalars(select(Pairing).join(Pairing.learner).where(
                Person.organisation_id == token["person"]["organisation_id"])).all()
            assert paired == {p.learner.display_name for p in pairings}
        assert {e["actor_name"] for e in log["items"]
                if e["action"] != "read_journal"} == {admin["name"]}


def test_in_each_organisation_a_learner_is_told_staff_read_her_shared_goals(app, client, loaded):
    """The demo's one staff read in each organisation: its learner's "Who has read my journal"
    shows it as new (her home page says so), by a member of staff who is not the administrator
    where there is one, of the goals she shares with the care team, counted as a read counts."""
    for org in loaded["organisations"]:
        key = org["tablets"][0]["key"]
        tiles = client.post("/api/auth/tiles", json={"device_key": key}).json["people"]
        pins = {p["name"]: p["pin"] for p in org["learners"]}
        told = []
        for tile in tiles:
            token = client.post("/api/auth/pin", json={
                "device_key": key, "person_id": tile["id"],
                "pin": pins[tile["display_name"]]}).json["token"]
            found = client.get("/api/me/readers",
                               headers={"Authorization": f"Bearer {token}"}).json
            if found["total"]:
                told.append((tile["id"], found))
        [(learner_id, found)] = told
        [read] = found["items"]
        assert found["unseen"] == 1 and read["new"] and read["collection"] == "goals"
        staff = [p["name"] for p in org["staff"] if not p["admin"]] or [org["staff"][0]["name"]]
        assert read["who"] == staff[0]
        with app.app_context():
            shared = db.session.scalar(select(func.count()).select_from(Goal).where(
                Goal.learner_id == learner_id, Goal.visibility == "care_team",
                Goal.deleted.is_(False)))
        assert read["count"] == shared > 0


def test_every_printed_password_signs_in(client, loaded):
    people = [p for org in loaded["organisations"] for p in org["staff"] + org["mentors"]]
    for person in people:
        resp = client.post("/api/auth/login",
                           json={"email": person["email"], "password": loaded["password"]})
        assert resp.status_code == 200, person


def test_every_learner_signs_in_on_their_tablet_with_the_printed_pin(client, loaded):
    for org in loaded["organisations"]:
        key = org["tablets"][0]["key"]
        tiles = client.post("/api/auth/tiles", json={"device_key": key}).json["people"]
        assert sorted(t["display_name"] for t in tiles) == sorted(
            p["name"] for p in org["learners"])
        pins = {p["name"]: p["pin"] for p in org["learners"]}
        for tile in tiles:
            resp = client.post("/api/auth/pin", json={
                "device_key": key, "person_id": tile["id"], "pin": pins[tile["display_name"]]})
            assert resp.status_code == 200, tile


def test_a_signed_in_mentor_reads_a_paired_learners_shared_sessions(client, loaded):
    david = loaded["organisations"][0]["mentors"][0]
    token = client.post("/api/auth/login", json={"email": david["email"],
                                                 "password": loaded["password"]}).json["token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["display_name"] == "David Marsh"


def _pull_everything(client, headers):
    request, changes = PullRequest(str(uuid.uuid4()), limit=100), []
    while True:
        resp = client.post("/api/sync/pull", json=request.to_wire(), headers=headers)
        assert resp.status_code == 200, resp.json
        page = PullResponse.from_wire(resp.json)
        changes += page.changes
        if not page.more:
            return changes
        request.cursor = page.cursor


def test_a_demo_tablet_pulls_the_learners_whole_journal_tombstone_too(app, client, loaded):
    org = loaded["organisations"][0]
    key = org["tablets"][0]["key"]
    harold = next(t for t in client.post("/api/auth/tiles", json={"device_key": key}).json[
        "people"] if t["display_name"] == "Harold Pennington")
    token = client.post("/api/auth/pin", json={"device_key": key, "person_id": harold["id"],
                                               "pin": None}).json["token"]
    changes = _pull_everything(client, {"Authorization": f"Bearer {token}"})
    stored = sum(count(app, select(func.count()).where(model.learner_id == harold["id"]))
                 for model in COLLECTIONS.values())
    assert len({(c.collection, c.id) for c in changes}) == stored
    assert any(c.record.deleted for c in changes)
