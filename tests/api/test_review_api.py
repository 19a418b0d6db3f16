"""The review's endpoints: who may see them, what they refuse, the named list of quiet learners
(audited), and the CSV exports."""
import csv
import io
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEntry, Person
from backend.review import snapshot

from .test_review_world import OCTOBER, oct_, world  # noqa: F401  (the fixture)

ENDPOINTS = ["/api/review", "/api/review.csv?table=figures", "/api/review/snapshots",
             "/api/review/snapshots/{snapshot}", "/api/review/quiet"]


@pytest.fixture
def stored(world, app):
    with app.app_context():
        org = db.session.merge(world.org)
        snap, _ = snapshot.prepare(org, "2026-10")
        return snap.id


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("caller, status", [
    ("anon", 401), ("learner", 403), ("mentor", 403), ("staff", 200), ("admin", 200)])
def test_only_staff_of_the_organisation_see_the_review(world, make, auth, client, stored,
                                                       path, caller, status):
    people = {"learner": make.learner(world.org), "mentor": make.mentor(world.org),
              "staff": world.staff, "admin": make.staff(world.org, is_admin=True)}
    headers = auth.headers(people[caller]) if caller in people else {}
    resp = client.get(path.format(snapshot=stored), headers=headers)
    assert resp.status_code == status, resp.get_data(as_text=True)


@pytest.mark.parametrize("path, status", [
    ("/api/review?organisation={org}", 403), ("/api/review.csv?table=figures&organisation={org}",
                                              403),
    ("/api/review/snapshots?organisation={org}", 403), ("/api/review/quiet?organisation={org}",
                                                        403),
    ("/api/review/snapshots/{snapshot}", 404)])
def test_staff_of_another_organisation_cannot_see_it(world, make, auth, client, stored, path,
                                                     status):
    outsider = make.staff(make.org(), is_admin=True)
    resp = client.get(path.format(org=world.org.id, snapshot=stored),
                      headers=auth.headers(outsider))
    assert resp.status_code == status


def test_staff_of_another_organisation_get_their_own_review_by_default(world, make, auth,
                                                                      client):
    other = make.org(name="Birch Court")
    resp = client.get("/api/review", headers=auth.headers(make.staff(other)))
    assert resp.json["scope"]["organisations"] == [
        {"id": other.id, "name": "Birch Court", "kind": "care_home"}]


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-10-31", "to": "2026-10-01"}, "to"),
    ({"from": "2026-10-01"}, "to"),
    ({"to": "2026-10-01"}, "from"),
    ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
    ({"from": "20261001", "to": "2026-10-31"}, "from"),  # the form the journal refuses too
    ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ({"organisation": "x"}, "organisation"),
    ({"organisation": "0"}, "organisation"),
    ({"organisation": str(2**40)}, "organisation"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_query_is_a_400_naming_the_field(world, query, field):
    resp = world.get("/api/review", **query)
    assert resp.status_code == 400
    assert field in resp.json["details"]["fields"]


@pytest.mark.parametrize("query, field", [
    ({"table": "everything"}, "table"), ({}, "table"),
    ({"table": "quotes", "snapshot": "1", "from": "2026-10-01", "to": "2026-10-31"}, "snapshot"),
])
def test_a_bad_csv_query_is_a_400_naming_the_field(world, query, field):
    resp = world.get("/api/review.csv", **query)
    assert resp.status_code == 400
    assert field in resp.json["details"]["fields"]


def test_the_default_period_is_the_last_full_calendar_month(world):
    today = datetime.now(timezone.utc).date()
    last = today.replace(day=1) - timedelta(days=1)
    scope = world.get("/api/review").json["scope"]
    assert (scope["from"], scope["to"]) == (last.replace(day=1).isoformat(), last.isoformat())


def test_csv_export_is_an_attachment_named_for_its_table_and_period(world):
    resp = world.get("/api/review.csv", table="benefits", **OCTOBER)
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="review-{world.org.id}-benefits-2026-10-01-to-2026-10-31.csv"')
    assert resp.get_data(as_text=True).splitlines()[0] == "Good for,Sessions,Share of all sessions"


def test_csv_writes_a_mentor_name_that_looks_like_a_formula_as_text(world, make):
    make.mentor(world.org, name="=HYPERLINK(\"http://x\")")
    rows = list(csv.reader(io.StringIO(world.get(
        "/api/review.csv", table="mentor_load", **OCTOBER).get_data(as_text=True))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"


def test_csv_of_a_stored_review_has_no_people_level_table(world, stored):
    assert world.get("/api/review.csv", table="figures", snapshot=stored).status_code == 200
    resp = world.get("/api/review.csv", table="quotes", snapshot=stored)
    assert resp.status_code == 400


def _quiet_world(world, make):
    """Five quiet learners (three share with the care team), and one who wrote today."""
    old = datetime.now(timezone.utc) - timedelta(days=30)
    quiet, busy = world.learners(5), world.learners(1)
    for n, learner in enumerate(quiet):
        world.add("sessions", learner, written=old, activity="Reading",
                  visibility="care_team" if n < 3 else "mentor")
    world.add("sessions", busy[0], written=datetime.now(timezone.utc), activity="Reading",
              visibility="care_team")
    return quiet, busy


def test_quiet_learners_are_counted_when_five_or_more(world, make):
    _quiet_world(world, make)
    today = datetime.now(timezone.utc).date()
    review = world.review(**{"from": (today - timedelta(days=20)).isoformat(),
                             "to": today.isoformat()})
    assert review["figures"]["quiet_learners"]["value"] == 5


def test_quiet_list_names_only_those_who_share_with_the_care_team(world, make):
    quiet, _ = _quiet_world(world, make)
    items = world.get("/api/review/quiet").json["items"]
    assert sorted(i["id"] for i in items) == sorted(quiet[:3])
    assert items[0]["journal"][0] == f"/api/learners/{items[0]['id']}/profile"


def test_every_name_on_the_quiet_list_is_audited(world, make, app):
    quiet, _ = _quiet_world(world, make)
    world.get("/api/review/quiet")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "review_named_quiet")).all()
        assert sorted(e.learner_id for e in entries) == sorted(quiet[:3])
        assert {e.actor_id for e in entries} == {world.staff.id}


def test_opening_a_named_journal_from_the_list_is_an_audited_staff_read(world, make, app):
    _quiet_world(world, make)
    item = world.get("/api/review/quiet").json["items"][0]
    assert world.get(item["journal"][2]).status_code == 200  # their sessions
    with app.app_context():
        read = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "read_journal", AuditEntry.learner_id == item["id"])).all()
        assert [(e.actor_id, e.detail["collection"]) for e in read] == [
            (world.staff.id, "sessions")]


def test_opted_out_learners_are_never_named(world, make, app):
    quiet, _ = _quiet_world(world, make)
    with app.app_context():
        db.session.get(Person, quiet[0]).opted_out = True
        db.session.commit()
    assert quiet[0] not in [i["id"] for i in world.get("/api/review/quiet").json["items"]]


def test_faces_table_hides_the_smallest_other_cell_with_a_small_one(world, make):
    # five felt better, five the same, one worse: hiding "worse" alone would let
    # 11 - 5 - 5 give it back, so one of the others is hidden with it
    learners = world.learners(11)
    for n, learner in enumerate(learners):
        world.session(learner, oct_(10), 30, 3, 4 if n < 5 else 3 if n < 10 else 2)
    rows = {r["outcome"]: r for r in world.review()["tables"]["faces"]["rows"]}
    assert [rows[k]["learners"]["suppressed"] for k in ("improved", "same", "worse")] == [
        True, False, True]
    assert rows["same"]["learners"]["value"] == 5


def test_review_for_one_organisation_counts_none_of_another(world, make):
    others = world.learners(6, org=make.org())
    for learner in others:
        world.session(learner, oct_(10), 30, 3, 4)
    assert world.review()["figures"]["sessions"]["suppressed"]


def test_mentor_paired_with_opted_out_learner_counts_only_the_others(world, make):
    mentor = make.mentor(world.org)
    learners = world.learners(2) + world.learners(1, opted_out=True)
    for learner in learners:
        make.pairing(mentor, SimpleNamespace(id=learner))
    rows = world.review()["tables"]["mentor_load"]["rows"]
    assert rows[0]["learners"]["value"] == 2


def test_an_entry_without_a_date_counts_on_the_day_it_was_written(world):
    learners = world.learners(5)
    for learner in learners[:3]:
        world.session(learner, oct_(10))
    for learner in learners[3:]:
        world.add("sessions", learner, written=datetime(2026, 10, 12, 9, tzinfo=timezone.utc),
                  activity="Reading", minutes=30)
    world.add("sessions", learners[0], written=datetime(2026, 11, 2, 9, tzinfo=timezone.utc),
              activity="Reading", minutes=30)
    assert world.review()["figures"]["sessions"] == {
        "label": "Sessions", "value": 5, "learners": 5, "suppressed": False}
