"""``python -m bot doctor`` against the fakes: a configuration where every check passes, then
each check made to fail in turn (and only that one failing), in process; the whole command as
a real subprocess for the all-pass case and a failing one."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import doctor
from bot.porting.client import TwilioPortingClient
from bot.porting.registration import register_port_in_webhook
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox, create_sandbox_app
from bot.settings import Settings
from bot.store.db import Database, migrate
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET
from tests.procs import child_env, served

CHANNEL = "CPORTING"
CHECKS = [
    "settings",
    "slack token",
    "slack scopes",
    "channel",
    "porting admins",
    "twilio",
    "twilio webhook",
    "database",
    "public url",
]


@dataclass
class Deployment:
    slack: FakeSlack
    twilio_url: str
    public_url: str
    tmp: Path
    values: dict[str, Any]
    health: dict[str, int] = field(default_factory=lambda: {"status": 200})

    def settings(self) -> Settings:
        return Settings(_env_file=None, **self.values)

    def env(self) -> dict[str, str]:
        return child_env(**{k.upper(): str(v) for k, v in self.values.items()})

    async def point_webhook(self, url: str) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            client = TwilioPortingClient(http, **self.settings().twilio_client_options())
            await register_port_in_webhook(client, url)


@pytest.fixture
async def deployment(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Deployment]:
    health = {"status": 200}

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": health["status"] == 200}, status_code=health["status"])

    stub = Starlette(routes=[Route("/healthz", healthz)])
    database_url = f"sqlite:///{tmp_path / 'porting.db'}"
    db = Database.from_url(database_url)
    await migrate(db.engine)
    await db.close()
    fake_slack.add_channel(CHANNEL, name="porting")
    fake_slack.set_usergroup("SADMINS", ["UPAT01", "USAM02"])
    async with served(create_sandbox_app(Sandbox())) as twilio_url, served(stub) as public_url:
        values = {
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake_slack.url,
            "twilio_account_sid": SANDBOX_ACCOUNT_SID,
            "twilio_auth_token": SANDBOX_AUTH_TOKEN,
            "twilio_numbers_url": twilio_url,
            "twilio_upload_url": twilio_url,
            "public_url": public_url,
            "porting_channel": CHANNEL,
            "porting_admins": "UPAT01 SADMINS",
            "database_url": database_url,
        }
        found = Deployment(fake_slack, twilio_url, public_url, tmp_path, values, health)
        await found.point_webhook(f"{public_url}/twilio/porting")
        yield found


def failed(results: list[doctor.Result]) -> dict[str, str]:
    return {r.name: f"{r.detail} → {r.fix}" for r in results if r.status == "fail"}


async def test_a_working_configuration_passes_every_check(deployment: Deployment) -> None:
    results = await doctor.run(deployment.settings)
    assert [r.name for r in results] == CHECKS, [r.line() for r in results]
    assert [r.status for r in results] == ["ok"] * len(CHECKS), [r.line() for r in results]


async def _break_webhook(d: Deployment) -> None:
    await d.point_webhook("https://elsewhere.example.com/twilio/porting")


async def _fresh_database(d: Deployment) -> None:
    d.values["database_url"] = f"sqlite:///{d.tmp / 'empty.db'}"
    db = Database.from_url(d.values["database_url"])
    async with db.engine.begin():  # the file exists, with no schema
        pass
    await db.close()


BREAKS: dict[str, tuple[Callable[[Deployment], object], str]] = {
    "settings": (lambda d: d.values.update(porting_channel="#porting"), "channel ID"),
    "slack token": (lambda d: setattr(d.slack, "bot_token_prefix", "xoxb-another"), "invalid_auth"),
    "slack scopes": (
        lambda d: setattr(
            d.slack, "scopes", tuple(s for s in d.slack.scopes if s != "files:write")
        ),
        "lacks files:write",
    ),
    "channel": (
        lambda d: d.slack.channels[CHANNEL].update(is_member=False),
        "not a member of #porting → invite the bot",
    ),
    "porting admins": (
        lambda d: d.values.update(porting_admins="UPAT01 SNOPE"),
        "SNOPE: no_such_subteam",
    ),
    "twilio": (lambda d: d.values.update(twilio_auth_token="f" * 32), "Twilio answered 401"),
    "twilio webhook": (_break_webhook, "go to https://elsewhere.example.com/twilio/porting"),
    "database": (_fresh_database, "run `python -m bot migrate`"),
    "public url": (lambda d: d.health.update(status=503), "answered 503"),
}


@pytest.mark.parametrize("check", list(BREAKS))
async def test_each_check_fails_alone_and_says_what_to_do(
    deployment: Deployment, check: str
) -> None:
    breaking, said = BREAKS[check]
    outcome = breaking(deployment)
    if asyncio.iscoroutine(outcome):
        await outcome
    results = await doctor.run(deployment.settings)
    assert list(failed(results)) == [check], [r.line() for r in results]
    assert said in failed(results)[check]
    assert doctor.report(results, echo=lambda line: None) == 1


async def test_a_deactivated_admin_is_named(deployment: Deployment) -> None:
    deployment.slack.users["UPAT01"] = {**deployment.slack.state.user("UPAT01"), "deleted": True}
    results = await doctor.run(deployment.settings)
    assert failed(results) == {
        "porting admins": "UPAT01 is deactivated → correct PORTING_ADMINS (copy IDs from a "
        "profile's ⋮ menu or the group's page)"
    }


async def test_start_up_rules_are_the_settings_line(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The doctor refuses what ``python -m bot`` refuses (bot.setting_names.read_settings)."""
    deployment.values.pop("porting_admins")
    results = await doctor.run(deployment.settings)
    assert [r.name for r in results] == ["settings"]
    assert "PORTING_ADMINS" in failed(results)["settings"]

    deployment.values["porting_admins"] = "*"
    monkeypatch.setenv("PORTING_ADMIN", "UPAT01")  # a typo of PORTING_ADMINS
    results = await doctor.run(deployment.settings)
    assert (
        "PORTING_ADMIN is not a setting: did you mean PORTING_ADMINS?"
        in failed(results)["settings"]
    )


async def test_everyone_as_admins_is_said(deployment: Deployment) -> None:
    deployment.values["porting_admins"] = "*"
    results = await doctor.run(deployment.settings)
    (admins,) = [r for r in results if r.name == "porting admins"]
    assert (admins.status, admins.detail) == (
        "ok",
        "*: everyone in the workspace may file and cancel",
    )


async def test_nothing_configured_is_local_mode_not_a_deployment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    results = await doctor.run(lambda: Settings(_env_file=None))
    assert [r.name for r in results] == ["settings"]
    assert "local mode" in failed(results)["settings"]


async def _doctor(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return await process.wait(), output.decode()


async def test_the_command_passes_a_working_configuration(deployment: Deployment) -> None:
    code, output = await _doctor(deployment.env(), deployment.tmp)
    lines = output.strip().splitlines()
    assert code == 0, output
    assert [line.split("]")[1].split(":")[0].strip() for line in lines[:-1]] == CHECKS
    assert all(line.startswith("[ok  ]") for line in lines[:-1]), output
    assert lines[-1] == f"all {len(CHECKS)} checks passed"
    assert BOT_TOKEN not in output and SANDBOX_AUTH_TOKEN not in output


async def test_the_command_exits_non_zero_naming_the_failure(deployment: Deployment) -> None:
    deployment.slack.channels[CHANNEL]["is_member"] = False
    code, output = await _doctor(deployment.env(), deployment.tmp)
    assert code == 1, output
    assert "[FAIL] channel: the bot is not a member of #porting → invite the bot" in output
    assert output.strip().splitlines()[-1] == f"1 of {len(CHECKS)} checks failed: channel"
