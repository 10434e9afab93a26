"""Go-live: each ported number's set-up by its request's profile (``number_live``) and the
runs that do it (``golive_run``: due time, the lease of the one process applying it, how many
replies were said). Every function taking a Database owns its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import work
from bot.store import queue
from bot.store.db import Database
from bot.store.models import GoLiveRun, NumberLive, NumberState, RequestState

WAITING = "waiting"
# Numbers to set up by a profile, and when (``queue_in``'s arguments after the request).
GoingLive = tuple[Sequence[str], str, datetime]


async def queue_in(
    s: AsyncSession, request_sid: str, numbers: Sequence[str], profile: str, now: datetime
) -> None:
    """``numbers`` of the request completed: set them up by ``profile`` soon (in the caller's
    transaction, under the request's row lock)."""
    for number in numbers:
        row = await s.get(NumberLive, number)
        if row is None:
            row = NumberLive(phone_number=number, request_sid=request_sid, profile=profile)
        elif row.request_sid == request_sid and row.state != WAITING:
            continue  # already set up (the completion seen again)
        row.request_sid, row.profile, row.state = request_sid, profile, WAITING
        row.reported, row.first_tried_at, row.updated_at = False, None, now
        s.add(row)
    await _due_in(s, request_sid, now, recheck=False)


async def _due_in(s: AsyncSession, request_sid: str, now: datetime, *, recheck: bool) -> None:
    run = await s.get(GoLiveRun, request_sid)
    if run is None:
        run = GoLiveRun(request_sid=request_sid)
    run.due_at = now if run.due_at is None else min(run.due_at, now)
    run.recheck = run.recheck or recheck
    s.add(run)


async def recheck(db: Database, request_sid: str, profile: str, now: datetime) -> int:
    """Go live pressed: every number of the request is looked at again by ``profile``; how
    many there are."""
    async with db.session() as s:
        rows = (
            await s.exec(select(NumberLive).where(col(NumberLive.request_sid) == request_sid))
        ).all()
        for row in rows:
            row.profile, row.updated_at = profile, now
            s.add(row)
        if rows:
            await _due_in(s, request_sid, now, recheck=True)
        await s.commit()
    return len(rows)


async def claim_due(db: Database, owner: str, now: datetime, lease: timedelta) -> list[str]:
    """The requests whose runs are due and free, now leased to ``owner`` (compare-and-set on
    the lease: two processes never hold one run)."""
    async with db.session() as s:
        due = (
            await s.exec(
                select(GoLiveRun.request_sid)
                .where(col(GoLiveRun.due_at) <= now, _free(now))
                .order_by(col(GoLiveRun.due_at))
                .limit(20)
            )
        ).all()
        taken = []
        for sid in due:
            result = await s.exec(
                update(GoLiveRun)
                .where(col(GoLiveRun.request_sid) == sid, _free(now))
                .values(lease_owner=owner, lease_until=now + lease)
            )
            if result.rowcount == 1:
                taken.append(sid)
        await s.commit()
    return taken


def _free(now: datetime) -> ColumnElement[bool]:
    """The run is held by nobody (or by a process whose lease ran out)."""
    return or_(col(GoLiveRun.lease_until).is_(None), col(GoLiveRun.lease_until) < now)


@dataclass
class RunRows:
    rows: list[NumberLive]
    recheck: bool
    batch: int


async def run_rows(db: Database, request_sid: str) -> RunRows:
    """The numbers a run looks at: the waiting ones, or all of them after Go live."""
    async with db.session() as s:
        run = await s.get(GoLiveRun, request_sid)
        query = select(NumberLive).where(col(NumberLive.request_sid) == request_sid)
        if run is None or not run.recheck:
            query = query.where(col(NumberLive.state) == WAITING)
        rows = list((await s.exec(query.order_by(col(NumberLive.phone_number)))).all())
        return RunRows(rows, bool(run and run.recheck), run.batch if run else 0)


async def finish(
    db: Database,
    request_sid: str,
    owner: str,
    rows: Sequence[NumberLive],
    report: Sequence[work.Work],
    next_due: datetime | None,
    now: datetime,
) -> bool:
    """Store a run's outcome, queue its report and set the next run, in one transaction, while
    the lease is still ``owner``'s (False: it was lost and nothing is stored)."""
    async with db.session() as s:
        run = await s.get(GoLiveRun, request_sid, with_for_update=True)
        if run is None or run.lease_owner != owner:
            return False
        for row in rows:
            await s.merge(row)
        for item in report:
            await queue.add(s, item, now)
        run.batch += 1 if report else 0
        run.due_at, run.recheck = next_due, False
        run.lease_owner = run.lease_until = None
        s.add(run)
        await s.commit()
    return True


async def live_states(db: Database, request_sid: str) -> dict[str, NumberLive]:
    """Each go-live number of the request, by E.164."""
    async with db.session() as s:
        rows = await s.exec(select(NumberLive).where(col(NumberLive.request_sid) == request_sid))
        return {r.phone_number: r for r in rows.all()}


async def profile_of(db: Database, request_sid: str) -> str | None:
    async with db.session() as s:
        state = await s.get(RequestState, request_sid)
        return state.golive_profile if state else None


async def set_profile(db: Database, request_sid: str, profile: str) -> bool:
    """Change the request's profile (False: the request is not known)."""
    async with db.session() as s:
        state = await s.get(RequestState, request_sid)
        if state is None:
            return False
        state.golive_profile = profile
        s.add(state)
        await s.commit()
    return True


async def of_numbers(db: Database, numbers: Sequence[str]) -> dict[str, NumberLive]:
    """The go-live of each of ``numbers`` that has one."""
    async with db.session() as s:
        rows = await s.exec(select(NumberLive).where(col(NumberLive.phone_number).in_(numbers)))
        return {r.phone_number: r for r in rows.all()}


async def holder(db: Database, phone_number: str) -> str | None:
    """The request the bot knows holding ``phone_number`` (the latest to change it)."""
    async with db.session() as s:
        row = await s.exec(
            select(NumberState.request_sid)
            .where(col(NumberState.phone_number) == phone_number)
            .order_by(col(NumberState.updated_at).desc())
            .limit(1)
        )
        return row.first()


async def busy(db: Database, now: datetime) -> bool:
    """A run is due now or in flight (tests wait for this to end)."""
    async with db.session() as s:
        row = await s.exec(
            select(GoLiveRun.request_sid)
            .where(or_(col(GoLiveRun.due_at) <= now, col(GoLiveRun.lease_owner).is_not(None)))
            .limit(1)
        )
        return row.first() is not None
