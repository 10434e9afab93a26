"""The durable Slack outbox: work is written in the same transaction as the change that causes
it (``bot.store.queue``), and a worker in every process delivers it.

Guarantees, and how:

- **Nothing lost.** Items stay pending until Slack confirmed them; failures back off
  (``Retry-After`` honoured) and are retried forever at a capped interval. Items that keep
  failing (``not_in_channel``, say) are logged and counted in ``/readyz``.
- **In order per thread.** A post of a request is claimed only when no earlier *ordered* post
  of it is pending (``Work.ordered``), so a reply never overtakes the root message or an
  earlier reply; a reminder or digest that waits or keeps failing holds no reply back. Board
  edits are not ordered: they always draw the latest state, so they are coalesced to one
  pending edit per request and sent at most every ``PORTING_BOARD_SECONDS``
  (``bot.store.edits.touch_board``).
- **Never twice.** Items are claimed under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
  SQLite has a single writer), renewed while the worker holds them and confirmed right before
  each Slack request (``bot.leases``). If an attempt ends without a clear answer (timeout,
  crash, 5xx), the next one first looks in Slack for a message stamped with the item's key and
  adopts it instead of posting again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot import logs, metrics, work
from bot.background import Wakeup
from bot.delivered import Delivered, DeliveryError, NotYet
from bot.errors import NotFound
from bot.leases import LeaseLost, Leases
from bot.store import queue
from bot.store.db import Database
from bot.store.health import OutboxHealth
from bot.store.items import Item, ItemStatus
from bot.store.peek import Peeker
from bot.worker import PollingLoop

__all__ = [
    "Delivered",
    "Deliverer",
    "DeliveryError",
    "LeaseLost",
    "NotYet",
    "Outbox",
    "OutboxDoor",
]

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0  # covers pacing waits plus Slack's 30 s timeout
MAX_BACKOFF = 600.0
KEEP_DONE = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)


class Deliverer(Protocol):
    """Delivers one item to Slack (``bot.slack.delivery.SlackDeliverer``), calling
    ``await item.begin()`` right before the request."""

    async def deliver(self, item: Item) -> Delivered: ...


class OutboxDoor:
    """What the code that queues Slack work holds of the outbox (the desk): wake its worker
    now rather than at its next poll, and wait for an item to be delivered. Built before the
    worker (which shares its :attr:`wakeup`), so the desk needs no deliverer to exist."""

    def __init__(self, db: Database, wakeup: Wakeup | None = None) -> None:
        self.db = db
        self.wakeup = wakeup or Wakeup()

    async def wait(self, key: str, timeout: float) -> None:  # noqa: ASYNC109 - a deadline
        """Wait until the item ``key`` is delivered. Raises DeliveryError when an attempt made
        while waiting failed, TimeoutError when Slack did not answer in time; either way the
        item stays queued and is retried."""
        self.wakeup.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen: int | None = None
        while True:
            progress = await queue.progress(self.db, key)
            if progress is None:
                raise NotFound(f"nothing queued as {key}")
            if progress.status == ItemStatus.DONE:
                return
            if seen is None:
                seen = progress.attempts
            elif progress.attempts > seen and progress.last_error:
                raise DeliveryError(progress.last_error)
            if loop.time() >= deadline:
                raise TimeoutError(f"Slack has not confirmed {key} yet; it stays queued")
            await asyncio.sleep(0.02)


class Outbox(OutboxDoor):
    """The delivery worker (one per process; any number of processes). ``wakeup``: the
    :class:`OutboxDoor`'s the queuers hold."""

    def __init__(
        self,
        db: Database,
        deliverer: Deliverer,
        *,
        wakeup: Wakeup | None = None,
        batch: int = 8,
        poll_seconds: float = 1.0,
        backoff_base: float = 1.0,
        lease_seconds: float = LEASE_SECONDS,
        rng: random.Random | None = None,
        peeker: Peeker | None = None,
    ) -> None:
        super().__init__(db, wakeup)
        self.deliverer = deliverer
        self.batch = batch
        self.backoff_base = backoff_base
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = f"outbox-{uuid.uuid4().hex[:12]}"
        self.leases = Leases(db, self.owner, self.lease)
        self._peeker = peeker
        self._loop = PollingLoop(
            "outbox",
            self.tick,
            poll_seconds=poll_seconds,
            wakeup=self.wakeup,
            peek=self._peek if peeker is not None else None,
        )
        self._rng = rng or random.Random()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._claiming = False
        self._pruned_at: datetime | None = None
        self._claims = 0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._loop.start()
        self.leases.start()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming; let deliveries in flight finish for ``grace`` seconds. Anything cut
        off keeps its lease until it expires and is looked up in Slack before a new attempt."""
        if not self._loop.running:
            return
        await self._loop.stop()
        if self._in_flight:
            _, late = await asyncio.wait(set(self._in_flight), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.leases.stop()

    # -- the loop -------------------------------------------------------------------------

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
            task = asyncio.create_task(self._deliver(item), name=f"outbox:{item.key}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(items)

    async def _peek(self) -> bool:
        """Whether a tick has anything to do now: something ready to claim, or pruning due
        (``bot.store.peek``: a quiet poll costs a read, not a claim)."""
        now = datetime.now(UTC)
        if self._prune_due(now):
            return True
        assert self._peeker is not None
        return await self._peeker.peek(queue.ready_peek(), now)

    async def claim(self, limit: int) -> list[Item]:
        """Lease up to ``limit`` ready items to this worker, held (renewed) until delivered."""
        self._claims += 1
        token = f"{self.owner}/{self._claims}"  # a re-claim never passes for an earlier one
        items = await queue.claim(self.db, token, self.lease, limit)
        return [self.leases.hold(item) for item in items]

    async def renew(self) -> int:
        """Extend the leases of the items this worker holds, claimed or in flight (every third
        of a lease while running): an item is taken over only when its worker stops renewing
        (it died, or lost the database). Returns how many leases were extended."""
        return await self.leases.renew()

    async def _deliver(self, item: Item) -> None:
        try:
            with logs.context(request_sid=item.request_sid, outbox_key=item.key):
                result = await self._attempt(item)
            if result:
                metrics.SLACK_DELIVERIES.labels(item.kind, result).inc()
        finally:
            self.leases.release(item)

    async def _attempt(self, item: Item) -> str | None:
        """Returns how the attempt ended (``bot.metrics``), None when none was made."""
        posting = not item.edit
        if posting and not await queue.start_attempt(self.db, item.id, item.lease):
            return None  # no longer ours (see LeaseLost)
        try:
            delivered = await self.deliverer.deliver(item)
        except LeaseLost:
            log.info("%s changed hands before it was sent; its new holder sends it", item.key)
            return "lease_lost"
        except NotYet as wait:
            later = datetime.now(UTC) + timedelta(seconds=wait.retry_after)
            await queue.postpone(self.db, item.id, item.lease, later)
            return "deferred"
        except DeliveryError as error:
            await self._failed(item, error)
            return "failed"
        except Exception as error:  # a bug in rendering must not kill the worker or lose work
            log.exception("delivering %s failed", item.key)
            await self._failed(item, DeliveryError(type(error).__name__, maybe_sent=True))
            return "error"
        completed = await queue.complete(
            self.db, item, item.lease, delivered.result, delivered.thread, delivered.follow_ups
        )
        if completed and (delivered.follow_ups or delivered.thread):
            self.wakeup.set()
        return "sent"

    async def _failed(self, item: Item, error: DeliveryError) -> None:
        posting = not item.edit
        attempts = item.attempts + (1 if posting else 0)
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            delay = min(MAX_BACKOFF, self.backoff_base * 2 ** max(0, attempts - 1))
            delay *= self._rng.uniform(0.5, 1.0)
        level = logging.WARNING if attempts < queue.FAILING_AFTER else logging.ERROR
        log.log(
            level,
            "Slack %s for %s failed (%s), attempt %d; retry in %.1fs",
            item.kind,
            item.request_sid,
            error.error,
            attempts,
            delay,
        )
        # When the request went out the error says whether it may have landed. Otherwise an
        # earlier attempt's doubt stands until a look in Slack or a clear answer ends it.
        maybe_sent = error.maybe_sent if posting and self.leases.sent(item) else None
        retry_at = datetime.now(UTC) + timedelta(seconds=delay)
        await queue.failed(self.db, item.id, item.lease, error.error, retry_at, maybe_sent)

    def _prune_due(self, now: datetime) -> bool:
        return self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY

    async def _prune(self) -> None:
        now = datetime.now(UTC)
        if not self._prune_due(now):
            return
        self._pruned_at = now
        await queue.prune(self.db, now - KEEP_DONE)

    # -- waiting and observation -----------------------------------------------------------

    async def health(self) -> OutboxHealth:
        return await queue.health(self.db)

    async def settled(self) -> bool:
        """Nothing ready to send and nothing in flight (tests, benchmarks)."""
        if self._in_flight or self._claiming:
            return False
        return not await queue.any_ready(self.db)

    async def pending(self, kinds: Sequence[str] = tuple(work.KINDS)) -> int:
        return await queue.count_pending(self.db, kinds)
