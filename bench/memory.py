"""Resident memory of `python -m bot` (psutil RSS): idle in a real deployment's shape (sandbox
Twilio, Slack faked locally: the settings of ``tests/procs.py`` ``bot_env``), idle in local mode
(nothing configured: the workspace page, the sandbox), and the peak during a 1,000-number
/port-check (bench/bulk_check.py's run). "Idle" is read after the bot has answered /readyz and
sat IDLE_SECONDS with its background loops running.

Run: python bench/memory.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench.bulk_check import NUMBERS, timed_check
from bench.common import free_port, running_bot, start_bot, stop_bot
from tests.procs import child_env

IDLE_SECONDS = 5.0
TARGETS = {"real": 150, "local": 180, "peak": 250}


def mib(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


async def idle_real() -> float:
    async with running_bot() as server:
        await asyncio.sleep(IDLE_SECONDS)
        return mib(server.process.pid)


async def idle_local() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        process = await start_bot(child_env(PORT=str(free_port())), tmp, ready="/readyz")
        try:
            await asyncio.sleep(IDLE_SECONDS)
            return mib(process.pid)
        finally:
            await stop_bot(process)


async def main() -> None:
    figures = {
        "real": await idle_real(),
        "local": await idle_local(),
        "peak": (await timed_check(NUMBERS, "40"))[1],
    }
    labels = {
        "real": "idle, real deployment (sandbox Twilio, fake Slack)",
        "local": "idle, local mode (nothing configured)",
        "peak": "peak during a 1,000-number /port-check",
    }
    for key, value in figures.items():
        verdict = "ok" if value < TARGETS[key] else "OVER"
        print(f"{labels[key]}: {value:.0f} MiB RSS (target < {TARGETS[key]} MiB: {verdict})")


if __name__ == "__main__":
    asyncio.run(main())
