"""Real `python -m bot` processes (and ASGI apps served over HTTP in the test's own event loop),
for what only a real process shows: the settings it reads, its lifespan, several processes on
one database, a crash. The benchmarks start their bots with these too."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from starlette.types import ASGIApp

from bot.settings import Settings
from tests.fakes.serving import LocalServer
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent
# Settings the child must not inherit from whoever runs the tests (and Bolt's own variables).
_OURS = {name.upper() for name in Settings.model_fields} | {
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
}
# Only against a start-up that hangs; normal start-ups take a few seconds.
START_GUARD_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**env: str) -> dict[str, str]:
    """A child's environment: this checkout's code (whatever copy pip installed), none of the
    runner's bot settings (nor anything named like one: they stop or warn at start-up), then
    ``env``."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in _OURS and not k.upper().startswith(("SLACK_", "TWILIO_", "PORTING_"))
    }
    return {**inherited, "PYTHONPATH": str(ROOT), **env}


def sandboxed_env(**env: str) -> dict[str, str]:
    """The least a real deployment on the sandbox needs (Slack never reached), then ``env``:
    for start-ups that are meant to stop."""
    least = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "PORTING_SANDBOX": "true",
        "PORTING_ADMINS": "*",
    }
    return child_env(**{**least, **env})


def bot_env(slack: FakeSlack, port: int, **env: str) -> dict[str, str]:
    """The environment a served bot runs with: sandbox mode, Slack faked locally. ``env``
    overrides (e.g. ``PORTING_SANDBOX="false"`` plus Twilio URLs for a shared sandbox)."""
    served = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "PORTING_SANDBOX": "true",
        "PORTING_CHANNEL": "CBENCH",
        # A real deployment must say who may file and cancel: everyone, said explicitly.
        "PORTING_ADMINS": "*",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        # No reminders or digests unless the test asks (PORTING_DESK_DAY_SECONDS).
        "PORTING_DESK_DAY_SECONDS": "0",
    }
    return child_env(**{**served, **env})


def run_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a ``python -m bot`` command that ends by itself (migrate, a refused start-up)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def start_bot(
    environment: dict[str, str],
    cwd: str | Path,
    log_name: str = "bot.log",
    *,
    ready: str = "/healthz",
) -> subprocess.Popen[bytes]:
    """Start `python -m bot` (``environment`` must set PORT) and wait until ``ready`` answers
    200; fails with the bot's log if it exits first or hangs. Its output goes to
    ``cwd/log_name``: a file, since an undrained pipe would block the bot's logging."""
    log_path = Path(cwd) / log_name
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: ASYNC220 (spawn only; never waits on the loop)
            [sys.executable, "-m", "bot"], cwd=cwd, env=environment, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{environment['PORT']}"
    loop = asyncio.get_running_loop()
    guard = loop.time() + START_GUARD_SECONDS
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            try:
                if (await http.get(url + ready)).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            if process.poll() is not None or loop.time() > guard:
                process.kill()
                raise AssertionError(
                    f"python -m bot did not become ready (exit {process.poll()}):\n"
                    + log_path.read_text()
                )
            await asyncio.sleep(0.1)


async def stop_bot(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; the loop keeps serving meanwhile (the
    bot may still be talking to a fake served by it)."""
    if process.poll() is None:
        process.terminate()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while process.poll() is None:
        if loop.time() > deadline:
            process.kill()
            await asyncio.to_thread(process.wait)
            return
        await asyncio.sleep(0.05)


async def start_bots(stack: AsyncExitStack, envs: list[dict[str, str]], cwd: Path) -> list[str]:
    """Start one `python -m bot` per environment at once (on one database, one migrates and
    the others wait for it), stopped when ``stack`` closes; their logs go to ``cwd/bot{i}.log``.
    Returns their base URLs."""
    processes = await asyncio.gather(
        *(start_bot(env, cwd, f"bot{i}.log") for i, env in enumerate(envs)),
        return_exceptions=True,
    )
    for process in processes:
        if not isinstance(process, BaseException):
            stack.push_async_callback(stop_bot, process)
    for process in processes:
        if isinstance(process, BaseException):
            raise process
    return [f"http://127.0.0.1:{env['PORT']}" for env in envs]


@asynccontextmanager
async def serving_bot(env: dict[str, str], cwd: Path) -> AsyncIterator[str]:
    """A running `python -m bot`, ready (``/readyz`` 200): yields its base URL."""
    process = await start_bot(env, cwd, ready="/readyz")
    try:
        yield f"http://127.0.0.1:{env['PORT']}"
    finally:
        await stop_bot(process, grace=30)


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """Serve ``app`` on a free local port in this event loop; yields its base URL."""
    server = LocalServer(app)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
