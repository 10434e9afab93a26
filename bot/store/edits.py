"""Edits in the Slack outbox: work that draws the latest state when it is sent (a request's
status board, a user's App Home), so one pending row per key stands for any number of changes.
Re-arming one is a compare-and-set on the row's status and lease: the worker may settle the row
between our read and our write, and neither may swallow the other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import work
from bot.store.db import Database
from bot.store.items import ItemStatus
from bot.store.models import OutboxItem
from bot.store.outbox import OUTBOX, add


async def touch_board(
    session: AsyncSession, request_sid: str, interval: float, now: datetime | None = None
) -> None:
    """Ask for one edit of the request's status board, no sooner than ``interval`` seconds
    after the previous one (0: now, for someone looking at it). Call it under the request's
    lock (``bot.store.sync.lock``)."""
    await _touch(session, work.Board(request_sid=request_sid), interval, now)


async def touch_home(
    session: AsyncSession, user_id: str, interval: float, now: datetime | None = None
) -> None:
    """Ask for one publish of ``user_id``'s App Home, no sooner than ``interval`` seconds
    after the previous one."""
    await _touch(session, work.Home(user_id=user_id), interval, now)


async def _touch(
    session: AsyncSession, edit: work.Work, interval: float, now: datetime | None
) -> None:
    """Re-arm the edit ``edit.key()`` (or queue it). A compare-and-set on the row's status and
    lease, not a read-modify-write: the worker may settle the row between our read and our
    write, and its "done" must not swallow this change (nor this change its lease)."""
    now = now or datetime.now(UTC)
    key = edit.key()
    for _ in range(10):
        found = await session.exec(
            select(
                col(OutboxItem.id),
                col(OutboxItem.status),
                col(OutboxItem.lease_owner),
                col(OutboxItem.done_at),
            ).where(col(OutboxItem.key) == key)
        )
        row = found.one_or_none()
        if row is None:
            await add(session, edit, now)
            return
        item_id, status, lease, done_at = row
        if status == ItemStatus.PENDING and lease is None:
            # An edit is already waiting; it will draw the latest state. One someone is
            # looking at (no interval) goes now, not when the waiting one was due.
            if interval <= 0:
                await session.exec(
                    update(OUTBOX)
                    .where(
                        OUTBOX.c.id == item_id,
                        OUTBOX.c.lease_owner.is_(None),
                        OUTBOX.c.next_attempt_at > now,
                    )
                    .values(next_attempt_at=now)
                )
            return
        if status == ItemStatus.PENDING:
            # Being sent right now, possibly drawn before this change: take the lease away so
            # its completion does not count, and send again after the interval.
            due = now + timedelta(seconds=interval)
        else:
            due = max(now, (done_at or now) + timedelta(seconds=interval))
        same_lease = (
            OUTBOX.c.lease_owner.is_(None) if lease is None else OUTBOX.c.lease_owner == lease
        )
        result = await session.exec(
            update(OUTBOX)
            .where(OUTBOX.c.id == item_id, OUTBOX.c.status == status, same_lease)
            .values(
                status=ItemStatus.PENDING.value,
                lease_owner=None,
                lease_until=None,
                attempts=0,
                last_error=None,
                next_attempt_at=due,
            )
        )
        if result.rowcount:
            return
    raise RuntimeError(f"{key} kept changing while re-arming it")


async def rearm_homes(
    db: Database, changed_at: datetime, active_since: datetime, interval: float, now: datetime
) -> int:
    """Republish the App Home of everyone who looked at it since ``active_since`` and whose
    last publish predates ``changed_at`` (the latest change to a request), no sooner than
    ``interval`` seconds after that publish (debounced). One statement; returns how many."""
    last = OUTBOX.c.done_at
    async with db.session() as s:
        result = await s.exec(
            update(OUTBOX)
            .where(
                OUTBOX.c.kind == work.Home.KIND,
                OUTBOX.c.status == ItemStatus.DONE.value,
                last < changed_at,
                last >= active_since,
                last <= now - timedelta(seconds=interval),
            )
            .values(
                status=ItemStatus.PENDING.value,
                next_attempt_at=now,
                attempts=0,
                last_error=None,
                lease_owner=None,
                lease_until=None,
            )
        )
        await s.commit()
    return result.rowcount
