"""Reading many requests at once, for /port-list, the daily digest and App Home.

Two statements whatever the size: the requests that match (with their thread), then their
numbers grouped by status and port date (how many are rejected, which port dates are ahead,
when Twilio last moved one). Rows come back as plain frozen dataclasses, never table objects;
ordering by urgency is the desk's business (``bot.desk.agenda``), not SQL's.

The value types live in ``bot.listed_requests`` (every layer may hold them). Timestamps the sync
has not recorded yet (rows stored before migration 0006) fall back to the best the store knows,
so a listing never has holes: ``created_at`` to the thread's or the state's time,
``status_since`` to the numbers' latest Twilio timestamp, then ``created_at``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.listed_requests import CLOSED_STATUSES, ListedRequest, Listing, ListingQuery, PortDayCount
from bot.store.db import Database
from bot.store.manual_ports import CLOSED_STEPS
from bot.store.models import ManualPortRow, NumberState, RequestState, RequestThread

REQUESTS: Table = RequestState.__table__  # type: ignore[attr-defined]
NUMBERS: Table = NumberState.__table__  # type: ignore[attr-defined]
THREADS: Table = RequestThread.__table__  # type: ignore[attr-defined]
MANUAL: Table = ManualPortRow.__table__  # type: ignore[attr-defined]

REJECTED = "port_rejected"
# Numbers in these statuses are not on their way to a port date.
_NOT_PORTING = frozenset({"completed", "canceled", "canceling", REJECTED})


def _where(query: ListingQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.statuses is not None:
        where.append(REQUESTS.c.status.in_(sorted(query.statuses)))
    if query.open_only:
        where.append(REQUESTS.c.status.not_in(sorted(CLOSED_STATUSES)))
    if query.filed_by:
        where.append(REQUESTS.c.filed_by.in_(sorted(query.filed_by)))
    if query.channel_id is not None:
        where.append(THREADS.c.channel_id == query.channel_id)
    if query.phone_numbers:
        holders = select(NUMBERS.c.request_sid).where(
            NUMBERS.c.phone_number.in_(sorted(query.phone_numbers))
        )
        where.append(REQUESTS.c.request_sid.in_(holders))
    if query.changed_since is not None:
        where.append(REQUESTS.c.updated_at >= query.changed_since)
    if query.customer:
        name = func.lower(REQUESTS.c.customer_name)
        where.append(name.contains(query.customer.lower(), autoescape=True))
    return where


def _statements(query: ListingQuery) -> tuple[Select[Any], Select[Any]]:
    """The matching requests (with their threads), and their numbers grouped by status and
    port date."""
    where = _where(query)
    joined = REQUESTS.outerjoin(THREADS, THREADS.c.request_sid == REQUESTS.c.request_sid)
    requests = (
        select(
            REQUESTS.c.request_sid,
            REQUESTS.c.status,
            REQUESTS.c.customer_name,
            REQUESTS.c.number_count,
            REQUESTS.c.filed_by,
            REQUESTS.c.updated_at,
            REQUESTS.c.created_at,
            REQUESTS.c.status_changed_at,
            REQUESTS.c.synced_at,
            THREADS.c.channel_id,
            THREADS.c.thread_ts,
            THREADS.c.created_at.label("thread_created_at"),
        )
        .select_from(joined)
        .where(*where)
    )
    matching = select(REQUESTS.c.request_sid).select_from(joined).where(*where)
    numbers = (
        select(
            NUMBERS.c.request_sid,
            NUMBERS.c.status,
            NUMBERS.c.port_date,
            func.count().label("n"),
            func.max(NUMBERS.c.twilio_updated_at).label("moved"),
        )
        .where(NUMBERS.c.request_sid.in_(matching))
        .group_by(NUMBERS.c.request_sid, NUMBERS.c.status, NUMBERS.c.port_date)
    )
    return requests, numbers


async def list_requests(db: Database, query: ListingQuery) -> Listing:
    """The requests ``query`` asks for, unordered, with their numbers summarised."""
    requests, numbers = _statements(query)
    async with db.engine.connect() as conn:  # Core rows: no ORM objects for 10,000 requests
        request_rows = (await conn.execute(requests)).all()
        number_rows = (await conn.execute(numbers)).all() if request_rows else []
        matched = await _matched(conn, query.phone_numbers) if query.phone_numbers else {}
    rejected: dict[str, int] = {}
    ended: dict[str, dict[str, int]] = defaultdict(dict)  # completed / canceled numbers
    moved: dict[str, datetime] = {}
    days_of: dict[str, dict[date, int]] = {}
    for sid, status, port_date, count, stamp in number_rows:
        if status in ("completed", "canceled"):
            ended[sid][status] = ended[sid].get(status, 0) + count
        if status == REJECTED:
            rejected[sid] = rejected.get(sid, 0) + count
        elif port_date is not None and status not in _NOT_PORTING:
            counts = days_of.setdefault(sid, {})
            day = port_date.date()
            counts[day] = counts.get(day, 0) + count
        if stamp is not None:
            if sid not in moved or stamp > moved[sid]:
                moved[sid] = stamp
    cutoff = query.since
    rows = []
    syncs = []
    for (
        sid,
        status,
        customer_name,
        number_count,
        filed_by,
        updated,
        created,
        changed,
        synced,
        channel_id,
        thread_ts,
        thread_created,
    ) in request_rows:
        if created is None:
            created = thread_created or updated
        last = moved.get(sid)
        if changed is None:
            since = last or created
        else:
            since = changed
        if cutoff is not None and since < cutoff:
            continue
        if status not in CLOSED_STATUSES:
            syncs.append(synced or updated)
        days = days_of.get(sid)
        rows.append(
            ListedRequest(
                sid,
                status,
                customer_name,
                number_count,
                filed_by,
                channel_id,
                thread_ts,
                created,
                since,
                since if last is None or last < since else last,
                updated,
                rejected.get(sid, 0),
                tuple(PortDayCount(d, days[d]) for d in sorted(days)) if days else (),
                tuple(sorted(matched[sid])) if sid in matched else (),
                ended[sid].get("completed", 0) if sid in ended else 0,
                ended[sid].get("canceled", 0) if sid in ended else 0,
            )
        )
    return Listing(tuple(rows), min(syncs, default=None), max(syncs, default=None))


async def _matched(conn: AsyncConnection, phone_numbers: Collection[str]) -> dict[str, set[str]]:
    result = await conn.execute(
        select(NUMBERS.c.request_sid, NUMBERS.c.phone_number).where(
            NUMBERS.c.phone_number.in_(sorted(phone_numbers))
        )
    )
    found: dict[str, set[str]] = defaultdict(set)
    for sid, number in result.all():
        found[sid].add(number)
    return found


async def thread_channels(db: Database) -> list[str]:
    """The channels holding threads of open requests or open manual ports (where a digest
    may go)."""
    requests = (
        select(THREADS.c.channel_id)
        .select_from(THREADS.join(REQUESTS, REQUESTS.c.request_sid == THREADS.c.request_sid))
        .where(REQUESTS.c.status.not_in(sorted(CLOSED_STATUSES)))
    )
    manual = (
        select(THREADS.c.channel_id)
        .select_from(THREADS.join(MANUAL, MANUAL.c.id == THREADS.c.request_sid))
        .where(MANUAL.c.step.not_in(sorted(CLOSED_STEPS)))
    )
    statement = union(requests, manual).order_by("channel_id")
    async with db.engine.connect() as conn:
        return list((await conn.execute(statement)).scalars().all())
