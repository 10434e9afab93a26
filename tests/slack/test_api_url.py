"""SLACK_API_URL takes Slack's base URL with or without ``/api/`` (slack_sdk's ``base_url``
has it, and GovSlack setups copy that form)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.settings import Settings
from bot.wiring import slack_client
from tests.conftest import Bot
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import slash_command


@pytest.fixture
def bot_settings(fake_slack: FakeSlack) -> dict:
    return {"slack_api_url": fake_slack.api_url}  # http://127.0.0.1:…/api/


@pytest.mark.parametrize(
    "given",
    [
        "https://slack-gov.com",
        "https://slack-gov.com/",
        "https://slack-gov.com/api",
        "https://slack-gov.com/api/",
    ],
)
async def test_both_forms_reach_the_same_web_api(given: str) -> None:
    settings = Settings(_env_file=None, slack_api_url=given)
    async with aiohttp.ClientSession() as session:
        assert slack_client(settings, session).base_url == "https://slack-gov.com/api/"


async def test_bot_with_the_api_form_calls_slack(bot: Bot) -> None:
    await bot.send(slash_command("/port-check", ""))
    await bot.settle()
    assert bot.slack.calls_to("views.open")
