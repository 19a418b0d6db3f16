"""The review's period: whole local days, the last full month, the trend's months."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.jobs import previous_month
from backend.review.figures import gas_t_score
from backend.review.period import Period, last_full_month, month_period

UK = ZoneInfo("Europe/London")


@pytest.mark.parametrize("today, first, last", [
    (date(2026, 11, 26), date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
    (date(2028, 3, 31), date(2028, 2, 1), date(2028, 2, 29)),
])
def test_default_period_is_the_last_full_calendar_month(today, first, last):
    period = last_full_month(UK, today)
    assert (period.first, period.last) == (first, last)


def test_a_period_runs_from_local_midnight_to_local_midnight_across_summer_time():
    period = month_period("2026-10", UK)  # summer time ends on 25 October
    assert period.start.astimezone(timezone.utc) == datetime(2026, 9, 30, 23, tzinfo=timezone.utc)
    assert period.end.astimezone(timezone.utc) == datetime(2026, 11, 1, 0, tzinfo=timezone.utc)
    assert (period.days, round(period.weeks, 3)) == (31, 4.429)


def test_trend_shows_six_months_ending_with_the_period():
    months = [m[0] for m in month_period("2026-02", UK).months()]
    assert months == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]


def test_a_long_period_trends_over_all_its_months():
    months = Period(date(2025, 1, 15), date(2026, 1, 10), UK).months()
    assert (months[0][0], months[-1][0], len(months)) == ("2025-01", "2026-01", 13)


def test_quiet_window_is_the_fourteen_days_up_to_the_periods_end_or_today():
    period = month_period("2026-10", UK)
    start, end = period.quiet_window(date(2026, 11, 26))
    assert (start.date(), end.date()) == (date(2026, 10, 18), date(2026, 11, 1))
    start, end = period.quiet_window(date(2026, 10, 20))
    assert (start.date(), end.date()) == (date(2026, 10, 7), date(2026, 10, 21))


@pytest.mark.parametrize("label", ["2026-13", "26-10", "October", ""])
def test_a_month_that_is_not_yyyy_mm_is_refused(label):
    with pytest.raises(ValueError):
        month_period(label, UK)


@pytest.mark.parametrize("now, month", [
    (datetime(2026, 11, 1, 6, tzinfo=UK), "2026-10"),
    (datetime(2027, 1, 1, 6, tzinfo=UK), "2026-12"),
    # 00:30 on 1 April in the UK is still 31 March in UTC
    (datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc), "2026-03"),
])
def test_the_monthly_job_prepares_the_month_before_in_uk_time(now, month):
    assert previous_month(now) == month


@pytest.mark.parametrize("levels, t", [
    ((0,), 50.0), ((2,), 70.0), ((-2,), 30.0), ((0, 0, 0), 50.0),
    ((1, 1), 50 + 10 * 2 / (0.7 * 2 + 0.3 * 4) ** 0.5),
])
def test_gas_t_score_is_kiresuks_with_rho_point_three(levels, t):
    assert gas_t_score(sum(levels), len(levels)) == pytest.approx(t)
