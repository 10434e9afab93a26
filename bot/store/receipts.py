"""Webhook receipts and the fetches they schedule, written straight through the database driver.

This is the bot's hottest write: every Twilio webhook commits a receipt (the dedupe key and the
body) and moves its request's ``request_sync.due_at`` closer, in one transaction, before the
2xx. Through the SQLAlchemy async session that transaction cost about 2 ms of CPU (one event
loop round trip per statement plus connection checkout and reset); here a whole batch costs
one round trip:

- **PostgreSQL**: one asyncpg connection and one statement (a data-modifying CTE, so one
  implicit transaction): insert the receipts, upsert the schedule rows of the new ones, return
  their keys. The connection is re-opened after any failure.
- **SQLite**: one ``sqlite3`` connection of its own, used only from one worker thread (sqlite3
  has no async driver; the event loop never waits on the file). A batch is one call into that
  thread: ``BEGIN IMMEDIATE``, the inserts, the upserts, ``COMMIT``.

The schedule upsert is the one ORM transactions run
(:func:`bot.store.poll_schedule.nudge_statement`, compiled once per dialect): a nudge never
moves a fetch later, and records when it came.
``tests/store/test_receipts.py`` holds both paths to the same result.

The same connection answers the polling workers' idle peeks (``bot.store.peek``): a read on
a connection that is there anyway, instead of an ORM transaction a second per worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import asyncpg
from sqlalchemy import ARRAY, Text, bindparam, delete, func, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Dialect

from bot.store import poll_schedule
from bot.store.db import Database, table
from bot.store.peek import Peek, compiled
from bot.store.types import UTCDateTime
from bot.store.url import DatabaseUrl

log = logging.getLogger(__name__)
T = TypeVar("T")

# A webhook that cannot be stored within this long is answered 503 (Twilio retries) rather
# than held until Twilio's own timeout gives up on it.
BUSY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Receipt:
    key: str  # dedupe key: the same delivery always has the same key
    request_sid: str
    event: str | None
    body: str


class ReceiptWriter(Protocol):
    async def write(self, receipts: Sequence[Receipt], now: datetime, due: datetime) -> set[str]:
        """Commit the receipts not stored before and schedule their requests' fetch by
        ``due`` (never later than already scheduled); return the keys that were new. Raises
        when the database did not take the batch (then nothing of it was written)."""
        ...

    async def peek(self, peek: Peek, now: datetime) -> bool:
        """A polling worker's idle look (``bot.store.peek``), on this writer's connection."""
        ...

    async def close(self) -> None: ...


def receipt_writer(database_url: str | DatabaseUrl) -> ReceiptWriter:
    """The writer for DATABASE_URL: every spelling the engine takes (one parser,
    :class:`bot.store.url.DatabaseUrl`), except an in-memory SQLite database, which this
    writer's own connection could not share with the engine's."""
    url = DatabaseUrl.parse(database_url)
    if url.backend == "postgresql":
        return PostgresReceipts(url.dsn)
    return SqliteReceipts(url.require_file().sqlite_path)


RECEIPTS = table("webhook_receipt")
_SQLITE = sqlite_dialect.dialect(paramstyle="named")
_ASYNCPG: Dialect = asyncpg_dialect()  # type: ignore[no-untyped-call]


@functools.cache
def _stamp(dialect: Dialect) -> Callable[[datetime], Any]:
    """How the schedule's datetime columns bind on ``dialect`` (for SQLite, text that sorts by
    time), so rows written here compare and read back exactly like the ORM's."""
    column_type = UTCDateTime()
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    return process


# -- PostgreSQL ------------------------------------------------------------------------------


@functools.cache
def _pg_write() -> tuple[str, tuple[str, ...]]:
    """One statement for a batch: insert the receipts, nudge the schedule rows of the new
    ones (the schedule's own upsert), return their keys. Its SQL, and the order of its
    parameters by name."""
    texts = ARRAY(Text)
    incoming = (
        func.unnest(
            *(bindparam(name, type_=texts) for name in ("keys", "sids", "events", "bodies"))
        )
        .table_valued("dedupe_key", "request_sid", "event", "payload")
        .render_derived(name="t")
    )
    now = bindparam("now", type_=UTCDateTime())
    received = select(*incoming.c, literal_column("'received'"), now)
    stored = (
        postgresql.insert(RECEIPTS)
        .from_select(
            ["dedupe_key", "request_sid", "event", "payload", "outcome", "received_at"], received
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(RECEIPTS.c.dedupe_key, RECEIPTS.c.request_sid)
        .cte("stored")
    )
    nudged = poll_schedule.nudge_from(
        select(
            stored.c.request_sid, bindparam("due", type_=UTCDateTime()), now, literal_column("0")
        )
        .distinct()
        .order_by(stored.c.request_sid)  # concurrent writers lock rows in one order: no deadlocks
    ).cte("nudged")
    compiled = select(stored.c.dedupe_key).add_cte(nudged).compile(dialect=_ASYNCPG)
    return str(compiled), tuple(compiled.positiontup or ())


class PostgresReceipts:
    """One connection, one statement per batch (callers write one batch at a time)."""

    def __init__(self, dsn: str, *, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self._dsn = dsn
        self._timeout = timeout
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def write(self, receipts: Sequence[Receipt], now: datetime, due: datetime) -> set[str]:
        sql, order = _pg_write()
        stamp = _stamp(_ASYNCPG)
        params = {
            "keys": [r.key for r in receipts],
            "sids": [r.request_sid for r in receipts],
            "events": [r.event for r in receipts],
            "bodies": [r.body for r in receipts],
            "now": stamp(now),
            "due": stamp(due),
        }
        rows = await self._call(
            "fetch", sql, *(params[name] for name in order), timeout=self._timeout
        )
        return {row[0] for row in rows}

    async def peek(self, peek: Peek, now: datetime) -> bool:
        sql, order, own = compiled(peek, _ASYNCPG)
        values = {**own, "now": _stamp(_ASYNCPG)(now)}
        found = await self._call(
            "fetchval", sql, *(values[name] for name in order), timeout=self._timeout
        )
        return bool(found)

    async def _call(self, method: str, *args: Any, timeout: float) -> Any:  # noqa: ASYNC109
        async with self._lock:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(
                        self._dsn,
                        timeout=self._timeout,
                        server_settings={"application_name": "porting-bot webhooks"},
                    )
                return await getattr(self._conn, method)(*args, timeout=timeout)
            except BaseException:
                await self._drop()  # a broken or timed-out connection is not reused
                raise

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()

    async def close(self) -> None:
        async with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    await asyncio.wait_for(conn.close(), timeout=self._timeout)
                except Exception:
                    conn.terminate()


# -- SQLite ----------------------------------------------------------------------------------

_SQLITE_RECEIPT = (
    "INSERT INTO webhook_receipt (dedupe_key, request_sid, event, payload, outcome, received_at)"
    " VALUES (?, ?, ?, ?, 'received', ?) ON CONFLICT (dedupe_key) DO NOTHING"
)


@functools.cache
def _sqlite_nudge() -> tuple[str, dict[str, Any]]:
    """The schedule's upsert for sqlite3, with named parameters: its SQL and the values it
    binds itself (besides each row's)."""
    compiled = poll_schedule.nudge_statement("sqlite").compile(dialect=_SQLITE)
    own = {name: value for name, value in compiled.params.items() if value is not None}
    return str(compiled), own


class SqliteReceipts:
    """A connection of its own, used from one worker thread only.

    The thread takes work from a queue and hands results back with ``call_soon_threadsafe``:
    measured at 135 µs of CPU per round trip against 330 µs through a ThreadPoolExecutor
    (``run_in_executor``), and there is one round trip per webhook at low rates.
    """

    def __init__(self, path: str, *, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self._path = path
        self._timeout = timeout
        self._conn: sqlite3.Connection | None = None  # touched only in the worker thread
        self._work: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="webhook-receipts", daemon=True)
        self._thread.start()

    async def write(self, receipts: Sequence[Receipt], now: datetime, due: datetime) -> set[str]:
        return await self._in_thread(self._write, list(receipts), now, due)

    async def peek(self, peek: Peek, now: datetime) -> bool:
        sql, _, own = compiled(peek, _SQLITE)
        return await self._in_thread(_exists, sql, {**own, "now": _stamp(_SQLITE)(now)})

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        if not self._thread.is_alive():
            raise RuntimeError("the webhook receipt writer is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._work.put(_Job(loop, future, work, args))
        return await future

    def _serve(self) -> None:
        while (job := self._work.get()) is not None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = self._guarded(job.work, *job.args)
            except BaseException as failure:
                error = failure
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                job.loop.call_soon_threadsafe(_settle, job.future, result, error)
        self._close()

    def _guarded(self, work: Callable[..., T], *args: Any) -> T:
        try:
            return work(self._connect(), *args)
        except BaseException:
            self._close()  # closing rolls back; the next call opens a fresh connection
            raise

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, timeout=self._timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")  # as the engine's connections (bot.store.db)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn = conn
        return self._conn

    @staticmethod
    def _write(
        conn: sqlite3.Connection, receipts: list[Receipt], now: datetime, due: datetime
    ) -> set[str]:
        stamp = _stamp(_SQLITE)
        at, due_at = stamp(now), stamp(due)
        new: set[str] = set()
        sids: set[str] = set()
        conn.execute("BEGIN IMMEDIATE")
        for r in receipts:
            cursor = conn.execute(_SQLITE_RECEIPT, (r.key, r.request_sid, r.event, r.body, at))
            if cursor.rowcount == 1:
                new.add(r.key)
                sids.add(r.request_sid)
        nudge, own = _sqlite_nudge()
        # One statement per request, in the order every writer locks them (a webhook's usual
        # batch is one receipt: plain execute, no executemany and no row dicts to build).
        for sid in sorted(sids):
            conn.execute(nudge, {**own, "sid": sid, "due": due_at, "now": at})
        conn.execute("COMMIT")
        return new

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        """Finish the queued work, close the connection and end the thread."""
        if self._thread.is_alive():
            self._work.put(None)
            await asyncio.to_thread(self._thread.join, self._timeout)


def _exists(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> bool:
    row = conn.execute(sql, params).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class _Job:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    work: Callable[..., Any]
    args: tuple[Any, ...]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller gave up (cancelled): nothing to hand back
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


# -- pruning (through the ORM engine, off the writer's connection) -----------------------------


async def delete_receipts_before(db: Database, before: datetime, chunk: int = 5000) -> int:
    """Forget webhook receipts received before ``before``, ``chunk`` rows per transaction, so
    the webhook writer never waits long for the table; returns how many went."""
    oldest = (
        select(RECEIPTS.c.id).where(RECEIPTS.c.received_at < before).limit(chunk).scalar_subquery()
    )
    total = 0
    while True:
        async with db.session() as s:
            result = await s.exec(delete(RECEIPTS).where(RECEIPTS.c.id.in_(oldest)))
            await s.commit()
        total += result.rowcount or 0
        if (result.rowcount or 0) < chunk:
            return total
