"""Each figure of the review, worked out by hand from a small October and compared.

Six learners (L1-L6) take part; O has opted out and writes a lot; X belongs to another home.
Every number below is written out from the entries in ``october``.
"""
from datetime import date, datetime, timedelta, timezone
from math import sqrt
from types import SimpleNamespace

import pytest

from backend.extensions import db
from backend.models import Device, Person
from backend.models.types import utcnow

from .test_review_world import JOINED, module_world, oct_, world  # noqa: F401  (fixtures)

WEEKS = 31 / 7


@pytest.fixture(scope="module")
def october(module_world):
    w = module_world
    app, make = w.app, w.make
    L = w.learners(6)
    O, = w.learners(1, opted_out=True)
    X, = w.learners(1, org=make.org())
    mentor = make.mentor(w.org)
    for learner in L[:5] + [O]:
        make.pairing(mentor, SimpleNamespace(id=learner))
    m = mentor.id
    # Sessions: L1 has two (and one deleted, one in September); the mentor wrote five.
    w.session(L[0], oct_(20), 30, 2, 4, ["creative"], author_id=m)
    w.session(L[0], oct_(22), 60, 3, 4, ["creative", "mind_active"])
    w.session(L[0], oct_(21), 90, 1, 5, ["creative"], deleted=True)
    w.session(L[0], date(2026, 9, 30), 40, 1, 5, ["creative"])
    w.session(L[1], oct_(19), 45, 3, 3, ["creative"], author_id=m)
    w.session(L[2], oct_(25), 20, 4, 3, ["mind_active"], author_id=m)
    w.session(L[3], oct_(26), 60, 2, 5, ["creative"], author_id=m)
    w.session(L[4], oct_(27), 30, 1, 2, ["creative"], author_id=m)
    w.session(L[5], oct_(3), 15, None, None, ["creative"])
    # Goals: six set in October, five achieved; levels set for L1 (two goals) to L5.
    w.goal(L[0], oct_(5), "own", gas_level=1)
    w.goal(L[0], date(2026, 8, 10), "agreed", gas_level=0)
    w.goal(L[0], oct_(11), "own", deleted=True)
    for learner, day, rung, level in ((L[1], 6, "own", 2), (L[2], 7, "suggested", -1),
                                      (L[3], 8, "own", 1), (L[4], 9, "agreed", 0),
                                      (L[5], 10, "own", None)):
        w.goal(learner, oct_(day), rung, status="achieved", achieved_on=oct_(day + 14),
               gas_level=level)
    # Contributions: six made by five learners; one offer.
    for learner, day, kind in ((L[0], 12, "taught"), (L[1], 13, "helped"), (L[2], 14, "shared"),
                               (L[3], 15, "taught"), (L[4], 16, "helped"), (L[4], 17, "taught"),
                               (L[5], 11, "offer")):
        w.add("contributions", learner, oct_(day), kind=kind, what="Knitting")
    # Check-ins: L1 twice; L5 left "anxious" blank.
    for learner, day, scores in ((L[0], 5, (6, 7, 5, 4)), (L[0], 25, (8, 7, 7, 2)),
                                 (L[1], 6, (5, 6, 5, 5)), (L[2], 7, (6, 6, 6, 6)),
                                 (L[3], 8, (7, 8, 7, 3)), (L[4], 9, (9, 9, 8, None))):
        w.add("checkins", learner, oct_(day), **dict(zip(
            ("life_satisfaction", "worthwhile", "happy", "anxious"), scores)))
    w.add("reflections", L[0], oct_(12), text="Quote one", quote_consent=True)
    w.add("reflections", L[1], oct_(13), text="Private words", quote_consent=False)
    w.add("reflections", L[2], oct_(14), text="Quote two", quote_consent=True,
          visibility="care_team")
    # O, opted out, and X, elsewhere: none of this may count.
    for who in (O, X):
        w.session(who, oct_(20), 120, 1, 5, ["world"], author_id=m if who == O else None)
        w.goal(who, oct_(20), "suggested", gas_level=-2, status="achieved",
               achieved_on=oct_(21))
        w.add("contributions", who, oct_(21), kind="taught", what="Chess")
        w.add("checkins", who, oct_(21), life_satisfaction=0, worthwhile=0, happy=0, anxious=10)
        w.add("reflections", who, oct_(21), text="Not to be shown", quote_consent=True)
    now = utcnow()
    with app.app_context():
        db.session.add_all([
            Device(organisation_id=w.org.id, name="Lounge tablet", key_hash="a" * 64,
                   created_at=JOINED, last_seen_at=now - timedelta(days=6)),
            Device(organisation_id=w.org.id, name="Hall tablet", key_hash="b" * 64,
                   created_at=JOINED, last_seen_at=now),
            Device(organisation_id=w.org.id, name="Old tablet", key_hash="c" * 64,
                   created_at=JOINED, last_seen_at=now - timedelta(days=60), revoked_at=now)])
        db.session.commit()
    return w, L, O


def fig(review, key):
    return review["figures"][key]


def shown(value, learners):
    return {"value": value, "learners": learners, "suppressed": False}


def test_learners_taking_part_leave_out_the_opted_out_and_other_homes(october):
    assert fig(october[0].review(), "learners_counted") == {
        "label": "Learners taking part (not opted out)", **shown(6, 6)}


@pytest.mark.parametrize("key, value, learners", [
    ("active_learners", 6, 6),
    ("sessions", 7, 6),  # L1 two, the others one each; not the deleted or September ones
    ("minutes_per_learner_per_week", round(260 / 6 / WEEKS, 1), 6),
    ("goals_set", 6, 6),
    ("goals_achieved", 5, 5),
    ("contributions", 6, 5),
    ("contributors", 5, 5),
])
def test_counted_figure_matches_the_hand_count(october, key, value, learners):
    found = fig(october[0].review(), key)
    assert {k: found[k] for k in ("value", "learners", "suppressed")} == shown(value, learners)


def test_mean_gas_t_score_uses_kiresuk_formula_per_learner_then_averages(october):
    t = lambda total, n: 50 + 10 * total / sqrt(0.7 * n + 0.3 * n * n)  # noqa: E731
    expected = (t(1, 2) + t(2, 1) + t(-1, 1) + t(1, 1) + t(0, 1)) / 5
    assert round(expected, 1) == 55.2
    assert fig(october[0].review(), "gas_mean_t")["value"] == 55.2


def test_mean_change_in_faces_averages_each_learners_own_mean(october):
    # L1 (+2, +1) 1.5; L2 0; L3 -1; L4 +3; L5 +1; L6 left the faces blank.
    found = fig(october[0].review(), "faces_mean_change")
    assert (found["value"], found["learners"]) == (0.9, 5)


def test_figures_from_fewer_than_five_learners_are_suppressed(october):
    review = october[0].review()
    for key in ("offers", "quiet_learners"):  # one offer (L6); one quiet learner (L6)
        assert fig(review, key) == {"label": fig(review, key)["label"], "value": None,
                                    "suppressed": True,
                                    "reason": "drawn from fewer than 5 learners"}


def test_silent_tablets_are_counted_without_suppression_and_listed(october):
    review = october[0].review()
    assert fig(review, "silent_devices")["value"] == 1
    rows = review["tables"]["silent_devices"]["rows"]
    assert [(r["device"], r["days_silent"]["value"]) for r in rows] == [("Lounge tablet", 6)]


def test_benefit_mix_counts_sessions_per_tag_with_their_share(october):
    rows = {r["tag"]: r for r in october[0].review()["tables"]["benefits"]["rows"]}
    assert rows["creative"]["sessions"] == shown(6, 5)
    assert rows["creative"]["share"] == shown(round(6 / 7, 3), 5)
    assert rows["mind_active"]["sessions"]["suppressed"]  # L1 and L3 only
    assert rows["world"]["sessions"]["suppressed"]  # only the opted-out learner
    assert "independence" not in rows  # a home-care tag nobody used in a care home


def test_ons4_means_each_question_on_its_own_per_month(october):
    rows = {r["month"]: r for r in october[0].review()["tables"]["ons4"]["rows"]}
    assert list(rows) == ["2026-10"]
    october_row = rows["2026-10"]
    # the mean of the answers given in October (L1 answered twice), over five learners
    assert october_row["life_satisfaction"] == shown(round((6 + 8 + 5 + 6 + 7 + 9) / 6, 1), 5)
    assert october_row["worthwhile"] == shown(round((7 + 7 + 6 + 6 + 8 + 9) / 6, 1), 5)
    assert october_row["happy"] == shown(round((5 + 7 + 5 + 6 + 7 + 8) / 6, 1), 5)
    assert october_row["anxious"]["suppressed"]  # L5 left it blank: four learners answered


def test_coproduction_counts_goals_set_each_month_of_the_trend(october):
    table = october[0].review()["tables"]["coproduction"]
    months = [r["month"] for r in table["rows"]]
    assert months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    october_row = table["rows"][-1]
    assert october_row["goals"] == shown(6, 6)
    # own: four learners, suggested and agreed one each: every rung too small to show
    assert all(october_row[rung]["suppressed"] for rung in ("suggested", "agreed", "own"))


def test_dose_points_are_one_unlabelled_point_per_learner_in_value_order(october):
    table = october[0].review()["tables"]["dose_points"]
    points = [(p["minutes_per_week"], p["mean_change"]) for p in table["rows"]]
    expected = sorted((round(m / WEEKS), c) for m, c in
                      ((90, 1.5), (45, 0.0), (20, -1.0), (60, 3.0), (30, 1.0)))
    assert points == expected
    assert all(set(p) == {"minutes_per_week", "mean_change"} for p in table["rows"])


def test_dose_bands_give_mean_change_by_minutes_a_week(october):
    rows = october[0].review()["tables"]["dose_bands"]["rows"]
    assert rows[0]["learners"] == shown(5, 5)
    assert rows[0]["mean_change"] == shown(0.9, 5)
    assert all(r["learners"]["suppressed"] for r in rows[1:])  # nobody: not shown either


def test_mentor_load_counts_paired_learners_and_sessions_they_logged(october):
    rows = october[0].review()["tables"]["mentor_load"]["rows"]
    assert [(r["learners"]["value"], r["sessions"]) for r in rows] == [(5, shown(5, 5))]


def test_consented_quotes_appear_without_names_or_days(october):
    table = october[0].review()["tables"]["quotes"]
    assert sorted(r["text"] for r in table["rows"]) == ["Quote one", "Quote two"]
    assert all(set(r) == {"month", "text"} and r["month"] == "2026-10" for r in table["rows"])
    assert table["more"] == 0


def test_faces_outcomes_are_all_suppressed_when_each_is_small(october):
    rows = october[0].review()["tables"]["faces"]["rows"]
    assert [r["outcome"] for r in rows] == ["improved", "same", "worse"]
    assert all(r["learners"]["suppressed"] and r["share"]["suppressed"] for r in rows)


def test_learners_taking_part_in_a_past_period_are_those_there_then(world):
    """Taking part in October: joined by its end and still here, or since made inactive with
    entries in October; not someone who joined in November, nor one who left without any."""
    there = world.learners(5)
    left_after_writing, left_quietly, *joined_later = world.learners(4)
    world.session(left_after_writing, oct_(12), 30, 2, 4)
    with world.app.app_context():
        for later in joined_later:
            db.session.get(Person, later).created_at = datetime(2026, 11, 3, 9,
                                                                tzinfo=timezone.utc)
        for gone in (left_after_writing, left_quietly):
            db.session.get(Person, gone).active = False
        db.session.commit()
    assert fig(world.review(), "learners_counted")["value"] == len(there) + 1
    november = world.review(**{"from": "2026-11-01", "to": "2026-11-27"})
    assert fig(november, "learners_counted")["value"] == len(there) + len(joined_later)
