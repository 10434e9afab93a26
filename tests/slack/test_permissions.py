"""PORTING_ADMINS: who may file and cancel. Everyone may check and look at statuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack.permissions import Permissions
from tests.conftest import Bot
from tests.fakes.slack_requests import block_actions, slash_command, view_submission
from tests.port_in_forms import LANDLINE, bill_file, details_state

ADMIN = "UADMIN"
MEMBER = "UMEMBER"
GROUP = "SPORTERS"


@pytest.fixture
def bot_settings() -> dict:
    return {"porting_admins": f"{ADMIN}, {GROUP}"}


async def _port_in(bot: Bot, user_id: str) -> list[Any]:
    url = bot.slack.response_url(user_id)
    await bot.send(slash_command("/port-in", LANDLINE, user_id=user_id, response_url=url))
    await bot.settle()
    return bot.slack.responses_to(user_id)


async def test_refused_user_is_told_who_can_and_gets_no_form(bot: Bot) -> None:
    bot.slack.set_usergroup(GROUP, [MEMBER])
    refused = await _port_in(bot, "U123")
    (reply,) = refused
    assert reply.body["response_type"] == "ephemeral"
    assert "You can't file port-ins" in reply.body["text"]
    assert f"<@{ADMIN}>" in reply.body["text"] and f"<!subteam^{GROUP}>" in reply.body["text"]
    assert not bot.slack.calls_to("views.open")

    # Everyone may still check portability.
    url = bot.slack.response_url("check")
    await bot.send(slash_command("/port-check", LANDLINE, user_id="U123", response_url=url))
    await bot.settle()
    assert "portable" in json.dumps(bot.slack.responses_to("check")[0].body["blocks"])


async def test_admins_and_group_members_may_file_and_groups_are_cached(bot: Bot) -> None:
    bot.slack.set_usergroup(GROUP, [MEMBER])
    assert await _port_in(bot, ADMIN) == []
    assert await _port_in(bot, MEMBER) == []
    assert await _port_in(bot, MEMBER) == []
    assert len(bot.slack.calls_to("views.open")) == 3
    assert len(bot.slack.calls_to("usergroups.users.list")) == 1  # cached


async def test_refused_user_cannot_submit_or_cancel(bot: Bot) -> None:
    bot.slack.set_usergroup(GROUP, [MEMBER])
    # A form submitted by someone not allowed (say, removed from the group meanwhile).
    response = await bot.send(
        view_submission("port_in_details", details_state(bill_file(bot), LANDLINE))
    )
    assert "You can't file port-ins" in json.dumps(response.json()["view"])
    sid = "KW" + "a" * 32
    url = bot.slack.response_url("cancel")
    await bot.send(slash_command("/port-cancel", sid, response_url=url))
    await bot.send(block_actions("cancel_request", sid, channel_id="C1", response_url=url))
    await bot.settle()
    texts = [r.body["text"] for r in bot.slack.responses_to("cancel")]
    assert len(texts) == 2 and all("You can't cancel port-ins" in t for t in texts)
    confirm = await bot.send(
        view_submission("cancel_confirm", {}, private_metadata=json.dumps({"request_sid": sid}))
    )
    assert "You can't cancel port-ins" in json.dumps(confirm.json()["view"])
    await bot.settle()
    assert not bot.slack.calls_to("views.open") and bot.sandbox.state.requests == {}


class _Client:
    def __init__(self, members: list[str], fail: bool = False) -> None:
        self.members, self.fail, self.calls = members, fail, 0

    async def usergroups_users_list(self, usergroup: str) -> dict[str, Any]:
        self.calls += 1
        if self.fail:
            raise RuntimeError("missing_scope")
        return {"ok": True, "users": self.members}


async def test_group_members_are_cached_briefly_and_failures_fail_closed() -> None:
    now = [0.0]
    client = _Client([MEMBER])
    perms = Permissions([GROUP], client, ttl=60, clock=lambda: now[0])  # type: ignore[arg-type]
    assert await perms.allows(MEMBER) and not await perms.allows("U123")
    assert client.calls == 1
    now[0] = 61
    client.members = []
    assert not await perms.allows(MEMBER) and client.calls == 2

    broken = Permissions([GROUP], _Client([], fail=True))  # type: ignore[arg-type]
    assert not await broken.allows(MEMBER)
    assert Permissions([], client).everyone  # type: ignore[arg-type]
    assert await Permissions([], client).allows("anyone")  # type: ignore[arg-type]
