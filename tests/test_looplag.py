"""Event-loop lag: a blocking call on the loop is seen in /readyz and in the log."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.looplag import LoopLag
from tests.conftest import Bot


async def test_a_blocked_loop_shows_in_readyz_and_the_log(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    # The monitor samples every 0.05 s; on a loaded machine the first samples may come late,
    # so wait (bounded) for two of them rather than a fixed time.
    for _ in range(100):
        await asyncio.sleep(0.05)
        calm = (await bot.http.get("/readyz")).json()["event_loop"]
        if calm["samples"] >= 2:
            break
    assert calm["samples"] >= 2 and calm["lag_ms_max"] < 250

    caplog.set_level(logging.WARNING, logger="bot.looplag")
    time.sleep(0.4)  # noqa: ASYNC251 - the blocking call this monitor exists to catch
    await asyncio.sleep(0.15)
    blocked = (await bot.http.get("/readyz")).json()["event_loop"]
    assert blocked["lag_ms_max"] >= 250
    assert any("event loop was blocked" in r.message for r in caplog.records)


def test_stats_cover_the_last_minute_only_and_warnings_are_rate_limited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lag = LoopLag(interval=0.05, warn_ms=100)
    caplog.set_level(logging.WARNING, logger="bot.looplag")
    lag.record(0.0, 500.0)
    lag.record(1.0, 400.0)  # a second blocked moment within the minute: not logged again
    for i in range(100):
        lag.record(70.0 + i * 0.05, float(i % 10))
    assert len([r for r in caplog.records if "blocked" in r.message]) == 1
    stats = lag.stats(now=75.0)
    assert stats == {"lag_ms_p99": 9.0, "lag_ms_max": 9.0, "samples": 100}
    assert LoopLag().stats() == {"lag_ms_p99": None, "lag_ms_max": None, "samples": 0}
