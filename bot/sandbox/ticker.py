"""The sandbox's running clock: a background task that moves the simulation on as real time
passes, ``config.speed`` simulated seconds per real second (at person pace, the steps due by
now), looking every ``config.tick_interval_seconds`` and standing still while paused."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from .config import SandboxConfig

log = logging.getLogger(__name__)

Tick = Callable[[timedelta], Awaitable[None]]


class Ticker:
    """Runs ``tick`` in the background until stopped."""

    def __init__(self, config: SandboxConfig, tick: Tick, paused: Callable[[], bool]) -> None:
        self._config = config
        self._tick = tick
        self._paused = paused
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        """Simulated time moves ``config.speed`` times as fast as real time."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            # Real sleep on purpose: the injectable one may be a no-op in tests.
            await asyncio.sleep(self._config.tick_interval_seconds)
            now = loop.time()
            step = timedelta(seconds=(now - last) * self._config.speed)
            last = now
            if self._paused():
                continue
            try:
                await self._tick(step)
            except Exception:  # a bug in one transition must not stop the demo clock
                log.exception("sandbox clock step failed")
