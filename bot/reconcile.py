"""Keeps every followed request in step with Twilio: webhook nudges and periodic polls share
one durable schedule (``request_sync``), and both end in the same ``Syncer.sync`` call.

A webhook only moves a request's ``due_at`` closer (plus a short window, so the per-number
events of a big request are applied together). The :class:`Reconciler` claims due requests
under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer), fetches them
and pushes ``due_at`` out by the poll interval with jitter, which spreads the polls of many
requests over the interval. Twilio failures back off per request; a request that Twilio says
no longer exists stops being polled.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.porting.errors import TwilioError
from bot.porting.statuses import RequestStatus
from bot.store.db import Database
from bot.store.models import RequestState, RequestSync
from bot.tasks import Wakeup

log = logging.getLogger(__name__)

SYNC = RequestSync.__table__
# A pseudo-request whose schedule drives discovery (listing Twilio's open requests), so one
# process at a time does it, with the same lease as any request.
DISCOVERY = "discover"
LEASE = timedelta(seconds=120)  # longer than a fetch with all of the client's retries
MAX_BACKOFF = timedelta(minutes=10)
DISCOVERY_WINDOW = timedelta(days=90)


class Syncer(Protocol):
    """Fetches a due request and applies it: ``bot.desk.sync.Requests``."""

    async def sync(self, request_sid: str) -> object: ...


class Discoverer(Protocol):
    """Lists Twilio's open requests to adopt: ``bot.desk.sync.Requests``."""

    async def discover(self) -> list[str]: ...


def utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they are always UTC here."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SYNC)


@functools.cache
def nudge_statement(dialect: str) -> Any:
    """Upsert of schedule rows: fetch each request by its ``due`` (never later than already
    scheduled) and remember when it was nudged. Built once per dialect; run with
    :func:`nudge_rows`, one row per distinct request."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SYNC).values(
        request_sid=bindparam("sid"),
        due_at=bindparam("due"),
        nudged_at=bindparam("now"),
        failures=0,
    )
    return statement.on_conflict_do_update(
        index_elements=["request_sid"],
        set_={
            "nudged_at": statement.excluded.nudged_at,
            "due_at": case(
                (SYNC.c.due_at > statement.excluded.due_at, statement.excluded.due_at),
                else_=SYNC.c.due_at,
            ),
        },
    )


def nudge_rows(request_sids: Iterable[str], now: datetime, window: float) -> list[dict[str, Any]]:
    due = now + timedelta(seconds=window)
    # Sorted: concurrent upserts then take row locks in the same order (no deadlocks).
    return [{"sid": sid, "due": due, "now": now} for sid in sorted(set(request_sids))]


async def nudge(session: AsyncSession, request_sid: str, now: datetime, window: float) -> None:
    """A change was announced for the request: fetch it within ``window`` seconds."""
    dialect = session.get_bind().dialect.name
    await session.exec(nudge_statement(dialect), params=nudge_rows([request_sid], now, window))


async def lock(session: AsyncSession, request_sid: str, now: datetime) -> RequestSync:
    """Take the request's row lock for the rest of ``session``'s transaction.

    Every writer of a request's state goes through here first, so two processes (or a poll
    and a /port-status refresh) apply one fetched change once: the second sees it stored. On
    SQLite the insert takes the database's write lock, which serialises the same way.
    """
    await session.exec(
        _insert(session)
        .values(request_sid=request_sid, due_at=now, failures=0)
        .on_conflict_do_nothing(index_elements=["request_sid"])
    )
    result = await session.exec(
        select(RequestSync)
        .where(RequestSync.request_sid == request_sid)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


def after_sync(
    row: RequestSync,
    *,
    started: datetime,
    now: datetime,
    interval: float,
    window: float,
    terminal: bool,
    rng: random.Random,
) -> bool:
    """Schedule the next fetch on the locked ``row``; False when the row should be deleted."""
    if terminal:
        return False
    if row.nudged_at is not None and utc(row.nudged_at) > started:
        # A webhook came in while we fetched: what it announced may be newer than our copy.
        row.due_at = utc(row.nudged_at) + timedelta(seconds=window)
    else:
        row.due_at = now + timedelta(seconds=interval * rng.uniform(0.9, 1.1))
    row.lease_owner = None
    row.lease_until = None
    row.failures = 0
    row.last_error = None
    return True


@dataclass
class SyncHealth:
    tracked: int
    overdue: int
    failing: int
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tracked": self.tracked,
            "overdue": self.overdue,
            "failing": self.failing,
            "last_error": self.last_error,
        }


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
    ) -> None:
        self.db = db
        self._syncer = syncer
        self._discoverer = discoverer
        self.interval = interval
        self.window = window
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.owner = f"reconcile-{uuid.uuid4().hex[:12]}"
        self.wakeup = Wakeup()
        self._rng = rng or random.Random()
        self._task: asyncio.Task[None] | None = None
        self._busy = 0
        self._timer: asyncio.TimerHandle | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await self.seed()
        self._task = asyncio.create_task(self._run(), name="reconciler")

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def seed(self) -> None:
        """Give every open request (and discovery) a place in the schedule, spread over the
        interval so a restart does not poll everything at once."""
        now = datetime.now(UTC)
        async with self.db.session() as s:
            known = set((await s.exec(select(SYNC.c.request_sid))).scalars().all())
            active = (
                (
                    await s.exec(
                        select(RequestState.request_sid).where(
                            RequestState.status.not_in([st.value for st in _TERMINAL])
                        )
                    )
                )
                .scalars()
                .all()
            )
            wanted = [sid for sid in active if sid not in known]
            if self._discoverer is not None and DISCOVERY not in known:
                wanted.append(DISCOVERY)
            for sid in wanted:
                offset = self.interval * (1.0 if sid == DISCOVERY else self._rng.random())
                await s.exec(
                    _insert(s)
                    .values(request_sid=sid, due_at=now + timedelta(seconds=offset), failures=0)
                    .on_conflict_do_nothing(index_elements=["request_sid"])
                )
            await s.commit()

    def wake_in(self, seconds: float) -> None:
        """A webhook scheduled a fetch ``seconds`` from now: be awake for it (this process)."""
        if seconds <= 0:
            self.wakeup.set()
            return
        loop = asyncio.get_running_loop()
        when = loop.time() + seconds + 0.01
        if self._timer is not None and loop.time() <= self._timer.when() <= when:
            return  # an earlier wake-up is set; that tick claims this request too if due
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self.wakeup.set)

    # -- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                worked = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database blip must not end polling for good
                log.exception("reconciler tick failed")
                worked = False
            if not worked:
                await self.wakeup.wait(self.poll_seconds)

    async def tick(self) -> bool:
        """Claim and sync what is due now; True if anything was claimed."""
        self._busy += 1  # claimed rows are leased while we work on them
        try:
            sids = await self.claim(self.concurrency)
            await asyncio.gather(*(self._one(sid) for sid in sids))
        finally:
            self._busy -= 1
        return bool(sids)

    async def claim(self, limit: int) -> list[str]:
        now = datetime.now(UTC)
        params = {"now": now, "owner": self.owner, "until": now + LEASE}
        async with self.db.session() as s:
            result = await s.exec(_claim_statement(limit), params=params)
            sids = list(result.scalars().all())
            await s.commit()
        return sids

    async def _one(self, sid: str) -> None:
        try:
            if sid == DISCOVERY:
                await self._discovery()
            else:
                await self._syncer.sync(sid)
        except TwilioError as error:
            if error.status == 404 and sid != DISCOVERY:
                log.warning("request %s is gone from Twilio; no longer polled", sid)
                await self._forget(sid)
                return
            await self._failed(sid, f"Twilio {error.status} ({error.code}): {error.message}")
        except Exception as error:
            log.exception("syncing %s failed", sid)
            await self._failed(sid, type(error).__name__)

    async def _discovery(self) -> None:
        assert self._discoverer is not None
        sids = await self._discoverer.discover()
        now = datetime.now(UTC)
        async with self.db.session() as s:
            known = set(
                (
                    await s.exec(
                        select(RequestState.request_sid).where(RequestState.request_sid.in_(sids))
                    )
                )
                .scalars()
                .all()
            )
            for sid in sids:
                if sid not in known:
                    log.info("adopting request %s found by polling", sid)
                    await nudge(s, sid, now, self.window)
            await s.exec(
                update(SYNC)
                .where(SYNC.c.request_sid == DISCOVERY)
                .values(
                    due_at=now + timedelta(seconds=self.interval * self._rng.uniform(0.9, 1.1)),
                    lease_owner=None,
                    lease_until=None,
                    failures=0,
                    last_error=None,
                )
            )
            await s.commit()
        self.wakeup.set()

    async def _failed(self, sid: str, error: str) -> None:
        now = datetime.now(UTC)
        async with self.db.session() as s:
            row = await s.get(RequestSync, sid)
            if row is None:
                return
            row.failures += 1
            backoff = min(MAX_BACKOFF.total_seconds(), 5.0 * 2 ** (row.failures - 1))
            row.due_at = now + timedelta(seconds=backoff * self._rng.uniform(0.8, 1.2))
            row.lease_owner = row.lease_until = None
            row.last_error = error[:300]
            s.add(row)
            await s.commit()
        log.warning("sync of %s failed (%s); retry in %.0fs", sid, error, backoff)

    async def _forget(self, sid: str) -> None:
        async with self.db.session() as s:
            await s.exec(delete(SYNC).where(SYNC.c.request_sid == sid))
            await s.commit()

    # -- observation ----------------------------------------------------------------------

    async def health(self) -> SyncHealth:
        now = datetime.now(UTC)
        real = SYNC.c.request_sid != DISCOVERY
        async with self.db.session() as s:
            rows = (
                await s.exec(select(SYNC.c.due_at, SYNC.c.failures, SYNC.c.last_error).where(real))
            ).all()
        overdue = sum(1 for r in rows if utc(r.due_at) < now - timedelta(seconds=60))
        failing = [r for r in rows if r.failures]
        return SyncHealth(
            tracked=len(rows),
            overdue=overdue,
            failing=len(failing),
            last_error=failing[0].last_error if failing else None,
        )

    async def settled(self, horizon: float = 0.0) -> bool:
        """Nothing due within ``horizon`` seconds and nothing in flight (tests, benchmarks)."""
        if self._busy:
            return False
        until = datetime.now(UTC) + timedelta(seconds=horizon)
        async with self.db.session() as s:
            due = (
                await s.exec(select(SYNC.c.request_sid).where(SYNC.c.due_at <= until).limit(1))
            ).first()
        return due is None


_TERMINAL = [s for s in RequestStatus if s.terminal]


@functools.cache
def _claim_statement(limit: int) -> Any:
    """Lease up to ``limit`` requests due at ``:now`` to ``:owner`` until ``:until``; built
    once per limit. The subquery reads an alias so it does not correlate with the UPDATE."""
    now = bindparam("now", type_=SYNC.c.due_at.type)
    r = SYNC.alias("r")
    due = (
        select(r.c.request_sid)
        .where(r.c.due_at <= now, or_(r.c.lease_until.is_(None), r.c.lease_until < now))
        .order_by(r.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=r)
    )
    return (
        update(SYNC)
        .where(
            SYNC.c.request_sid.in_(due.scalar_subquery()),
            or_(SYNC.c.lease_until.is_(None), SYNC.c.lease_until < now),
        )
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(SYNC.c.request_sid)
    )
