"""The raw-driver webhook receipt writer, on SQLite (always) and PostgreSQL (when one answers):
new keys reported once, the schedule moved exactly as ``sync.nudge`` moves it, rows the
ORM reads back, all-or-nothing batches, and concurrent writers on one PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.store import poll_schedule
from bot.store.db import Database, migrate
from bot.store.models import RequestSync, WebhookReceipt
from bot.store.receipts import Receipt, ReceiptWriter, delete_receipts_before, receipt_writer
from tests.helpers import allow_schedule_rows, refuse_schedule_rows
from tests.pg import database_url

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
A, B = "KW" + "a" * 32, "KW" + "b" * 32


class Store:
    def __init__(self, url: str, db: Database, writer: ReceiptWriter) -> None:
        self.url, self.db, self.writer = url, db, writer

    async def schedule(self) -> dict[str, tuple[datetime, datetime | None]]:
        async with self.db.session() as s:
            rows = (await s.exec(select(RequestSync))).all()
        return {
            r.request_sid: (r.due_at, r.nudged_at)
            for r in rows
            if r.request_sid != poll_schedule.DISCOVERY
        }

    async def receipts(self) -> list[WebhookReceipt]:
        async with self.db.session() as s:
            return list((await s.exec(select(WebhookReceipt).order_by(WebhookReceipt.id))).all())


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Store]:  # type: ignore[no-untyped-def]
    async with database_url(request.param, tmp_path) as url:
        db = Database.from_url(url)
        await migrate(db.engine)
        writer = receipt_writer(url)
        try:
            yield Store(url, db, writer)
        finally:
            await writer.close()
            await db.close()


def receipt(key: str, sid: str = A, event: str = "PortInPhoneNumberPending") -> Receipt:
    return Receipt(key, sid, event, json.dumps({"port_in_request_sid": sid}))


async def test_new_keys_are_reported_once_even_within_one_batch(store: Store) -> None:
    due = T0 + timedelta(seconds=2)
    new = await store.writer.write([receipt("k1"), receipt("k2"), receipt("k1")], T0, due)
    assert new == {"k1", "k2"}
    assert await store.writer.write([receipt("k2"), receipt("k3", B)], T0, due) == {"k3"}
    stored = await store.receipts()
    assert [r.dedupe_key for r in stored] == ["k1", "k2", "k3"]
    assert stored[0].outcome == "received" and stored[0].payload.startswith("{")
    assert stored[0].received_at == T0, "the ORM reads the time back as written"
    assert await store.schedule() == {A: (due, T0), B: (due, T0)}


async def test_a_batch_of_only_duplicates_leaves_the_schedule_alone(store: Store) -> None:
    await store.writer.write([receipt("k1")], T0, T0 + timedelta(seconds=2))
    later = T0 + timedelta(minutes=5)
    assert await store.writer.write([receipt("k1")], later, later) == set()
    assert await store.schedule() == {A: (T0 + timedelta(seconds=2), T0)}


async def test_the_schedule_moves_exactly_as_reconcile_nudge_moves_it(store: Store) -> None:
    """The same nudges through the ORM upsert (other request) and the raw writer agree."""
    steps = [  # (now, window): a nudge never moves a fetch later, and remembers when it came
        (T0, 60.0),
        (T0 + timedelta(seconds=10), 5.0),
        (T0 + timedelta(seconds=12), 600.0),
        (T0 + timedelta(seconds=30), 0.0),
    ]
    for i, (now, window) in enumerate(steps):
        await store.writer.write([receipt(f"k{i}", A)], now, now + timedelta(seconds=window))
        async with store.db.session() as s:
            await poll_schedule.nudge(s, B, now, window)
            await s.commit()
        schedule = await store.schedule()
        assert schedule[A] == schedule[B], f"step {i}"
    assert schedule[A] == (T0 + timedelta(seconds=15), T0 + timedelta(seconds=30))


async def test_an_existing_schedule_written_by_the_orm_is_only_moved_earlier(store: Store) -> None:
    async with store.db.session() as s:
        s.add(RequestSync(request_sid=A, due_at=T0 + timedelta(minutes=5), failures=2))
        await s.commit()
    await store.writer.write([receipt("k1")], T0, T0 + timedelta(minutes=10))
    assert await store.schedule() == {A: (T0 + timedelta(minutes=5), T0)}
    await store.writer.write([receipt("k2")], T0, T0 + timedelta(seconds=1))
    assert (await store.schedule())[A][0] == T0 + timedelta(seconds=1)


async def test_a_failure_inside_the_batch_writes_nothing_and_the_next_batch_works(
    store: Store,
) -> None:
    await refuse_schedule_rows(store.db.engine)  # fails after the receipts went in
    with pytest.raises(Exception, match="disk I/O error"):
        await store.writer.write([receipt("k1"), receipt("k2", B)], T0, T0)
    assert await store.receipts() == [] and await store.schedule() == {}

    await allow_schedule_rows(store.db.engine)
    assert await store.writer.write([receipt("k1"), receipt("k2", B)], T0, T0) == {"k1", "k2"}
    assert len(await store.receipts()) == 2 and set(await store.schedule()) == {A, B}


async def test_concurrent_writers_on_one_database_store_each_key_once(store: Store) -> None:
    """Several processes' writers at once (PostgreSQL), or the ORM's and the writer's
    connections contending for SQLite's lock: every key stored once, no deadlock."""
    writers = [store.writer, *(receipt_writer(store.url) for _ in range(3))]
    sids = [f"KW{i:032x}" for i in range(12)]
    keys = [f"key{i}" for i in range(400)]

    async def run(writer: ReceiptWriter, offset: int) -> set[str]:
        # Every writer sends every key (starting elsewhere), in batches of 25 that touch many
        # requests: schedule rows are contended in every batch.
        mine = keys[offset * 100 :] + keys[: offset * 100]
        new: set[str] = set()
        for start in range(0, len(mine), 25):
            batch = [receipt(k, sids[hash(k) % len(sids)]) for k in mine[start : start + 25]]
            new |= await writer.write(batch, T0, T0 + timedelta(seconds=1))
        return new

    results = await asyncio.gather(*(run(w, i) for i, w in enumerate(writers)))
    for writer in writers[1:]:
        await writer.close()
    claimed = [k for r in results for k in r]
    assert len(claimed) == len(set(claimed)), "no key reported new twice"
    stored = await store.receipts()
    assert len(stored) == len({r.dedupe_key for r in stored}) == len(set(claimed))


def test_unsupported_and_in_memory_databases_are_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="in-memory SQLite"):
        receipt_writer("sqlite:///:memory:")
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        receipt_writer("mysql://root@localhost/bot")


async def test_prune_forgets_only_receipts_older_than_the_cutoff_in_chunks(store: Store) -> None:
    old = [receipt(f"old{i}", A if i % 2 else B) for i in range(7)]
    await store.writer.write(old, T0, T0)
    later = T0 + timedelta(days=31)
    await store.writer.write([receipt("new")], later, later)
    cutoff = T0 + timedelta(days=1)
    assert await delete_receipts_before(store.db, cutoff, chunk=3) == 7
    assert [r.dedupe_key for r in await store.receipts()] == ["new"]
    assert await delete_receipts_before(store.db, cutoff, chunk=3) == 0
