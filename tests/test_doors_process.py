"""The doors against real ``python -m bot`` processes: an oversized body leaves the process's
memory flat, a stalled one is dropped within 15 s, the sandbox refuses what does not come from
this machine (as uvicorn reports the caller, believing only FORWARDED_ALLOW_IPS' proxies) and
its credentials are the process's own."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psutil

from bot.porting.signature import sign_json
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.procs import bot_env, child_env, free_port, start_bot, stop_bot

MIB = 1024 * 1024
HUGE = 128 * MIB
# What "flat" allows: allocator noise, not the body (before the doors, a 128 MiB POST to
# /slack/events grew the process by 125 MiB at its peak while it was read, 20 MiB after).
FLAT = 8 * MIB


@asynccontextmanager
async def _bot(slack: FakeSlack, cwd: Path, **env: str) -> AsyncIterator[subprocess.Popen[bytes]]:
    port = free_port()
    process = await start_bot(bot_env(slack, port, **env), cwd, ready="/readyz")
    process.port = port  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        await stop_bot(process)


def _rss(process: subprocess.Popen[bytes]) -> int:
    return int(psutil.Process(process.pid).memory_info().rss)


async def _raw(
    port: int,
    head: bytes,
    body: Iterable[bytes],
    wait: float = 30,
    each: Callable[[], object] = lambda: None,
) -> bytes:
    """Send ``head`` then ``body`` piece by piece while reading the answer; the server may
    answer and close before the body is through. Returns everything the server sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    got = bytearray()

    async def read() -> bytes:  # until the server closes (or resets: what came is kept)
        try:
            while piece := await reader.read(65536):
                got.extend(piece)
        except ConnectionError:
            pass
        return bytes(got)

    answer = asyncio.create_task(read())
    try:
        writer.write(head)
        for piece in body:
            if answer.done():
                break
            writer.write(piece)
            await writer.drain()
            each()
    except ConnectionError:
        pass  # answered and closed: the rest was never read
    try:
        return await asyncio.wait_for(answer, wait)
    finally:
        writer.close()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _refusals(cwd: Path) -> list[str]:
    return [line for line in (cwd / "bot.log").read_text().splitlines() if "refused " in line]


def _head(framing: str) -> bytes:
    return (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    ).encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def test_a_128_mib_unsigned_post_is_refused_and_memory_stays_flat(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    async with _bot(fake_slack, tmp_path) as bot:
        port: int = bot.port  # type: ignore[attr-defined]
        declared, chunked = _head(f"Content-Length: {HUGE}"), _head("Transfer-Encoding: chunked")
        # A client that reads before it sends on is told why (413), and the connection ends.
        told = await _raw(port, declared, [])
        piece = b"x" * MIB
        told_chunked = await _raw(port, chunked, [_chunk(piece) + _chunk(b"x")])
        # One that sends all 128 MiB regardless: the process's memory, sampled as it arrives.
        before = peak = _rss(bot)

        def sample() -> None:
            nonlocal peak
            peak = max(peak, _rss(bot))

        await _raw(port, declared, [piece] * (HUGE // MIB), each=sample)
        await _raw(port, chunked, [_chunk(piece)] * (HUGE // MIB), each=sample)
        sample()
        growth = peak - before
        async with httpx.AsyncClient(timeout=10) as http:
            still = await http.get(f"http://127.0.0.1:{port}/healthz")
    print(f"RSS peak growth under two 128 MiB unsigned POSTs: {growth / MIB:.1f} MiB")
    assert _status(told) == 413 and told.endswith(b"body too large")
    assert b"connection: close" in told.lower()
    assert _status(told_chunked) == 413
    assert growth < FLAT, f"the process grew {growth / MIB:.0f} MiB"
    assert still.status_code == 200
    refusals = _refusals(tmp_path)
    assert len(refusals) == 4, refusals  # one line each
    assert "refused POST /slack/events from 127.0.0.1: Content-Length 134217728" in refusals[0]
    assert "refused POST /slack/events from 127.0.0.1: body over 1 MiB" in refusals[1]


async def test_a_body_that_stops_arriving_is_dropped_within_15_seconds(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    async with _bot(fake_slack, tmp_path) as bot:
        port: int = bot.port  # type: ignore[attr-defined]
        loop = asyncio.get_running_loop()
        started = loop.time()
        head = (
            b"POST /twilio/porting HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        answer = await _raw(port, head, [b'{"port_in_request_sid": '], wait=20)
        took = loop.time() - started
    assert _status(answer) == 408, answer
    assert took <= 15 + 2, f"dropped after {took:.1f} s"
    (refusal,) = _refusals(tmp_path)
    assert "refused POST /twilio/porting from 127.0.0.1: body not received within 15 s" in refusal


async def test_the_sandbox_of_a_real_slack_app_is_closed_to_other_machines_and_old_secrets(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """PORTING_SANDBOX=true with a (fake) real Slack app, as the README's first try."""
    async with _bot(fake_slack, tmp_path) as bot:
        base = f"http://127.0.0.1:{bot.port}"  # type: ignore[attr-defined]
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            published = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
            hook = "/sandbox/v1/Porting/Configuration/Webhook"
            # The published constant opens nothing: the process made its own.
            assert (await http.get(hook, auth=published)).status_code == 401
            body = json.dumps({"port_in_request_sid": "KW" + "a" * 32}).encode()
            url, signature = sign_json(SANDBOX_AUTH_TOKEN, f"{base}/twilio/porting", body)
            forged = await http.post(
                url.removeprefix(base), content=body, headers={"X-Twilio-Signature": signature}
            )
            assert forged.status_code == 403
            # A caller a local proxy vouches for is not this machine (uvicorn believes
            # FORWARDED_ALLOW_IPS, default 127.0.0.1, and reports the forwarded address).
            relayed = {"X-Forwarded-For": "203.0.113.9"}
            outside = await http.get(hook, auth=published, headers=relayed)
            assert (outside.status_code, outside.text) == (
                403,
                "the sandbox answers this machine only",
            )
            # The simulator is local mode's only.
            assert (await http.get("/sandbox/_sim/clock", auth=published)).status_code == 404
            assert (await http.post("/sandbox/_sim/advance", json={"days": 30})).status_code == 404
    refusals = _refusals(tmp_path)
    assert any("from 203.0.113.9: the sandbox answers this machine only" in r for r in refusals)


async def test_local_mode_simulator_answers_this_machine_with_the_page_credentials(
    tmp_path: Path,
) -> None:
    """Nothing configured: the page's panel reaches /sandbox/_sim from here (the clock
    without credentials, the rest with the per-process ones the page boots with); nobody
    else does."""
    port = free_port()
    # Not one of ours: one warning, still the demo.
    env = child_env(PORT=str(port), PORTING_DESK_DAY_SECONDS="0", PORTING_COLOUR="blue")
    process = await start_bot(env, tmp_path, ready="/healthz")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            boot = (await http.get("/workspace/ui/boot")).json()
            authorization = boot["sandbox"]["authorization"]
            panel = {"Authorization": authorization}
            clock = await http.get("/sandbox/_sim/clock")  # the page reads it as is
            assert clock.status_code == 200 and "now" in clock.json()
            assert (await http.get("/sandbox/_sim/requests", headers=panel)).status_code == 200
            published = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
            assert (await http.get("/sandbox/_sim/requests", auth=published)).status_code == 401
            relayed = {"X-Forwarded-For": "203.0.113.9"}
            assert (await http.get("/sandbox/_sim/clock", headers=relayed)).status_code == 403
            relayed = {**panel, **relayed}
            assert (await http.get("/sandbox/_sim/requests", headers=relayed)).status_code == 403
    finally:
        await stop_bot(process)
    log = (tmp_path / "bot.log").read_text()
    assert log.count("PORTING_COLOUR") == 1, log
    assert "PORTING_COLOUR is set but is not one of this bot's settings" in log


async def test_forwarded_for_is_believed_only_from_forwarded_allow_ips(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """With this machine not among the trusted proxies, a header claiming another caller is
    ignored (the sandbox then sees 127.0.0.1 and asks for its credentials)."""
    async with _bot(fake_slack, tmp_path, FORWARDED_ALLOW_IPS="10.0.0.1") as bot:
        base = f"http://127.0.0.1:{bot.port}"  # type: ignore[attr-defined]
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            relayed = {"X-Forwarded-For": "203.0.113.9"}
            answer = await http.get("/sandbox/v1/Porting/Configuration/Webhook", headers=relayed)
    assert answer.status_code == 401, "not believed: still this machine"
    assert not [r for r in _refusals(tmp_path) if "203.0.113.9" in r]
