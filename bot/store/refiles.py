"""Re-filings: a request filed with the rejected numbers of another (``refile_of``), recorded
with its old thread's reply and board edit in one transaction, and the chain of re-filings
around a request. Each function taking a Database owns its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_
from sqlalchemy import select as core_select
from sqlmodel import col, select

from bot import work
from bot.porting.statuses import NumberStatus
from bot.store import edits, outbox, request_state, sync
from bot.store.db import Database, table
from bot.store.models import AuditEntry, NumberState, RequestState, RequestThread, utcnow

MAX_CHAIN = 10  # requests shown either side of one (a re-filing of a re-filing of …)


async def record_refiled(
    db: Database,
    state: RequestState,
    entries: Sequence[AuditEntry],
    claim_key: str,
    refiled: work.Refiled,
    *,
    channel: str,
    board_seconds: float,
) -> None:
    """A re-filing Twilio accepted: the new request's state (``refile_of`` set), the audit
    entries of both requests and the finished claim, the new request's thread root (in
    ``channel``), the old thread's reply naming it and an edit of the old board, in one
    transaction (the reply waits for the root, to link to the new thread)."""
    old_sid = state.refile_of
    assert old_sid is not None
    now = utcnow()
    async with db.session() as s:
        await request_state.record_filed_in(s, state, entries, claim_key)
        await outbox.add(s, work.Root(request_sid=state.request_sid, channel=channel), now)
        await sync.lock(s, old_sid, now)
        await outbox.add(s, refiled, now)
        await edits.touch_board(s, old_sid, board_seconds, now)
        await s.commit()


async def load_rejected(
    db: Database, request_sid: str, numbers: Sequence[str] = ()
) -> request_state.StoredRequest | None:
    """The request as stored with only ``numbers`` (else its rejected numbers): what the
    Re-file form opens with. One plain statement (the request, its thread and those numbers
    joined), no ORM loading: the form opens on a trigger_id that lives ~3 s, and a burst of
    clicks queues behind this read."""
    states, threads, rows = table("request_state"), table("request_thread"), table("number_state")
    which: ColumnElement[bool]
    if numbers:
        which = rows.c.phone_number.in_(list(numbers))
    else:
        which = rows.c.status == NumberStatus.PORT_REJECTED.value
    statement = (
        core_select(
            states,
            threads.c.channel_id,
            threads.c.thread_ts,
            *(c.label(f"n_{c.name}") for c in rows.c),
        )
        .select_from(
            states.outerjoin(threads, threads.c.request_sid == states.c.request_sid).outerjoin(
                rows, and_(rows.c.request_sid == states.c.request_sid, which)
            )
        )
        .where(states.c.request_sid == request_sid)
    )
    async with db.engine.connect() as conn:  # a read: no session, no ORM loading
        found = (await conn.execute(statement)).all()
    if not found:
        return None
    first = found[0]._mapping
    state = RequestState(**{c.name: first[c] for c in states.c})
    thread = None
    if first["channel_id"] is not None:
        thread = RequestThread(
            request_sid=request_sid, channel_id=first["channel_id"], thread_ts=first["thread_ts"]
        )
    listed = [
        NumberState(**{c.name: row._mapping[f"n_{c.name}"] for c in rows.c})
        for row in found
        if row._mapping["n_number_sid"] is not None
    ]
    return request_state.StoredRequest(state, listed, thread)


async def refiled_as(
    db: Database, request_sid: str, numbers: Sequence[str]
) -> tuple[str, str | None, str | None] | None:
    """The latest request re-filing ``request_sid`` that holds every one of ``numbers``, with
    its thread's (channel, ts) when it has one; None when they were not re-filed."""
    if not numbers:
        return None
    states, threads, rows = table("request_state"), table("request_thread"), table("number_state")
    statement = (
        core_select(
            states.c.request_sid, threads.c.channel_id, threads.c.thread_ts, rows.c.phone_number
        )
        .select_from(
            states.join(rows, rows.c.request_sid == states.c.request_sid).outerjoin(
                threads, threads.c.request_sid == states.c.request_sid
            )
        )
        .where(states.c.refile_of == request_sid, rows.c.phone_number.in_(list(numbers)))
        .order_by(states.c.created_at.desc(), states.c.request_sid)
    )
    async with db.engine.connect() as conn:
        found = (await conn.execute(statement)).all()
    held: dict[str, set[str]] = {}
    for sid, _, _, number in found:
        held.setdefault(sid, set()).add(number)
    for sid, channel, ts, _ in found:
        if held[sid] >= set(numbers):
            return sid, channel, ts
    return None


@dataclass(frozen=True)
class Chain:
    """The re-filings around one request: those it re-files (oldest first) and those that
    re-file it, then their re-filings (breadth first)."""

    before: list[str]
    after: list[str]


async def chain(db: Database, request_sid: str) -> Chain:
    async with db.session() as s:
        before: list[str] = []
        current = await s.get(RequestState, request_sid)
        while current is not None and current.refile_of and len(before) < MAX_CHAIN:
            if current.refile_of in before or current.refile_of == request_sid:
                break  # a loop cannot be filed, but never spin on one
            before.insert(0, current.refile_of)
            current = await s.get(RequestState, current.refile_of)
        after: list[str] = []
        frontier = [request_sid]
        while frontier and len(after) < MAX_CHAIN:
            rows = await s.exec(
                select(col(RequestState.request_sid))
                .where(col(RequestState.refile_of).in_(frontier))
                .order_by(col(RequestState.created_at), col(RequestState.request_sid))
            )
            frontier = [sid for sid in rows.all() if sid not in after and sid != request_sid]
            after.extend(frontier)
        return Chain(before, after[:MAX_CHAIN])
