"""Manual ports in a listing, most urgent first, each with its step, filer, channel, thread and
next deadline: the one ordering /port-list, the digest and App Home share for manual ports.
Pure (``bot.desk.manual.manual_listing`` reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bot.desk.manual.schedule import ManualDeadline, ManualFacts, next_deadline
from bot.desk.manual.types import ManualPort


@dataclass(frozen=True)
class ManualListed:
    """A manual port in a listing: its step, filer (``port.filed_by``), channel
    (``port.details.channel_id``), thread (``port.thread``) and next deadline."""

    port: ManualPort
    deadline: ManualDeadline | None
    matched_numbers: tuple[str, ...] = ()

    @property
    def needs_person(self) -> bool:
        return self.port.step.needs_person

    def rank(self) -> tuple[int, float]:
        """Smaller is more urgent."""
        since = self.port.step_changed_at.timestamp()
        due = _moment(self.deadline.at) if self.deadline else None
        if self.port.closed:
            return (3, -since)
        if self.needs_person:
            return (0, due if due is not None else since)
        if due is not None:
            return (1, due)
        return (2, since)


def _moment(day: date) -> float:
    if isinstance(day, datetime):
        return day.timestamp()
    return datetime.combine(day, time(), UTC).timestamp()


def ordered(
    ports: list[ManualPort], now: datetime, numbers: frozenset[str] = frozenset()
) -> list[ManualListed]:
    """``ports`` most urgent first: waiting on a person (the nearest deadline first), then
    with a deadline, then the rest; closed ones last, most recently closed first."""
    listed = [
        ManualListed(
            p,
            next_deadline(ManualFacts.of(p), now),
            tuple(n for n in p.details.phone_numbers if n in numbers),
        )
        for p in ports
    ]
    return sorted(listed, key=ManualListed.rank)
