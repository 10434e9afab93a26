"""Slash-command ack latency: p50/p99 of 200 signed /port-check requests, 20 at a time.

Measures time to the HTTP 200 Slack would see (the ack), against the real server process.
Run: python bench/ack_latency.py
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

REQUESTS = 200
CONCURRENCY = 20


async def main() -> None:
    # aiohttp as the load generator: httpx's client-side cost alone is ~40 ms p50 at 20 in flight.
    async with running_bot() as server, aiohttp.ClientSession(base_url=server.url) as http:
        # Warm up: first requests pay lazy imports, auth.test and connection set-up.
        for _ in range(20):
            r = slash_command(
                "/port-check", "(415) 555-0100", response_url=server.slack.response_url()
            )
            async with http.post("/slack/events", data=r.body, headers=r.headers) as response:
                await response.read()
        await asyncio.sleep(1)
        latencies: list[float] = []
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int) -> None:
            r = slash_command(
                "/port-check",
                f"(415) 555-01{i % 30:02d}, 212-555-{i:04d}",
                response_url=server.slack.response_url(f"r{i}"),
            )
            async with semaphore:
                start = time.perf_counter()
                async with http.post("/slack/events", data=r.body, headers=r.headers) as response:
                    await response.read()
                latencies.append((time.perf_counter() - start) * 1000)
                assert response.status == 200

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(REQUESTS)))
        wall = time.perf_counter() - start
        await asyncio.sleep(2)
        answered = sum(len(server.slack.responses_to(f"r{i}")) for i in range(REQUESTS))
    print(f"/port-check ack latency over {REQUESTS} requests, {CONCURRENCY} concurrent:")
    print(
        f"  p50 {percentile(latencies, 50):.1f} ms  p99 {percentile(latencies, 99):.1f} ms  "
        f"max {max(latencies):.1f} ms  (wall {wall:.2f} s; {answered}/{REQUESTS} results delivered)"
    )


if __name__ == "__main__":
    asyncio.run(main())
