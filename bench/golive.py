"""Go-live of a 1,000-number request against the sandbox at 50 ms per Twilio call: each number
found in the account, its voice/status settings applied and added to a Messaging Service (3
calls a number), concurrency bounded, 30 of the calls answered 429 with Retry-After: 1 (the
transport waits as told). Prints the wall time, the calls made and the 429s honoured.

The desk's own GoLive runs in this process over a migrated SQLite database, talking HTTP to the
sandbox (in-process ASGI, as the sandboxed bot does). Run: python bench/golive.py
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bot.desk.golive import GoLive
from bot.desk.profiles import parse_profiles
from bot.porting.client import TwilioPortingClient
from bot.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    Sandbox,
    SandboxConfig,
    create_sandbox_app,
)
from bot.sandbox.inventory import VERIFIED_SERVICE
from bot.store import golive_runs
from bot.store.db import Database, migrate

NUMBERS = 1000
LATENCY = 0.05  # seconds per Twilio call
THROTTLED = 30  # calls answered 429 (Retry-After: 1)
SID = "KW" + "0" * 32
PROFILES = parse_profiles(
    {
        "default": "standard",
        "profiles": {
            "standard": {
                "voice_url": "https://voice.example/in",
                "status_callback": "https://status.example/cb",
                "messaging_service_sid": VERIFIED_SERVICE,
            }
        },
    }
)


async def main() -> None:
    start = datetime.now(UTC)
    sandbox = Sandbox(SandboxConfig(start_time=start, seed=1, latency_seconds=LATENCY))
    sandbox.state.inventory.seed(NUMBERS, SANDBOX_ACCOUNT_SID, start)
    numbers = sorted(sandbox.state.inventory.by_number)
    sandbox.inject_failures(THROTTLED, 429, retry_after=1)
    served = 0

    async def count(request: httpx.Request) -> None:
        nonlocal served
        served += 1

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{tmp}/bench.db")
        await migrate(db.engine)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)),
            event_hooks={"request": [count]},
            timeout=30,
        ) as http:
            twilio = TwilioPortingClient(
                http,
                credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
                account_sid=SANDBOX_ACCOUNT_SID,
                api_url="http://sandbox",
                messaging_url="http://sandbox",
            )
            golive = GoLive(twilio.numbers, db, PROFILES, clock=lambda: datetime.now(UTC))
            async with db.session() as s:
                await golive_runs.queue_in(s, SID, numbers, "standard", datetime.now(UTC))
                await s.commit()
            began = time.perf_counter()
            assert await golive.tick()
            wall = time.perf_counter() - began
            states = await golive_runs.live_states(db, SID)
        await db.close()
    live = sum(r.state == "live" for r in states.values())
    configured = sum(
        n.settings.get("voice_url") == "https://voice.example/in"
        and n.service_sid == VERIFIED_SERVICE
        for n in sandbox.state.inventory.numbers.values()
    )
    print(f"numbers live: {live} of {NUMBERS} (configured in the sandbox: {configured})")
    print(f"Twilio calls sent: {served} ({THROTTLED} answered 429, each retried after 1 s)")
    print(f"concurrency: {golive.concurrency}, latency {LATENCY * 1000:.0f} ms per call")
    print(f"go-live wall time: {wall:.1f} s (target: within 120 s)")


if __name__ == "__main__":
    logging.getLogger("bot.porting.client").setLevel(logging.ERROR)  # the 30 retries, counted
    asyncio.run(main())
