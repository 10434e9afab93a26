"""The whole bot under test: the real FastAPI + Bolt app, the fake Slack Web API and a stepped
sandbox that delivers its signed webhooks to the app in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from bot.sandbox import Sandbox, SandboxConfig
from bot.server import create_app
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET, SlackRequest

pytest_plugins = ["tests.fakes.fixtures"]

PORTING_CHANNEL = "CPORTING"
PUBLIC_URL = "http://bot.test"
SANDBOX_START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@dataclass
class Bot:
    app: FastAPI
    http: httpx.AsyncClient
    slack: FakeSlack
    sandbox: Sandbox
    settings: Settings

    async def send(self, request: SlackRequest) -> httpx.Response:
        """POST a signed Slack request to /slack/events, as Slack would."""
        return await self.http.post("/slack/events", content=request.body, headers=request.headers)

    async def settle(self) -> None:
        """Let work that listeners and webhooks started after their response finish."""
        await self.app.state.tasks.drain()

    @property
    def desk(self):  # type: ignore[no-untyped-def]
        return self.app.state.desk


def make_settings(slack: FakeSlack, tmp_path, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.url,
        "porting_sandbox": True,
        "porting_channel": PORTING_CHANNEL,
        "public_url": PUBLIC_URL,
        "database_url": f"sqlite:///{tmp_path}/bot.db",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(start_time=SANDBOX_START, seed=7)


@pytest.fixture
async def bot(
    fake_slack: FakeSlack, tmp_path, clean_slack_env, sandbox_config: SandboxConfig
) -> AsyncIterator[Bot]:
    settings = make_settings(fake_slack, tmp_path)
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
