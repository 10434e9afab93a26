"""Event-loop lag: how late the loop runs a timer. A blocking call on the loop (a synchronous
database, file or HTTP call) shows up here as lag, for every request served meanwhile.

The monitor wakes every ``interval`` seconds and records how late it woke. ``/readyz`` reports
the p99 and maximum of the last minute; a lag past ``warn_ms`` is logged (at most once a
minute) so a blocked loop is visible in the logs too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from bot import metrics

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


class LoopLag:
    def __init__(self, interval: float = 0.1, warn_ms: float = 250.0) -> None:
        self.interval = interval
        self.warn_ms = warn_ms
        # (monotonic time, lag in ms) of the last minute
        self._samples: deque[tuple[float, float]] = deque(maxlen=int(WINDOW_SECONDS / interval) + 1)
        self._warned_at = float("-inf")
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        # A timer callback that re-arms itself, not a task around asyncio.sleep: no future
        # and no task step per sample (ten a second, in every process, idle or not).
        self._loop = asyncio.get_running_loop()
        self._arm()

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _arm(self) -> None:
        assert self._loop is not None
        expected = time.monotonic() + self.interval
        self._timer = self._loop.call_later(self.interval, self._sample, expected)

    def _sample(self, expected: float) -> None:
        now = time.monotonic()
        self.record(now, max(0.0, (now - expected) * 1000))
        self._arm()

    def record(self, now: float, lag_ms: float) -> None:
        self._samples.append((now, lag_ms))
        metrics.LOOP_LAG.observe(lag_ms / 1000)
        if lag_ms >= self.warn_ms and now - self._warned_at >= WINDOW_SECONDS:
            self._warned_at = now
            log.warning("the event loop was blocked for %.0f ms", lag_ms)

    def stats(self, now: float | None = None) -> dict[str, Any]:
        """p99 and max lag (ms) over the last minute, and how many samples they cover."""
        now = time.monotonic() if now is None else now
        recent = sorted(lag for at, lag in self._samples if now - at <= WINDOW_SECONDS)
        if not recent:
            return {"lag_ms_p99": None, "lag_ms_max": None, "samples": 0}
        p99 = recent[min(len(recent) - 1, round(0.99 * (len(recent) - 1)))]
        return {
            "lag_ms_p99": round(p99, 1),
            "lag_ms_max": round(recent[-1], 1),
            "samples": len(recent),
        }
