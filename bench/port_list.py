"""/port-list end to end: a signed command to a running `python -m bot` → its ephemeral answer
received at the fake Slack's response_url, with 10,000 requests in the store (1,000 open, 5
numbers each; the store of bench/desk_day.py).

Commands go one at a time, each after the previous one's CSV (past 20 rows: to the DM) has
been uploaded, so a figure is one command's own path (ack, parse, store read, agenda, Block
Kit, the DM opened for the CSV, the POST to the response_url), not a queue of earlier CSVs.
The fake Slack runs in this process: its arrival time and our send time share one clock.

Run: python bench/port_list.py
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import Server, percentile, running_bot
from bench.desk_day import REQUESTS, seed
from bot.store.db import Database, migrate
from tests.fakes.slack_requests import slash_command

RUNS = 100
WARM_UP = 5
# (filter, runs, what it lists)
CASES = [
    ("", RUNS, "open requests: 1,000 rows, 20 shown, CSV to the DM"),
    ("action mine", RUNS, "a status and the viewer's own"),
    ("+1 415-200-0120", RUNS, "which request holds a number"),
    ("since 30d", RUNS, "open, entered their status in the last 30 days"),
    ("all", 20, "every request: 10,000 rows, CSV to the DM"),
]
_names = itertools.count()


async def one(http: aiohttp.ClientSession, server: Server, text: str) -> float:
    """Send ``/port-list text``; ms from sending to the answer at the response_url."""
    slack = server.slack
    name = f"list-{next(_names)}"
    uploads = len(slack.uploaded_files)
    request = slash_command(
        "/port-list", text, user_id="UHOME", response_url=slack.response_url(name)
    )
    start = time.monotonic()
    async with http.post("/slack/events", data=request.body, headers=request.headers) as response:
        await response.read()
        assert response.status == 200, response.status
    (answer,) = await slack.wait_for_response(name, timeout=30)
    assert answer.body["response_type"] == "ephemeral", answer.body
    if "CSV I am sending" in str(answer.body.get("blocks")):
        await slack.wait_until(lambda: len(slack.uploaded_files) > uploads, 60, "the CSV")
    return (answer.received_at - start) * 1000


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/port-list.db"
        db = Database.from_url(url)
        await migrate(db.engine)
        started = time.perf_counter()
        await seed(db, open_count=1_000)
        await db.close()
        print(f"seeded {REQUESTS:,} requests in {time.perf_counter() - started:.1f} s")
        async with (
            running_bot(DATABASE_URL=url, PORTING_TIMEZONE="America/New_York") as server,
            aiohttp.ClientSession(base_url=server.url) as http,
        ):
            for _ in range(WARM_UP):  # lazy imports, auth.test, the connection pools
                await one(http, server, "")
            print(f"/port-list command → ephemeral answer, `python -m bot`, {REQUESTS:,} stored:")
            for text, runs, what in CASES:
                ms = [await one(http, server, text) for _ in range(runs)]
                shown = f"/port-list {text}".strip()
                print(
                    f"  {shown:<28} p50 {percentile(ms, 50):6.1f} ms  p99 "
                    f"{percentile(ms, 99):6.1f} ms  max {max(ms):6.1f} ms  ({what}; {runs} runs)"
                )
            print("  target: p99 < 300 ms")


if __name__ == "__main__":
    asyncio.run(main())
