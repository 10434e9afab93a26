"""The listing read (/port-list, the digest, App Home) on SQLite and PostgreSQL, over the
migrated schema: filters, the numbers' summary, fallbacks for timestamps not yet recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.listed_requests import ListingQuery, PortDayCount
from bot.store.db import Database, migrate
from bot.store.models import ManualPortRow, NumberState, RequestState, RequestThread
from bot.store.request_listing import list_requests, thread_channels
from tests.pg import fresh_database

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def sid(i: int) -> str:
    return f"KW{i:032x}"


def pu(i: int, j: int) -> str:
    return f"PU{i:016x}{j:016x}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        database = Database.from_url(f"sqlite:///{tmp_path}/listing.db")
        await migrate(database.engine)
        yield database
        await database.close()
        return
    async with fresh_database() as url:
        database = Database.from_url(url)
        await migrate(database.engine)
        try:
            yield database
        finally:
            await database.close()


async def seed(db: Database) -> None:
    async with db.session() as s:
        # 1: waiting for signature, filed by U1, thread in C1, Twilio's timestamps recorded.
        s.add(
            RequestState(
                request_sid=sid(1),
                status="waiting_for_signature",
                customer_name="Acme",
                number_count=2,
                filed_by="U1",
                updated_at=T0,
                created_at=T0 - timedelta(days=3),
                status_changed_at=T0 - timedelta(days=2),
                synced_at=T0 + timedelta(minutes=5),
            )
        )
        s.add(RequestThread(request_sid=sid(1), channel_id="C1", thread_ts="1.000100"))
        for j, number in enumerate(["+14155550100", "+14155550101"]):
            s.add(
                NumberState(
                    number_sid=pu(1, j),
                    request_sid=sid(1),
                    phone_number=number,
                    status="waiting_for_signature",
                    twilio_updated_at=T0 - timedelta(days=2),
                )
            )
        # 2: in progress with port dates and a rejection; adopted; stored before 0006 (no
        # Twilio timestamps on the request): status_since falls back to the numbers'.
        s.add(
            RequestState(
                request_sid=sid(2),
                status="action_required",
                customer_name="Globex",
                number_count=4,
                updated_at=T0 - timedelta(hours=1),
            )
        )
        s.add(RequestThread(request_sid=sid(2), channel_id="C2", thread_ts="2.000200"))
        rows = [
            ("+14155550162", "port_pending", datetime(2026, 12, 7), T0 - timedelta(days=4)),
            ("+14155550163", "port_pending", datetime(2026, 12, 7), T0 - timedelta(days=4)),
            ("+14155550164", "port_rejected", None, T0 - timedelta(days=1)),
            ("+14155550165", "completed", datetime(2026, 11, 30), T0 - timedelta(days=5)),
        ]
        for j, (number, status, port, stamp) in enumerate(rows):
            s.add(
                NumberState(
                    number_sid=pu(2, j),
                    request_sid=sid(2),
                    phone_number=number,
                    status=status,
                    port_date=port.replace(tzinfo=UTC) if port else None,
                    twilio_updated_at=stamp,
                )
            )
        # 3: completed, filed by U2, no thread, nothing from Twilio's clock at all.
        s.add(
            RequestState(
                request_sid=sid(3),
                status="completed",
                number_count=0,
                filed_by="U2",
                updated_at=T0 - timedelta(days=40),
            )
        )
        # 4: a status Twilio added that we do not know: open, kept in Twilio's words.
        s.add(
            RequestState(
                request_sid=sid(4),
                status="Pending Carrier Review",
                number_count=0,
                filed_by="U2",
                updated_at=T0,
                created_at=T0,
            )
        )
        s.add(RequestThread(request_sid=sid(4), channel_id="C1", thread_ts="4.000400"))
        await s.commit()


async def sids(db: Database, query: ListingQuery) -> list[str]:
    listing = await list_requests(db, query)
    return sorted(r.request_sid for r in listing.rows)


async def test_filters_combine(db: Database) -> None:
    await seed(db)
    assert await sids(db, ListingQuery()) == [sid(1), sid(2), sid(3), sid(4)]
    assert await sids(db, ListingQuery(open_only=True)) == [sid(1), sid(2), sid(4)]
    assert await sids(db, ListingQuery(statuses=frozenset({"completed"}))) == [sid(3)]
    assert await sids(db, ListingQuery(filed_by=frozenset({"U2"}))) == [sid(3), sid(4)]
    assert await sids(db, ListingQuery(filed_by=frozenset({"U2"}), open_only=True)) == [sid(4)]
    assert await sids(db, ListingQuery(channel_id="C1")) == [sid(1), sid(4)]
    assert await sids(db, ListingQuery(since=T0 - timedelta(days=2))) == [sid(1), sid(2), sid(4)]
    assert await sids(db, ListingQuery(changed_since=T0 - timedelta(minutes=1))) == [
        sid(1),
        sid(4),
    ]
    assert await sids(db, ListingQuery(statuses=frozenset({"in_review"}))) == []


async def test_which_request_holds_a_number(db: Database) -> None:
    await seed(db)
    listing = await list_requests(db, ListingQuery(phone_numbers=frozenset({"+14155550162"})))
    [row] = listing.rows
    assert row.request_sid == sid(2) and row.matched_numbers == ("+14155550162",)
    both = await list_requests(
        db, ListingQuery(phone_numbers=frozenset({"+14155550162", "+14155550101", "+1999"}))
    )
    assert {r.request_sid: r.matched_numbers for r in both.rows} == {
        sid(1): ("+14155550101",),
        sid(2): ("+14155550162",),
    }


async def test_rows_summarise_numbers_and_fall_back_for_missing_timestamps(
    db: Database,
) -> None:
    await seed(db)
    listing = await list_requests(db, ListingQuery())
    one, two, three = (listing.by_sid[sid(i)] for i in (1, 2, 3))
    assert (one.channel_id, one.thread_ts, one.filed_by) == ("C1", "1.000100", "U1")
    assert one.status_since == T0 - timedelta(days=2) and one.created_at == T0 - timedelta(days=3)
    assert one.status_since.tzinfo is not None and one.updated_at.tzinfo is not None
    # Request 2: rejected count, only the porting numbers' dates, Twilio's latest change.
    assert two.rejected == 1 and two.filed_by is None
    assert two.port_days == (PortDayCount(date(2026, 12, 7), 2),)
    assert two.next_port_day == date(2026, 12, 7)
    assert two.status_since == T0 - timedelta(days=1)  # the numbers' latest timestamp
    assert two.moved_at == T0 - timedelta(days=1)
    assert two.created_at.tzinfo is not None  # the thread's time
    # Request 3: nothing but the bot's own time.
    assert three.status_since == three.created_at == three.updated_at == T0 - timedelta(days=40)
    assert three.channel_id is None and three.closed
    assert not listing.by_sid[sid(4)].closed


async def test_freshness_is_the_oldest_and_newest_read_of_open_rows(db: Database) -> None:
    await seed(db)
    listing = await list_requests(db, ListingQuery())
    # Request 2 was never recorded as read: its last stored change stands in.
    assert listing.oldest_sync == T0 - timedelta(hours=1)
    assert listing.newest_sync == T0 + timedelta(minutes=5)
    empty = await list_requests(db, ListingQuery(statuses=frozenset({"completed"})))
    assert empty.oldest_sync is None and empty.rows[0].request_sid == sid(3)


async def test_channels_with_open_threads(db: Database) -> None:
    await seed(db)
    assert await thread_channels(db) == ["C1", "C2"]
    # Manual ports' threads count too while the port is open (a closed one's channel not).
    async with db.session() as s:
        for manual_id, step, channel in (("MP1", "quoted", "C7"), ("MP2", "canceled", "C8")):
            s.add(
                ManualPortRow(
                    id=manual_id,
                    step=step,
                    country="GB",
                    customer_name="Acme Ltd",
                    channel_id=channel,
                    filed_by="U1",
                    details="{}",
                )
            )
            s.add(RequestThread(request_sid=manual_id, channel_id=channel, thread_ts="1.000100"))
        await s.commit()
    assert await thread_channels(db) == ["C1", "C2", "C7"]
    assert (await list_requests(db, ListingQuery(channel_id="C9"))).rows == ()
