"""The desk's read paths over a big store, in this process (no Slack, no HTTP): what
/port-list, the daily digest and App Home cost the bot before anything is sent.

- /port-list with 10,000 requests in the store (5 numbers each), 1,000 of them open, and a
  harder store with 4,000 open: the store read, the agenda (most urgent first) and the Block
  Kit answer (the CSV of every row, which follows the answer, timed on its own); p50/p99.
- The digest for a channel with 1,000 open requests: CPU seconds to read, judge and build it.
- App Home for a user with 200 requests: the two reads, the agenda and the view as JSON.

Run: python bench/desk_day.py [sqlite|postgresql]   (PostgreSQL at 127.0.0.1:5432)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile
from bot.desk.agenda import agenda, build_digest, build_home
from bot.desk.calendar import BusinessCalendar
from bot.desk.digest_plan import digest_slot
from bot.desk.facts import DeskPolicy
from bot.listed_requests import ListingQuery
from bot.slack.list_filter import parse_list_filter
from bot.slack.ui.digest import digest_message
from bot.slack.ui.home import home_view
from bot.slack.ui.port_list_answer import list_csv, list_message
from bot.store.db import Database, migrate
from bot.store.models import NumberState, RequestState, RequestThread
from bot.store.request_listing import list_requests

REQUESTS = 10_000
NUMBERS_EACH = 5
DIGEST_CHANNEL_OPEN = 1_000
HOME_USER_REQUESTS = 200
RUNS = 60
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
CAL = BusinessCalendar(ZoneInfo("America/New_York"))
POLICY = DeskPolicy()
WORKSPACE = "https://bench.slack.com/"
STATUSES = ["action_required", "waiting_for_signature", "in_progress", "in_review"]


@contextlib.asynccontextmanager
async def database(kind: str) -> AsyncIterator[Database]:
    if kind == "postgresql":
        from tests.pg import fresh_database

        async with fresh_database() as url:
            db = Database.from_url(url)
            await migrate(db.engine)
            try:
                yield db
            finally:
                await db.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{tmp}/bench.db")
        await migrate(db.engine)
        try:
            yield db
        finally:
            await db.close()


async def seed(db: Database, open_count: int) -> None:
    """10,000 requests, the first ``open_count`` open (the first 1,000 with their threads in
    channel CDIGEST); 200 filed by UHOME."""
    states, threads, numbers = [], [], []
    for i in range(REQUESTS):
        sid = f"KW{i:032x}"
        closed = i >= open_count
        status = ("completed" if i % 3 else "canceled") if closed else STATUSES[i % 4]
        since = NOW - timedelta(days=i % 40, hours=i % 9)
        channel = "CDIGEST" if i < DIGEST_CHANNEL_OPEN else f"C{i % 7}"
        filer = "UHOME" if i % 50 == 0 else (f"U{i % 40}" if i % 5 else None)
        states.append(
            {
                "request_sid": sid,
                "status": status,
                "customer_name": f"Customer {i}",
                "number_count": NUMBERS_EACH,
                "filed_by": filer,
                "updated_at": since,
                "created_at": since - timedelta(days=2),
                "status_changed_at": since,
                "synced_at": NOW - timedelta(minutes=i % 5),
            }
        )
        threads.append(
            {
                "request_sid": sid,
                "channel_id": channel,
                "thread_ts": f"{1700000000 + i}.000100",
                "created_at": since,
            }
        )
        for j in range(NUMBERS_EACH):
            pending = status == "in_progress"
            numbers.append(
                {
                    "number_sid": f"PU{i:016x}{j:016x}",
                    "request_sid": sid,
                    "phone_number": f"+1415{2_000_000 + i * NUMBERS_EACH + j:07d}",
                    "status": "port_pending"
                    if pending
                    else "port_rejected"
                    if status == "action_required" and j == 0
                    else status,
                    "port_date": NOW + timedelta(days=1 + i % 6) if pending else None,
                    "updated_at": since,
                    "twilio_updated_at": since,
                }
            )
    async with db.engine.begin() as conn:
        for table, rows in (
            (RequestState.__table__, states),
            (RequestThread.__table__, threads),
            (NumberState.__table__, numbers),
        ):
            for k in range(0, len(rows), 2000):
                await conn.execute(table.insert(), rows[k : k + 2000])


async def timed(run: Callable[[], Awaitable[object]], runs: int = RUNS) -> list[float]:
    await run()  # warm up
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await run()
        out.append((time.perf_counter() - start) * 1000)
    return out


def show(name: str, ms: list[float], target: str) -> None:
    print(f"{name}: p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms ({target})")


def port_list(db: Database, text: str) -> Callable[[], Awaitable[object]]:
    flt = parse_list_filter(text, "UHOME")

    async def run() -> object:
        listing = await list_requests(db, flt.query(NOW))
        items = agenda(listing.rows, POLICY, CAL, NOW)
        answer = list_message(
            items,
            asked=flt.describe(),
            now=NOW,
            oldest_sync=listing.oldest_sync,
            workspace_url=WORKSPACE,
            with_csv=False,
        )
        return [b.to_dict() for b in answer.blocks], items

    return run


async def port_lists(db: Database, label: str) -> None:
    show(f"/port-list ({label})", await timed(port_list(db, "")), "target p99 < 300 ms")
    _, items = await port_list(db, "")()  # type: ignore[misc]
    ms = []
    for _ in range(10):
        start = time.perf_counter()
        list_csv(items, NOW, WORKSPACE)
        ms.append((time.perf_counter() - start) * 1000)
    print(
        f"  its CSV ({len(items):,} rows, sent after the answer): p50 {percentile(ms, 50):.1f} ms"
    )


async def main(kind: str) -> None:
    async with database(kind) as db:
        started = time.perf_counter()
        await seed(db, open_count=1_000)
        print(f"{kind}: seeded {REQUESTS:,} requests in {time.perf_counter() - started:.1f} s")
        gc.collect()
        gc.freeze()  # as the server does after start-up (bot/runtime.py)
        await port_lists(db, "10,000 in the store, 1,000 open")
        show("/port-list all (10,000 rows)", await timed(port_list(db, "all"), 20), "—")
        show("/port-list action mine", await timed(port_list(db, "action mine")), "—")
        show("/port-list (415) 200-0120", await timed(port_list(db, "(415) 200-0120")), "—")

        slot = digest_slot("CDIGEST", CAL.local_date(NOW), POLICY, CAL)
        assert slot is not None

        async def digest() -> object:
            open_rows = await list_requests(db, ListingQuery(open_only=True, channel_id="CDIGEST"))
            changed = await list_requests(
                db, ListingQuery(channel_id="CDIGEST", changed_since=slot.since)
            )
            built = build_digest(slot, open_rows.rows, changed.rows, POLICY, CAL, NOW)
            assert built is not None and built.open_count == DIGEST_CHANNEL_OPEN
            return [b.to_dict() for b in digest_message(built, workspace_url=WORKSPACE).blocks]

        cpu = time.process_time()
        for _ in range(10):
            await digest()
        per = (time.process_time() - cpu) / 10
        print(f"digest, 1,000 open requests: {per * 1000:.0f} ms CPU each (target < 1 s)")

        async def home() -> object:
            open_rows = await list_requests(db, ListingQuery(open_only=True))
            mine = await list_requests(db, ListingQuery(filed_by=frozenset({"UHOME"})))
            assert len(mine.rows) == HOME_USER_REQUESTS
            built = build_home("UHOME", open_rows.rows, mine.rows, POLICY, CAL, NOW)
            return home_view(built, now=NOW, workspace_url=WORKSPACE).to_dict()

        show("App Home, user with 200 requests", await timed(home), "target p99 < 500 ms")

    async with database(kind) as db:
        await seed(db, open_count=4_000)
        gc.collect()
        await port_lists(db, "10,000 in the store, 4,000 open")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite"))
