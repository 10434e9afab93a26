"""The bot in local mode, served over real HTTP in the test's own event loop: the settings
``python -m bot`` gets with no Slack app and no Twilio account, the real app with its local
workspace, and a stepped sandbox (time moves only when the sandbox panel or a test moves it)
delivering its signed webhooks to the app in-process."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from bot.sandbox import Sandbox, SandboxConfig
from bot.server import PortingApp, create_app
from bot.settings import Settings
from bot.workspace.local import LocalWorkspace
from tests.fakes.serving import LocalServer
from tests.settling import settle

SANDBOX_START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalBot:
    url: str
    app: PortingApp
    sandbox: Sandbox
    settings: Settings

    @property
    def workspace(self) -> LocalWorkspace:
        workspace = self.app.runtime.workspace
        assert workspace is not None
        return workspace

    async def settle(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Let post-ack work, due fetches and queued Slack work finish."""
        await settle(
            self.app.runtime,
            self.settings.porting_coalesce_seconds,
            timeout,
            nothing_pending=True,
        )


class _LazyApp:
    def __init__(self) -> None:
        self.app: PortingApp | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@asynccontextmanager
async def local_bot(tmp_path: Path, **overrides: Any) -> AsyncIterator[LocalBot]:
    port = overrides.pop("port", None) or free_port()  # a restart serves the same address
    values: dict[str, Any] = {
        "port": port,
        # Each change shows at once (the pacing tests are elsewhere).
        "porting_coalesce_seconds": 0.0,
        "porting_board_seconds": 0.0,
        "slack_channel_write_seconds": 0.0,
        # No reminders or digests unless a test drives the desk's day (its own clock).
        "porting_desk_day_seconds": 0.0,
        # Inventory sweeps only when a test runs one (``bot.desk.inventory``).
        "porting_inventory_seconds": 0.0,
        **overrides,
    }
    # Nothing configured (no DATABASE_URL either): local mode's own database, in tmp_path.
    with contextlib.chdir(tmp_path):
        settings = Settings(_env_file=None, **values)
    assert settings.local_mode, "nothing configured: local mode"
    lazy = _LazyApp()
    to_bot = httpx.AsyncClient(transport=httpx.ASGITransport(app=lazy), timeout=30)
    sandbox = Sandbox(
        SandboxConfig(
            start_time=SANDBOX_START,
            seed=7,
            auto_sign_loa=False,
            auth_token=settings.twilio_auth_token or "",  # the process's own, as in serve
        ),
        http_client=to_bot,
    )
    app = create_app(settings, sandbox=sandbox)
    lazy.app = app
    server = LocalServer(app, port=port)
    async with LifespanManager(app):
        await server.start()
        try:
            yield LocalBot(f"http://127.0.0.1:{port}", app, sandbox, settings)
        finally:
            await server.stop()
    await to_bot.aclose()
