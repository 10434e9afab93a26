"""Port-in requests as the bot last stored them: their state, their numbers' state and the
Slack thread each one has. Functions taking a Database own their transaction; those taking a
session (``*_in``) run inside the caller's (the desk's, under the request's lock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.porting.statuses import RequestStatus
from bot.store import claims
from bot.store.db import Database, session_upsert, table
from bot.store.models import AuditEntry, NumberState, RequestState, RequestThread

THREADS = table("request_thread")
TERMINAL = [s.value for s in RequestStatus if s.terminal]


@dataclass
class StoredRequest:
    state: RequestState
    numbers: list[NumberState]
    thread: RequestThread | None
    refiled_as: list[str] = field(default_factory=list)  # requests re-filing its numbers


# -- threads -----------------------------------------------------------------------------------


async def get_thread(db: Database, request_sid: str) -> RequestThread | None:
    async with db.session() as s:
        return await thread_in(s, request_sid)


async def thread_in(session: AsyncSession, request_sid: str) -> RequestThread | None:
    return await session.get(RequestThread, request_sid)


async def save_thread(db: Database, request_sid: str, channel_id: str, thread_ts: str) -> bool:
    """Store the thread for a request; False when one was stored first (someone else won)."""
    async with db.session() as s:
        s.add(RequestThread(request_sid=request_sid, channel_id=channel_id, thread_ts=thread_ts))
        try:
            await s.commit()
        except IntegrityError:
            return False
    return True


async def add_thread(
    session: AsyncSession, request_sid: str, channel_id: str, thread_ts: str, now: datetime
) -> None:
    """Store the thread a root message opened, in ``session`` (the first one stored stays)."""
    await session.exec(
        session_upsert(session, THREADS)
        .values(request_sid=request_sid, channel_id=channel_id, thread_ts=thread_ts, created_at=now)
        .on_conflict_do_nothing(index_elements=["request_sid"])
    )


# -- state -------------------------------------------------------------------------------------


async def load_request(
    db: Database, request_sid: str
) -> tuple[RequestState | None, list[NumberState]]:
    async with db.session() as s:
        return await load_in(s, request_sid)


async def load_in(
    session: AsyncSession, request_sid: str
) -> tuple[RequestState | None, list[NumberState]]:
    state = await session.get(RequestState, request_sid)
    rows = await session.exec(
        select(NumberState).where(col(NumberState.request_sid) == request_sid)
    )
    return state, list(rows.all())


async def load(db: Database, request_sid: str) -> StoredRequest | None:
    """The request with its numbers and thread, or None when it was never stored."""
    async with db.session() as s:
        state, numbers = await load_in(s, request_sid)
        if state is None:
            return None
        thread = await thread_in(s, request_sid)
        return StoredRequest(state, numbers, thread, await refiled_as_in(s, request_sid))


async def save_request(db: Database, state: RequestState, numbers: Sequence[NumberState]) -> None:
    """Upsert a request's state and the given numbers in one transaction."""
    async with db.session() as s:
        await s.merge(state)
        for number in numbers:
            await s.merge(number)
        await s.commit()


async def record_filed(
    db: Database, state: RequestState, entry: AuditEntry, claim_key: str
) -> None:
    """A request Twilio accepted: its state (with ``filed_by``), the audit entry and the
    finished claim, in one transaction, before any Slack call can fail."""
    async with db.session() as s:
        await record_filed_in(s, state, [entry], claim_key)
        await s.commit()


async def record_filed_in(
    session: AsyncSession, state: RequestState, entries: Sequence[AuditEntry], claim_key: str
) -> None:
    await session.merge(state)
    session.add_all(entries)
    await claims.finish_in(session, claim_key, state.request_sid)


async def refiled_as_in(session: AsyncSession, request_sid: str) -> list[str]:
    """The requests that re-file numbers of ``request_sid``, oldest first."""
    rows = await session.exec(
        select(col(RequestState.request_sid))
        .where(col(RequestState.refile_of) == request_sid)
        .order_by(col(RequestState.created_at), col(RequestState.request_sid))
    )
    return list(rows.all())


async def active_request_sids(db: Database) -> list[str]:
    """Requests short of a terminal status."""
    async with db.session() as s:
        return await active_in(s)


async def active_in(session: AsyncSession) -> list[str]:
    rows = await session.exec(
        select(col(RequestState.request_sid)).where(col(RequestState.status).not_in(TERMINAL))
    )
    return list(rows.all())


async def known_in(session: AsyncSession, request_sids: Sequence[str]) -> set[str]:
    """Which of ``request_sids`` were stored before."""
    rows = await session.exec(
        select(col(RequestState.request_sid)).where(
            col(RequestState.request_sid).in_(list(request_sids))
        )
    )
    return set(rows.all())


async def filer(db: Database, request_sid: str) -> str | None:
    """Who filed the request through the bot (None: adopted, or never stored)."""
    async with db.session() as s:
        found = await s.exec(
            select(col(RequestState.filed_by)).where(col(RequestState.request_sid) == request_sid)
        )
        return found.first()


# -- Twilio's suggestions (the request list's suggested_action) ---------------------------------


async def suggestions_in(
    session: AsyncSession, request_sids: Sequence[str]
) -> dict[str, tuple[str, str | None]]:
    """``{request_sid: (status, suggested_action)}`` for those of ``request_sids`` stored."""
    rows = await session.exec(
        select(
            col(RequestState.request_sid),
            col(RequestState.status),
            col(RequestState.suggested_action),
        ).where(col(RequestState.request_sid).in_(list(request_sids)))
    )
    return {sid: (status, text) for sid, status, text in rows.all()}


async def suggest_in(
    session: AsyncSession, request_sid: str, status: str, text: str | None
) -> bool:
    """Store Twilio's suggestion for the request while it is still in ``status`` (the one the
    list showed it in); False when it moved meanwhile or the suggestion is the same."""
    result = await session.exec(
        update(RequestState)
        .where(
            col(RequestState.request_sid) == request_sid,
            col(RequestState.status) == status,
            col(RequestState.suggested_action).is_distinct_from(text),
        )
        .values(suggested_action=text)
    )
    return bool(result.rowcount)
