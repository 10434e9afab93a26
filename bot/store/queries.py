"""The queries the desk runs; each takes a Database and owns its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

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


async def add_receipt(
    s: AsyncSession,
    dedupe_key: str,
    request_sid: str,
    event: str | None,
    payload: str,
    now: datetime | None = None,
) -> bool:
    """Store a webhook delivery in ``s``; False when the same delivery was stored before.

    ``ON CONFLICT DO NOTHING`` rather than catching IntegrityError: the caller's transaction
    goes on (it schedules the request's fetch in the same commit).
    """
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = await s.exec(
        insert(WebhookReceipt.__table__)
        .values(
            dedupe_key=dedupe_key,
            request_sid=request_sid,
            event=event,
            payload=payload,
            outcome="received",
            received_at=now or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return result.rowcount == 1


async def record_receipt(
    db: Database, dedupe_key: str, request_sid: str, event: str | None, payload: str
) -> bool:
    """Store a webhook delivery on its own; False when the same delivery was stored before."""
    async with db.session() as s:
        stored = await add_receipt(s, dedupe_key, request_sid, event, payload)
        await s.commit()
    return stored


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
    "add_receipt",
    "get_check",
    "get_thread",
    "load_request",
    "record_receipt",
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
