"""Background work: tasks held by strong references and awaited (then cancelled) on shutdown
(:class:`Tasks`), and the early wakeup of a polling worker (:class:`Wakeup`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Tasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, grace: float = 10.0) -> None:
        """Wait for running tasks (tests, shutdown); cancel what outlives ``grace`` seconds."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tasks)


class Wakeup:
    """Wakes a polling worker early: ``set()`` from whoever made work, ``wait(timeout)`` in the
    worker. Other processes' work is found by the timeout poll."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109 - a poll interval
        """True when woken by ``set()``, False when ``timeout`` passed first.

        ``asyncio.timeout``, not ``asyncio.wait_for``: on Python 3.11, ``wait_for`` returns
        normally when its task is cancelled in the same moment the event is set, so a
        worker's ``stop()`` could cancel a loop that then never ends."""
        try:
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError:
            pass
        woken = self._event.is_set()
        self._event.clear()
        return woken
