"""The desk's business calendar: weekends, US federal holidays (observed days included),
working hours and DST changes in the desk's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.desk.calendar import BusinessCalendar

NY = ZoneInfo("America/New_York")
CAL = BusinessCalendar(NY)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_weekends_and_federal_holidays_are_not_business_days() -> None:
    assert CAL.is_business_day(date(2026, 11, 25))  # Wednesday before Thanksgiving
    assert not CAL.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert CAL.holiday(date(2026, 11, 26)) == "Thanksgiving Day"
    assert CAL.is_business_day(date(2026, 11, 27))  # the Friday after is not federal
    assert not CAL.is_business_day(date(2026, 11, 28))  # Saturday
    # July 4, 2026 is a Saturday: the federal holiday is observed on Friday July 3.
    assert not CAL.is_business_day(date(2026, 7, 3))
    assert "observed" in (CAL.holiday(date(2026, 7, 3)) or "")
    # July 4, 2027 is a Sunday: observed on Monday July 5.
    assert not CAL.is_business_day(date(2027, 7, 5))
    assert CAL.is_business_day(date(2027, 7, 6))


def test_next_and_previous_business_day_skip_weekends_and_holidays() -> None:
    assert CAL.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)
    assert CAL.previous_business_day(date(2026, 11, 27)) == date(2026, 11, 25)
    assert CAL.next_business_day(date(2026, 7, 2)) == date(2026, 7, 6)  # over July 3 + weekend
    assert CAL.previous_business_day(date(2026, 7, 6)) == date(2026, 7, 2)
    assert CAL.next_business_day(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas Friday


def test_add_business_days_rolls_like_numpy() -> None:
    fri, sat = date(2026, 12, 4), date(2026, 12, 5)
    assert CAL.add_business_days(fri, 0) == fri
    assert CAL.add_business_days(fri, 1) == date(2026, 12, 7)
    assert CAL.add_business_days(sat, 0) == date(2026, 12, 7)
    assert CAL.add_business_days(sat, 1) == date(2026, 12, 8)
    assert CAL.add_business_days(sat, -1) == date(2026, 12, 3)
    assert CAL.add_business_days(date(2026, 11, 24), 2) == date(2026, 11, 27)  # Thanksgiving
    assert CAL.add_business_days(date(2026, 11, 30), -2) == date(2026, 11, 25)


def test_business_days_between_counts_half_open_and_matches_a_day_by_day_count() -> None:
    assert CAL.business_days_between(date(2026, 12, 7), date(2026, 12, 9)) == 2  # Mon → Wed
    assert CAL.business_days_between(date(2026, 12, 9), date(2026, 12, 7)) == -2
    assert CAL.business_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 4  # Thanksgiving
    start = date(2025, 12, 1)
    for span in range(0, 800, 13):
        end = start + timedelta(days=span)
        slow = sum(
            CAL.is_business_day(start + timedelta(days=i)) for i in range((end - start).days)
        )
        assert CAL.business_days_between(start, end) == slow, end


def test_working_hours_are_local_and_follow_dst() -> None:
    # 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
    assert CAL.work_starts(date(2026, 1, 6)) == datetime(2026, 1, 6, 14, tzinfo=UTC)
    assert CAL.work_starts(date(2026, 7, 7)) == datetime(2026, 7, 7, 13, tzinfo=UTC)
    assert CAL.in_working_hours(ny(2026, 12, 7, 9, 0))
    assert CAL.in_working_hours(ny(2026, 12, 7, 16, 59))
    assert not CAL.in_working_hours(ny(2026, 12, 7, 17, 0))
    assert not CAL.in_working_hours(ny(2026, 12, 7, 8, 59))
    assert not CAL.in_working_hours(ny(2026, 11, 26, 11, 0))  # Thanksgiving
    # 15:00 UTC on a Monday is 10:00 in New York: working hours there, whatever UTC says.
    assert CAL.in_working_hours(datetime(2026, 12, 7, 15, tzinfo=UTC))
    assert not CAL.in_working_hours(datetime(2026, 12, 7, 23, tzinfo=UTC))


def test_next_working_moment() -> None:
    inside = ny(2026, 12, 7, 10, 30)
    assert CAL.next_working_moment(inside) == inside
    assert CAL.next_working_moment(ny(2026, 12, 7, 7, 0)) == ny(2026, 12, 7, 9, 0)
    assert CAL.next_working_moment(ny(2026, 12, 4, 18, 0)) == ny(2026, 12, 7, 9, 0)  # Fri night
    assert CAL.next_working_moment(ny(2026, 11, 25, 17, 0)) == ny(2026, 11, 27, 9, 0)
    # Saturday night before DST ends (Nov 1, 2026): Monday 09:00 is EST, 14:00 UTC.
    assert CAL.next_working_moment(ny(2026, 10, 31, 22, 0)) == datetime(2026, 11, 2, 14, tzinfo=UTC)
    # Saturday before DST starts (Mar 8, 2026): Monday 09:00 is EDT, 13:00 UTC.
    assert CAL.next_working_moment(ny(2026, 3, 7, 12, 0)) == datetime(2026, 3, 9, 13, tzinfo=UTC)
    assert CAL.next_working_moment(ny(2026, 12, 7, 10, 30)).tzinfo is UTC


def test_add_business_time_keeps_the_local_clock_over_a_dst_change() -> None:
    # Friday 10:00 EST + 1 business day = Monday 10:00 EDT: 71 hours, not 72.
    friday = ny(2026, 3, 6, 10, 0)
    monday = CAL.add_business_time(friday, 1)
    assert CAL.local(monday).time() == time(10, 0)
    assert monday - friday == timedelta(hours=71)
    # Counting starts at the next working moment: Saturday 14:00 + 2 = Wednesday 09:00.
    assert CAL.add_business_time(ny(2026, 12, 5, 14, 0), 2) == ny(2026, 12, 9, 9, 0)
    assert CAL.add_business_time(ny(2026, 12, 7, 10, 0), 2) == ny(2026, 12, 9, 10, 0)
    # Over Thanksgiving: Wednesday 16:00 + 1 = Friday 16:00.
    assert CAL.add_business_time(ny(2026, 11, 25, 16, 0), 1) == ny(2026, 11, 27, 16, 0)
    assert CAL.in_working_hours(CAL.add_business_time(ny(2026, 11, 25, 23, 0), 5))


def test_dst_gap_wall_time_lands_after_the_gap() -> None:
    late = BusinessCalendar(NY, work_start=time(2, 30), work_end=time(17))
    # 02:30 does not exist on Mar 8, 2026 in New York; it reads as 03:30 EDT (07:30 UTC).
    assert late.at(date(2026, 3, 8), time(2, 30)) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_naive_moments_are_refused_and_utc_is_the_default_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.in_working_hours(datetime(2026, 12, 7, 10, 0))
    utc = BusinessCalendar(ZoneInfo("UTC"))
    assert utc.work_starts(date(2026, 12, 7)) == datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert not utc.is_business_day(date(2026, 12, 25))


def test_another_country_uses_its_own_holidays() -> None:
    uk = BusinessCalendar(ZoneInfo("Europe/London"), "GB")
    assert not uk.is_business_day(date(2026, 12, 28))  # Boxing Day (observed)
    assert CAL.is_business_day(date(2026, 12, 28))
