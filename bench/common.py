"""Shared benchmark plumbing: a fake Slack in this process and the real bot in a subprocess."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    slack: FakeSlack

    @property
    def psutil(self) -> psutil.Process:
        return psutil.Process(self.process.pid)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def bot_env(slack: FakeSlack, port: int, **env: str) -> dict[str, str]:
    """The environment `python -m bot` runs with: sandbox mode, Slack faked locally."""
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


async def start_bot(environment: dict[str, str], cwd: str) -> subprocess.Popen:
    """Start `python -m bot` and wait until /healthz answers (RuntimeError with its stderr
    if it exits or takes more than 30 s)."""
    # stderr goes to a file: an undrained pipe would block the bot once 64 KiB of logs pile up.
    log_path = Path(cwd) / "bot.log"
    with open(log_path, "ab") as log:  # noqa: ASYNC230 (opened once, before the loop waits)
        process = subprocess.Popen(  # noqa: ASYNC220 (spawn only; never waits on the loop)
            [sys.executable, "-m", "bot"],
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{environment['PORT']}"
    async with httpx.AsyncClient() as http:
        deadline = time.monotonic() + 30
        while True:
            try:
                if (await http.get(url + "/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(log_path.read_text() or "bot did not start")
            await asyncio.sleep(0.1)


def stop_bot(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@asynccontextmanager
async def running_bot(**env: str) -> AsyncIterator[Server]:
    """The bot as `python -m bot` would run it (sandbox, SQLite), Slack faked locally."""
    async with FakeSlack() as slack:
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.db")
            process = await start_bot(bot_env(slack, port, **env), tmp)
            try:
                yield Server(f"http://127.0.0.1:{port}", process, slack)
            finally:
                stop_bot(process)
