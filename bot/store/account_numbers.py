"""The account's numbers as the last sweep found them (``account_number``), the shared lease
that lets one process sweep per interval (``worker_lease``), departures until someone
acknowledges them, and which numbers are in the account now. Every function taking a Database
owns its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import work
from bot.porting.golive import Departure
from bot.store import audit, queue
from bot.store.db import Database, session_upsert
from bot.store.models import AccountNumber, NumberState, RequestThread, WorkerLease

SWEEP = "inventory"


@dataclass(frozen=True)
class Claimed:
    previous: datetime | None  # when the last sweep finished (None: this is the first)


_CHUNK = 2000
_TABLE = WorkerLease.__table__  # type: ignore[attr-defined]


async def claim(
    db: Database, owner: str, now: datetime, every: timedelta, lease: timedelta
) -> Claimed | None:
    """Take the sweep when it is due and nobody holds it (None: not this process's to run
    now)."""
    async with db.session() as s:
        await s.exec(
            session_upsert(s, _TABLE)
            .values(name=SWEEP)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        free = or_(col(WorkerLease.lease_until).is_(None), col(WorkerLease.lease_until) < now)
        due = or_(col(WorkerLease.done_at).is_(None), col(WorkerLease.done_at) <= now - every)
        taken = await s.exec(
            update(WorkerLease)
            .where(col(WorkerLease.name) == SWEEP, free, due)
            .values(lease_owner=owner, lease_until=now + lease)
        )
        row = await s.get(WorkerLease, SWEEP) if taken.rowcount == 1 else None
        await s.commit()
        return None if row is None else Claimed(row.done_at)


async def release(db: Database, owner: str) -> None:
    """Give the sweep back without recording it (it failed: another look soon)."""
    async with db.session() as s:
        await s.exec(
            update(WorkerLease)
            .where(col(WorkerLease.name) == SWEEP, col(WorkerLease.lease_owner) == owner)
            .values(lease_owner=None, lease_until=None)
        )
        await s.commit()


async def present(db: Database) -> set[str]:
    """Every number the last sweep found (and nothing has seen leave since)."""
    async with db.session() as s:
        rows = await s.exec(
            select(AccountNumber.phone_number).where(col(AccountNumber.gone_at).is_(None))
        )
        return set(rows.all())


async def origins(db: Database, numbers: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """The bot's port-in that brought each of ``numbers`` in, if any: (request, has thread)."""
    found: dict[str, tuple[str, bool]] = {}
    async with db.session() as s:
        rows = await s.exec(
            select(NumberState.phone_number, NumberState.request_sid, RequestThread.thread_ts)
            .join(
                RequestThread,
                col(RequestThread.request_sid) == col(NumberState.request_sid),
                isouter=True,
            )
            .where(col(NumberState.phone_number).in_(numbers), NumberState.status == "completed")
        )
        for number, request_sid, thread_ts in rows.all():
            found[number] = (request_sid, thread_ts is not None)
    return found


async def record(
    db: Database,
    owner: str,
    now: datetime,
    arrived: Sequence[tuple[str, str]],
    left: Sequence[Departure],
    alerts: Sequence[work.Work],
) -> bool:
    """Store a sweep (``arrived``: (E.164, PN sid) pairs; ``left``: the departures) with its
    alerts in one transaction, while the lease is still ``owner``'s."""
    async with db.session() as s:
        held = await s.get(WorkerLease, SWEEP, with_for_update=True)
        if held is None or held.lease_owner != owner:
            return False
        await _arrive(s, arrived, now)
        for departure in left:
            await s.exec(
                update(AccountNumber)
                .where(col(AccountNumber.phone_number) == departure.phone_number)
                .values(
                    gone_at=departure.gone_at,
                    request_sid=departure.request_sid,
                    last_seen_at=departure.last_seen or now,
                )
            )
        for item in alerts:
            await queue.add(s, item, now)
        held.done_at, held.lease_owner, held.lease_until = now, None, None
        s.add(held)
        await s.commit()
    return True


async def _arrive(s: AsyncSession, arrived: Sequence[tuple[str, str]], now: datetime) -> None:
    numbers = [n for n, _ in arrived]
    back: set[str] = set()
    for chunk in _chunks(numbers):
        rows = await s.exec(
            select(AccountNumber.phone_number).where(col(AccountNumber.phone_number).in_(chunk))
        )
        back.update(rows.all())
    new = [
        {"phone_number": n, "number_sid": sid, "first_seen_at": now, "last_seen_at": now}
        for n, sid in arrived
        if n not in back
    ]
    for i in range(0, len(new), _CHUNK):
        await s.exec(insert(AccountNumber), params=new[i : i + _CHUNK])
    for number, sid in arrived:
        if number in back:  # it left once and is back: a new life, nothing to acknowledge
            await s.exec(
                update(AccountNumber)
                .where(col(AccountNumber.phone_number) == number)
                .values(
                    number_sid=sid,
                    last_seen_at=now,
                    gone_at=None,
                    acknowledged_by=None,
                    acknowledged_at=None,
                    acknowledged_why=None,
                )
            )


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


async def departures(db: Database) -> list[AccountNumber]:
    """Numbers that left and nobody has acknowledged yet, most recent first."""
    async with db.session() as s:
        rows = await s.exec(
            select(AccountNumber)
            .where(
                col(AccountNumber.gone_at).is_not(None),
                col(AccountNumber.acknowledged_at).is_(None),
            )
            .order_by(col(AccountNumber.gone_at).desc())
        )
        return list(rows.all())


async def acknowledge(
    db: Database, phone_number: str, user_id: str, why: str, now: datetime
) -> AccountNumber | None:
    """``user_id`` has seen to the departure of ``phone_number`` (``why``), audited; None when
    it is not a departure waiting for that (already acknowledged, or back in the account)."""
    async with db.session() as s:
        done = await s.exec(
            update(AccountNumber)
            .where(
                and_(
                    col(AccountNumber.phone_number) == phone_number,
                    col(AccountNumber.gone_at).is_not(None),
                    col(AccountNumber.acknowledged_at).is_(None),
                )
            )
            .values(acknowledged_by=user_id, acknowledged_at=now, acknowledged_why=why[:500])
        )
        if done.rowcount != 1:
            return None
        s.add(
            audit.entry(user_id, "departure.acknowledged", "ok", numbers=[phone_number], detail=why)
        )
        row = await s.get(AccountNumber, phone_number)
        await s.commit()
        return row


async def in_account(db: Database, numbers: Sequence[str]) -> dict[str, bool]:
    """Whether each of ``numbers`` was in the account at the last sweep (absent: never seen)."""
    found: dict[str, bool] = {}
    async with db.session() as s:
        for chunk in _chunks(list(numbers)):
            rows = await s.exec(
                select(AccountNumber.phone_number, AccountNumber.gone_at).where(
                    col(AccountNumber.phone_number).in_(chunk)
                )
            )
            found.update({n: gone is None for n, gone in rows.all()})
    return found


async def last_sweep(db: Database) -> datetime | None:
    async with db.session() as s:
        row = await s.get(WorkerLease, SWEEP)
        return row.done_at if row else None


async def record_port_out(
    db: Database, departure: Departure, alerts: Sequence[work.Work], now: datetime
) -> bool:
    """A port-out webhook: the number left (with its alerts), unless that is known already
    (False: a redelivery, or a sweep saw it go first)."""
    async with db.session() as s:
        row = await s.get(AccountNumber, departure.phone_number, with_for_update=True)
        if row is not None and row.gone_at is not None:
            return False
        if row is None:  # never swept (sweeps off, or it arrived since the last one)
            row = AccountNumber(
                phone_number=departure.phone_number, first_seen_at=now, last_seen_at=now
            )
        row.gone_at, row.request_sid = departure.gone_at, departure.request_sid
        row.last_seen_at = departure.last_seen or row.last_seen_at
        s.add(row)
        for item in alerts:
            await queue.add(s, item, now)
        await s.commit()
    return True
