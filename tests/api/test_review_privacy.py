"""Privacy by construction: with four learners, every figure drawn from them is suppressed,
in the API and in every CSV export; only set-up facts (tablets, pairings) stay visible."""
import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest

from backend.extensions import db
from backend.models import Device
from backend.models.types import utcnow
from backend.review.suppression import POINTS_WOULD_SHOW
from backend.review.words import FIGURES, TABLES

from .test_review_world import (JOINED, OCTOBER, full_journal, module_world, oct_,  # noqa: F401
                                world)

SET_UP_FIGURES = {"silent_devices"}
SET_UP_COLUMNS = {("mentor_load", "mentor"), ("mentor_load", "learners"),
                  ("silent_devices", "device"), ("silent_devices", "last_seen"),
                  ("silent_devices", "days_silent")}
LABEL_COLUMNS = {"label", "month", "band", "outcome", "tag"}


@pytest.fixture(scope="module")
def four(module_world):
    """Four learners who do everything, a mentor logging their sessions, a silent tablet."""
    w = module_world
    mentor = w.make.mentor(w.org)
    for n, learner in enumerate(w.learners(4)):
        w.make.pairing(mentor, SimpleNamespace(id=learner))
        full_journal(w, learner, oct_(20 + n), mentor.id, level=n - 1, change=n - 1)
        full_journal(w, learner, oct_(3 + n), level=1, change=2, minutes=100)
    with w.app.app_context():
        db.session.add(Device(organisation_id=w.org.id, name="Lounge tablet",
                              key_hash="d" * 64, created_at=JOINED,
                              last_seen_at=utcnow() - timedelta(days=9)))
        db.session.commit()
    return w, w.review()


def _figures_in(node):
    if isinstance(node, dict):
        if "suppressed" in node and "value" in node:
            yield node
        else:
            for value in node.values():
                yield from _figures_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _figures_in(value)


@pytest.mark.parametrize("key", sorted(set(FIGURES) - SET_UP_FIGURES))
def test_every_figure_from_four_learners_is_suppressed(four, key):
    assert four[1]["figures"][key] == {"label": FIGURES[key], "value": None, "suppressed": True,
                                       "reason": "drawn from fewer than 5 learners"}


def test_tablets_silent_for_days_are_set_up_facts_and_stay_visible(four):
    assert four[1]["figures"]["silent_devices"]["value"] == 1


@pytest.mark.parametrize("name", sorted(set(TABLES) - {"figures"}))
def test_every_cell_of_every_table_from_four_learners_is_suppressed(four, name):
    table = four[1]["tables"][name]
    for row in table["rows"]:
        for key, cell in row.items():
            if (name, key) in SET_UP_COLUMNS:
                continue
            assert key in LABEL_COLUMNS or cell["suppressed"], (key, cell)
    if name in ("dose_points", "quotes"):
        assert table["suppressed"] and table["rows"] == []


def test_no_shown_figure_anywhere_is_drawn_from_fewer_than_five(four):
    shown = [f for f in _figures_in(four[1]) if not f["suppressed"]]
    assert all(f.get("learners") is None for f in shown)


def _csv(w, name):
    resp = w.get("/api/review.csv", table=name, **OCTOBER)
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(resp.get_data(as_text=True))))


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_csv_export_from_four_learners_shows_suppressed_not_numbers(four, name):
    w, review = four
    header, *rows = _csv(w, name)
    columns = (["label", "value", "learners"] if name == "figures"
               else [c["key"] for c in review["tables"][name]["columns"]])
    assert len(header) == len(columns)
    for row in rows:
        if row[0].startswith("suppressed: "):  # a people-level table, suppressed whole
            continue
        cells = dict(zip(columns, row))
        if name == "figures":
            set_up = cells["label"] == FIGURES["silent_devices"]
            assert set_up or (cells["value"], cells["learners"]) == ("suppressed", ""), row
            continue
        for key, text in cells.items():
            if key not in LABEL_COLUMNS and (name, key) not in SET_UP_COLUMNS:
                assert text == "suppressed", (key, row)


def test_the_dose_dots_are_hidden_when_they_would_give_a_hidden_band_away(world):
    """Five learners do under half an hour a week, one does over an hour: that one's band is
    hidden, and so (to make five) are the others; the dots, one per learner, would show all of
    it again, so they are not shown either."""
    learners = world.learners(6)
    for learner in learners[:5]:
        world.session(learner, oct_(10), 30, 2, 4)
    world.session(learners[5], oct_(10), 400, 1, 5)
    review = world.review()
    bands, points = review["tables"]["dose_bands"], review["tables"]["dose_points"]
    assert all(row["learners"]["suppressed"] for row in bands["rows"])
    assert points["suppressed"] and points["rows"] == []
    assert points["reason"] == POINTS_WOULD_SHOW
    header, *rows = _csv(world, "dose_points")
    assert rows == [[f"suppressed: {POINTS_WOULD_SHOW}", ""]]


def test_the_dose_dots_are_shown_when_every_hidden_band_is_empty(world):
    learners = world.learners(5)
    for learner in learners:
        world.session(learner, oct_(10), 30, 2, 4)
    review = world.review()
    assert not review["tables"]["dose_bands"]["rows"][0]["learners"]["suppressed"]
    assert len(review["tables"]["dose_points"]["rows"]) == 5
