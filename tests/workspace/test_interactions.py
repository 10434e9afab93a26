"""The page's interactions reach the real Bolt app as Slack's requests, and the app's answers
are applied as Slack applies them, in Slack's order: an app's answer to a submission or a
command comes before the calls it makes after answering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.workspace.defaults import PERSON, PORTING_CHANNEL
from bot.workspace.manifest import Manifest, SlashCommand
from bot.workspace.modals import TROUBLE
from tests.workspace.local_bot import LocalBot, local_bot


@pytest.fixture
async def local(tmp_path: Path, clean_slack_env: None) -> AsyncIterator[LocalBot]:
    async with local_bot(tmp_path) as running:
        yield running


def _modal(callback_id: str, text: str, *, form: bool = True) -> dict[str, Any]:
    """A modal with a note (and, as a form, a field and a submit button)."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": "Race"},
        "blocks": [
            {"type": "section", "block_id": "note", "text": {"type": "mrkdwn", "text": text}}
        ],
    }
    if form:
        view["submit"] = {"type": "plain_text", "text": "Go"}
        view["blocks"].append(
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "name"},
            }
        )
    return view


async def _open(local: LocalBot, view: dict[str, Any]) -> str:
    trigger = local.workspace.state.issue_trigger(PERSON)
    opened = await local.app.runtime.slack.views_open(trigger_id=trigger, view=view)
    return str(opened["view"]["id"])


def _top(local: LocalBot) -> dict[str, Any]:
    return local.workspace.state.modal_stack(PERSON)[-1]


async def test_an_update_made_right_after_the_answer_lands_after_it(local: LocalBot) -> None:
    """The bot's /port-in pattern: ack with a "Checking…" view, then views.update with the
    next step as soon as it is ready. The update must win, however fast it is."""
    bolt, client = local.app.runtime.bolt, local.app.runtime.slack

    @bolt.view("race")
    async def submitted(ack: Any, body: dict) -> None:
        await ack(response_action="update", view=_modal("race_wait", "Checking…", form=False))
        # Bolt returns the answer only after this listener's next poll (10 ms): the update
        # reaches the workspace first, as it can with a fast bot.
        await client.views_update(view_id=body["view"]["id"], view=_modal("race_next", "Ready"))

    view_id = await _open(local, _modal("race", "Start"))
    assert local.workspace.modals is not None
    await local.workspace.modals.submit(
        PERSON, view_id, {"name": {"name": {"type": "plain_text_input", "value": "x"}}}
    )
    await local.settle()
    top = _top(local)
    assert (top["id"], top["callback_id"]) == (view_id, "race_next")


async def test_a_command_reply_shows_before_its_follow_ups(local: LocalBot) -> None:
    bolt = local.app.runtime.bolt
    local.workspace.manifest = Manifest(commands=(SlashCommand("/race"),))

    @bolt.command("/race")
    async def race(ack: Any, respond: Any) -> None:
        await ack(text="first: the command's own reply")
        await respond(text="second: a follow-up through its response_url")

    assert local.workspace.conversations is not None
    await local.workspace.conversations.command(PERSON, PORTING_CHANNEL, "/race go", None)
    await local.settle()
    shown = sorted(local.workspace.state.ephemerals, key=lambda e: float(e["ts"]))
    assert [e["text"].split(":")[0] for e in shown] == ["first", "second"]


async def test_answers_slack_would_not_take_show_its_trouble_message(local: LocalBot) -> None:
    bolt = local.app.runtime.bolt

    @bolt.view("wrong_block")
    async def wrong(ack: Any) -> None:
        await ack(response_action="errors", errors={"note": "A section cannot show errors."})

    view_id = await _open(local, _modal("wrong_block", "Start"))
    assert local.workspace.modals is not None
    await local.workspace.modals.submit(PERSON, view_id, {})
    assert _top(local)["errors"] == {"": TROUBLE}


async def test_an_unknown_command_is_slackbots_business(local: LocalBot) -> None:
    assert local.workspace.conversations is not None
    await local.workspace.conversations.command(PERSON, PORTING_CHANNEL, "/nope", None)
    (said,) = local.workspace.state.ephemerals
    assert said["user"] == "USLACKBOT" and "`/nope` is not a valid command" in said["text"]
