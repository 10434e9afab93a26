"""The sync schedule (``request_sync``): when each followed request is next fetched from
Twilio, which process holds it, and its row lock, which every writer of a request's state
takes first. The worker that drives it is ``bot.reconcile.Reconciler``.

A webhook only moves a request's ``due_at`` closer (:func:`nudge`; the raw webhook writer in
``bot.store.receipts`` runs the same upsert); a fetch pushes it out (:func:`after_sync`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, Update, bindparam, case, delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import request_state
from bot.store.db import Database, session_upsert, table, upsert
from bot.store.health import SyncHealth
from bot.store.models import RequestSync
from bot.store.peek import Peek

SYNC = table("request_sync")
# A pseudo-request whose schedule drives discovery (listing Twilio's open requests), so one
# process at a time does it, with the same lease as any request.
DISCOVERY = "discover"
OVERDUE = timedelta(seconds=60)

# -- nudges (webhooks) -------------------------------------------------------------------------


def _nudge(dialect: str, rows: Select[Any] | None = None) -> Any:
    """The schedule upsert: fetch each request by its due time (never later than already
    scheduled) and remember when it was nudged. From bound ``:sid``, ``:due``, ``:now``, or
    from ``rows`` (request_sid, due_at, nudged_at, failures)."""
    insert = upsert(dialect, SYNC)
    if rows is None:
        statement = insert.values(
            request_sid=bindparam("sid"),
            due_at=bindparam("due"),
            nudged_at=bindparam("now"),
            failures=0,
        )
    else:
        statement = insert.from_select(["request_sid", "due_at", "nudged_at", "failures"], rows)
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


@functools.cache
def nudge_statement(dialect: str) -> Any:
    """The upsert of :func:`_nudge` from bound values, built once per dialect; run it with
    :func:`nudge_rows`, one row per distinct request."""
    return _nudge(dialect)


def nudge_from(rows: Select[Any]) -> Any:
    """The same upsert from a SELECT of (request_sid, due_at, nudged_at, failures), for
    PostgreSQL statements that nudge what they wrote (``bot.store.receipts``)."""
    return _nudge("postgresql", rows)


def nudge_rows(request_sids: Iterable[str], now: datetime, due: datetime) -> list[dict[str, Any]]:
    # Sorted: concurrent upserts then take row locks in the same order (no deadlocks).
    return [{"sid": sid, "due": due, "now": now} for sid in sorted(set(request_sids))]


async def nudge(session: AsyncSession, request_sid: str, now: datetime, window: float) -> None:
    """A change was announced for the request: fetch it within ``window`` seconds."""
    dialect = session.get_bind().dialect.name
    rows = nudge_rows([request_sid], now, now + timedelta(seconds=window))
    await session.exec(nudge_statement(dialect), params=rows)


# -- the request's lock and its next fetch ----------------------------------------------------


async def lock(session: AsyncSession, request_sid: str, now: datetime) -> RequestSync:
    """Take the request's row lock for the rest of ``session``'s transaction.

    Every writer of a request's state goes through here first, so two processes (or a poll
    and a /port-status refresh) apply one fetched change once: the second sees it stored. On
    SQLite the insert takes the database's write lock, which serialises the same way.
    """
    await _schedule(session, request_sid, now)
    result = await session.exec(
        select(RequestSync)
        .where(col(RequestSync.request_sid) == request_sid)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.one()


async def after_sync(
    session: AsyncSession,
    row: RequestSync,
    *,
    started: datetime,
    now: datetime,
    interval: float,
    window: float,
    terminal: bool,
    rng: random.Random,
) -> None:
    """Schedule the next fetch on the locked ``row``; a request that reached a terminal
    status leaves the schedule."""
    if terminal:
        await session.delete(row)
        return
    if row.nudged_at is not None and row.nudged_at > started:
        # A webhook came in while we fetched: what it announced may be newer than our copy.
        row.due_at = row.nudged_at + timedelta(seconds=window)
    else:
        row.due_at = now + timedelta(seconds=interval * rng.uniform(0.9, 1.1))
    row.lease_owner = None
    row.lease_until = None
    row.failures = 0
    row.last_error = None
    session.add(row)


async def _schedule(session: AsyncSession, request_sid: str, due: datetime) -> None:
    """Give the request a place in the schedule, due at ``due``, unless it has one."""
    await session.exec(
        session_upsert(session, SYNC)
        .values(request_sid=request_sid, due_at=due, failures=0)
        .on_conflict_do_nothing(index_elements=["request_sid"])
    )


# -- the reconciler's side ---------------------------------------------------------------------


async def seed(
    db: Database, now: datetime, offset: Callable[[str], float], *, discovery: bool
) -> None:
    """Give every open request (and discovery, when ``discovery``) that has none a place in
    the schedule, ``offset(sid)`` seconds from ``now``."""
    async with db.session() as s:
        known = set((await s.exec(select(col(RequestSync.request_sid)))).all())
        wanted = [sid for sid in await request_state.active_in(s) if sid not in known]
        if discovery and DISCOVERY not in known:
            wanted.append(DISCOVERY)
        for sid in wanted:
            await _schedule(s, sid, now + timedelta(seconds=offset(sid)))
        await s.commit()


async def claim(db: Database, owner: str, lease: timedelta, limit: int) -> list[str]:
    """Lease up to ``limit`` due requests to ``owner``, soonest due first."""
    now = datetime.now(UTC)
    params = {"now": now, "owner": owner, "until": now + lease}
    async with db.session() as s:
        result = await s.exec(_claim_statement(limit), params=params)
        sids = [str(sid) for sid in result.scalars().all()]
        await s.commit()
    return sids


async def adopt(db: Database, request_sids: list[str], window: float, next_in: float) -> list[str]:
    """Discovery listed ``request_sids``: nudge the ones never seen (fetched within
    ``window`` seconds), and schedule the next discovery ``next_in`` seconds from now.
    Returns the adopted ones."""
    now = datetime.now(UTC)
    async with db.session() as s:
        known = await request_state.known_in(s, request_sids)
        adopted = [sid for sid in request_sids if sid not in known]
        for sid in adopted:
            await nudge(s, sid, now, window)
        await s.exec(_done(DISCOVERY).values(due_at=now + timedelta(seconds=next_in)))
        await s.commit()
    return adopted


async def failed(
    db: Database, request_sid: str, error: str, delay: Callable[[int], float]
) -> int | None:
    """A fetch failed: count it and retry ``delay(failures)`` seconds from now. Returns the
    failures so far (None when the request left the schedule meanwhile)."""
    async with db.session() as s:
        row = await s.get(RequestSync, request_sid)
        if row is None:
            return None
        row.failures += 1
        row.due_at = datetime.now(UTC) + timedelta(seconds=delay(row.failures))
        row.lease_owner = row.lease_until = None
        row.last_error = error[:300]
        s.add(row)
        await s.commit()
        return row.failures


async def forget(db: Database, request_sid: str) -> None:
    """Stop following the request (Twilio no longer has it)."""
    async with db.session() as s:
        await s.exec(delete(SYNC).where(SYNC.c.request_sid == request_sid))
        await s.commit()


def _done(request_sid: str) -> Update:
    return (
        update(SYNC)
        .where(SYNC.c.request_sid == request_sid)
        .values(lease_owner=None, lease_until=None, failures=0, last_error=None)
    )


# -- observation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    due_at: datetime
    failures: int
    last_error: str | None


async def health(db: Database) -> SyncHealth:
    now = datetime.now(UTC)
    async with db.session() as s:
        found = await s.exec(
            select(
                col(RequestSync.due_at), col(RequestSync.failures), col(RequestSync.last_error)
            ).where(col(RequestSync.request_sid) != DISCOVERY)
        )
        rows = [_Row(*r) for r in found.all()]
    failing = [r for r in rows if r.failures]
    return SyncHealth(
        failing=len(failing),
        last_error=failing[0].last_error if failing else None,
        tracked=len(rows),
        overdue=sum(1 for r in rows if r.due_at < now - OVERDUE),
    )


async def any_due(db: Database, until: datetime) -> bool:
    """Some request (or discovery) is due by ``until``."""
    async with db.session() as s:
        found = await s.exec(
            select(col(RequestSync.request_sid)).where(col(RequestSync.due_at) <= until).limit(1)
        )
        return found.first() is not None


def _due(r: Any, limit: int) -> Any:
    """The requests (of ``r``, an alias of the schedule) due at ``:now`` and not leased,
    soonest first: what a claim leases, and what :func:`due_peek` looks for."""
    now = bindparam("now", type_=SYNC.c.due_at.type)
    return (
        select(r.c.request_sid)
        .where(r.c.due_at <= now, or_(r.c.lease_until.is_(None), r.c.lease_until < now))
        .order_by(r.c.due_at)
        .limit(limit)
    )


@functools.cache
def due_peek() -> Peek:
    """Whether a claim at ``:now`` would find a request (``bot.store.peek``)."""
    return Peek.any_of("reconciler", _due(SYNC.alias("r"), 1))


@functools.cache
def _claim_statement(limit: int) -> Any:
    """Lease up to ``limit`` requests due at ``:now`` to ``:owner`` until ``:until``; built
    once per limit. The subquery reads an alias so it does not correlate with the UPDATE."""
    now = bindparam("now", type_=SYNC.c.due_at.type)
    r = SYNC.alias("r")
    due = _due(r, limit).with_for_update(skip_locked=True, of=r)
    return (
        update(SYNC)
        .where(
            SYNC.c.request_sid.in_(due.scalar_subquery()),
            or_(SYNC.c.lease_until.is_(None), SYNC.c.lease_until < now),
        )
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(SYNC.c.request_sid)
    )
