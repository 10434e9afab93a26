"""Pacing writes to Slack channels: Slack allows about one write per second per channel.

:class:`ChannelPacer` paces one process's writes; with :class:`SharedSlots` (several processes
on one PostgreSQL, ``bot.store.pace.SharedPace``) each write also takes the channel's next
shared slot, so the processes together keep to the limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol

log = logging.getLogger(__name__)


class SharedSlots(Protocol):
    """Write slots shared with other processes (``bot.store.pace.SharedPace``)."""

    async def reserve(self, channel: str, interval: float) -> float: ...


class ChannelPacer:
    """One write at a time per channel, ``interval`` seconds apart (Slack allows about 1/s).

    The interval runs from the end of a call to the start of the next, so Slack never sees two
    writes to a channel from this process closer than ``interval``, however long each call
    takes. With ``shared`` slots (several processes on one PostgreSQL) each write also takes
    the channel's next shared slot, so the processes together keep to the limit.
    """

    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: SharedSlots | None = None,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self.shared = shared
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def slot(self, channel: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            delay = self._next.get(channel, 0.0) - self._clock()
            if delay > 0:
                await self._sleep(delay)
            if self.shared is not None and self.interval > 0:
                await self._take_shared(channel)
            try:
                yield
            finally:
                self._next[channel] = max(
                    self._next.get(channel, 0.0), self._clock() + self.interval
                )

    async def _take_shared(self, channel: str) -> None:
        assert self.shared is not None
        try:
            wait = await self.shared.reserve(channel, self.interval)
        except Exception as error:  # the database blinked: this process's pacing still holds
            log.warning("shared channel pacing unavailable (%s)", type(error).__name__)
            return
        if wait > 0:
            await self._sleep(wait)

    async def wait(self, channel: str) -> None:
        """Take the next slot for a write made outside :meth:`slot`."""
        async with self.slot(channel):
            pass

    def hold(self, channel: str, seconds: float) -> None:
        """Slack said ``Retry-After``: nothing goes to this channel before then."""
        self._next[channel] = max(self._next.get(channel, 0.0), self._clock() + seconds)
