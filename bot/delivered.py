"""What delivering one piece of Slack work can come to: :class:`Delivered` (and the work that
follows from it), :class:`DeliveryError` (Slack did not take it) or :class:`NotYet` (it waits
for other work). The handlers (``bot.slack.delivery``) return and raise these; the outbox's
worker (``bot.outbox``) settles the row by them. Imports nothing but the work itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.work import Work


@dataclass
class Delivered:
    """What a delivery produced: the message ts (or file id), the thread a root opened, and
    work that follows from it (a CSV after a long reply)."""

    result: str | None = None
    thread: tuple[str, str] | None = None  # (channel, ts)
    follow_ups: list[Work] = field(default_factory=list)


class DeliveryError(Exception):
    """Slack did not take the work. ``maybe_sent``: it may have anyway (timeout, 5xx)."""

    def __init__(
        self, error: str, *, retry_after: float | None = None, maybe_sent: bool = False
    ) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class NotYet(Exception):
    """The item depends on work not done yet (a board edit before its root exists)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"not yet; retry in {retry_after}s")
        self.retry_after = retry_after


RETRY_CAP = 600.0  # real seconds: work waiting for a moment is asked about again by then


def real_wait(until: datetime, now: datetime, rate: float = 1.0) -> float:
    """Real seconds to wait for ``until`` on a clock that reads ``now`` and runs ``rate`` times
    real time (the desk's clock in a demo runs the sandbox's speed): every wait in the outbox
    is on the real clock. At least a second, at most :data:`RETRY_CAP`."""
    return min(RETRY_CAP, max(1.0, (until - now).total_seconds() / rate))
