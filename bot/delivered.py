"""What delivering one piece of Slack work can come to: :class:`Delivered` (and the work that
follows from it), :class:`DeliveryError` (Slack did not take it) or :class:`NotYet` (it waits
for other work). The handlers (``bot.slack.delivery``) return and raise these; the outbox's
worker (``bot.outbox``) settles the row by them. Imports nothing but the work itself."""

from __future__ import annotations

from dataclasses import dataclass, field

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
