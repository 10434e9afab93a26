"""`python -m bot` as a child process, for what only a real start-up shows (the settings the
process reads, the lifespan, the ports it serves)."""

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

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# Settings the child must not inherit from whoever runs the tests (and Bolt's own variables).
_OURS = {name.upper() for name in Settings.model_fields} | {
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
}
# Only against a start-up that hangs; normal start-ups take a few seconds.
_START_GUARD_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(**env: str) -> dict[str, str]:
    """The child's environment: this checkout's code (whatever copy pip installed), none of
    the runner's bot settings, then ``env``."""
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in _OURS}
    return {**inherited, "PYTHONPATH": str(ROOT), **env}


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


@asynccontextmanager
async def serving_bot(env: dict[str, str], cwd: Path) -> AsyncIterator[str]:
    """Start ``python -m bot`` (``env`` must set PORT), wait until ``/readyz`` answers 200 and
    yield its base URL; stop it afterwards. Fails with the bot's log if it exits first."""
    url = f"http://127.0.0.1:{env['PORT']}"
    log_path = cwd / "bot.log"  # a file: an undrained pipe would block the bot's logging
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: ASYNC220 (spawn only; waits happen in a thread)
            [sys.executable, "-m", "bot"], cwd=cwd, env=env, stdout=log, stderr=log
        )
    try:
        loop = asyncio.get_running_loop()
        guard = loop.time() + _START_GUARD_SECONDS
        async with httpx.AsyncClient(timeout=5) as http:
            while True:
                try:
                    if (await http.get(url + "/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or loop.time() > guard:
                    raise AssertionError(
                        f"python -m bot did not become ready (exit {process.poll()}):\n"
                        + log_path.read_text()
                    )
                await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
