"""A polling worker's idle peek (``bot.store.peek``) answers exactly what its claim would find,
on SQLite (always) and PostgreSQL (when one answers), and the workers tick after a quiet poll
only when their peek finds something."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot import work
from bot.background import Wakeup
from bot.store import poll_schedule, queue
from bot.store.db import Database, migrate
from bot.store.models import OutboxItem, RequestSync
from bot.store.receipts import ReceiptWriter, receipt_writer
from bot.worker import PollingLoop
from tests.pg import database_url

SID, OTHER = "KW" + "a" * 32, "KW" + "b" * 32
LEASE = timedelta(seconds=60)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path
) -> AsyncIterator[tuple[Database, ReceiptWriter]]:  # type: ignore[no-untyped-def]
    async with database_url(request.param, tmp_path) as url:
        db = Database.from_url(url)
        await migrate(db.engine)
        writer = receipt_writer(url)
        try:
            yield db, writer
        finally:
            await writer.close()
            await db.close()


async def _queue(db: Database, *items: tuple[work.Work, datetime]) -> None:
    async with db.session() as s:
        for item, at in items:
            await queue.add(s, item, now=at)
        await s.commit()


async def _leased(db: Database, key: str, until: datetime) -> None:
    async with db.session() as s:
        await s.exec(
            update(OutboxItem)  # type: ignore[call-overload]
            .where(OutboxItem.key == key)
            .values(lease_owner="someone/1", lease_until=until)
        )
        await s.commit()


def _root(sid: str = SID) -> work.Root:
    return work.Root(request_sid=sid, channel="C1")


State = Callable[[Database, datetime], Awaitable[None]]
OUTBOX_STATES: dict[str, State] = {
    "nothing queued": lambda db, now: asyncio.sleep(0),
    "a post due": lambda db, now: _queue(db, (_root(), now - timedelta(seconds=1))),
    "a post due later": lambda db, now: _queue(db, (_root(), now + timedelta(minutes=5))),
    "a board edit due": lambda db, now: _queue(db, (work.Board(request_sid=SID), now)),
}


async def _post_held_by_a_live_worker(db: Database, now: datetime) -> None:
    await _queue(db, (_root(), now - timedelta(seconds=1)))
    await _leased(db, _root().key(), now + LEASE)


async def _post_whose_lease_ran_out(db: Database, now: datetime) -> None:
    await _queue(db, (_root(), now - timedelta(seconds=1)))
    await _leased(db, _root().key(), now - timedelta(seconds=1))


async def _reply_behind_a_held_root(db: Database, now: datetime) -> None:
    """The root is out with a live worker; the reply must wait for it (thread order)."""
    reply = work.Reply(request_sid=SID, status="Pending", old_status=None)
    await _queue(db, (_root(), now - timedelta(seconds=2)), (reply, now - timedelta(seconds=1)))
    await _leased(db, _root().key(), now + LEASE)


OUTBOX_STATES["a post held by a live worker"] = _post_held_by_a_live_worker
OUTBOX_STATES["a post whose lease ran out"] = _post_whose_lease_ran_out
OUTBOX_STATES["a reply behind a held root"] = _reply_behind_a_held_root


@pytest.mark.parametrize("state", list(OUTBOX_STATES))
async def test_the_outbox_peek_says_whether_a_claim_finds_anything(
    store: tuple[Database, ReceiptWriter], state: str
) -> None:
    db, writer = store
    now = datetime.now(UTC)  # the claim reads the clock itself: the states are built around it
    await OUTBOX_STATES[state](db, now)
    seen = await writer.peek(queue.ready_peek(), datetime.now(UTC))
    claimed = await queue.claim(db, "peek-test/1", LEASE, 8)
    assert seen == bool(claimed), state


async def _schedule(db: Database, sid: str, due: datetime, lease_until: datetime | None) -> None:
    async with db.session() as s:
        s.add(RequestSync(request_sid=sid, due_at=due, failures=0, lease_until=lease_until))
        await s.commit()


SCHEDULES: dict[str, list[tuple[timedelta, timedelta | None]]] = {
    "nothing scheduled": [],
    "a fetch due": [(timedelta(seconds=-1), None)],
    "a fetch due later": [(timedelta(minutes=5), None)],
    "a due fetch leased to a live worker": [(timedelta(seconds=-1), LEASE)],
    "a due fetch whose lease ran out": [(timedelta(seconds=-1), timedelta(seconds=-1))],
    "one later, one due": [(timedelta(minutes=5), None), (timedelta(seconds=-5), None)],
}


@pytest.mark.parametrize("state", list(SCHEDULES))
async def test_the_reconciler_peek_says_whether_a_claim_finds_anything(
    store: tuple[Database, ReceiptWriter], state: str
) -> None:
    db, writer = store
    now = datetime.now(UTC)  # the claim reads the clock itself: the rows are set around it
    for sid, (due, lease) in zip([SID, OTHER], SCHEDULES[state], strict=False):
        await _schedule(db, sid, now + due, now + lease if lease is not None else None)
    seen = await writer.peek(poll_schedule.due_peek(), datetime.now(UTC))
    claimed = await poll_schedule.claim(db, "peek-test", LEASE, 4)
    assert seen == bool(claimed), state


# -- the loop ----------------------------------------------------------------------------------


class _Worker:
    """A tick that finds nothing, and a peek with a scripted answer."""

    def __init__(self, answer: bool | Exception) -> None:
        self.answer = answer
        self.ticks = 0
        self.peeks = 0
        self.ticked = asyncio.Event()
        self.peeked = asyncio.Event()

    async def tick(self) -> bool:
        self.ticks += 1
        self.ticked.set()
        return False

    async def peek(self) -> bool:
        self.peeks += 1
        self.peeked.set()
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def _run(worker: _Worker, body: Callable[[PollingLoop], Awaitable[None]]) -> None:
    loop = PollingLoop("test", worker.tick, poll_seconds=0.01, wakeup=Wakeup(), peek=worker.peek)
    loop.start()
    try:
        await asyncio.wait_for(worker.ticked.wait(), 5)  # the first tick: always
        await body(loop)
    finally:
        await loop.stop()


async def _peeks(worker: _Worker, count: int) -> None:
    async def counted() -> None:
        while worker.peeks < count:
            worker.peeked.clear()
            await worker.peeked.wait()

    await asyncio.wait_for(counted(), 5)


async def test_a_quiet_poll_ticks_only_when_the_peek_finds_work() -> None:
    worker = _Worker(False)

    async def body(loop: PollingLoop) -> None:
        await _peeks(worker, 3)
        assert worker.ticks == 1, "nothing found: no claim"
        worker.answer = True
        worker.ticked.clear()
        await asyncio.wait_for(worker.ticked.wait(), 5)

    await _run(worker, body)
    assert worker.ticks >= 2


async def test_a_wakeup_ticks_without_peeking() -> None:
    worker = _Worker(False)

    async def body(loop: PollingLoop) -> None:
        await _peeks(worker, 1)
        loop.poll_seconds = 60.0  # no more quiet polls: only the wakeup can tick now
        await _peeks(worker, 2)
        peeks = worker.peeks
        worker.ticked.clear()
        loop.wakeup.set()
        await asyncio.wait_for(worker.ticked.wait(), 5)
        assert worker.peeks == peeks

    await _run(worker, body)


async def test_a_peek_that_fails_ticks_as_before() -> None:
    worker = _Worker(RuntimeError("database gone"))

    async def body(loop: PollingLoop) -> None:
        worker.ticked.clear()
        await asyncio.wait_for(worker.ticked.wait(), 5)

    await _run(worker, body)
    assert worker.peeks >= 1 and worker.ticks >= 2
