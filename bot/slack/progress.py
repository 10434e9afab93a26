"""The one progress throttle: long work (a bulk portability check, the /port-in re-check)
shows its progress in a message or modal the bot edits, at most every few seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

PROGRESS_EVERY_SECONDS = 2.0

Show = Callable[[int, int], Awaitable[None]]


class ProgressThrottle:
    """A ``Progress`` callback (``done, total``) that passes at most one report per ``every``
    seconds on to ``show``, never two at once (a report arriving while one is being shown is
    dropped), and never the last one (``done == total``: the caller shows the outcome)."""

    def __init__(
        self,
        show: Show,
        *,
        every: float = PROGRESS_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._show = show
        self._every = every
        self._clock = clock
        self._last = clock()
        self._showing = asyncio.Lock()

    async def __call__(self, done: int, total: int) -> None:
        now = self._clock()
        if done == total or now - self._last < self._every or self._showing.locked():
            return
        self._last = now
        async with self._showing:
            await self._show(done, total)

    async def settled(self) -> None:
        """Wait for a report being shown to finish (then the outcome can replace it)."""
        async with self._showing:
            pass
