"""/port-in: time from sending the command to the bot's views.open reaching Slack (the fake).

The trigger_id lives about 3 s, so the form must open fast even in a burst. Measured against
the real server process; the fake Slack runs in this process, so its ``Call.received_at`` and
our send time share one monotonic clock.
Run: python bench/port_in_open.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import percentile, running_bot
from tests.fakes.slack_requests import slash_command

COMMANDS = 100
CONCURRENCY = 10
WARM_UP = 10


async def main() -> None:
    async with running_bot() as server, aiohttp.ClientSession(base_url=server.url) as http:
        slack = server.slack

        async def send(text: str) -> tuple[str, float]:
            r = slash_command("/port-in", text, response_url=slack.response_url("open"))
            trigger_id = r.body.decode().split("trigger_id=")[1].split("&")[0]
            start = time.monotonic()
            async with http.post("/slack/events", data=r.body, headers=r.headers) as response:
                await response.read()
                assert response.status == 200
            return trigger_id.replace("%2E", ".").replace("%2e", "."), start

        # Warm up at the measured concurrency: lazy imports, auth.test, and the pools of
        # connections (client → bot, bot → Slack) grown to 10.
        await send("(415) 555-0100")
        await asyncio.gather(*(send(f"(415) 555-01{i:02d}") for i in range(WARM_UP - 1)))
        await slack.wait_for("views.open", WARM_UP, timeout=30)
        await asyncio.sleep(0.5)

        semaphore = asyncio.Semaphore(CONCURRENCY)
        sent: dict[str, float] = {}

        async def one(i: int) -> None:
            async with semaphore:
                trigger_id, start = await send(f"(415) 555-01{i % 30:02d}, 212-555-{i:04d}")
                sent[trigger_id] = start

        began = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(COMMANDS)))
        wall = time.monotonic() - began
        await slack.wait_for("views.open", WARM_UP + COMMANDS, timeout=60)
        opened = {c.args.get("trigger_id"): c.received_at for c in slack.calls_to("views.open")}
        latencies = [(opened[t] - start) * 1000 for t, start in sent.items() if t in opened]
    assert len(latencies) == COMMANDS, f"{len(latencies)} of {COMMANDS} forms opened"
    print(f"/port-in → views.open over {COMMANDS} commands, {CONCURRENCY} concurrent:")
    print(
        f"  p50 {percentile(latencies, 50):.1f} ms  p99 {percentile(latencies, 99):.1f} ms  "
        f"max {max(latencies):.1f} ms  (wall {wall:.2f} s; target p99 < 300 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
