"""The durable Slack outbox: work is written in the same transaction as the change that causes
it, and a worker in every process delivers it.

Guarantees, and how:

- **Nothing lost.** Items stay ``pending`` until Slack confirmed them; failures back off
  (``Retry-After`` honoured) and are retried forever at a capped interval. Items that keep
  failing (``not_in_channel``, say) are logged and counted in ``/readyz``.
- **In order per thread.** Only the oldest pending post of a request can be claimed, so a
  reply never overtakes the root message or an earlier reply. Board edits are not ordered: they
  always draw the latest state, so they are coalesced to one pending edit per request and sent
  at most every ``board_interval`` seconds.
- **Never twice.** Items are claimed under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
  SQLite has a single writer). The worker renews the leases of everything it holds until it is
  done with it, so only the work of a dead (or cut-off) worker is taken over, however long an
  item waits for its channel's turn. Right before the Slack request (after any pacing wait) the
  deliverer calls :meth:`Item.begin`, which in one statement confirms the lease is still this
  worker's, renews it and marks the item ``maybe_sent``; when the lease is gone it raises
  :class:`LeaseLost` and nothing is sent, so an item that changed hands is sent by its new
  holder only. If an attempt ends without a clear answer (timeout, crash, 5xx), the next one
  first looks in Slack for a message stamped with the item's key and adopts it instead of
  posting again.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import Database
from bot.store.models import OutboxItem, RequestThread
from bot.tasks import Wakeup

log = logging.getLogger(__name__)

OUTBOX = OutboxItem.__table__
THREADS = RequestThread.__table__
ROOT, REPLY, FILE, BOARD = "root", "reply", "file", "board"
LEASE_SECONDS = 120.0  # covers pacing waits plus Slack's 30 s timeout
MAX_BACKOFF = 600.0
FAILING_AFTER = 3  # attempts before an item counts as failing in /readyz
KEEP_DONE = timedelta(days=7)


async def _unfenced() -> None:
    return None


@dataclass(frozen=True)
class Item:
    """A claimed piece of work, as the deliverer sees it."""

    id: int
    key: str
    request_sid: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    maybe_sent: bool
    created_at: datetime
    fence: Callable[[], Awaitable[None]] = field(default=_unfenced, compare=False, repr=False)

    async def begin(self) -> None:
        """Call immediately before the Slack request that may post (after any pacing wait).
        Raises :class:`LeaseLost` when the item is no longer this worker's: then send nothing.
        """
        await self.fence()


@dataclass(frozen=True)
class NewItem:
    kind: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivered:
    """What a delivery produced: the message ts (or file id), the thread a root opened, and
    work that follows from it (a CSV after a long reply)."""

    result: str | None = None
    thread: tuple[str, str] | None = None  # (channel, ts)
    follow_ups: list[NewItem] = field(default_factory=list)


class DeliveryError(Exception):
    """Slack did not take the work. ``maybe_sent``: it may have anyway (timeout, 5xx)."""

    def __init__(
        self, error: str, *, retry_after: float | None = None, maybe_sent: bool = False
    ) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class LeaseLost(Exception):
    """Another worker holds the item now (this one's lease ran out while it could not renew
    it): this attempt ends without sending anything and without touching the row."""


class NotYet(Exception):
    """The item depends on work not done yet (a board edit before its root exists)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"not yet; retry in {retry_after}s")
        self.retry_after = retry_after


class Deliverer(Protocol):
    """Delivers one item to Slack (``bot.slack.notifier.SlackNotifier``), calling
    ``await item.begin()`` right before the request."""

    async def deliver(self, item: Item) -> Delivered: ...


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they are always UTC here."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OUTBOX)


async def add(
    session: AsyncSession, request_sid: str, item: NewItem, now: datetime | None = None
) -> None:
    """Queue a post in ``session`` (nothing happens if an item with that key exists)."""
    now = now or datetime.now(UTC)
    await session.exec(
        _insert(session)
        .values(
            key=item.key,
            request_sid=request_sid,
            kind=item.kind,
            payload=json.dumps(item.payload, separators=(",", ":")),
            status="pending",
            attempts=0,
            maybe_sent=False,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def touch_board(
    session: AsyncSession, request_sid: str, interval: float, now: datetime | None = None
) -> None:
    """Ask for one edit of the request's status board, no sooner than ``interval`` seconds
    after the previous one. Call it under the request's lock (``reconcile.lock``)."""
    now = now or datetime.now(UTC)
    key = f"{BOARD}:{request_sid}"
    row = (await session.exec(select(OutboxItem).where(OutboxItem.key == key))).scalar_one_or_none()
    if row is None:
        await add(session, request_sid, NewItem(BOARD, key), now)
        return
    if row.status == "pending" and row.lease_owner is None:
        return  # an edit is already waiting; it will draw the latest state
    if row.status == "pending":
        # Being sent right now, possibly drawn before this change: take the lease away so its
        # completion does not count, and send again after the interval.
        row.next_attempt_at = now + timedelta(seconds=interval)
    else:
        last = aware(row.done_at) if row.done_at else now
        row.next_attempt_at = max(now, last + timedelta(seconds=interval))
    row.status = "pending"
    row.lease_owner = row.lease_until = None
    row.attempts = 0
    row.last_error = None
    session.add(row)


async def has_pending(session: AsyncSession, key: str) -> bool:
    found = await session.exec(
        select(OUTBOX.c.id).where(OUTBOX.c.key == key, OUTBOX.c.status == "pending")
    )
    return found.first() is not None


@dataclass
class OutboxHealth:
    pending: int
    failing: int
    oldest_seconds: float | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "failing": self.failing,
            "oldest_pending_seconds": self.oldest_seconds,
            "last_error": self.last_error,
        }


class Outbox:
    """The delivery worker (one per process; any number of processes)."""

    def __init__(
        self,
        db: Database,
        deliverer: Deliverer,
        *,
        board_interval: float = 5.0,
        batch: int = 8,
        poll_seconds: float = 1.0,
        backoff_base: float = 1.0,
        lease_seconds: float = LEASE_SECONDS,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.deliverer = deliverer
        self.board_interval = board_interval
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.backoff_base = backoff_base
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = f"outbox-{uuid.uuid4().hex[:12]}"
        self.wakeup = Wakeup()
        self._rng = rng or random.Random()
        self._task: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        # Items this worker holds (their leases are renewed), each with whether its Slack
        # request went out in this attempt (past ``Item.begin``).
        self._held: dict[int, bool] = {}
        self._claiming = False
        self._pruned_at: datetime | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox")
        self._renewer = asyncio.create_task(self._renew_leases(), name="outbox-leases")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming; let deliveries in flight finish for ``grace`` seconds. Anything cut
        off keeps its lease until it expires and is looked up in Slack before a new attempt."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        if self._in_flight:
            _, late = await asyncio.wait(set(self._in_flight), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
            self._renewer = None

    # -- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                claimed = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database blip must not end delivery for good
                log.exception("outbox tick failed")
                claimed = 0
            if not claimed:
                await self.wakeup.wait(self.poll_seconds)

    async def tick(self) -> int:
        """Claim what is ready and start delivering it; returns how many were claimed.

        Deliveries run as tasks so a slow channel (paced, or rate-limited) does not hold up
        the others; claiming skips requests that already have an item in flight.
        """
        await self._prune()
        room = self.batch - len(self._in_flight)
        if room <= 0:
            await asyncio.wait(set(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
            return 1
        self._claiming = True  # claimed rows are leased before their tasks exist
        try:
            items = await self.claim(room)
        finally:
            self._claiming = False
        for item in items:
            self._held[item.id] = False
            task = asyncio.create_task(self._deliver(item), name=f"outbox:{item.key}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(items)

    async def claim(self, limit: int) -> list[Item]:
        now = datetime.now(UTC)
        params = {"now": now, "owner": self.owner, "until": now + self.lease}
        async with self.db.session() as s:
            rows = []
            for statement in _claims(limit):
                rows.extend((await s.exec(statement, params=params)).all())
            await s.commit()
        return [
            Item(
                id=r.id,
                key=r.key,
                request_sid=r.request_sid,
                kind=r.kind,
                payload=json.loads(r.payload),
                attempts=r.attempts,
                maybe_sent=r.maybe_sent,
                created_at=aware(r.created_at),
                fence=functools.partial(self._begin, r.id, r.kind),
            )
            for r in sorted(rows, key=lambda r: r.id)
        ]

    async def _deliver(self, item: Item) -> None:
        try:
            await self._attempt(item)
        finally:
            self._held.pop(item.id, None)

    async def _attempt(self, item: Item) -> None:
        if item.kind != BOARD and not await self._set(item, attempts=OUTBOX.c.attempts + 1):
            return  # no longer ours (see LeaseLost)
        try:
            delivered = await self.deliverer.deliver(item)
        except LeaseLost:
            log.info("%s changed hands before it was sent; its new holder sends it", item.key)
            return
        except NotYet as wait:
            await self._set(
                item,
                lease_owner=None,
                lease_until=None,
                next_attempt_at=datetime.now(UTC) + timedelta(seconds=wait.retry_after),
            )
            return
        except DeliveryError as error:
            await self._failed(item, error)
            return
        except Exception as error:  # a bug in rendering must not kill the worker or lose work
            log.exception("delivering %s failed", item.key)
            await self._failed(item, DeliveryError(type(error).__name__, maybe_sent=True))
            return
        await self._complete(item, delivered)

    async def _set(self, item: Item | int, **values: Any) -> int:
        """Update the row while this worker holds its lease; returns 0 when it does not."""
        item_id = item if isinstance(item, int) else item.id
        async with self.db.session() as s:
            result = await s.exec(
                update(OUTBOX)
                .where(OUTBOX.c.id == item_id, OUTBOX.c.lease_owner == self.owner)
                .values(**values)
            )
            await s.commit()
            return result.rowcount

    async def _begin(self, item_id: int, kind: str) -> None:
        """``Item.begin``: the lease is still ours (renewed for the call), and a post is marked
        ``maybe_sent`` first, committed, so if we die mid-call the next attempt looks first."""
        values: dict[str, Any] = {"lease_until": datetime.now(UTC) + self.lease}
        if kind != BOARD:
            values["maybe_sent"] = True
        if await self._set(item_id, **values):
            self._held[item_id] = True
            return
        if kind == BOARD and await self._board_taken_back(item_id):
            # A newer change took the edit back (``touch_board``) and scheduled another: this
            # one still shows more than the board does now, and it is not repeated work.
            return
        raise LeaseLost(f"outbox item {item_id} is no longer leased to {self.owner}")

    async def _board_taken_back(self, item_id: int) -> bool:
        async with self.db.session() as s:
            row = (
                await s.exec(
                    select(OUTBOX.c.status, OUTBOX.c.lease_owner).where(OUTBOX.c.id == item_id)
                )
            ).first()
        return row is not None and row.status == "pending" and row.lease_owner is None

    async def _renew_leases(self) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew()
            except Exception as error:  # retried next round; Item.begin still checks
                log.warning("renewing Slack delivery leases failed (%s)", type(error).__name__)

    async def renew(self) -> int:
        """Extend the leases of the items this worker holds, claimed or in flight (every third
        of a lease while running): an item is taken over only when its worker stops renewing
        (it died, or lost the database). Returns how many leases were extended."""
        if not self._held:
            return 0
        async with self.db.session() as s:
            result = await s.exec(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(self._held)), OUTBOX.c.lease_owner == self.owner)
                .values(lease_until=datetime.now(UTC) + self.lease)
            )
            await s.commit()
        return result.rowcount

    async def _failed(self, item: Item, error: DeliveryError) -> None:
        attempts = item.attempts + (0 if item.kind == BOARD else 1)
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            delay = min(MAX_BACKOFF, self.backoff_base * 2 ** max(0, attempts - 1))
            delay *= self._rng.uniform(0.5, 1.0)
        level = logging.WARNING if attempts < FAILING_AFTER else logging.ERROR
        log.log(
            level,
            "Slack %s for %s failed (%s), attempt %d; retry in %.1fs",
            item.kind,
            item.request_sid,
            error.error,
            attempts,
            delay,
            extra={"request_sid": item.request_sid, "outbox_key": item.key},
        )
        values: dict[str, Any] = {
            "lease_owner": None,
            "lease_until": None,
            "last_error": error.error[:300],
            "next_attempt_at": datetime.now(UTC) + timedelta(seconds=delay),
        }
        if item.kind != BOARD and self._held.get(item.id):
            # The request went out: the error says whether it may have landed. Otherwise an
            # earlier attempt's doubt stands until a look in Slack or a clear answer ends it.
            values["maybe_sent"] = error.maybe_sent
        await self._set(item, **values)

    async def _complete(self, item: Item, delivered: Delivered) -> None:
        now = datetime.now(UTC)
        async with self.db.session() as s:
            done = await s.exec(
                update(OUTBOX)
                .where(OUTBOX.c.id == item.id, OUTBOX.c.lease_owner == self.owner)
                .values(
                    status="done",
                    done_at=now,
                    result=delivered.result,
                    maybe_sent=False,
                    lease_owner=None,
                    lease_until=None,
                    last_error=None,
                )
            )
            if not done.rowcount:
                # The lease was taken away (a board redrawn meanwhile, or a lease that ran out):
                # the row stays pending and is delivered again.
                await s.rollback()
                return
            if delivered.thread is not None:
                channel, ts = delivered.thread
                dialect = s.get_bind().dialect.name
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                await s.exec(
                    insert(THREADS)
                    .values(
                        request_sid=item.request_sid,
                        channel_id=channel,
                        thread_ts=ts,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["request_sid"])
                )
            for follow_up in delivered.follow_ups:
                await add(s, item.request_sid, follow_up, now)
            await s.commit()
        if delivered.follow_ups or delivered.thread:
            self.wakeup.set()

    async def _prune(self) -> None:
        now = datetime.now(UTC)
        if self._pruned_at is not None and now - self._pruned_at < timedelta(hours=1):
            return
        self._pruned_at = now
        async with self.db.session() as s:
            await s.exec(
                delete(OUTBOX).where(
                    OUTBOX.c.status == "done",
                    OUTBOX.c.kind != BOARD,
                    OUTBOX.c.done_at < now - KEEP_DONE,
                )
            )
            await s.commit()

    # -- waiting and observation -----------------------------------------------------------

    async def wait(self, key: str, timeout: float) -> None:  # noqa: ASYNC109 - a deadline
        """Wait until the item ``key`` is delivered. Raises DeliveryError when an attempt made
        while waiting failed, TimeoutError when Slack did not answer in time; either way the
        item stays queued and is retried."""
        self.wakeup.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen: int | None = None
        while True:
            async with self.db.session() as s:
                row = (
                    await s.exec(
                        select(OUTBOX.c.status, OUTBOX.c.attempts, OUTBOX.c.last_error).where(
                            OUTBOX.c.key == key
                        )
                    )
                ).first()
            if row is None:
                raise LookupError(f"nothing queued as {key}")
            if row.status == "done":
                return
            if seen is None:
                seen = row.attempts
            elif row.attempts > seen and row.last_error:
                raise DeliveryError(row.last_error)
            if loop.time() >= deadline:
                raise TimeoutError(f"Slack has not confirmed {key} yet; it stays queued")
            await asyncio.sleep(0.02)

    async def health(self) -> OutboxHealth:
        now = datetime.now(UTC)
        async with self.db.session() as s:
            pending = (
                await s.exec(
                    select(func.count(), func.min(OUTBOX.c.created_at)).where(
                        OUTBOX.c.status == "pending"
                    )
                )
            ).one()
            failing = (
                (
                    await s.exec(
                        select(OUTBOX.c.last_error)
                        .where(
                            OUTBOX.c.status == "pending",
                            OUTBOX.c.attempts >= FAILING_AFTER,
                        )
                        .order_by(OUTBOX.c.id)
                    )
                )
                .scalars()
                .all()
            )
        oldest = (now - aware(pending[1])).total_seconds() if pending[1] else None
        return OutboxHealth(pending[0], len(failing), oldest, failing[0] if failing else None)

    async def settled(self) -> bool:
        """Nothing ready to send and nothing in flight (tests, benchmarks)."""
        if self._in_flight or self._claiming:
            return False
        async with self.db.session() as s:
            for ready, _ in _ready(1):
                if (await s.exec(ready, params={"now": datetime.now(UTC)})).first() is not None:
                    return False
        return True

    async def pending(self, kinds: Sequence[str] = (ROOT, REPLY, FILE, BOARD)) -> int:
        async with self.db.session() as s:
            return (
                await s.exec(
                    select(func.count()).where(
                        OUTBOX.c.status == "pending", OUTBOX.c.kind.in_(list(kinds))
                    )
                )
            ).scalar_one()


@functools.cache
def _ready(limit: int) -> list[tuple[Any, Any]]:
    """Selects of the posts and board edits that can be sent at ``:now``, each with its table
    alias. Built once per limit (building them is costlier than running them).

    A post is ready when it is due, not leased, and no earlier post of its request is still
    pending (per-thread order). Aliases keep the subqueries from correlating with the UPDATE
    that claims them.
    """
    now = bindparam("now", type_=OUTBOX.c.next_attempt_at.type)
    c, p, b = OUTBOX.alias("c"), OUTBOX.alias("p"), OUTBOX.alias("b")
    earlier = (
        select(p.c.id)
        .where(
            p.c.request_sid == c.c.request_sid,
            p.c.status == "pending",
            p.c.kind != BOARD,
            p.c.id < c.c.id,
        )
        .exists()
    )
    posts = (
        select(c.c.id)
        .where(
            c.c.status == "pending",
            c.c.kind != BOARD,
            c.c.next_attempt_at <= now,
            or_(c.c.lease_until.is_(None), c.c.lease_until < now),
            ~earlier,
        )
        .order_by(c.c.id)
        .limit(limit)
    )
    boards = (
        select(b.c.id)
        .where(
            b.c.status == "pending",
            b.c.kind == BOARD,
            b.c.next_attempt_at <= now,
            or_(b.c.lease_until.is_(None), b.c.lease_until < now),
        )
        .order_by(b.c.next_attempt_at)
        .limit(limit)
    )
    return [(posts, c), (boards, b)]


@functools.cache
def _claims(limit: int) -> list[Any]:
    """UPDATEs that lease what ``_ready`` selects to ``:owner`` until ``:until``, returning
    the leased rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    now = bindparam("now", type_=OUTBOX.c.lease_until.type)
    free = or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < now)
    return [
        update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(
                candidates.with_for_update(skip_locked=True, of=table).scalar_subquery()
            ),
            free,
        )
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(*OUTBOX.c)
        for candidates, table in _ready(limit)
    ]
