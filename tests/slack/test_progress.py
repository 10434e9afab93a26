"""The one progress throttle: at most one report per interval, never two at once, never the
last (the caller shows the outcome)."""

from __future__ import annotations

import asyncio

from bot.slack.progress import PROGRESS_EVERY_SECONDS, ProgressThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_reports_pass_at_most_once_per_interval_and_never_the_last() -> None:
    clock, shown = Clock(), []

    async def show(done: int, total: int) -> None:
        shown.append(done)

    progress = ProgressThrottle(show, clock=clock)
    await progress(1, 10)  # too soon after the start
    clock.now += PROGRESS_EVERY_SECONDS
    await progress(2, 10)
    await progress(3, 10)  # too soon after the last one shown
    clock.now += PROGRESS_EVERY_SECONDS
    await progress(10, 10)  # the last: the outcome replaces it
    await progress(9, 10)
    assert shown == [2, 9]


async def test_a_report_while_one_is_being_shown_is_dropped_and_settled_waits() -> None:
    clock, gate, shown = Clock(), asyncio.Event(), []

    async def show(done: int, total: int) -> None:
        shown.append(done)
        await gate.wait()

    progress = ProgressThrottle(show, every=0.0, clock=clock)
    first = asyncio.create_task(progress(1, 10))
    await asyncio.sleep(0)
    clock.now += 1
    await progress(2, 10)
    settled = asyncio.create_task(progress.settled())
    await asyncio.sleep(0)
    assert shown == [1] and not settled.done()
    gate.set()
    await asyncio.gather(first, settled)
