"""The sandbox a bot process runs for itself (PORTING_SANDBOX=true): per-process random
credentials (which also sign its webhooks), and webhooks only to the bot's own URL (no blind
requests from the server to wherever a caller names)."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager

from bot.sandbox import SANDBOX_AUTH_TOKEN
from bot.server import create_app
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET

HOOK = "/sandbox/v1/Porting/Configuration/Webhook"


def _settings(slack: FakeSlack, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        porting_sandbox=True,
        porting_admins="*",
        porting_channel="CPORTING",
        database_url=f"sqlite:///{tmp_path}/bot.db",
        porting_desk_day_seconds=0,
    )


async def test_each_process_makes_its_own_sandbox_secret(fake_slack: FakeSlack, tmp_path) -> None:
    first, second = _settings(fake_slack, tmp_path), _settings(fake_slack, tmp_path)
    tokens = {first.twilio_auth_token, second.twilio_auth_token, SANDBOX_AUTH_TOKEN}
    assert len(tokens) == 3, "random per process, never the published constant"
    assert len(first.twilio_auth_token or "") >= 32


async def test_the_own_sandbox_sends_webhooks_only_to_this_bot(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    settings = _settings(fake_slack, tmp_path)
    app = create_app(settings)  # its own sandbox, as python -m bot makes it
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)  # in-process: 127.0.0.1, like the bot
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
            auth = (settings.account_sid, settings.twilio_auth_token or "")
            elsewhere = {
                "port_in_target_url": "http://127.0.0.1:9/internal",
                "notifications_of": [],
            }
            refused = await http.post(HOOK, json=elsewhere, auth=auth)
            assert refused.status_code == 400
            assert f"only to {settings.webhook_url}" in refused.json()["message"]
            own = {"port_in_target_url": settings.webhook_url, "notifications_of": []}
            assert (await http.post(HOOK, json=own, auth=auth)).status_code == 201
            held = (await http.get(HOOK, auth=auth)).json()
            assert held["port_in_target_url"] == settings.webhook_url
        sandbox = app.runtime.sandbox
        assert sandbox is not None
        assert sandbox.config.auth_token == settings.twilio_auth_token
        # Its webhooks are signed with the process's token, the one the bot checks them with.
        assert app.runtime.webhook_tokens == [settings.twilio_auth_token]
