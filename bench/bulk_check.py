"""A 1,000-number portability check through the running bot, against the sandbox with 200 ms
injected latency per Twilio call: wall time, speed-up over one-at-a-time, server peak RSS.

The one-at-a-time figure runs the same path with PORTING_CHECK_CONCURRENCY=1 on the first
SEQUENTIAL_SAMPLE numbers and scales linearly (a full sequential run would take over 3 minutes).
Run: python bench/bulk_check.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import running_bot
from tests.fakes.slack_requests import message_shortcut

NUMBERS = [f"+1212555{i:04d}" for i in range(1000)]
LATENCY_MS = "200"
SEQUENTIAL_SAMPLE = 60


async def timed_check(numbers: list[str], concurrency: str) -> tuple[float, float]:
    """Seconds from the shortcut to the CSV upload, and the server's peak RSS in MiB."""
    env = {"PORTING_SANDBOX_LATENCY_MS": LATENCY_MS, "PORTING_CHECK_CONCURRENCY": concurrency}
    async with running_bot(**env) as server, aiohttp.ClientSession(base_url=server.url) as http:
        process = server.psutil
        peak = process.memory_info().rss
        request = message_shortcut(
            "port_check_message",
            {"text": "\n".join(numbers)},
            response_url=server.slack.response_url("bulk"),
        )
        start = time.perf_counter()
        async with http.post("/slack/events", data=request.body, headers=request.headers) as r:
            assert r.status == 200
        while not server.slack.uploaded_files:
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        rows = server.slack.uploaded_files[-1].content.decode().count("\n") - 1
        assert rows == len(numbers), f"CSV has {rows} rows for {len(numbers)} numbers"
        return elapsed, peak / 2**20


async def main() -> None:
    concurrent, peak = await timed_check(NUMBERS, "40")
    sample, _ = await timed_check(NUMBERS[:SEQUENTIAL_SAMPLE], "1")
    sequential = sample * len(NUMBERS) / SEQUENTIAL_SAMPLE
    print(f"1,000-number /port-check, sandbox latency {LATENCY_MS} ms per call:")
    print(f"  concurrent (40): {concurrent:.1f} s wall, server peak RSS {peak:.0f} MiB")
    print(f"  one at a time: {sequential:.0f} s (measured {sample:.1f} s for {SEQUENTIAL_SAMPLE})")
    print(f"  speed-up: {sequential / concurrent:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
