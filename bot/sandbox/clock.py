"""The sandbox's clocks (simulated, or the real calendar at person pace) and Twilio's date-time
form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime


def iso(when: datetime | None) -> str | None:
    """Twilio's date-time form: ``2023-09-10T06:52:21Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


class SimClock:
    """Simulated UTC time. It only moves forward, and only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, when: datetime) -> None:
        if when > self._now:
            self._now = when


class WallClock(SimClock):
    """Person pace's clock: the real calendar (``wall``, the system's unless a test injects
    one). Jobs do not move it: a step run early happens today, at the real time."""

    def __init__(self, wall: Callable[[], datetime] | None = None) -> None:
        self._wall = wall or (lambda: datetime.now(UTC).replace(microsecond=0))
        super().__init__(self._wall())

    def now(self) -> datetime:
        return self._wall()

    def today(self) -> date:
        return self.now().date()

    def set(self, when: datetime) -> None:
        return None
