"""What the simulated losing carrier decides about timing: when it answers a submitted number
and which firm order commitment (FOC) date it gives."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from .config import Timings
from .data import SimNumber, SimRequest


def last_digit(number: SimNumber) -> int:
    return int(number.phone_number[-1])


def response_due(submitted: datetime, number: SimNumber, timings: Timings) -> datetime:
    """The carrier answers numbers of one request a little apart (× the number's last digit)."""
    return (
        submitted + timings.carrier_response + timings.carrier_response_stagger * last_digit(number)
    )


def foc(request: SimRequest, number: SimNumber, timings: Timings, now: datetime) -> datetime:
    """The carrier's firm order commitment: the target date or later, on a weekday.

    Numbers of one request land up to two days apart (last digit mod 3), as carriers do.
    """
    if request.target_port_in_date is not None:
        day = request.target_port_in_date
    else:
        day = ((request.signed_at or now) + timings.default_foc_lead).date()
    day = max(day, (now + timings.min_foc_after_response).date())
    day += timedelta(days=last_digit(number) % 3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    at = port_time(request.target_port_in_time_range_start)
    return datetime.combine(day, at).astimezone(UTC)


def port_time(range_start: str | None) -> time:
    """Port at the start of the requested window (kept in its offset), else 00:00 UTC."""
    if range_start:
        try:
            parsed = time.fromisoformat(range_start)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return time(0, 0, tzinfo=UTC)
