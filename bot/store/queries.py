"""The queries the desk runs; each takes a Database and owns its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.store.db import Database
from bot.store.models import (
    CheckRun,
    NumberState,
    RequestState,
    RequestThread,
    WebhookReceipt,
    utcnow,
)


async def get_thread(db: Database, request_sid: str) -> RequestThread | None:
    async with db.session() as s:
        return await s.get(RequestThread, request_sid)


async def save_thread(db: Database, request_sid: str, channel_id: str, thread_ts: str) -> bool:
    """Store the thread for a request; False when one was stored first (someone else won)."""
    async with db.session() as s:
        s.add(RequestThread(request_sid=request_sid, channel_id=channel_id, thread_ts=thread_ts))
        try:
            await s.commit()
        except IntegrityError:
            return False
    return True


async def load_request(
    db: Database, request_sid: str
) -> tuple[RequestState | None, list[NumberState]]:
    async with db.session() as s:
        state = await s.get(RequestState, request_sid)
        rows = await s.exec(select(NumberState).where(NumberState.request_sid == request_sid))
        return state, list(rows.all())


async def save_request(db: Database, state: RequestState, numbers: Sequence[NumberState]) -> None:
    """Upsert a request's state and the given numbers in one transaction."""
    async with db.session() as s:
        await s.merge(state)
        for number in numbers:
            await s.merge(number)
        await s.commit()


async def active_request_sids(db: Database) -> list[str]:
    async with db.session() as s:
        rows = await s.exec(
            select(RequestState.request_sid).where(
                RequestState.status.not_in(["completed", "canceled", "expired"])  # type: ignore[attr-defined]
            )
        )
        return list(rows.all())


__all__ = [
    "active_request_sids",
    "get_check",
    "get_thread",
    "load_request",
    "save_check",
    "save_request",
    "save_thread",
    "utcnow",
]


async def save_check(db: Database, run: CheckRun) -> None:
    async with db.session() as s:
        s.add(run)
        await s.commit()


async def get_check(db: Database, check_id: str) -> CheckRun | None:
    async with db.session() as s:
        return await s.get(CheckRun, check_id)


async def delete_receipts_before(db: Database, before: datetime, chunk: int = 5000) -> int:
    """Forget webhook receipts received before ``before``, ``chunk`` rows per transaction, so
    the webhook writer (``bot.store.receipts``) never waits long for the table; returns how
    many went."""
    receipts = WebhookReceipt.__table__
    oldest = (
        select(receipts.c.id).where(receipts.c.received_at < before).limit(chunk).scalar_subquery()
    )
    total = 0
    while True:
        async with db.session() as s:
            result = await s.exec(delete(receipts).where(receipts.c.id.in_(oldest)))
            await s.commit()
        total += result.rowcount or 0
        if (result.rowcount or 0) < chunk:
            return total
