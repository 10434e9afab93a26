"""The Slack outbox queue: every statement that queues, claims, leases and settles its items
(``bot.work``, read back as ``bot.store.items.Item``). The worker that delivers them is
``bot.outbox.Outbox``.

A claimed item is leased to one worker (``lease_owner`` until ``lease_until``); every change to
a claimed row is made only while that worker still holds it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Delete, Update, bindparam, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from bot import work
from bot.store import request_state
from bot.store.db import Database, session_upsert, table
from bot.store.health import OutboxHealth
from bot.store.items import Item, ItemStatus
from bot.store.models import OutboxItem
from bot.store.peek import Peek

log = logging.getLogger(__name__)

OUTBOX = table("outbox")
FAILING_AFTER = 3  # attempts before an item counts as failing in /readyz
_PENDING = col(OutboxItem.status) == ItemStatus.PENDING
_EDITS = sorted(work.EDIT_KINDS)
_ORDERED = sorted(work.ORDERED_KINDS)
# A reminder's key is what keeps it from going out twice while it is still plannable (an
# Action Required reminder stays plannable as long as the request sits there): keep them long.
# Digests too: the next one says what changed since the last one posted, however long ago.
KEEP_REMINDERS = timedelta(days=180)
_KEPT = sorted({work.Reminder.KIND, work.Digest.KIND})


# -- queueing (inside the transaction of the change) ------------------------------------------


async def add(session: AsyncSession, item: work.Work, now: datetime | None = None) -> None:
    """Queue ``item`` in ``session`` under its owner (nothing happens if an item with its key
    exists)."""
    now = now or datetime.now(UTC)
    await session.exec(
        session_upsert(session, OUTBOX)
        .values(
            key=item.key(),
            request_sid=item.owner(),
            kind=item.kind,
            payload=item.stored(),
            status=ItemStatus.PENDING.value,
            attempts=0,
            maybe_sent=False,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def has_pending(session: AsyncSession, key: str) -> bool:
    found = await session.exec(select(col(OutboxItem.id)).where(_PENDING, _is(key)))
    return found.first() is not None


async def pending(db: Database, key: str) -> bool:
    """The item ``key`` is queued and not confirmed yet."""
    async with db.session() as s:
        return await has_pending(s, key)


async def root_pending(db: Database, request_sid: str) -> bool:
    """The request's root is queued and not confirmed yet."""
    async with db.session() as s:
        return await has_pending(s, work.root_key(request_sid))


# -- claiming and leases ----------------------------------------------------------------------


async def claim(db: Database, owner: str, lease: timedelta, limit: int) -> list[Item]:
    """Lease up to ``limit`` posts and up to ``limit`` edits that are ready under the token
    ``owner`` (one per claim: ``{worker}/{n}``); oldest first. A row this code cannot read is
    logged and set aside as done."""
    now = datetime.now(UTC)
    params = {"now": now, "owner": owner, "until": now + lease}
    async with db.session() as s:
        rows: list[Any] = []
        for statement in _claims(limit):
            rows.extend((await s.exec(statement, params=params)).all())
        claimed = []
        for row in sorted(rows, key=lambda r: r.id):
            try:
                claimed.append(Item.from_row(row))
            except (KeyError, ValueError, ValidationError) as error:
                log.error("outbox item %s cannot be read (%s); dropped", row.key, error)
                done = _held(row.id, owner).values(status=ItemStatus.DONE.value, done_at=now)
                await s.exec(done)
        await s.commit()
    return claimed


async def start_attempt(db: Database, item_id: int, owner: str) -> bool:
    """Count an attempt at a post; False when ``owner`` no longer holds it."""
    return await _update_held(db, item_id, owner, attempts=OUTBOX.c.attempts + 1)


async def fence(db: Database, item_id: int, owner: str, until: datetime, posting: bool) -> bool:
    """Right before the Slack request: still ``owner``'s? Then renew the lease to ``until``
    and, for a post, mark it ``maybe_sent`` (committed, so if we die mid-call the next attempt
    looks in Slack first). False when the lease is gone."""
    values: dict[str, Any] = {"lease_until": until}
    if posting:
        values["maybe_sent"] = True
    return await _update_held(db, item_id, owner, **values)


async def board_taken_back(db: Database, item_id: int) -> bool:
    """The board edit was taken back by a newer change (``touch_board``), which scheduled
    another edit: it is waiting, unleased."""
    async with db.session() as s:
        found = await s.exec(
            select(col(OutboxItem.status), col(OutboxItem.lease_owner)).where(
                col(OutboxItem.id) == item_id
            )
        )
        row = found.first()
    return row is not None and row[0] == ItemStatus.PENDING and row[1] is None


async def renew(db: Database, item_ids: Sequence[int], owner: str, until: datetime) -> int:
    """Extend the leases of ``item_ids`` that claims of worker ``owner`` (tokens
    ``{owner}/…``) hold to ``until``; returns how many it held."""
    async with db.session() as s:
        result = await s.exec(
            update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(list(item_ids)),
                OUTBOX.c.lease_owner.startswith(f"{owner}/", autoescape=True),
            )
            .values(lease_until=until)
        )
        await s.commit()
    return result.rowcount


async def postpone(db: Database, item_id: int, owner: str, until: datetime) -> None:
    """Give the item back, to be claimed again from ``until`` (it depends on work not done)."""
    await _update_held(
        db, item_id, owner, lease_owner=None, lease_until=None, next_attempt_at=until
    )


async def failed(
    db: Database,
    item_id: int,
    owner: str,
    error: str,
    retry_at: datetime,
    maybe_sent: bool | None = None,
) -> None:
    """Give the item back after a failed attempt, to be retried from ``retry_at``;
    ``maybe_sent`` when the attempt says whether the post may have landed (else the earlier
    doubt stands)."""
    values: dict[str, Any] = {
        "lease_owner": None,
        "lease_until": None,
        "last_error": error[:300],
        "next_attempt_at": retry_at,
    }
    if maybe_sent is not None:
        values["maybe_sent"] = maybe_sent
    await _update_held(db, item_id, owner, **values)


async def complete(
    db: Database,
    item: Item,
    owner: str,
    result: str | None,
    thread: tuple[str, str] | None = None,
    follow_ups: Sequence[work.Work] = (),
) -> bool:
    """Settle a delivered item with what it produced (the message ts or file id, the thread
    (channel, ts) a root opened, the work that follows from it), in one transaction. False,
    and nothing written, when ``owner`` no longer holds it (a board redrawn meanwhile, or a
    lease that ran out): the row stays pending and is delivered again."""
    now = datetime.now(UTC)
    async with db.session() as s:
        settled = await s.exec(
            _held(item.id, owner).values(
                status=ItemStatus.DONE.value,
                done_at=now,
                result=result,
                maybe_sent=False,
                lease_owner=None,
                lease_until=None,
                last_error=None,
            )
        )
        if not settled.rowcount:
            await s.rollback()
            return False
        if thread is not None:
            await request_state.add_thread(s, item.request_sid, *thread, now)
        for follow_up in follow_ups:
            await add(s, follow_up, now)
        await s.commit()
    return True


async def prune(db: Database, before: datetime) -> None:
    """Forget posts delivered before ``before`` (board and Home rows are kept: one per request
    or user; reminders and digests :data:`KEEP_REMINDERS` longer)."""
    async with db.session() as s:
        await s.exec(_prune(before))
        await s.commit()


def _prune(before: datetime) -> Delete:
    reminders = OUTBOX.c.kind.in_(_KEPT)
    return delete(OUTBOX).where(
        OUTBOX.c.status == ItemStatus.DONE.value,
        OUTBOX.c.kind.not_in(_EDITS),
        OUTBOX.c.done_at < before,
        or_(~reminders, OUTBOX.c.done_at < before - KEEP_REMINDERS),
    )


def _held(item_id: int, owner: str) -> Update:
    return update(OUTBOX).where(OUTBOX.c.id == item_id, OUTBOX.c.lease_owner == owner)


async def _update_held(db: Database, item_id: int, owner: str, **values: Any) -> bool:
    async with db.session() as s:
        result = await s.exec(_held(item_id, owner).values(**values))
        await s.commit()
    return bool(result.rowcount)


# -- observation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    status: str
    attempts: int
    last_error: str | None


async def progress(db: Database, key: str) -> Progress | None:
    """Where the item ``key`` stands, if it is queued."""
    async with db.session() as s:
        found = await s.exec(
            select(
                col(OutboxItem.status), col(OutboxItem.attempts), col(OutboxItem.last_error)
            ).where(_is(key))
        )
        row = found.first()
    return None if row is None else Progress(*row)


async def health(db: Database) -> OutboxHealth:
    now = datetime.now(UTC)
    async with db.session() as s:
        count, oldest = (
            await s.exec(select(func.count(), func.min(col(OutboxItem.created_at))).where(_PENDING))
        ).one()
        failing = (
            await s.exec(
                select(col(OutboxItem.last_error))
                .where(_PENDING, col(OutboxItem.attempts) >= FAILING_AFTER)
                .order_by(col(OutboxItem.id))
            )
        ).all()
    return OutboxHealth(
        failing=len(failing),
        last_error=failing[0] if failing else None,
        pending=count,
        oldest_pending_seconds=(now - oldest).total_seconds() if oldest else None,
    )


async def any_ready(db: Database) -> bool:
    """Something could be claimed now."""
    async with db.session() as s:
        for ready, _ in _ready(1):
            if (await s.exec(ready, params={"now": datetime.now(UTC)})).first() is not None:
                return True
    return False


async def count_pending(db: Database, kinds: Sequence[str] = tuple(work.KINDS)) -> int:
    async with db.session() as s:
        found = await s.exec(
            select(func.count()).where(_PENDING, col(OutboxItem.kind).in_(list(kinds)))
        )
        return found.one()


def _is(key: str) -> ColumnElement[bool]:
    return col(OutboxItem.key) == key


# -- the claim statements ---------------------------------------------------------------------


@functools.cache
def _ready(limit: int) -> list[tuple[SelectOfScalar[Any], Any]]:
    """Selects of the posts and board edits that can be sent at ``:now``, each with its table
    alias. Built once per limit (building them is costlier than running them).

    A post is ready when it is due, not leased, and no earlier ordered post of its request is
    still pending (per-thread order; a reminder or digest that waits holds nothing back).
    Aliases keep the subqueries from correlating with the UPDATE that claims them.
    """
    now = bindparam("now", type_=OUTBOX.c.next_attempt_at.type)
    c, p, b = OUTBOX.alias("c"), OUTBOX.alias("p"), OUTBOX.alias("b")
    pending = ItemStatus.PENDING.value
    earlier = (
        select(p.c.id)
        .where(
            p.c.request_sid == c.c.request_sid,
            p.c.status == pending,
            p.c.kind.in_(_ORDERED),
            p.c.id < c.c.id,
        )
        .exists()
    )
    posts = (
        select(c.c.id)
        .where(
            c.c.status == pending,
            c.c.kind.not_in(_EDITS),
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
            b.c.status == pending,
            b.c.kind.in_(_EDITS),
            b.c.next_attempt_at <= now,
            or_(b.c.lease_until.is_(None), b.c.lease_until < now),
        )
        .order_by(b.c.next_attempt_at)
        .limit(limit)
    )
    return [(posts, c), (boards, b)]


@functools.cache
def ready_peek() -> Peek:
    """Whether a claim at ``:now`` would find a post or a board edit (``bot.store.peek``)."""
    return Peek.any_of("outbox", *(candidates for candidates, _ in _ready(1)))


@functools.cache
def _claims(limit: int) -> list[Update]:
    """UPDATEs that lease what ``_ready`` selects to ``:owner`` until ``:until``, returning
    the leased rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    now = bindparam("now", type_=OUTBOX.c.lease_until.type)
    free = or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < now)
    return [
        update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(
                candidates.with_for_update(skip_locked=True, of=alias).scalar_subquery()
            ),
            free,
        )
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(*OUTBOX.c)
        for candidates, alias in _ready(limit)
    ]
