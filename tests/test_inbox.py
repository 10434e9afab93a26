"""The webhook inbox (``bot.webhooks.Inbox``): a delivery arriving while nothing is being written
is written at once, from its own task; deliveries arriving meanwhile share the next
transaction (group commit); a failed batch fails each of its senders, and the next works."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

import pytest

from bot.store.peek import Peek
from bot.store.receipts import Receipt
from bot.webhooks import Inbox


class _Writer:
    """Records each batch; holds each write until the test releases it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.started = asyncio.Event()
        self.fail: Exception | None = None
        self.seen: set[str] = set()

    async def write(self, receipts: Sequence[Receipt], now: datetime, due: datetime) -> set[str]:
        self.batches.append([r.key for r in receipts])
        self.started.set()
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        new = {r.key for r in receipts} - self.seen
        self.seen |= new
        return new

    async def peek(self, peek: Peek, now: datetime) -> bool:
        return False

    async def close(self) -> None:
        pass


class _Poller:
    def __init__(self) -> None:
        self.woken = 0

    def wake_in(self, seconds: float) -> None:
        self.woken += 1


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[Inbox, _Writer, _Poller]]:
    writer, poller = _Writer(), _Poller()
    box = Inbox(writer, db=None, window=0.0, poller=poller)  # type: ignore[arg-type]
    box.start()
    try:
        yield box, writer, poller
    finally:
        await box.stop()


def _receipt(key: str) -> Receipt:
    return Receipt(key, "KW" + "a" * 32, "PortInPhoneNumberPending", "{}")


async def _during_a_write(
    box: Inbox, writer: _Writer, keys: Sequence[str]
) -> tuple[asyncio.Task[bool], list[asyncio.Task[bool]]]:
    """A delivery ("a") whose write is held, and ``keys`` arriving while it is."""
    writer.release.clear()
    first = asyncio.create_task(box.record(_receipt("a")))
    await asyncio.wait_for(writer.started.wait(), 5)
    later = [asyncio.create_task(box.record(_receipt(k))) for k in keys]
    await asyncio.sleep(0)
    return first, later


async def test_a_lone_delivery_is_written_at_once_and_wakes_the_poller(
    inbox: tuple[Inbox, _Writer, _Poller],
) -> None:
    box, writer, poller = inbox
    assert await box.record(_receipt("a")) is True
    assert await box.record(_receipt("a")) is False  # the redelivery
    assert writer.batches == [["a"], ["a"]]
    assert poller.woken == 1, "only a new delivery schedules a fetch"


async def test_deliveries_arriving_during_a_write_share_the_next_one(
    inbox: tuple[Inbox, _Writer, _Poller],
) -> None:
    box, writer, _ = inbox
    first, later = await _during_a_write(box, writer, ("b", "c", "b"))
    assert writer.batches == [["a"]], "nothing else is written while the first is in flight"
    writer.release.set()
    assert await asyncio.wait_for(first, 5) is True
    assert await asyncio.wait_for(asyncio.gather(*later), 5) == [True, True, False]
    assert writer.batches == [["a"], ["b", "c", "b"]]


async def test_a_failed_batch_fails_each_sender_and_the_next_delivery_is_written(
    inbox: tuple[Inbox, _Writer, _Poller],
) -> None:
    box, writer, _ = inbox
    first, later = await _during_a_write(box, writer, ("b", "c"))
    writer.fail = RuntimeError("database is locked")
    writer.release.set()
    results = await asyncio.wait_for(asyncio.gather(first, *later, return_exceptions=True), 5)
    assert all(isinstance(r, RuntimeError) for r in results)
    writer.fail = None
    assert await box.record(_receipt("b")) is True  # Twilio's retry goes through


async def test_stopping_cancels_deliveries_still_queued(
    inbox: tuple[Inbox, _Writer, _Poller],
) -> None:
    box, writer, _ = inbox
    first, (queued,) = await _during_a_write(box, writer, ("b",))
    await box.stop()
    with pytest.raises(asyncio.CancelledError):
        await queued  # not committed: its sender answers 5xx and Twilio retries
    writer.release.set()
    assert await asyncio.wait_for(first, 5) is True
