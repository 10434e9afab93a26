"""What the sync adds beside a request's change sets: Twilio's suggestions from the request
list (shown on the status board), the post-port checklist once the request completes, and the
go-live of numbers as they complete (``bot.desk.golive``).

All are queued under the request's row lock, in the transaction of what causes them, like
every other piece of Slack work (``bot.desk.sync``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import work
from bot.desk.profiles import NONE
from bot.desk.types import RequestUpdate
from bot.porting.models import PortInSummary
from bot.porting.statuses import NumberStatus, RequestStatus, stored_status
from bot.store import edits, golive_runs, poll_schedule, request_state
from bot.store.db import Database
from bot.store.models import RequestState


def checklist(update: RequestUpdate, filed_by: str | None) -> work.Checklist | None:
    """The post-port checklist when ``update`` completes the request (and a number ported),
    mentioning whoever filed it; None otherwise. Its key is the request's, so it is posted
    once however often the completion is seen."""
    request = update.request
    if not update.status_changed or request.status != RequestStatus.COMPLETED:
        return None
    numbers = request.phone_numbers
    ported = sorted(
        n.phone_number for n in numbers if n.status == NumberStatus.COMPLETED and n.phone_number
    )
    if not ported:
        return None
    canceled = sum(n.status == NumberStatus.CANCELED for n in numbers)
    return work.Checklist(
        request_sid=request.request_sid, ported=ported, canceled=canceled, mention=filed_by
    )


class GoLiveQueue(Protocol):
    """What the sync asks of go-live (``bot.desk.golive.GoLive``)."""

    def profile_for(self, chosen: str | None) -> str: ...

    def now(self) -> datetime: ...

    def wake(self) -> None: ...


async def queue_golive(
    s: AsyncSession, update: RequestUpdate, state: RequestState, golive: GoLiveQueue | None
) -> bool:
    """Numbers ``update`` completes go live by the request's profile (``bot.desk.golive``), in
    the sync's transaction; True when any were queued."""
    profile = golive.profile_for(state.golive_profile) if golive is not None else NONE
    if golive is None or profile == NONE:
        return False
    ported = sorted(
        c.number.phone_number
        for c in update.number_changes
        if c.new == NumberStatus.COMPLETED
        and c.old != NumberStatus.COMPLETED
        and c.number.phone_number
    )
    if ported:
        await golive_runs.queue_in(s, update.request.request_sid, ported, profile, golive.now())
    return bool(ported)


async def note_suggestions(
    db: Database, listed: Sequence[PortInSummary], board_seconds: float, now: datetime
) -> list[str]:
    """Store the request list's ``suggested_action`` for the listed requests the bot knows,
    each for the status the list showed (a request that moved since keeps none), and queue
    a board edit where it changed. Returns the requests whose suggestion changed."""
    wanted = {
        row.request_sid: (stored_status(row.status, row.raw_status), row.suggested_action or None)
        for row in listed
        if row.raw_status
    }
    if not wanted:
        return []
    async with db.session() as s:
        stored = await request_state.suggestions_in(s, list(wanted))
    moved = sorted(
        sid
        for sid, (status, text) in wanted.items()
        if sid in stored and stored[sid][0] == status and stored[sid][1] != text
    )
    changed = []
    async with db.session() as s:
        for sid in moved:  # sorted: row locks always taken in the same order
            await poll_schedule.lock(s, sid, now)
            status, text = wanted[sid]
            if not await request_state.suggest_in(s, sid, status, text):
                continue
            changed.append(sid)
            if await request_state.thread_in(s, sid) is not None:
                await edits.touch_board(s, sid, board_seconds, now)
        await s.commit()
    return changed
