"""The chosen moments, worked out in the person's timezone (no database)."""
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.push.reminders import DAYS, KINDS, WORDS, next_moment, payload, zone

UK = ZoneInfo("Europe/London")
EVERY_DAY = list(DAYS)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("after, chosen, expected", [
    # Winter: London is on UTC.
    (utc(2026, 1, 10, 12), time(18, 30), utc(2026, 1, 10, 18, 30)),
    # Summer: 18:30 BST is 17:30 UTC.
    (utc(2026, 7, 10, 12), time(18, 30), utc(2026, 7, 10, 17, 30)),
    # The day the clocks go forward (29 March 2026) and the day they go back (25 October).
    (utc(2026, 3, 29, 0), time(18, 30), utc(2026, 3, 29, 17, 30)),
    (utc(2026, 10, 25, 0), time(18, 30), utc(2026, 10, 25, 18, 30)),
    # 01:30 does not exist on 29 March: an hour later, 02:30 BST.
    (utc(2026, 3, 29, 0), time(1, 30), utc(2026, 3, 29, 1, 30)),
    # 01:30 happens twice on 25 October: the first, 01:30 BST (00:30 UTC).
    (utc(2026, 10, 25, 0), time(1, 30), utc(2026, 10, 25, 0, 30)),
    # ...and not again at the second 01:30 (GMT): the next is the following night.
    (utc(2026, 10, 25, 0, 30), time(1, 30), utc(2026, 10, 26, 1, 30)),
])
def test_the_next_moment_is_the_chosen_local_time(after, chosen, expected):
    assert next_moment(after, EVERY_DAY, chosen, UK) == expected


def test_a_moment_already_passed_today_moves_to_the_next_chosen_day():
    friday_evening = utc(2026, 11, 27, 19)  # Friday, after 18:30
    monday = utc(2026, 11, 30, 18, 30)
    assert next_moment(friday_evening, ["mon", "wed"], time(18, 30), UK) == monday


def test_the_moment_itself_is_not_its_own_next():
    moment = utc(2026, 11, 27, 18, 30)
    assert next_moment(moment, EVERY_DAY, time(18, 30), UK) == utc(2026, 11, 28, 18, 30)


def test_no_chosen_days_means_no_moment():
    assert next_moment(utc(2026, 11, 27), [], time(18, 30), UK) is None


def test_other_timezones_use_their_own_summer_time():
    new_york = ZoneInfo("America/New_York")
    # US clocks went forward on 8 March 2026, three weeks before the UK's.
    assert next_moment(utc(2026, 3, 20), EVERY_DAY, time(9), new_york) == utc(2026, 3, 20, 13)


def test_an_unknown_timezone_name_falls_back_to_london():
    assert zone("Nowhere/Atlantis") == UK


@pytest.mark.parametrize("kind", [k for kinds in KINDS.values() for k in kinds])
def test_every_kind_says_something_general_and_opens_a_screen_of_ours(kind):
    for count in (1, 3):
        words = payload(kind, count)
        assert words["title"] == "What Matters" and words["url"].startswith("/")
        assert "{" not in words["body"] and words["tag"] == f"wm-{kind}"
    assert WORDS[kind][3] > 0  # a TTL


def test_several_of_a_kind_are_counted_in_the_words():
    assert payload("visit", 2)["body"] == "You have 2 visits tomorrow."
    assert payload("visit", 1)["body"] == "You have a visit tomorrow."
