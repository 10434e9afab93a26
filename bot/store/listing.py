"""Reading many requests at once, for /port-list, the daily digest and App Home.

Two statements whatever the size: the requests that match (with their thread), then their
numbers grouped by status and port date (how many are rejected, which port dates are ahead,
when Twilio last moved one). Rows come back as plain frozen dataclasses, never table objects;
ordering by urgency is the desk's business (``bot.desk.agenda``), not SQL's.

Datetimes are aware (SQLite hands them back naive; they are UTC). Timestamps the sync has not
recorded yet (rows stored before migration 0006) fall back to the best the store knows, so a
listing never has holes: ``created_at`` to the thread's or the state's time, ``status_since``
to the numbers' latest Twilio timestamp, then ``created_at``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.db import Database
from bot.store.models import NumberState, RequestState, RequestThread

REQUESTS: Table = RequestState.__table__  # type: ignore[attr-defined]
NUMBERS: Table = NumberState.__table__  # type: ignore[attr-defined]
THREADS: Table = RequestThread.__table__  # type: ignore[attr-defined]

CLOSED_STATUSES = frozenset({"completed", "canceled", "expired"})  # as the store keeps them
REJECTED = "port_rejected"
# Numbers in these statuses are not on their way to a port date.
_NOT_PORTING = frozenset({"completed", "canceled", "canceling", REJECTED})


@dataclass(frozen=True)
class PortDayCount:
    day: date  # the date Twilio names
    numbers: int


@dataclass(frozen=True)
class ListedRequest:
    request_sid: str
    status: str  # as stored: our status value, or Twilio's own words for one we do not know
    customer_name: str | None
    number_count: int
    filed_by: str | None  # None: adopted (filed outside the bot)
    channel_id: str | None  # the thread's, when it has one
    thread_ts: str | None
    created_at: datetime  # Twilio's date_created (else when the bot first stored it)
    status_since: datetime  # when it entered its status, by Twilio's clock
    moved_at: datetime  # Twilio's latest change to it or one of its numbers
    updated_at: datetime  # when the bot last stored a change
    rejected: int = 0  # numbers rejected now
    port_days: tuple[PortDayCount, ...] = ()  # port dates of numbers still porting, earliest first
    matched_numbers: tuple[str, ...] = ()  # the numbers asked for that this request holds

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def next_port_day(self) -> date | None:
        return self.port_days[0].day if self.port_days else None


@dataclass(frozen=True)
class ListingQuery:
    """Which requests to read; every filter given must hold (an empty one is no filter)."""

    statuses: frozenset[str] | None = None  # only these stored statuses (None: any)
    open_only: bool = False  # leave out completed, canceled and expired requests
    filed_by: frozenset[str] = frozenset()  # filed by any of these Slack users
    phone_numbers: frozenset[str] = frozenset()  # E.164: requests holding any of these
    channel_id: str | None = None  # requests whose thread is in this channel
    since: datetime | None = None  # entered their current status at or after this
    changed_since: datetime | None = None  # the bot stored a change at or after this


@dataclass(frozen=True)
class Listing:
    rows: tuple[ListedRequest, ...]
    # How fresh the rows are: the oldest and newest read from Twilio among the open rows (the
    # reconciler re-reads every open request each PORTING_RECONCILE_SECONDS). None: no open row.
    oldest_sync: datetime | None = None
    newest_sync: datetime | None = None
    by_sid: dict[str, ListedRequest] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_sid.update((r.request_sid, r) for r in self.rows)


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
    return where


async def list_requests(db: Database, query: ListingQuery) -> Listing:
    """The requests ``query`` asks for, unordered, with their numbers summarised."""
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
    async with db.engine.connect() as conn:  # Core rows: no ORM objects for 10,000 requests
        request_rows = (await conn.execute(requests)).all()
        number_rows = (await conn.execute(numbers)).all() if request_rows else []
        matched = await _matched(conn, query.phone_numbers) if query.phone_numbers else {}
    rejected: dict[str, int] = {}
    moved: dict[str, datetime] = {}
    days_of: dict[str, dict[date, int]] = {}
    for sid, status, port_date, count, stamp in number_rows:
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
    """The channels holding threads of open requests (where a digest may go)."""
    joined = THREADS.join(REQUESTS, REQUESTS.c.request_sid == THREADS.c.request_sid)
    statement = (
        select(THREADS.c.channel_id)
        .select_from(joined)
        .where(REQUESTS.c.status.not_in(sorted(CLOSED_STATUSES)))
        .distinct()
        .order_by(THREADS.c.channel_id)
    )
    async with db.engine.connect() as conn:
        return list((await conn.execute(statement)).scalars().all())
