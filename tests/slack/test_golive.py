"""Go-live and the inventory through the real Bolt app, the fake Slack and the sandbox: a
request filed with a profile goes live as it ports and the thread says so once; Go live
applies again without a word when nothing changed; the profile is chosen on the board; a
number that leaves is announced once and acknowledged (admins, why, audited); /port-status and
/port-list say whether a number is in the account now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.sandbox.inventory import UNREGISTERED_SERVICE, VERIFIED_SERVICE
from bot.slack.ids import Action, Callback, GoLiveField, ManualField
from bot.store.models import AuditEntry, ManualPortRow, RequestState, RequestThread
from tests.conftest import PORTING_CHANNEL, Bot
from tests.fakes.slack_api import Call
from tests.fakes.slack_requests import (
    app_home_opened,
    block_actions,
    select_state,
    slash_command,
    text_input_state,
    view_submission,
)
from tests.manual_forms import UK, current, form_state, press, replies, submit_form
from tests.port_in_forms import LANDLINE, file_through_form, open_form

EXAMPLE = Path(__file__).resolve().parents[2] / "bot" / "workspace" / "profiles.yml"


@pytest.fixture
def bot_settings() -> dict:  # type: ignore[type-arg]
    # The shipped example: its Messaging Services are the sandbox's.
    return {"porting_profiles": str(EXAMPLE)}


def _thread_texts(bot: Bot, thread: RequestThread) -> list[str]:
    return [
        c.args["text"]
        for c in bot.slack.calls_to("chat.postMessage")
        if c.ok and c.args.get("thread_ts") == thread.thread_ts
    ]


async def _thread(bot: Bot, sid: str) -> RequestThread:
    async with bot.runtime.db.session() as s:
        thread = await s.get(RequestThread, sid)
    assert thread is not None
    return thread


async def _filed(bot: Bot) -> tuple[str, RequestThread]:
    await file_through_form(bot, LANDLINE)
    (sid,) = bot.sandbox.state.requests
    return sid, await _thread(bot, sid)


def _live(texts: list[str]) -> list[str]:
    return [t for t in texts if "live:" in t]


async def test_a_filed_request_goes_live_as_it_ports_and_says_so_once(bot: Bot) -> None:
    sid, thread = await _filed(bot)
    assert "go-live: *standard*" in json.dumps(bot.slack.calls_to("chat.postMessage")[0].args)
    await bot.run_lifecycle()
    await bot.wait_delivered()
    (said,) = _live(_thread_texts(bot, thread))
    assert said.startswith(
        "✅ 1 number live: voice → https://voice.acme.example/incoming, messaging → "
        f"Messaging Service {VERIFIED_SERVICE} (profile *standard*): +1 415-555-0101."
    )
    assert "A2P" not in said, "the service's campaign is verified"
    inventory = bot.sandbox.state.inventory
    number = inventory.numbers[inventory.by_number[LANDLINE]]
    assert number.settings["voice_url"] == "https://voice.acme.example/incoming"
    assert number.service_sid == VERIFIED_SERVICE
    board = json.dumps(bot.slack.calls_to("chat.update")[-1].args["blocks"])
    assert Action.GO_LIVE in board and Action.GOLIVE_PROFILE not in board

    # Go live again: Twilio already has it right: nothing changes, nothing is said.
    url = bot.slack.response_url("golive")
    await bot.send(
        block_actions(
            Action.GO_LIVE,
            sid,
            channel_id=thread.channel_id,
            message_ts=thread.thread_ts,
            response_url=url,
        )
    )
    await bot.wait_delivered()
    (answer,) = bot.slack.responses_to("golive")
    assert "Setting up the 1 ported numbers" in answer.body["text"]
    assert len(_live(_thread_texts(bot, thread))) == 1 and inventory.updates == 1

    status_url = bot.slack.response_url("status")
    await bot.send(slash_command("/port-status", sid, response_url=status_url))
    await bot.settle()
    status = json.dumps(bot.slack.responses_to("status")[0].body["blocks"], ensure_ascii=False)
    assert "🟢 live (standard)" in status


async def test_the_profile_is_chosen_on_the_board_until_numbers_port(bot: Bot) -> None:
    sid, thread = await _filed(bot)
    await bot.send(
        block_actions(
            Action.GOLIVE_PROFILE, sid, channel_id=thread.channel_id, message_ts=thread.thread_ts
        )
    )
    await bot.settle()
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    options = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert options == ["marketing", "sip-trunk", "standard", "none"]
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "standard"
    choose = {GoLiveField.PROFILE: {GoLiveField.PROFILE: select_state("marketing")}}
    response = await bot.send(
        view_submission(Callback.GOLIVE_PROFILE, choose, private_metadata=view["private_metadata"])
    )
    assert response.status_code == 200 and not response.content
    await bot.wait_delivered()
    async with bot.runtime.db.session() as s:
        state = await s.get(RequestState, sid)
    assert state is not None and state.golive_profile == "marketing"
    assert "go-live: *marketing*" in json.dumps(bot.slack.calls_to("chat.update")[-1].args)

    await bot.run_lifecycle()
    await bot.wait_delivered()
    (said,) = _live(_thread_texts(bot, thread))
    assert "voice → TwiML App AP0123456789abcdef0123456789abcdef" in said
    assert f"⚠️ Messaging Service {UNREGISTERED_SERVICE} has no US A2P 10DLC campaign" in said
    assert "texts from these numbers will be blocked" in said

    # Ported: the profile is fixed now.
    refused = await bot.send(
        view_submission(Callback.GOLIVE_PROFILE, choose, private_metadata=view["private_metadata"])
    )
    assert refused.json()["response_action"] == "errors"
    assert "have ported" in refused.json()["errors"][GoLiveField.PROFILE]


def _alerts(bot: Bot) -> list[Call]:
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.ok and "has left the account" in c.args["text"]
    ]


async def test_a_number_that_leaves_is_announced_once_and_acknowledged(bot: Bot) -> None:
    sid, thread = await _filed(bot)
    await bot.run_lifecycle()
    inventory = bot.desk.inventory
    assert await inventory.sweep(force=True) is not None  # the first: recorded quietly
    await bot.sandbox.advance(60)
    bot.sandbox.port_away(LANDLINE)
    assert await inventory.sweep(force=True) is not None
    assert await inventory.sweep(force=True) is not None  # still gone: nothing new
    await bot.wait_delivered()
    channel, in_thread = sorted(_alerts(bot), key=lambda c: bool(c.args.get("thread_ts")))
    assert channel.args["channel"] == PORTING_CHANNEL and "thread_ts" not in channel.args
    assert in_thread.args["thread_ts"] == thread.thread_ts
    assert "+1 415-555-0101 has left the account*: ported away or released" in channel.args["text"]
    assert "dispute the port-out in the Twilio Console within 48 hours" in channel.args["text"]
    assert Action.ACKNOWLEDGE_DEPARTURE in json.dumps(channel.args["blocks"])

    status_url = bot.slack.response_url("number")
    await bot.send(slash_command("/port-status", LANDLINE, response_url=status_url))
    await bot.settle()
    answer, holder = bot.slack.responses_to("number")  # the number, then its request
    assert "not in the account now" in answer.body["text"] and sid in answer.body["text"]
    assert sid in str(holder.body)

    await bot.send(app_home_opened("U123"))
    await bot.wait_delivered()
    home = json.dumps(bot.slack.calls_to("views.publish")[-1].args["view"], ensure_ascii=False)
    assert "Numbers that left the account* (1" in home and "+1 415-555-0101 left" in home

    ts = channel.response_body["ts"]
    await bot.send(
        block_actions(
            Action.ACKNOWLEDGE_DEPARTURE, LANDLINE, channel_id=PORTING_CHANNEL, message_ts=ts
        )
    )
    await bot.settle()
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == Callback.ACKNOWLEDGE
    empty = {GoLiveField.WHY: {GoLiveField.WHY: text_input_state(" ")}}
    refused = await bot.send(
        view_submission(Callback.ACKNOWLEDGE, empty, private_metadata=view["private_metadata"])
    )
    assert GoLiveField.WHY in refused.json()["errors"]
    why = {GoLiveField.WHY: {GoLiveField.WHY: text_input_state("the customer <left> us")}}
    done = await bot.send(
        view_submission(Callback.ACKNOWLEDGE, why, private_metadata=view["private_metadata"])
    )
    assert done.status_code == 200 and not done.content
    await bot.settle()
    marked = bot.slack.calls_to("chat.update")[-1].args
    assert (
        marked["ts"] == ts
        and "Acknowledged by <@U123>: the customer &lt;left&gt; us" in marked["text"]
    )
    async with bot.runtime.db.session() as s:
        (entry,) = (
            await s.exec(select(AuditEntry).where(AuditEntry.action == "departure.acknowledged"))
        ).all()
    assert entry.user_id == "U123" and entry.detail == "the customer <left> us"
    assert await inventory.departures() == []
    assert len(_alerts(bot)) == 2
    await bot.send(app_home_opened("U123"))
    await bot.wait_delivered()
    home = json.dumps(bot.slack.calls_to("views.publish")[-1].args["view"], ensure_ascii=False)
    assert "left the account" not in home, "acknowledged: off Home"


async def test_port_list_says_whether_a_number_is_in_the_account(bot: Bot) -> None:
    await _filed(bot)
    await bot.run_lifecycle()
    await bot.desk.inventory.sweep(force=True)
    url = bot.slack.response_url("list")
    await bot.send(slash_command("/port-list", LANDLINE, response_url=url))
    await bot.settle()
    (answer,) = bot.slack.responses_to("list")
    assert "📞 +1 415-555-0101: in the account now · 🟢 live (standard)" in answer.body["text"]


async def test_port_in_offers_the_profile_and_stores_the_choice(bot: Bot) -> None:
    _, view = await open_form(bot, LANDLINE)
    (field,) = [b for b in view["blocks"] if b.get("block_id") == "pi_golive_profile"]
    assert field["element"]["initial_option"]["value"] == "standard"
    assert [o["value"] for o in field["element"]["options"]] == [
        "marketing",
        "sip-trunk",
        "standard",
        "none",
    ]
    await file_through_form(bot, LANDLINE, golive_profile=select_state("sip-trunk"))
    (sid,) = bot.sandbox.state.requests
    async with bot.runtime.db.session() as s:
        state = await s.get(RequestState, sid)
    assert state is not None and state.golive_profile == "sip-trunk"
    board = json.dumps(bot.slack.calls_to("chat.postMessage")[0].args)
    assert "go-live: *sip-trunk*" in board


async def test_a_manual_port_goes_live_by_the_profile_chosen_in_its_form(bot: Bot) -> None:
    """The manual-port form offers the profile; completing the port sets its numbers up."""
    await bot.send(slash_command("/port-in", UK))
    await bot.settle()
    form = next(
        c.args["view"]
        for c in bot.slack.calls_to("views.open")
        if c.args["view"]["callback_id"] == Callback.MANUAL_FORM
    )
    (field,) = [b for b in form["blocks"] if b.get("block_id") == ManualField.GOLIVE_PROFILE]
    assert field["element"]["initial_option"]["value"] == "standard"
    state = form_state(UK, golive_profile=select_state("sip-trunk"))
    assert (await submit_form(bot, state)).get("response_action") == "update"
    await bot.settle()
    (port,) = await bot.desk.manual.open_ports()
    assert port.details.golive_profile == "sip-trunk"
    # Twilio support ported it (the number is in the account); the desk moves the port on.
    sandbox = bot.sandbox
    sandbox.state.inventory.arrive(UK, sandbox.config.account_sid, sandbox.now)
    async with bot.runtime.db.session() as s:
        await s.exec(
            update(ManualPortRow).where(ManualPortRow.id == port.id).values(step="approved")  # type: ignore[arg-type]
        )
        await s.commit()
    await press(bot, await current(bot, port.id), Action.MANUAL_COMPLETE)
    await bot.wait_delivered()
    number = sandbox.state.inventory.numbers[sandbox.state.inventory.by_number[UK]]
    assert number.settings["trunk_sid"] == "TK0123456789abcdef0123456789abcdef"
    assert number.settings["sms_url"] == "https://sms.acme.example/incoming"
    (said,) = [r for r in replies(bot, port) if "live:" in r]
    assert said.startswith(
        "✅ 1 number live: voice → SIP trunk TK0123456789abcdef0123456789abcdef, messaging → "
        "https://sms.acme.example/incoming (profile *sip-trunk*): +44 20 7183 8750."
    )
