"""Channel pacing: each process paces its own writes, and processes sharing one PostgreSQL
take their slots from one schedule, so together they keep to Slack's per-channel limit."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.pacing import ChannelPacer
from bot.store.db import Database, migrate
from bot.store.pace import SharedPace
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN
from tests.pg import fresh_database


class Clock:
    """A clock that only moves when someone sleeps (the pacer's injectable time)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


class Slots:
    def __init__(self, waits: list[float] | None = None, fail: bool = False) -> None:
        self.waits = waits or []
        self.fail = fail
        self.asked: list[tuple[str, float]] = []

    async def reserve(self, channel: str, interval: float) -> float:
        self.asked.append((channel, interval))
        if self.fail:
            raise ConnectionError("database gone")
        return self.waits.pop(0) if self.waits else 0.0


async def test_a_process_spaces_writes_from_the_end_of_one_to_the_start_of_the_next() -> None:
    clock = Clock()
    pacer = ChannelPacer(1.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        async with pacer.slot("C1"):
            clock.now += 0.25  # the call itself
    async with pacer.slot("C2"):  # another channel is not held up
        pass
    assert clock.sleeps == [1.0, 1.0]
    pacer.hold("C1", 30)  # Slack said Retry-After: 30
    async with pacer.slot("C1"):
        pass
    assert clock.sleeps[-1] == 30.0


async def test_shared_slots_are_waited_for_and_a_database_blip_falls_back_to_local_pacing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    slots = Slots(waits=[0.0, 2.5])
    pacer = ChannelPacer(1.0, clock=clock, sleep=clock.sleep, shared=slots)
    async with pacer.slot("C1"):
        pass
    async with pacer.slot("C1"):  # another process holds the next 2.5 s of this channel
        pass
    assert clock.sleeps == [1.0, 2.5] and slots.asked == [("C1", 1.0), ("C1", 1.0)]

    slots.fail = True
    async with pacer.slot("C1"):
        pass
    assert clock.sleeps[-1] == 1.0, "still paced locally"
    assert "shared channel pacing unavailable" in caplog.text


@pytest.fixture
async def databases() -> AsyncIterator[tuple[Database, Database]]:
    async with fresh_database() as url:
        first, second = Database.from_url(url), Database.from_url(url)
        await migrate(first.engine)
        try:
            yield first, second
        finally:
            await first.close()
            await second.close()


async def test_processes_on_one_postgresql_get_slots_one_interval_apart(
    databases: tuple[Database, Database],
) -> None:
    a, b = SharedPace(databases[0]), SharedPace(databases[1])
    waits = await asyncio.gather(*(p.reserve("CPORTING", 10.0) for p in [a, b] * 3))
    # Six reservations made within a moment: slots at +0, +10, … +50 s, whoever asked.
    slots = sorted(round(w) for w in waits)
    assert slots == [0, 10, 20, 30, 40, 50]
    assert await a.reserve("COTHER", 10.0) == 0.0, "channels are paced independently"


async def test_a_slot_in_the_past_is_not_waited_for(databases: tuple[Database, Database]) -> None:
    pace = SharedPace(databases[0])
    assert await pace.reserve("C1", 0.05) == 0.0
    await asyncio.sleep(0.1)  # the channel has been quiet for longer than the interval
    assert await pace.reserve("C1", 0.05) == 0.0


async def test_two_processes_posting_at_once_reach_slack_one_pace_apart(
    databases: tuple[Database, Database], fake_slack: FakeSlack
) -> None:
    """Two processes' pacers (each with its own engine) post to one channel at the same time,
    through the real Slack client: Slack sees the writes one pace apart, alternating."""
    pace = 0.3
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{fake_slack.url}/api/", session=session)

        async def process(db: Database, name: str) -> None:
            pacer = ChannelPacer(pace, shared=SharedPace(db))
            for i in range(4):
                async with pacer.slot("CPORTING"):
                    await client.chat_postMessage(channel="CPORTING", text=f"{name} {i}")

        await asyncio.gather(process(databases[0], "a"), process(databases[1], "b"))
    arrivals = sorted(c.received_at for c in fake_slack.calls_to("chat.postMessage"))
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(arrivals) == 8 and min(gaps) >= pace * 0.7, gaps
