"""Opting out, figure by figure: a learner who opted out changes nothing in the review, though
their entries would change almost every figure if they counted."""
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, update

from backend.extensions import db
from backend.models import COLLECTIONS, Pairing, Person
from backend.review.words import FIGURES, TABLES

from .test_review_world import full_journal, module_world, oct_  # noqa: F401

# What the opted-out learner's entries would change if they counted (quiet learners and
# silent tablets they cannot change: they write, and tablets are not theirs).
WOULD_CHANGE = set(FIGURES) - {"quiet_learners", "silent_devices"}
TABLES_WOULD_CHANGE = {"benefits", "ons4", "coproduction", "dose_bands", "dose_points",
                       "mentor_load", "quotes"}


def _strip(review):
    return {**review, "made_at": None}


@pytest.fixture(scope="module")
def reviews(module_world):
    """The review with O opted out; with O's entries gone altogether; with O opted in."""
    w = module_world
    mentor = w.make.mentor(w.org)
    five = w.learners(5)
    out, = w.learners(1, opted_out=True)
    for n, learner in enumerate(five):
        w.make.pairing(mentor, SimpleNamespace(id=learner))
        full_journal(w, learner, oct_(20 + n), mentor.id, level=n % 3 - 1, change=n % 2)
    w.make.pairing(mentor, SimpleNamespace(id=out))
    for day in (3, 20, 21):
        full_journal(w, out, oct_(day), mentor.id, level=2, change=3, minutes=120)
    opted_out = _strip(w.review())
    with w.app.app_context():
        db.session.execute(update(Person).where(Person.id == out).values(opted_out=False))
        db.session.commit()
    opted_in = _strip(w.review())
    with w.app.app_context():
        for model in COLLECTIONS.values():
            db.session.execute(delete(model).where(model.learner_id == out))
        db.session.execute(delete(Pairing).where(Pairing.learner_id == out))
        db.session.execute(update(Person).where(Person.id == out).values(opted_out=True))
        db.session.commit()
    never_there = _strip(w.review())
    return opted_out, never_there, opted_in


@pytest.mark.parametrize("key", sorted(FIGURES))
def test_an_opted_out_learner_changes_no_figure(reviews, key):
    opted_out, never_there, _ = reviews
    assert opted_out["figures"][key] == never_there["figures"][key]


@pytest.mark.parametrize("key", sorted(WOULD_CHANGE))
def test_the_opted_out_learners_entries_would_change_the_figure_if_counted(reviews, key):
    opted_out, _, opted_in = reviews
    assert opted_out["figures"][key] != opted_in["figures"][key]


@pytest.mark.parametrize("name", sorted(set(TABLES) - {"figures"}))
def test_an_opted_out_learner_changes_no_table(reviews, name):
    opted_out, never_there, _ = reviews
    assert opted_out["tables"][name] == never_there["tables"][name]


@pytest.mark.parametrize("name", sorted(TABLES_WOULD_CHANGE))
def test_the_opted_out_learners_entries_would_change_the_table_if_counted(reviews, name):
    opted_out, _, opted_in = reviews
    assert opted_out["tables"][name] != opted_in["tables"][name]
