"""Monthly snapshots: made once per month and organisation, with one "review is ready" notice,
kept as they were, served to staff; and ``flask review snapshot`` to make one by hand."""
from sqlalchemy import func, select

from backend import jobs
from backend.extensions import db
from backend.models import ReviewSnapshot, StaffNotice

from .test_review_world import full_journal, oct_, world  # noqa: F401


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _five(world):
    for n, learner in enumerate(world.learners(5)):
        full_journal(world, learner, oct_(10 + n), change=n % 3)


def test_running_the_monthly_job_twice_makes_one_snapshot_and_one_notice(world, app, make):
    make.org(name="Birch Court")
    with app.app_context():
        assert jobs.monthly_review("2026-10") == 2
        assert jobs.monthly_review("2026-10") == 0
    assert (_count(app, ReviewSnapshot), _count(app, StaffNotice)) == (2, 2)


def test_the_notice_says_the_review_is_ready_and_waits_to_be_sent(world, app):
    with app.app_context():
        jobs.monthly_review("2026-10")
        notice = db.session.scalars(select(StaffNotice)).one()
        snap = db.session.scalars(select(ReviewSnapshot)).one()
        assert (notice.organisation_id, notice.kind, notice.key, notice.sent_at) == (
            world.org.id, "review_ready", "2026-10", None)
        assert notice.detail == {"snapshot_id": snap.id, "month": "2026-10"}


def test_a_snapshot_keeps_the_reviews_figures_but_no_words_or_points(world, app):
    _five(world)
    live = world.review()
    with app.app_context():
        jobs.monthly_review("2026-10")
    stored = world.get(f"/api/review/snapshots/{_only_id(world)}").json["review"]
    assert stored["figures"] == live["figures"]
    assert set(stored["tables"]) == set(live["tables"]) - {"quotes", "dose_points"}
    assert stored["left_out"] == ["quotes", "dose_points"]
    assert live["tables"]["quotes"]["rows"]  # the live review does show them


def _only_id(world):
    return world.get("/api/review/snapshots").json["items"][0]["id"]


def test_a_snapshot_stays_as_it_was_when_the_journals_change(world, app):
    _five(world)
    with app.app_context():
        jobs.monthly_review("2026-10")
    before = world.get(f"/api/review/snapshots/{_only_id(world)}").json
    _five(world)
    after = world.get(f"/api/review/snapshots/{_only_id(world)}").json
    assert after == before
    assert world.review()["figures"]["sessions"]["value"] == 10


def test_snapshots_are_listed_newest_month_first(world, app):
    with app.app_context():
        for month in ("2026-08", "2026-10", "2026-09"):
            jobs.monthly_review(month)
    items = world.get("/api/review/snapshots").json["items"]
    assert [(i["from"], i["to"]) for i in items] == [
        ("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30"), ("2026-08-01", "2026-08-31")]


def test_an_unknown_snapshot_is_not_found(world):
    assert world.get("/api/review/snapshots/999999").status_code == 404
    assert world.get(f"/api/review/snapshots/{2**40}").status_code == 404


def test_the_snapshot_command_prepares_a_month_once(world, runner, app):
    first = runner.invoke(args=["review", "snapshot", "--month", "2026-10"])
    again = runner.invoke(args=["review", "snapshot", "--month", "2026-10"])
    assert first.exit_code == again.exit_code == 0
    assert "Elm House: the review of 2026-10 prepared" in first.output
    assert "already prepared" in again.output
    assert (_count(app, ReviewSnapshot), _count(app, StaffNotice)) == (1, 1)


def test_the_snapshot_command_prepares_one_organisation_when_asked(world, runner, app, make):
    make.org(name="Birch Court")
    result = runner.invoke(args=["review", "snapshot", "--month", "2026-10", "--organisation",
                                 str(world.org.id)])
    assert result.exit_code == 0
    assert _count(app, ReviewSnapshot) == 1


def test_the_snapshot_command_refuses_a_month_that_is_not_yyyy_mm(world, runner):
    result = runner.invoke(args=["review", "snapshot", "--month", "October"])
    assert result.exit_code == 2
    assert "give a month as YYYY-MM" in result.output


def test_the_snapshot_command_refuses_an_unknown_organisation(world, runner):
    result = runner.invoke(args=["review", "snapshot", "--organisation", "999999"])
    assert result.exit_code == 1
    assert "There is no organisation with id 999999." in result.output
