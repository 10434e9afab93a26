"""Real `python -m bot` processes for tests, and ASGI apps (a shared sandbox) served over HTTP
in the test's own event loop."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp

from tests.fakes.slack_api import FakeSlack, _Server
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(slack: FakeSlack, port: int, **env: str) -> dict[str, str]:
    """The environment `python -m bot` runs with: sandbox mode, Slack faked locally. ``env``
    overrides (e.g. ``PORTING_SANDBOX="false"`` plus Twilio URLs for a shared sandbox)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TWILIO_"))},
        "PYTHONPATH": str(ROOT),  # this checkout, whatever copy of the bot pip installed
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "PORTING_SANDBOX": "true",
        "PORTING_CHANNEL": "CBENCH",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **env,
    }


async def start_bot(
    environment: dict[str, str], cwd: str, log_name: str = "bot.log"
) -> subprocess.Popen:
    """Start `python -m bot` and wait until /healthz answers (RuntimeError with its log if it
    exits or takes more than 30 s). Its stderr goes to ``cwd/log_name``."""
    # A file, not a pipe: an undrained pipe would block the bot once 64 KiB of logs pile up.
    log_path = Path(cwd) / log_name
    with open(log_path, "ab") as log:  # noqa: ASYNC230 (opened once, before the loop waits)
        process = subprocess.Popen(  # noqa: ASYNC220 (spawn only; never waits on the loop)
            [sys.executable, "-m", "bot"],
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{environment['PORT']}"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    async with httpx.AsyncClient() as http:
        while True:
            try:
                if (await http.get(url + "/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            if process.poll() is not None or loop.time() > deadline:
                process.kill()
                raise RuntimeError(log_path.read_text() or "bot did not start")
            await asyncio.sleep(0.1)


async def stop_bot(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; the loop keeps serving meanwhile (the
    bot may still be talking to a fake served by it)."""
    if process.poll() is None:
        process.terminate()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while process.poll() is None:
        if loop.time() > deadline:
            process.kill()
            process.wait()
            return
        await asyncio.sleep(0.05)


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """Serve ``app`` on a free local port in this event loop; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", access_log=False, lifespan="off"
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn exited during startup")
            await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.stop_requested.set()
        await task
