"""The whole bot under test: the real FastAPI + Bolt app, the fake Slack Web API and a stepped
sandbox that delivers its signed webhooks to the app in-process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from bot import logs
from bot.desk import Desk
from bot.runtime import Runtime
from bot.sandbox import SANDBOX_AUTH_TOKEN, Sandbox, SandboxConfig
from bot.server import PortingApp, create_app
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET, SlackRequest
from tests.settling import settle
from tests.slow import mark_slow

pytest_plugins = ["tests.fakes.fixtures"]

PORTING_CHANNEL = "CPORTING"
PUBLIC_URL = "http://bot.test"
SANDBOX_START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@dataclass
class Bot:
    app: PortingApp
    http: httpx.AsyncClient
    slack: FakeSlack
    sandbox: Sandbox
    settings: Settings

    async def send(self, request: SlackRequest) -> httpx.Response:
        """POST a signed Slack request to /slack/events, as Slack would."""
        return await self.http.post("/slack/events", content=request.body, headers=request.headers)

    async def settle(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Let work that listeners and webhooks started after their response finish: post-ack
        tasks, due request fetches (reconciler) and ready Slack work (outbox)."""
        await settle(self.runtime, self.settings.porting_coalesce_seconds, timeout)

    async def run_lifecycle(self) -> None:
        """Run the sandbox to its end one due step at a time, letting the bot settle after
        each, as when real hours pass between a carrier's answers."""
        while (due := self.sandbox.state.next_due()) is not None:
            await self.sandbox.advance_to(due)
            await self.settle()

    async def poll_now(self) -> None:
        """Make every scheduled fetch due now (as if the reconcile interval had passed)."""
        from sqlalchemy import update

        from bot.store.models import RequestSync

        async with self.runtime.db.session() as s:
            await s.exec(update(RequestSync).values(due_at=datetime.now(UTC)))
            await s.commit()
        self.runtime.reconciler.wakeup.set()

    async def wait_delivered(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until the outbox holds no pending Slack work at all (retries included)."""
        await self.settle()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while await self.runtime.outbox.pending():
            if loop.time() > deadline:
                raise AssertionError("Slack work still pending")
            self.runtime.outbox.wakeup.set()
            await asyncio.sleep(0.05)

    @property
    def runtime(self) -> Runtime:
        return self.app.runtime

    @property
    def desk(self) -> Desk:
        return self.runtime.desk


def make_settings(slack: FakeSlack, tmp_path, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.url,
        "porting_sandbox": True,
        "porting_channel": PORTING_CHANNEL,
        "porting_admins": "*",  # a real deployment says who may file and cancel
        # The tests' own sandboxes (SandboxConfig's default token), not a process's random one.
        "twilio_auth_token": SANDBOX_AUTH_TOKEN,
        "public_url": PUBLIC_URL,
        "database_url": f"sqlite:///{tmp_path}/bot.db",
        # Apply each webhook at once and edit boards and post without pacing, so tests see
        # every step; tests of grouping and pacing set these back.
        "porting_coalesce_seconds": 0.0,
        "porting_board_seconds": 0.0,
        "slack_channel_write_seconds": 0.0,
        # Reminders and digests only when a test drives the desk's day (``bot.desk.day``).
        "porting_desk_day_seconds": 0.0,
        # Inventory sweeps only when a test runs one (``bot.desk.inventory``).
        "porting_inventory_seconds": 0.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture(params=logs.FORMATS)
def log_format(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> str:
    """``caplog.text`` as LOG_FORMAT writes it, once per format (``text``, ``json``): leak
    tests that look in the logs look at both."""
    caplog.handler.setFormatter(logs.formatter(request.param))
    return str(request.param)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(start_time=SANDBOX_START, seed=7)


@pytest.fixture
def bot_settings() -> dict:
    """Settings overrides for the ``bot`` fixture; a test module overrides this fixture."""
    return {}


@pytest.fixture
async def bot(
    fake_slack: FakeSlack,
    tmp_path,
    clean_slack_env,
    sandbox_config: SandboxConfig,
    bot_settings: dict,
) -> AsyncIterator[Bot]:
    settings = make_settings(fake_slack, tmp_path, **bot_settings)
    sandbox_holder: dict[str, FastAPI] = {}
    to_bot = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_LazyApp(sandbox_holder)), timeout=30
    )
    sandbox = Sandbox(sandbox_config, http_client=to_bot)
    app = create_app(settings, sandbox=sandbox)
    sandbox_holder["app"] = app
    async with LifespanManager(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL, timeout=30
        ) as http:
            yield Bot(app, http, fake_slack, sandbox, settings)
    await to_bot.aclose()


class _LazyApp:
    """The bot app, resolved at call time (the sandbox is built before the app it calls)."""

    def __init__(self, holder: dict[str, FastAPI]) -> None:
        self.holder = holder

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        await self.holder["app"](scope, receive, send)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-process and browser tests carry the ``slow`` marker (``tests/slow.py``)."""
    mark_slow(items)
