"""Re-filings: a request filed with the rejected numbers of another (``refile_of``), recorded
with its old thread's reply and board edit in one transaction, and the chain of re-filings
around a request. Each function taking a Database owns its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from bot.store import items, outbox, request_state, sync
from bot.store.db import Database
from bot.store.models import AuditEntry, RequestState, utcnow

MAX_CHAIN = 10  # requests shown either side of one (a re-filing of a re-filing of …)


async def record_refiled(
    db: Database,
    state: RequestState,
    entries: Sequence[AuditEntry],
    claim_key: str,
    item: items.NewItem,
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
        await outbox.add(s, state.request_sid, items.root(state.request_sid, channel), now)
        await sync.lock(s, old_sid, now)
        await outbox.add(s, old_sid, item, now)
        await outbox.touch_board(s, old_sid, board_seconds, now)
        await s.commit()


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
