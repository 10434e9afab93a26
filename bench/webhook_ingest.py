"""Twilio webhook ingest with durable writes, on SQLite and PostgreSQL, against `python -m bot`.

For each database: server CPU per webhook (the bot process's own CPU time, read with psutil;
on PostgreSQL the database backends' CPU is printed beside it) and p99 time-to-2xx at a steady
100 webhooks/s, then the highest rate sustained by 64 concurrent senders; the bot's event-loop
lag in both phases (its /readyz: a blocking call on the loop would show there); finally the
webhook → Slack post latency (p50) with a healthy Slack. Every webhook is signed and distinct
(no duplicates), and each commits its receipt and its request's fetch schedule before the 2xx.

The fetches the webhooks schedule are kept out of the ingest figures (a long coalescing window)
and measured in the latency part. Run: python bench/webhook_ingest.py [sqlite|postgresql]
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg
import psutil

from bench.common import Server, free_port, percentile, running_bot, stop_bot
from bot.porting.signature import sign_json
from bot.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    Sandbox,
    SandboxConfig,
    create_sandbox_app,
)
from tests.procs import served

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
STEADY_RATE = 100
STEADY_SECONDS = 10
BURST_SECONDS = 5
BURST_CONCURRENCY = 64
REQUESTS = 50  # webhooks spread over this many request SIDs, as a few big requests would


def webhooks(url: str, count: int) -> list[tuple[str, bytes, str]]:
    """Signed number-level webhooks: (path with bodySHA256, body, signature)."""
    out = []
    sids = [f"KW{uuid.uuid4().hex}" for _ in range(REQUESTS)]
    for i in range(count):
        body = json.dumps(
            {
                "port_in_request_sid": sids[i % REQUESTS],
                "port_in_phone_number_sid": f"PU{uuid.uuid4().hex}",
                "phone_number": f"+1212555{i % 10000:04d}",
                "status": "PortInPhoneNumberPending",
                "last_date_updated": f"2026-11-0{1 + i % 9}T10:00:{i % 60:02d}.{i % 1000:03d}Z",
            },
            separators=(",", ":"),
        ).encode()
        full, signature = sign_json(SANDBOX_AUTH_TOKEN, f"{url}/twilio/porting", body)
        out.append((full[len(url) :], body, signature))
    return out


async def post(http: aiohttp.ClientSession, hook: tuple[str, bytes, str]) -> float:
    path, body, signature = hook
    start = time.perf_counter()
    async with http.post(
        path,
        data=body,
        headers={"Content-Type": "application/json", "X-Twilio-Signature": signature},
    ) as response:
        await response.read()
        assert response.status == 200, response.status
    return (time.perf_counter() - start) * 1000


def cpu(server: Server) -> float:
    times = server.psutil.cpu_times()
    return times.user + times.system


async def loop_lag(http: aiohttp.ClientSession) -> dict[str, float]:
    """The server's own event-loop lag over the last minute (its /readyz): a blocking call on
    the loop would show here."""
    async with http.get("/readyz") as response:
        return (await response.json())["event_loop"]


class DatabaseCpu:
    """CPU of the PostgreSQL backends serving the bot's database (not counted in the bot's
    figure, which is the bot process alone; reported beside it so no cost hides there)."""

    def __init__(self, url: str | None) -> None:
        self.name = url.rsplit("/", 1)[1] if url else None
        self.before: dict[int, float] = {}

    async def _backends(self) -> dict[int, float]:
        if self.name is None:
            return {}
        conn = await asyncpg.connect(PG_URL)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1", self.name
            )
        finally:
            await conn.close()
        times = {}
        for row in rows:
            try:
                t = psutil.Process(row["pid"]).cpu_times()
            except psutil.NoSuchProcess:
                continue
            times[row["pid"]] = t.user + t.system
        return times

    async def start(self) -> None:
        self.before = await self._backends()

    async def seconds(self) -> float:
        after = await self._backends()
        return sum(t - self.before.get(pid, 0.0) for pid, t in after.items())


async def ingest(server: Server, database_url: str | None = None) -> dict[str, float]:
    total = STEADY_RATE * STEADY_SECONDS
    hooks = webhooks(server.url, total + 100)
    database = DatabaseCpu(database_url)
    async with aiohttp.ClientSession(base_url=server.url) as http:
        await asyncio.gather(*(post(http, h) for h in hooks[:100]))  # warm-up
        await asyncio.sleep(1)
        await database.start()
        cpu_before = cpu(server)
        latencies: list[float] = []
        tasks = []
        start = time.perf_counter()
        for i, hook in enumerate(hooks[100:]):
            # Open loop: each webhook leaves at its scheduled time, whatever came back.
            delay = start + i / STEADY_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(http, hook)))
        latencies = await asyncio.gather(*tasks)
        cpu_used = cpu(server) - cpu_before
        database_cpu = await database.seconds()
        steady_lag = await loop_lag(http)

        burst = webhooks(server.url, 20000)
        sent = 0
        burst_latencies: list[float] = []
        deadline = time.perf_counter() + BURST_SECONDS

        async def sender() -> None:
            nonlocal sent
            while time.perf_counter() < deadline and sent < len(burst):
                hook = burst[sent]
                sent += 1
                burst_latencies.append(await post(http, hook))

        burst_start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(BURST_CONCURRENCY)))
        burst_wall = time.perf_counter() - burst_start
        burst_lag = await loop_lag(http)
    return {
        "db_cpu_ms": database_cpu / total * 1000,
        "lag_p99": steady_lag["lag_ms_p99"],
        "lag_max": steady_lag["lag_ms_max"],
        "burst_lag_max": burst_lag["lag_ms_max"],
        "cpu_ms": cpu_used / total * 1000,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max_rate": len(burst_latencies) / burst_wall,
        "burst_p99": percentile(burst_latencies, 99),
    }


@asynccontextmanager
async def bot_on_own_sandbox(**env: str) -> AsyncIterator[tuple[Server, str]]:
    """A bot whose Twilio is a sandbox served here (a bot's own sandbox answers only its
    process, and its simulator only in local mode): yields the bot and the sandbox's URL."""
    sandbox = Sandbox(SandboxConfig())  # stepped: time moves on /_sim/advance
    try:
        async with served(create_sandbox_app(sandbox)) as twilio_url:
            twilio = {
                "PORTING_SANDBOX": "false",
                "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
                "TWILIO_NUMBERS_URL": twilio_url,
                "TWILIO_UPLOAD_URL": twilio_url,
            }
            async with running_bot(**env, **twilio) as server:
                yield server, twilio_url
    finally:
        await sandbox.aclose()


async def post_latency(server: Server, twilio_url: str, samples: int = 15) -> float:
    """Webhook (a sandbox transition) → the thread's root message in Slack, p50 in ms."""
    auth = {"Authorization": aiohttp.encode_basic_auth(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)}
    latencies = []
    async with aiohttp.ClientSession(base_url=twilio_url, headers=auth) as http:
        for i in range(samples):
            # One request at a time: earlier ones would otherwise move on with the clock and
            # queue their replies ahead of this root in the channel's 1-per-second pacing.
            async with http.post("/_sim/reset") as r:
                await r.read()
            hook = {"port_in_target_url": f"{server.url}/twilio/porting", "notifications_of": []}
            async with http.post("/v1/Porting/Configuration/Webhook", json=hook) as r:
                assert r.status == 201, await r.text()
            async with http.post(
                "/v1/Documents",
                data={"document_type": "utility_bill", "File": b"%PDF-1.4 bill"},
            ) as r:
                document = (await r.json())["sid"]
            async with http.get("/_sim/clock") as r:
                today = (await r.json())["now"][:10]
            target = f"{int(today[:4]) + 1}{today[4:]}"
            body = {
                "account_sid": SANDBOX_ACCOUNT_SID,
                "documents": [document],
                "phone_numbers": [{"phone_number": f"+1646555{i:04d}"}],
                "target_port_in_date": target,
                "losing_carrier_information": {
                    "customer_name": "Bench Co",
                    "customer_type": "Business",
                    "authorized_representative": "Pat Doe",
                    "authorized_representative_email": "pat@bench.example",
                    "address": {
                        "street": "1 Main St",
                        "city": "San Francisco",
                        "state": "CA",
                        "zip": "94105",
                        "country": "US",
                    },
                },
            }
            async with http.post("/v1/Porting/PortIn", json=body) as r:
                assert r.status in (200, 201, 202), await r.text()
                sid = (await r.json())["port_in_request_sid"]
            await asyncio.sleep(1.2)  # the channel's pacing slot is free again
            start = time.monotonic()
            async with http.post("/_sim/advance", json={"hours": 5}) as r:
                await r.read()  # the LOA-sent webhook is delivered before this returns

            def root(sid: str = sid) -> bool:
                return any(sid in c.args.get("text", "") for c in server.slack.calls)

            await server.slack.wait_until(root, timeout=30)
            arrived = next(c for c in server.slack.calls if sid in c.args.get("text", ""))
            latencies.append((arrived.received_at - start) * 1000)
    return percentile(latencies, 50)


BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
"""


async def bare_uvicorn_floor() -> float:
    """CPU per request of a do-nothing ASGI app under uvicorn (uvloop, httptools) at the same
    steady rate, measured in the same run: the floor any Python webhook handler stands on,
    and a gauge of how fast the machine is right now."""
    with tempfile.TemporaryDirectory() as tmp:
        await asyncio.to_thread(Path(tmp, "bare.py").write_text, BARE_APP)
        port = str(free_port())
        command = [sys.executable, "-m", "uvicorn", "bare:app", "--port", port]
        command += ["--log-level", "warning", "--no-access-log"]
        process = subprocess.Popen(command, cwd=tmp)  # noqa: ASYNC220 (spawn only)
        try:
            url = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession(base_url=url) as http:
                for _ in range(100):
                    try:
                        async with http.get("/") as response:
                            await response.read()
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                hooks = webhooks(url, STEADY_RATE * STEADY_SECONDS)
                server = psutil.Process(process.pid)
                before = server.cpu_times()
                start = time.perf_counter()
                tasks = []
                for i, hook in enumerate(hooks):
                    delay = start + i / STEADY_RATE - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(post(http, hook)))
                await asyncio.gather(*tasks)
                after = server.cpu_times()
        finally:
            await stop_bot(process)
    used = (after.user + after.system) - (before.user + before.system)
    return used / len(hooks) * 1000


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[dict[str, str]]:
    """The bot's DATABASE_URL setting for ``backend``: SQLite is running_bot's default (a
    temporary file); PostgreSQL gets a new database, dropped afterwards."""
    if backend != "postgresql":
        yield {}
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": PG_URL.rsplit("/", 1)[0] + "/" + name}
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    backends = sys.argv[1:] or ["sqlite", "postgresql"]
    floor = await bare_uvicorn_floor()
    print(
        f"floor: {floor:.2f} ms CPU per request for a do-nothing ASGI app "
        f"under uvicorn at {STEADY_RATE}/s (this machine, now)"
    )
    for backend in backends:
        async with database(backend) as url:
            env = {
                "PORTING_COALESCE_SECONDS": "600",
                "PORTING_SANDBOX_SPEED": "1",
                # The sandbox's token, chosen here: the webhooks below are signed with it.
                "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
                **url,
            }
            async with running_bot(**env) as server:
                figures = await ingest(server, env.get("DATABASE_URL"))
        backends_cpu = (
            f" (+ {figures['db_cpu_ms']:.2f} ms in PostgreSQL's own processes)"
            if backend == "postgresql"
            else ""
        )
        # The machine's speed drifts within minutes: the floor again right after, and the
        # bot's figure against the mean of the two.
        after = await bare_uvicorn_floor()
        mean = (floor + after) / 2
        print(
            f"{backend}: {figures['cpu_ms']:.2f} ms server CPU per webhook{backends_cpu}, "
            f"{figures['cpu_ms'] / mean:.1f}x the floor ({floor:.2f} ms before, {after:.2f} "
            f"after); at "
            f"{STEADY_RATE}/s time-to-2xx p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms;"
            f" max sustained {figures['max_rate']:.0f}/s ({BURST_CONCURRENCY} concurrent, "
            f"p99 {figures['burst_p99']:.0f} ms); event-loop lag p99 {figures['lag_p99']} ms, "
            f"max {figures['lag_max']} ms at 100/s, max {figures['burst_lag_max']} ms in the burst"
        )
        floor = after
        for window in ("0", "2"):
            async with database(backend) as url:
                env = {"PORTING_COALESCE_SECONDS": window, **url}
                async with bot_on_own_sandbox(**env) as (server, twilio_url):
                    p50 = await post_latency(server, twilio_url)
            print(
                f"{backend}: webhook → Slack post p50 {p50:.0f} ms (coalescing window {window} s)"
            )


if __name__ == "__main__":
    asyncio.run(main())
