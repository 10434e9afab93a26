"""Business days and working hours in the desk's time zone (``PORTING_TIMEZONE``).

A business day is a weekday that is not a public holiday of ``country`` (for the US, the
federal holidays with their observed days, from the ``holidays`` package). Working hours are
09:00–17:00 local time on business days; reminders and the digest go out only then.

Every moment taken or returned is timezone-aware; moments returned are in UTC (what the store
keeps). Local wall times are turned into moments through the zone's rules, so a working day
that starts at 09:00 is 14:00 UTC in New York's winter and 13:00 UTC in its summer.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

WORK_START = time(9)
WORK_END = time(17)
_ONE_DAY = timedelta(days=1)


class BusinessCalendar:
    """Business days, working hours and local dates for one time zone and country."""

    def __init__(
        self,
        tz: ZoneInfo,
        country: str = "US",
        *,
        work_start: time = WORK_START,
        work_end: time = WORK_END,
    ) -> None:
        if not work_start < work_end:
            raise ValueError("working hours must start before they end")
        self.tz = tz
        self.country = country
        self.work_start = work_start
        self.work_end = work_end
        self._holidays = holidays.country_holidays(country)
        self._weekday_holidays: dict[int, list[date]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.tz.key!r}, {self.country!r})"

    # -- days ---------------------------------------------------------------------------

    def holiday(self, day: date) -> str | None:
        """The holiday's name when ``day`` is one (observed days included), else None."""
        return self._holidays.get(day)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def next_business_day(self, day: date) -> date:
        """The first business day after ``day``."""
        day += _ONE_DAY
        while not self.is_business_day(day):
            day += _ONE_DAY
        return day

    def previous_business_day(self, day: date) -> date:
        """The last business day before ``day``."""
        day -= _ONE_DAY
        while not self.is_business_day(day):
            day -= _ONE_DAY
        return day

    def add_business_days(self, day: date, days: int) -> date:
        """``days`` business days after ``day`` (before it, when negative).

        A ``day`` that is not a business day first rolls to the next business day (the
        previous one when ``days`` is negative), as ``numpy.busday_offset`` does: Saturday
        plus 0 is Monday, Saturday plus 1 is Tuesday, Friday plus 1 is Monday.
        """
        step = self.previous_business_day if days < 0 else self.next_business_day
        if not self.is_business_day(day):
            day = step(day)
        for _ in range(abs(days)):
            day = step(day)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """How many business days are in ``[start, end)`` (negative when ``end`` is before
        ``start``), as ``numpy.busday_count`` counts: Monday to Wednesday is 2."""
        if end < start:
            return -self.business_days_between(end, start)
        span = (end - start).days
        weeks, rest = divmod(span, 7)
        count = weeks * 5
        day = start + timedelta(days=weeks * 7)
        for _ in range(rest):
            if day.weekday() < 5:
                count += 1
            day += _ONE_DAY
        return count - self._weekday_holidays_in(start, end)

    def _weekday_holidays_in(self, start: date, end: date) -> int:
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._weekday_holidays_of(year)
            total += bisect_left(days, end) - bisect_left(days, start)
        return total

    def _weekday_holidays_of(self, year: int) -> list[date]:
        if year not in self._weekday_holidays:
            self._holidays.get(date(year, 1, 1))  # loads the year
            self._weekday_holidays[year] = sorted(
                d for d in self._holidays if d.year == year and d.weekday() < 5
            )
        return self._weekday_holidays[year]

    # -- moments ------------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the desk's clock (it must be timezone-aware)."""
        if moment.tzinfo is None:
            raise ValueError("a moment must be timezone-aware")
        return moment.astimezone(self.tz)

    def local_date(self, moment: datetime) -> date:
        return self.local(moment).date()

    def at(self, day: date, wall: time) -> datetime:
        """The moment (UTC) when the desk's clocks show ``wall`` on ``day``. A wall time the
        clocks skip (a DST gap) is read with the offset before the change, so it lands just
        after the gap."""
        return datetime.combine(day, wall, tzinfo=self.tz).astimezone(UTC)

    def day_start(self, day: date) -> datetime:
        """Local midnight at the start of ``day`` (UTC)."""
        return self.at(day, time(0))

    def work_starts(self, day: date) -> datetime:
        return self.at(day, self.work_start)

    def work_ends(self, day: date) -> datetime:
        return self.at(day, self.work_end)

    def in_working_hours(self, moment: datetime) -> bool:
        local = self.local(moment)
        return (
            self.is_business_day(local.date())
            and self.work_start <= local.time().replace(tzinfo=None) < self.work_end
        )

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself when it falls in working hours, else when working hours next
        begin (UTC)."""
        if self.in_working_hours(moment):
            return moment.astimezone(UTC)
        local = self.local(moment)
        day = local.date()
        if self.is_business_day(day) and local.time().replace(tzinfo=None) < self.work_start:
            return self.work_starts(day)
        return self.work_starts(self.next_business_day(day))

    def add_business_time(self, moment: datetime, days: int) -> datetime:
        """``days`` business days of working time after ``moment`` (``days`` ≥ 0, UTC).

        The count starts at the next working moment: Monday 10:00 plus 2 is Wednesday 10:00;
        Saturday 14:00 plus 2 is Wednesday 09:00 (Monday and Tuesday are the two days). The
        result always falls in working hours.
        """
        if days < 0:
            raise ValueError("days must be ≥ 0")
        start = self.local(self.next_working_moment(moment))
        day = self.add_business_days(start.date(), days)
        return self.at(day, start.time().replace(tzinfo=None))
