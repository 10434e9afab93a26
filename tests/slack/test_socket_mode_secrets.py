"""LOG_LEVEL=DEBUG through a whole Socket Mode filing: the libraries that log what passes
through them (slack_sdk's and Bolt's Socket Mode envelopes, httpx's URLs) stay at WARNING, so
the PIN and the account number appear in no log line, no Slack message and no database row."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import WSMsgType, web

from bot.__main__ import QUIET_LOGGERS, QuietLibraries, quiet_libraries
from tests.conftest import Bot
from tests.fakes.slack_api import APP_ID, FakeSlack
from tests.fakes.slack_requests import SlackRequest
from tests.port_in_forms import ACCOUNT_NUMBER, PIN, file_through_form


@dataclass
class SocketSlack:
    """Slack's Socket Mode end: ``apps.connections.open`` names a websocket here; envelopes
    go out through it and the bot's acks (with their response payloads) come back."""

    url: str = ""
    socket: web.WebSocketResponse | None = None
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    acks: dict[str, asyncio.Future[Any]] = field(default_factory=dict)

    async def serve(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}}
        )
        self.connected.set()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                waiting = self.acks.pop(ack.get("envelope_id", ""), None)
                if waiting is not None:
                    waiting.set_result(ack.get("payload"))
        return socket

    async def deliver(self, request: SlackRequest) -> Any:
        """What Slack would POST, sent as a Socket Mode envelope; answered like httpx."""
        fields = dict(parse_qsl(request.body.decode()))
        if "payload" in fields:
            kind, payload = "interactive", json.loads(fields["payload"])
        else:
            kind, payload = "slash_commands", fields
        envelope_id = str(uuid.uuid4())
        self.acks[envelope_id] = asyncio.get_running_loop().create_future()
        await self.connected.wait()
        assert self.socket is not None
        await self.socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": True,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        answer = await asyncio.wait_for(self.acks[envelope_id], 10)
        content = json.dumps(answer).encode() if answer else b""
        return SimpleNamespace(status_code=200, content=content, json=lambda: answer or {})


@pytest.fixture
async def socket_slack(fake_slack: FakeSlack) -> AsyncIterator[SocketSlack]:
    slack = SocketSlack()
    app = web.Application()
    app.router.add_get("/link", slack.serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    slack.url = f"ws://127.0.0.1:{port}/link"
    fake_slack.set_handler("apps.connections.open", lambda call: {"ok": True, "url": slack.url})
    yield slack
    await runner.cleanup()


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Any:
    """LOG_LEVEL=DEBUG as python -m bot applies it, before the app is built (Bolt gives its
    logger the level it finds)."""
    caplog.set_level(logging.DEBUG)  # the root at LOG_LEVEL=DEBUG, as bot.logs sets it
    quiet_libraries()  # then what python -m bot does next
    yield caplog
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    for handler in logging.getLogger().handlers:
        for quiet in [f for f in handler.filters if isinstance(f, QuietLibraries)]:
            handler.removeFilter(quiet)


@pytest.fixture
def bot_settings(socket_slack: SocketSlack, debug_logging: Any) -> dict:
    return {"slack_app_token": "xapp-1-A1-1-socket", "log_level": "DEBUG"}


@dataclass
class SocketBot(Bot):
    socket_slack: SocketSlack | None = None

    async def send(self, request: SlackRequest) -> Any:  # type: ignore[override]
        assert self.socket_slack is not None
        return await self.socket_slack.deliver(request)


async def test_a_socket_mode_filing_at_debug_logs_no_pin_anywhere(
    bot: Bot, socket_slack: SocketSlack, debug_logging: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    assert bot.runtime.socket is not None, "Socket Mode"
    await asyncio.wait_for(socket_slack.connected.wait(), 10)
    over_socket = SocketBot(
        bot.app, bot.http, bot.slack, bot.sandbox, bot.settings, socket_slack=socket_slack
    )
    await file_through_form(over_socket, "+14155550201")  # a mobile: its PIN is asked for
    await bot.wait_delivered()

    filed = [r for r in bot.sandbox.state.requests.values()]
    assert filed, "the filing went through, over the socket"
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in debug_logging.records)
    for secret in (PIN, ACCOUNT_NUMBER):
        assert secret not in logged
        assert secret not in json.dumps([c.args for c in bot.slack.calls], default=str)
    assert "Received message" not in logged and "envelope" not in logged.lower(), (
        "the libraries' own DEBUG lines are pinned at WARNING"
    )
    assert logging.getLogger("bot.desk").isEnabledFor(logging.DEBUG), "DEBUG was on"
    assert any(r.name.startswith("bot.") for r in debug_logging.records), "the bot's lines kept"
    for stored in await asyncio.to_thread(lambda: list(tmp_path.glob("bot.db*"))):
        content = await asyncio.to_thread(stored.read_bytes)
        assert PIN.encode() not in content and ACCOUNT_NUMBER.encode() not in content
