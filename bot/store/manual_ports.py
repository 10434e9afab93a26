"""Manual ports (``manual_port``, ``manual_port_number``): every statement that starts, moves,
reads and lists them. A change, its audit entry and the Slack work it causes are written in
one transaction; a move is made only on the version the person saw (optimistic), so a double
click or two people at once move a port once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlmodel import col

from bot.store import golive_runs, queue, request_state
from bot.store.db import Database
from bot.store.models import AuditEntry, ManualPortNumber, ManualPortRow, RequestThread
from bot.work import Work

CLOSED_STEPS = ("completed", "canceled")


@dataclass(frozen=True)
class StoredManualPort:
    row: ManualPortRow
    thread: RequestThread | None


async def insert(
    db: Database,
    row: ManualPortRow,
    numbers: Sequence[str],
    entry: AuditEntry,
    work: Sequence[Work],
) -> None:
    """A new manual port with its numbers, its audit entry and its thread's first work."""
    async with db.session() as s:
        s.add(row)
        for number in dict.fromkeys(numbers):
            s.add(ManualPortNumber(manual_id=row.id, phone_number=number))
        s.add(entry)
        for item in work:
            await queue.add(s, item)
        await s.commit()


async def get(db: Database, manual_id: str) -> StoredManualPort | None:
    async with db.session() as s:
        row = await s.get(ManualPortRow, manual_id)
        if row is None:
            return None
        return StoredManualPort(row, await request_state.thread_in(s, manual_id))


async def change(
    db: Database,
    manual_id: str,
    version: int,
    values: dict[str, Any],
    entry: AuditEntry,
    work: Sequence[Work],
    now: datetime | None = None,
    going_live: golive_runs.GoingLive | None = None,
) -> bool:
    """Apply ``values`` to the port if it is still at ``version`` (bumping it), with the audit
    entry, the Slack work and the numbers ``going_live``, in one transaction. False, and
    nothing written, when the port moved meanwhile or does not exist."""
    now = now or datetime.now(UTC)
    async with db.session() as s:
        result = await s.exec(
            update(ManualPortRow)
            .where(col(ManualPortRow.id) == manual_id, col(ManualPortRow.version) == version)
            .values(**values, version=version + 1, updated_at=now)
        )
        if not result.rowcount:
            await s.rollback()
            return False
        s.add(entry)
        for item in work:
            await queue.add(s, item)  # the outbox keeps its own (real) time
        if going_live is not None:
            await golive_runs.queue_in(s, manual_id, *going_live)
        await s.commit()
    return True


@dataclass(frozen=True)
class ManualQuery:
    """Which manual ports to read; every filter given must hold (an empty one is no filter)."""

    steps: frozenset[str] | None = None  # only these steps (None: any)
    open_only: bool = False
    filed_by: frozenset[str] = frozenset()
    phone_numbers: frozenset[str] = frozenset()  # E.164: ports holding any of these
    channel_id: str | None = None
    since: datetime | None = None  # entered their current step at or after this
    changed_since: datetime | None = None
    customer: str | None = None  # the customer's name holds this (any case)


def _where(query: ManualQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.steps is not None:
        where.append(col(ManualPortRow.step).in_(sorted(query.steps)))
    if query.open_only:
        where.append(col(ManualPortRow.step).not_in(CLOSED_STEPS))
    if query.filed_by:
        where.append(col(ManualPortRow.filed_by).in_(sorted(query.filed_by)))
    if query.channel_id is not None:
        where.append(col(ManualPortRow.channel_id) == query.channel_id)
    if query.phone_numbers:
        holders = select(col(ManualPortNumber.manual_id)).where(
            col(ManualPortNumber.phone_number).in_(sorted(query.phone_numbers))
        )
        where.append(col(ManualPortRow.id).in_(holders))
    if query.since is not None:
        where.append(col(ManualPortRow.step_changed_at) >= query.since)
    if query.changed_since is not None:
        where.append(col(ManualPortRow.updated_at) >= query.changed_since)
    if query.customer:
        name = func.lower(col(ManualPortRow.customer_name))
        where.append(name.contains(query.customer.lower(), autoescape=True))
    return where


async def list_ports(db: Database, query: ManualQuery) -> list[StoredManualPort]:
    """The manual ports ``query`` asks for, with their threads, oldest first."""
    statement = (
        select(ManualPortRow, RequestThread)
        .outerjoin(RequestThread, col(RequestThread.request_sid) == col(ManualPortRow.id))
        .where(*_where(query))
        .order_by(col(ManualPortRow.created_at), col(ManualPortRow.id))
    )
    async with db.session() as s:
        rows = (await s.exec(statement)).all()  # type: ignore[call-overload]
    return [StoredManualPort(row, thread) for row, thread in rows]


async def open_ports(db: Database) -> list[StoredManualPort]:
    """Every manual port short of completed or canceled (what the reminder worker plans)."""
    return await list_ports(db, ManualQuery(open_only=True))
