"""Outbox items as the delivery worker sees them: a claimed row's :class:`~bot.work.Work`
(restored from its kind and payload) with the row's bookkeeping. What the kinds are lives in
``bot.work``; the queue that stores them is ``bot.store.outbox``."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.work import Work, restore

Fence = Callable[[], Awaitable[None]]


class ItemStatus(StrEnum):
    PENDING = "pending"  # not confirmed by Slack yet (queued, leased, or failing)
    DONE = "done"


@dataclass(frozen=True)
class Item:
    """A claimed piece of work, as the deliverer sees it."""

    id: int
    key: str
    request_sid: str  # its owner (``Work.owner``)
    work: Work
    attempts: int
    maybe_sent: bool
    created_at: datetime
    # This claim's lease token: every change to the row while delivering it is made only while
    # the row still carries it (a re-claim, even by the same worker, gets a new one).
    lease: str = ""
    _fence: Fence | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        return self.work.kind

    @property
    def edit(self) -> bool:
        return self.work.edit

    @classmethod
    def from_row(cls, row: Any) -> Item:
        """The item an ``outbox`` row holds; raises KeyError for a kind this code does not
        know and ValueError (pydantic's ValidationError) for a payload it cannot read."""
        return cls(
            id=row.id,
            key=row.key,
            request_sid=row.request_sid,
            work=restore(row.kind, row.payload, row.key, row.request_sid),
            attempts=row.attempts,
            maybe_sent=row.maybe_sent,
            created_at=row.created_at,
            lease=row.lease_owner or "",
        )

    def fenced(self, fence: Fence) -> Item:
        """This item, with ``fence`` run by :meth:`begin` (the worker's lease check)."""
        return dataclasses.replace(self, _fence=fence)

    async def begin(self) -> None:
        """Call immediately before the Slack request that may post (after any pacing wait).
        Raises ``bot.outbox.LeaseLost`` when the item is no longer this worker's: then send
        nothing."""
        if self._fence is not None:
            await self._fence()
