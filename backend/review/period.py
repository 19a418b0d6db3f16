"""The period a review covers: whole local days, their UTC bounds, and the months of its trends."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3 * 366  # a longer review is a different report, and slow at provider scale
TREND_MONTHS = 6  # trend charts show at least this many months, ending with the period's last
QUIET_DAYS = 14
SILENT_DAYS = 5


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def add_months(first_of_month, count):
    year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 + count, 12)
    return date(year, month + 1, 1)


@dataclass(frozen=True)
class Period:
    """The days ``first`` to ``last``, both included, in the timezone ``tz``."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self):
        """The first moment of the period, as an aware datetime."""
        return datetime.combine(self.first, time(), self.tz)

    @property
    def end(self):
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.tz)

    @property
    def days(self):
        return (self.last - self.first).days + 1

    @property
    def weeks(self):
        return self.days / 7

    def months(self):
        """The trend's months as (label "YYYY-MM", first day, first day of the next month)."""
        last = month_start(self.last)
        first = min(month_start(self.first), add_months(last, 1 - TREND_MONTHS))
        months = []
        while first <= last:
            after = next_month(first)
            months.append((first.strftime("%Y-%m"), first, after))
            first = after
        return months

    def quiet_window(self, today):
        """(start, end) of the 14 days up to the period's last day, or up to today when the
        period runs past it: who had nothing recorded in those days is quiet."""
        as_of = min(self.last, today)
        start = datetime.combine(as_of - timedelta(days=QUIET_DAYS - 1), time(), self.tz)
        return start, datetime.combine(as_of + timedelta(days=1), time(), self.tz)

    def as_dict(self):
        months = self.months()
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "days": self.days,
                "weeks": round(self.weeks, 2), "trend_from": months[0][0],
                "trend_to": months[-1][0], "timezone": self.tz.key}


def today_in(tz):
    return datetime.now(tz).date()


def last_full_month(tz, today=None):
    """The calendar month before this one."""
    first_of_this = month_start(today or today_in(tz))
    first = add_months(first_of_this, -1)
    return Period(first, first_of_this - timedelta(days=1), tz)


def month_period(label, tz):
    """The calendar month ``YYYY-MM``; raises ValueError for anything else."""
    first = datetime.strptime(label, "%Y-%m").date()
    return Period(first, next_month(first) - timedelta(days=1), tz)
