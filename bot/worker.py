"""The loop every polling worker runs (the Slack outbox, the reconciler): a tick, and when it
found nothing to do, a nap until someone wakes it or the poll interval passes; then, when
nobody woke it, a cheap look for work (its ``peek``) before the next tick."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.background import Wakeup

log = logging.getLogger(__name__)


class PollingLoop:
    """Runs ``tick`` again at once while it finds work (a truthy result), else after
    :attr:`wakeup` is set or ``poll_seconds`` pass. A tick that raises is logged and the loop
    goes on: a database blip must not end the work for good.

    ``peek``, when given, answers whether a tick would find anything: after a poll interval
    passes with nobody waking the loop, the tick runs only if the peek says so (or cannot
    say). A wakeup always ticks."""

    def __init__(
        self,
        name: str,
        tick: Callable[[], Awaitable[object]],
        *,
        poll_seconds: float,
        wakeup: Wakeup | None = None,
        peek: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.name = name
        self.poll_seconds = poll_seconds
        self.wakeup = wakeup or Wakeup()
        self._tick = tick
        self._peek = peek
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop (a tick in progress is cancelled with it) and wait for it to end."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True  # should a cancellation be swallowed, the loop still ends
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                worked = await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s tick failed", self.name)
                worked = False
            if not worked:
                while (
                    not await self.wakeup.wait(self.poll_seconds)
                    and not self._stopping
                    and not await self._worth()
                ):
                    pass

    async def _worth(self) -> bool:
        """Whether to tick after a quiet poll interval: the peek's answer, or yes."""
        if self._peek is None:
            return True
        try:
            return await self._peek()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the tick finds out properly (and logs what fails)
            log.debug("%s peek failed (%s); ticking", self.name, type(error).__name__)
            return True
