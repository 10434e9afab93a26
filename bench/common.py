"""Shared benchmark plumbing: a fake Slack in this process and the real bot in a subprocess
(started with the tests' own helpers in ``tests/procs.py``)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.procs import bot_env, free_port, start_bot, stop_bot  # noqa: E402


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
                await stop_bot(process)
