"""When each channel's daily digest is due: at PORTING_DIGEST_AT on business days, one per
channel and local date (pure; takes ``now``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.desk.calendar import BusinessCalendar
from bot.desk.facts import DeskPolicy
from bot.work import digest_key


@dataclass(frozen=True)
class DigestSlot:
    """One channel's digest for one business day."""

    channel_id: str
    day: date  # on the desk's clock
    due_at: datetime
    expires_at: datetime  # a digest not out by then is dropped (never sent at night)

    @property
    def key(self) -> str:
        return digest_key(self.channel_id, self.day)

    def sendable(self, now: datetime) -> bool:
        return self.due_at <= now < self.expires_at


def digest_slot(
    channel_id: str, day: date, policy: DeskPolicy, calendar: BusinessCalendar
) -> DigestSlot | None:
    """The digest of ``day`` (None when digests are off or ``day`` is not a business day).
    It may go out from ``PORTING_DIGEST_AT`` until working hours end (or for an hour, when
    the digest time is at or after their end)."""
    at = policy.digest_at
    if at is None or not calendar.is_business_day(day):
        return None
    due = calendar.at(day, at)
    until = min(
        max(calendar.work_ends(day), due + timedelta(hours=1)),
        calendar.day_start(day + timedelta(days=1)),
    )
    return DigestSlot(channel_id, day, due, until)


def due_digests(
    channels: Sequence[str], policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> list[DigestSlot]:
    """The digests to queue at ``now``, one per channel (the wiring skips a channel with
    nothing open when it builds the digest)."""
    day = calendar.local_date(now)
    slots = [digest_slot(c, day, policy, calendar) for c in channels]
    return [s for s in slots if s is not None and s.sendable(now)]


def decide_digest(
    channel_id: str, day: date, policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> DigestSlot | None:
    """At delivery: the slot when its digest may still go out now, else None (drop it)."""
    slot = digest_slot(channel_id, day, policy, calendar)
    return slot if slot is not None and slot.sendable(now) else None


def asked_slot(
    channel_id: str, day: date, policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> DigestSlot:
    """A digest someone asked for now (the local workspace's Send digest now): whatever the
    hour or the day, for the next hour; "since" is the digest posted before it, as for any."""
    return DigestSlot(channel_id, day, now, now + timedelta(hours=1))
