"""Suppression: figures from fewer than five learners never show, and neither does what a
total would give away (complementary suppression)."""
import pytest

from backend.review.suppression import figure, guard, hidden_cells, table


def people(n, start=0):
    return set(range(start, start + n))


@pytest.mark.parametrize("learners", [0, 1, 4, people(4)])
def test_a_figure_from_fewer_than_five_learners_is_null_with_the_reason(learners):
    assert figure(12, learners) == {"value": None, "suppressed": True,
                                    "reason": "drawn from fewer than 5 learners"}


@pytest.mark.parametrize("learners", [5, people(5), 200])
def test_a_figure_from_five_or_more_learners_shows_with_its_base(learners):
    assert figure(3.14159, learners, 2) == {"value": 3.14, "suppressed": False, "learners":
                                            len(learners) if isinstance(learners, set)
                                            else learners}


def test_set_up_data_is_shown_without_a_base_of_learners():
    assert figure(2, None) == {"value": 2, "suppressed": False}


def test_hide_suppresses_a_large_figure_too():
    assert figure(40, 40, hide=True)["suppressed"]


def test_a_partition_without_small_cells_hides_nothing():
    assert hidden_cells({"a": people(5), "b": people(6, 10)}) == set()


def test_one_small_cell_takes_the_smallest_other_with_it():
    groups = {"improved": people(9), "same": people(6, 20), "worse": people(2, 40)}
    assert hidden_cells(groups) == {"worse", "same"}


def test_cells_are_hidden_until_the_hidden_learners_number_five():
    groups = {"a": people(1), "b": people(1, 10), "c": people(2, 20), "d": people(30, 40)}
    # a, b and c are small, and together only four people: d must go too
    assert hidden_cells(groups) == {"a", "b", "c", "d"}


def test_overlapping_cells_count_each_learner_once():
    # goals at two rungs by the same three people: still three people, not six
    groups = {"own": people(3), "agreed": people(3), "suggested": people(8, 10)}
    assert hidden_cells(groups) == {"own", "agreed", "suggested"}


def test_small_cells_that_together_reach_five_hide_nothing_more():
    groups = {"a": people(3), "b": people(2, 10), "c": people(7, 20)}
    assert hidden_cells(groups) == {"a", "b"}


def test_empty_cells_alone_give_nothing_away_and_hide_nothing_more():
    assert hidden_cells({"a": set(), "b": people(8)}) == {"a"}


def test_a_people_level_table_from_fewer_than_five_is_emptied():
    doc = table("Points", [("x", "X")], [{"x": 1}] * 4, learners=4)
    assert (doc["rows"], doc["suppressed"]) == ([], True)


def test_guard_refuses_a_shown_figure_from_too_few_learners():
    with pytest.raises(AssertionError):
        guard({"figures": {"a": {"value": 3, "suppressed": False, "learners": 3}}})


def test_guard_refuses_a_suppressed_figure_that_kept_its_value():
    with pytest.raises(AssertionError):
        guard([{"value": 3, "suppressed": True}])


def test_guard_passes_a_well_made_document_through():
    doc = {"f": figure(1, 9), "g": figure(1, 2), "t": table("T", [], [], 2)}
    assert guard(doc) is doc
