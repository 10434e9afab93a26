"""An inventory sweep of 100,000 numbers at 50 ms per page (1,000 numbers a page): the wall time
of a sweep, the sweeping process's peak RSS, and the CPU of the comparison with the last sweep.

The sandbox (seeded with 100,000 numbers) is served over HTTP by this process; the sweep runs in
a child process (``--child``) so its RSS is the bot's alone: the desk's Inventory over a
migrated SQLite database, the real Twilio client. Sweep 1 records every number (the first sweep
of an account); then 10 numbers port away; sweep 2 compares and queues their 10 alerts.
Run: python bench/inventory_sweep.py
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NUMBERS = 100_000
LATENCY = 0.05  # seconds per Twilio call (one page)
LEAVING = 10


async def child(url: str, database: str) -> None:
    """Sweep, report, wait for the word, sweep again, report (JSON lines on stdout)."""
    import httpx

    from bot.desk.inventory import Inventory
    from bot.porting.client import TwilioPortingClient
    from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
    from bot.store.db import Database, migrate

    db = Database.from_url(database)
    await migrate(db.engine)
    async with httpx.AsyncClient(timeout=30) as http:
        twilio = TwilioPortingClient(
            http,
            credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            account_sid=SANDBOX_ACCOUNT_SID,
            api_url=url,
            messaging_url=url,
        )
        inventory = Inventory(
            twilio.numbers, db, clock=lambda: datetime.now(UTC), porting_channel="CBENCH"
        )
        for sweep in (1, 2):
            if sweep == 2:
                await asyncio.to_thread(sys.stdin.readline)
            began, cpu = time.perf_counter(), time.process_time()
            result = await inventory.sweep(force=True)
            assert result is not None
            figures = {
                "sweep": sweep,
                "numbers": result.numbers,
                "arrived": result.arrived,
                "left": len(result.left),
                "wall": time.perf_counter() - began,
                "cpu": time.process_time() - cpu,
                "compare_cpu": result.compare_cpu,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
            print(json.dumps(figures), flush=True)
    await db.close()


async def main() -> None:
    from bot.sandbox import SANDBOX_ACCOUNT_SID, Sandbox, SandboxConfig, create_sandbox_app
    from tests.procs import child_env, served

    sandbox = Sandbox(SandboxConfig(seed=1, latency_seconds=LATENCY))
    sandbox.state.inventory.seed(NUMBERS, SANDBOX_ACCOUNT_SID, sandbox.now)
    with tempfile.TemporaryDirectory() as tmp:
        async with served(create_sandbox_app(sandbox)) as url:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--child",
                url,
                f"sqlite:///{tmp}/bench.db",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=child_env(),
            )
            assert process.stdout is not None and process.stdin is not None
            first = json.loads(await process.stdout.readline())
            for number in sorted(sandbox.state.inventory.by_number)[:: NUMBERS // LEAVING]:
                sandbox.port_away(number)
            process.stdin.write(b"go\n")
            await process.stdin.drain()
            second = json.loads(await process.stdout.readline())
            await process.wait()
    for f in (first, second):
        print(
            f"sweep {f['sweep']}: {f['numbers']:,} numbers ({f['arrived']:,} arrived, "
            f"{f['left']} left) in {f['wall']:.1f} s wall, {f['cpu']:.1f} s CPU; comparison "
            f"{f['compare_cpu'] * 1000:.0f} ms CPU; peak RSS {f['peak_rss_mib']:.0f} MiB"
        )
    print("targets: < 60 s wall at 50 ms/page, < 200 MiB peak RSS, < 1 s CPU for the comparison")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        asyncio.run(child(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(main())
