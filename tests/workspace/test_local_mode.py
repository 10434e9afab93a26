"""Local mode: ``python -m bot`` with no Slack app and no Twilio account serves the bot's
own workspace on 127.0.0.1; any Slack or Twilio credential means a real deployment, and a
missing one is still refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import psutil
import pytest

from bot.settings import Settings, SettingsError
from bot.workspace.defaults import PORTING_CHANNEL
from tests.conftest import Bot
from tests.procs import child_env, free_port, run_bot, serving_bot


def test_nothing_configured_is_local_mode() -> None:
    settings = Settings(_env_file=None, port=4321)
    settings.check()
    assert settings.local_mode and settings.porting_sandbox
    assert settings.slack_bot_token.startswith("xoxb-local-")
    assert settings.slack_api_url == "http://127.0.0.1:4321/workspace"
    assert settings.porting_channel == PORTING_CHANNEL
    assert len(settings.slack_signing_secret) == 32
    assert settings.database_url.endswith("/porting-local.db")
    other = Settings(_env_file=None)
    assert other.slack_signing_secret != settings.slack_signing_secret
    assert other.slack_bot_token != settings.slack_bot_token, "a token per process, not a constant"


@pytest.mark.parametrize(
    ("configured", "named"),
    [
        ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "s"}, "SLACK_BOT_TOKEN"),
        ({"slack_app_token": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"twilio_account_sid": "AC" + "a" * 32, "twilio_auth_token": "t"}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}, "TWILIO_ACCOUNT_SID"),
    ],
)
def test_a_credential_means_a_real_deployment(configured: dict, named: str) -> None:
    settings = Settings(_env_file=None, **configured)
    assert not settings.local_mode
    with pytest.raises(SettingsError, match=named):
        settings.check()


def test_a_slack_token_without_twilio_still_refuses_to_start(tmp_path: Path) -> None:
    env = child_env(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    result = run_bot(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "TWILIO_ACCOUNT_SID" in result.stderr
    assert "local mode" not in result.stderr


async def test_python_m_bot_with_nothing_configured_serves_the_workspace(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "porting-local.db").write_bytes(b"a previous run's database")
    (tmp_path / "porting.db").write_bytes(b"a real deployment's: never touched")
    async with serving_bot(child_env(PORT=str(port)), tmp_path) as url:
        assert (tmp_path / "porting.db").read_bytes() == b"a real deployment's: never touched"
        log = (tmp_path / "bot.log").read_text()
        assert log.count("local mode") == 1
        assert f"http://127.0.0.1:{port}/" in log and "SLACK_BOT_TOKEN" in log
        listening = {
            c.laddr.ip
            for p in psutil.process_iter()
            if p.name().startswith("python")
            for c in _connections(p)
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port
        }
        assert listening == {"127.0.0.1"}, "local mode listens on this machine only"

        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            home = await http.get("/")
            assert (home.status_code, home.headers["location"]) == (307, "/workspace/")
            page = await http.get("/workspace/")
            assert "Local workspace" in page.text and "app.js" in page.text
            boot = (await http.get("/workspace/ui/boot")).json()
            assert "/port-check" in [c["command"] for c in boot["manifest"]["commands"]]
            assert boot["porting_channel"] == PORTING_CHANNEL

            command = {"channel": PORTING_CHANNEL, "text": "/port-check +14155550100"}
            forged = await http.post("/workspace/ui/message", json=command)
            assert forged.status_code == 403  # another site's page cannot act here
            sent = await http.post(
                "/workspace/ui/message", json=command, headers={"X-Workspace": "1"}
            )
            assert sent.json() == {"ok": True}
            for _ in range(100):
                history = (await http.get(f"/workspace/ui/history/{PORTING_CHANNEL}")).json()
                if history["ephemerals"]:
                    break
                await asyncio.sleep(0.05)
            (answer,) = history["ephemerals"]
            assert "Portability of 1 number" in str(answer["blocks"])


async def test_an_open_page_does_not_hold_the_shutdown(tmp_path: Path) -> None:
    """A tab's push stream never ends by itself; told to stop, the bot ends it and stops
    cleanly instead of waiting for it (and then cancelling it with an error)."""
    async with httpx.AsyncClient(timeout=30) as http:
        async with serving_bot(child_env(PORT=str(free_port())), tmp_path) as url:
            stream = http.stream("GET", url + "/workspace/ui/stream")
            response = await stream.__aenter__()
            assert response.headers["content-type"].startswith("text/event-stream")
        ended = b"".join([chunk async for chunk in response.aiter_raw()])
        await stream.__aexit__(None, None, None)
    assert ended.startswith(b"retry:")
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log and "graceful shutdown exceeded" not in log, log
    assert "Application shutdown complete" in log


def _connections(process: psutil.Process) -> list:
    try:
        return process.net_connections(kind="inet")
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        return []


async def test_a_real_slack_app_never_gets_the_workspace(bot: Bot) -> None:
    assert bot.runtime.workspace is None
    assert (await bot.http.get("/workspace/")).status_code == 404
    assert (await bot.http.get("/")).status_code == 404
