"""Waiting, in tests, until a bot's own work is done: post-ack tasks, due request fetches (the
reconciler), due go-live runs and ready Slack work (the outbox). Polls; never a sleep to reach
a deadline."""

from __future__ import annotations

import asyncio

from bot.runtime import Runtime


async def settle(
    runtime: Runtime,
    coalesce_seconds: float,
    timeout: float = 30.0,  # noqa: ASYNC109 - a polling deadline, not a cancel scope
    *,
    nothing_pending: bool = False,
) -> None:
    """Return once nothing is left to do now; ``nothing_pending``: not even Slack work waiting
    for a retry or its board interval."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await runtime.tasks.drain()
        runtime.reconciler.wakeup.set()
        runtime.outbox.wakeup.set()
        runtime.desk.golive.wakeup.set()
        await asyncio.sleep(0.01)
        if (
            not len(runtime.tasks)
            and await runtime.reconciler.settled(coalesce_seconds)
            and await runtime.desk.golive.settled()
            and await runtime.outbox.settled()
            and not len(runtime.tasks)
            and not (nothing_pending and await runtime.outbox.pending())
        ):
            return
        if loop.time() > deadline:
            raise AssertionError("the bot did not settle")
