"""Keeps every followed request in step with Twilio: webhook nudges and periodic polls share
one durable schedule (``bot.store.poll_schedule``), and both end in the same ``Syncer.sync`` call.

A webhook only moves a request's ``due_at`` closer (plus a short window, so the per-number
events of a big request are applied together). The :class:`Reconciler` claims due requests
under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer), fetches them
and pushes ``due_at`` out by the poll interval with jitter, which spreads the polls of many
requests over the interval. Twilio failures back off per request; a request that Twilio says
no longer exists stops being polled.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot import logs
from bot.porting.errors import TwilioError
from bot.store import poll_schedule
from bot.store.db import Database
from bot.store.health import SyncHealth
from bot.store.peek import Peeker
from bot.store.poll_schedule import DISCOVERY
from bot.worker import PollingLoop

__all__ = ["DISCOVERY", "DISCOVERY_WINDOW", "Discoverer", "Reconciler", "Syncer"]

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)  # longer than a fetch with all of the client's retries
MAX_BACKOFF = timedelta(minutes=10)
DISCOVERY_WINDOW = timedelta(days=90)


def _backoff(failures: int) -> float:
    return min(MAX_BACKOFF.total_seconds(), 5.0 * 2.0 ** (failures - 1))


class Syncer(Protocol):
    """Fetches a due request and applies it: ``bot.desk.sync.Requests``."""

    async def sync(self, request_sid: str) -> object: ...


class Discoverer(Protocol):
    """Lists Twilio's open requests to adopt: ``bot.desk.sync.Requests``."""

    async def discover(self) -> list[str]: ...


class Reconciler:
    """Claims due requests and syncs them; one per process, any number of processes."""

    def __init__(
        self,
        db: Database,
        syncer: Syncer,
        *,
        interval: float,
        discoverer: Discoverer | None = None,
        window: float = 0.0,
        concurrency: int = 4,
        poll_seconds: float = 1.0,
        rng: random.Random | None = None,
        peeker: Peeker | None = None,
    ) -> None:
        self.db = db
        self._syncer = syncer
        self._discoverer = discoverer
        self.interval = interval
        self.window = window
        self.concurrency = concurrency
        self.owner = f"reconcile-{uuid.uuid4().hex[:12]}"
        self._peeker = peeker
        self._loop = PollingLoop(
            "reconciler",
            self.tick,
            poll_seconds=poll_seconds,
            peek=self._peek if peeker is not None else None,
        )
        self.wakeup = self._loop.wakeup
        self._rng = rng or random.Random()
        self._busy = 0
        self._timer: asyncio.TimerHandle | None = None
        self._running_loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._running_loop = asyncio.get_running_loop()
        await self.seed()
        self._loop.start()

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        await self._loop.stop()

    async def seed(self) -> None:
        """Give every open request (and discovery) a place in the schedule, spread over the
        interval so a restart does not poll everything at once."""

        def offset(sid: str) -> float:
            return self.interval * (1.0 if sid == DISCOVERY else self._rng.random())

        await poll_schedule.seed(
            self.db, datetime.now(UTC), offset, discovery=self._discoverer is not None
        )

    def wake_in(self, seconds: float) -> None:
        """A webhook scheduled a fetch ``seconds`` from now: be awake for it (this process)."""
        if seconds <= 0:
            self.wakeup.set()
            return
        # The loop it started on: asyncio.get_running_loop() is a getpid system call, and
        # this runs once per new webhook.
        loop = self._running_loop or asyncio.get_running_loop()
        when = loop.time() + seconds + 0.01
        if self._timer is not None and loop.time() <= self._timer.when() <= when:
            return  # an earlier wake-up is set; that tick claims this request too if due
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self.wakeup.set)

    # -- the loop -------------------------------------------------------------------------

    async def tick(self) -> bool:
        """Claim and sync what is due now; True if anything was claimed."""
        self._busy += 1  # claimed rows are leased while we work on them
        try:
            sids = await self.claim(self.concurrency)
            await asyncio.gather(*(self._one(sid) for sid in sids))
        finally:
            self._busy -= 1
        return bool(sids)

    async def _peek(self) -> bool:
        """Whether a tick would claim anything now (``bot.store.peek``)."""
        assert self._peeker is not None
        return await self._peeker.peek(poll_schedule.due_peek(), datetime.now(UTC))

    async def claim(self, limit: int) -> list[str]:
        return await poll_schedule.claim(self.db, self.owner, LEASE, limit)

    async def _one(self, sid: str) -> None:
        with logs.context(request_sid=None if sid == DISCOVERY else sid):
            await self._sync(sid)

    async def _sync(self, sid: str) -> None:
        try:
            if sid == DISCOVERY:
                await self._discovery()
            else:
                await self._syncer.sync(sid)
        except TwilioError as error:
            if error.status == 404 and sid != DISCOVERY:
                log.warning("request %s is gone from Twilio; no longer polled", sid)
                await poll_schedule.forget(self.db, sid)
                return
            await self._failed(sid, f"Twilio {error.status} ({error.code}): {error.message}")
        except Exception as error:
            log.exception("syncing %s failed", sid)
            await self._failed(sid, type(error).__name__)

    async def _discovery(self) -> None:
        assert self._discoverer is not None
        sids = await self._discoverer.discover()
        next_in = self.interval * self._rng.uniform(0.9, 1.1)
        for sid in await poll_schedule.adopt(self.db, sids, self.window, next_in):
            log.info("adopting request %s found by polling", sid)
        self.wakeup.set()

    async def _failed(self, sid: str, error: str) -> None:
        def delay(failures: int) -> float:
            return _backoff(failures) * self._rng.uniform(0.8, 1.2)

        failures = await poll_schedule.failed(self.db, sid, error, delay)
        if failures is not None:
            log.warning("sync of %s failed (%s); retry in %.0fs", sid, error, _backoff(failures))

    # -- observation ----------------------------------------------------------------------

    async def health(self) -> SyncHealth:
        return await poll_schedule.health(self.db)

    async def settled(self, horizon: float = 0.0) -> bool:
        """Nothing due within ``horizon`` seconds and nothing in flight (tests, benchmarks)."""
        if self._busy:
            return False
        return not await poll_schedule.any_due(
            self.db, datetime.now(UTC) + timedelta(seconds=horizon)
        )
