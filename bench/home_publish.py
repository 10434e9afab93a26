"""App Home end to end: a signed ``app_home_opened`` to a running `python -m bot` → the
``views.publish`` the fake Slack receives, for a user with 200 requests, 10,000 requests in the
store (1,000 open; the store of bench/desk_day.py). One open at a time, a little over the
per-user publish pace after the previous one landed, so a figure is one publish's own path:
the event's ack, the durable outbox row, the outbox worker's claim, the two store reads, the
agenda, the view.

Run: python bench/home_publish.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import Server, percentile, running_bot
from bench.desk_day import HOME_USER_REQUESTS, REQUESTS, seed
from bot.store.db import Database, migrate
from tests.fakes.slack_events import app_home_opened

RUNS = 60
GAP = 1.1  # seconds between opens: publishes to one user are paced (SLACK_CHANNEL_WRITE_SECONDS)
WARM_UP = 5
USER = "UHOME"  # files 200 of the stored requests


async def one(http: aiohttp.ClientSession, server: Server) -> float:
    """ms from sending ``app_home_opened`` to Slack receiving the Home's ``views.publish``."""
    slack = server.slack
    before = len(slack.calls_to("views.publish"))
    request = app_home_opened(USER)
    start = time.monotonic()
    async with http.post("/slack/events", data=request.body, headers=request.headers) as response:
        await response.read()
        assert response.status == 200, response.status
    await slack.wait_until(lambda: len(slack.calls_to("views.publish")) > before, 30, "publish")
    elapsed = (time.monotonic() - start) * 1000
    call = slack.calls_to("views.publish")[-1]
    assert call.ok and call.args["user_id"] == USER, call.response_body
    return elapsed


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/home.db"
        db = Database.from_url(url)
        await migrate(db.engine)
        await seed(db, open_count=1_000)
        await db.close()
        async with (
            running_bot(DATABASE_URL=url, PORTING_TIMEZONE="America/New_York") as server,
            aiohttp.ClientSession(base_url=server.url) as http,
        ):
            for _ in range(WARM_UP):
                await one(http, server)
                await asyncio.sleep(GAP)
            ms = []
            for _ in range(RUNS):
                ms.append(await one(http, server))
                await asyncio.sleep(GAP)
            print(
                f"App Home: app_home_opened → views.publish, user with {HOME_USER_REQUESTS} "
                f"requests, {REQUESTS:,} stored (1,000 open): p50 {percentile(ms, 50):.1f} ms, "
                f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms ({RUNS} runs; "
                "polled every 10 ms); target p99 < 500 ms"
            )


if __name__ == "__main__":
    asyncio.run(main())
