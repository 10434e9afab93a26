"""The polling loop every worker runs (``bot.worker``) and its wakeup (``bot.background``):
stopping always ends it, even when the wakeup is set in the same moment as the stop."""

from __future__ import annotations

import asyncio

import pytest

from bot.background import Wakeup
from bot.worker import PollingLoop


async def test_a_wait_cancelled_as_its_wakeup_is_set_is_cancelled() -> None:
    """``asyncio.wait_for`` on Python 3.11 returned normally here: the cancellation was
    lost, and a worker's stop() waited for ever."""
    wakeup = Wakeup()
    waiting = asyncio.create_task(wakeup.wait(60))
    await asyncio.sleep(0)
    wakeup.set()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_a_wait_says_whether_it_was_woken() -> None:
    wakeup = Wakeup()
    assert await wakeup.wait(0.01) is False
    wakeup.set()
    assert await wakeup.wait(60) is True


async def test_stop_ends_the_loop_when_woken_in_the_same_moment() -> None:
    ticks = 0

    async def tick() -> bool:
        nonlocal ticks
        ticks += 1
        return False

    for _ in range(20):
        loop = PollingLoop("test", tick, poll_seconds=60)
        loop.start()
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the first tick ran; the loop waits on its wakeup
        loop.wakeup.set()
        await asyncio.wait_for(loop.stop(), 5)
        assert not loop.running
    assert ticks >= 20
