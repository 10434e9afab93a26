"""What the desk's timed work reads and queues: the open requests that have a thread (with
their numbers, for the reminder planner), the latest change to any request (to republish App
Homes), and the queueing of many timed items at once.

Queueing is idempotent by key (``bot.store.queue.add``): a reminder or digest planned again,
by this process or another on the same PostgreSQL, after a restart or a clock step, is the
same row, so it is sent once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from bot.listed_requests import CLOSED_STATUSES
from bot.store import edits
from bot.store.db import Database
from bot.store.items import ItemStatus
from bot.store.models import (
    ManualPortRow,
    NumberState,
    OutboxItem,
    RequestState,
    RequestThread,
)
from bot.store.queue import add
from bot.work import Digest, Work


async def open_threaded(db: Database) -> list[tuple[RequestState, list[NumberState]]]:
    """Every open request that has a Slack thread, with its numbers (two statements)."""
    closed = sorted(CLOSED_STATUSES)
    threaded = select(col(RequestThread.request_sid))
    async with db.session() as s:
        states = (
            await s.exec(
                select(RequestState).where(
                    col(RequestState.status).not_in(closed),
                    col(RequestState.request_sid).in_(threaded),
                )
            )
        ).all()
        if not states:
            return []
        numbers = (
            await s.exec(
                select(NumberState).where(
                    col(NumberState.request_sid).in_(
                        select(col(RequestState.request_sid)).where(
                            col(RequestState.status).not_in(closed),
                            col(RequestState.request_sid).in_(threaded),
                        )
                    )
                )
            )
        ).all()
    by_request: dict[str, list[NumberState]] = defaultdict(list)
    for number in numbers:
        by_request[number.request_sid].append(number)
    return [(state, by_request[state.request_sid]) for state in states]


async def latest_change(db: Database) -> datetime | None:
    """When the bot last stored a change to any request or manual port."""
    async with db.session() as s:
        requests = (await s.exec(select(func.max(col(RequestState.updated_at))))).one()
        manual = (await s.exec(select(func.max(col(ManualPortRow.updated_at))))).one()
    return max((t for t in (requests, manual) if t is not None), default=None)


async def last_digest(db: Database, channel_id: str) -> datetime | None:
    """When the latest digest posted in ``channel_id`` (the day's, or one asked for with Send
    digest now) was confirmed by Slack, on the process's clock; None when none was (a dropped
    or skipped one does not count). The digest being built is not done yet: it is not one."""
    async with db.session() as s:
        found = await s.exec(
            select(func.max(col(OutboxItem.done_at))).where(
                col(OutboxItem.kind) == Digest.KIND,
                col(OutboxItem.status) == ItemStatus.DONE,
                col(OutboxItem.result).is_not(None),
                col(OutboxItem.key).startswith(f"digest:{channel_id}:", autoescape=True),
            )
        )
        return found.one()


async def queue(db: Database, work: Sequence[Work], now: datetime) -> None:
    """Queue each item in one transaction; items already queued stay as they are."""
    if not work:
        return
    async with db.session() as s:
        for item in work:
            await add(s, item, now)
        await s.commit()


async def touch_home(db: Database, user_id: str, interval: float = 0.0) -> None:
    """Publish ``user_id``'s App Home soon (they opened it, or asked for a refresh)."""
    async with db.session() as s:
        await edits.touch_home(s, user_id, interval)
        await s.commit()
