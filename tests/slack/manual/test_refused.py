"""Only PORTING_ADMINS start manual ports and move their steps; everyone may view them. Each
refusal is said privately, names who can, and is audited."""

from __future__ import annotations

import json

import pytest

from bot.desk.manual.steps import ManualMove
from bot.slack.ids import Action
from tests.conftest import Bot
from tests.fakes.slack_requests import block_actions, slash_command
from tests.manual_forms import (
    UK,
    board,
    current,
    form_state,
    press,
    step,
    submit_form,
    ticket_state,
)

ADMIN = "UADMIN"


@pytest.fixture
def bot_settings() -> dict:
    return {"porting_admins": ADMIN}


async def test_a_non_admin_cannot_start_one(bot: Bot) -> None:
    url = bot.slack.response_url("pi")
    await bot.send(slash_command("/port-in", UK, response_url=url))
    await bot.settle()
    assert not bot.slack.calls_to("views.open")
    assert "PORTING_ADMINS" in bot.slack.responses_to("pi")[0].body["text"]
    # A form submitted anyway (an old modal, a replay) is refused too, and nothing stored.
    body = await submit_form(bot, form_state(UK))
    assert body["response_action"] == "update" and "PORTING_ADMINS" in json.dumps(body)
    await bot.settle()
    assert await bot.desk.manual.open_ports() == []


async def test_a_non_admin_cannot_move_a_step_but_can_look(bot: Bot) -> None:
    body = await submit_form(bot, form_state(UK), user_id=ADMIN)
    assert body["response_action"] == "update"
    await bot.settle()
    (port,) = await bot.desk.manual.open_ports()
    assert port.filed_by == ADMIN

    url = bot.slack.response_url("board")
    await press(bot, port, Action.MANUAL_SUBMIT, url=url)  # opens no modal
    await press(bot, port, Action.MANUAL_CANCEL, url=url)  # a one-click move
    assert not bot.slack.calls_to("views.open")
    said = [r.body["text"] for r in bot.slack.responses_to("board")]
    assert len(said) == 2 and all("PORTING_ADMINS" in s and f"<@{ADMIN}>" in s for s in said)
    refused = await step(bot, port, ManualMove.SUBMIT, ticket_state())
    assert refused["response_action"] == "update" and "PORTING_ADMINS" in json.dumps(refused)
    assert (await current(bot, port.id)).version == port.version  # nothing moved
    history = await bot.desk.manual.history(port.id)
    assert [(h.action, h.outcome) for h in history[1:]] == [
        ("manual.submit", "refused"),
        ("manual.cancel", "refused"),
        ("manual.submit", "refused"),
    ]

    # Everyone may view it.
    status = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", port.id, response_url=status))
    await bot.settle()
    assert "step 1 of 6" in json.dumps(bot.slack.responses_to("status")[0].body)

    # The admin moves it.
    await step(bot, port, ManualMove.SUBMIT, ticket_state(), user_id=ADMIN)
    port = await current(bot, port.id)
    assert "step 2 of 6" in board(bot, port)


async def test_a_non_admin_pressing_start_manual_port_is_refused(bot: Bot) -> None:
    url = bot.slack.response_url("check")
    await bot.send(slash_command("/port-check", UK, response_url=url))
    await bot.settle()
    blocks = bot.slack.responses_to("check")[0].body["blocks"]
    (start,) = [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.MANUAL_START
    ]
    await bot.send(block_actions(Action.MANUAL_START, start["value"], response_url=url))
    await bot.settle()
    assert not bot.slack.calls_to("views.open")
    assert "PORTING_ADMINS" in bot.slack.responses_to("check")[-1].body["text"]
    await bot.send(
        block_actions(Action.MANUAL_START, start["value"], user_id=ADMIN, response_url=url)
    )
    await bot.settle()
    assert bot.slack.calls_to("views.open")[-1].args["view"]["callback_id"] == "manual_form"
