"""Every Block Kit block and element the page draws, pressed and filled in a real browser:
what reaches the app is Slack's payload (block_actions from a message and from a modal,
view_submission state of every input type, view_closed), and each response_action (errors,
push, update through views.update, clear) shows as it would in Slack."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.workspace.defaults import PORTING_CHANNEL
from tests.workspace.conftest import Shots
from tests.workspace.local_bot import LocalBot
from tests.workspace.pages import WorkspacePage


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


MRKDWN = (
    "*bold* _italic_ ~struck~ `code` <https://example.com/doc|a link> <@ULOCAL> <#CPORTING> "
    "<!date^1700000000^{date_short}|Nov 14, 2023>\n> quoted"
)
MESSAGE = [
    {"type": "header", "text": plain("Kitchen sink")},
    {
        "type": "section",
        "text": md(MRKDWN),
        "accessory": {
            "type": "button",
            "text": plain("Press"),
            "action_id": "ks_press",
            "value": "v1",
        },
    },
    {
        "type": "section",
        "fields": [md("*Field one*\n1"), md("*Field two*\n2")],
        "accessory": {
            "type": "overflow",
            "action_id": "ks_overflow",
            "options": [option("Alpha", "a"), option("Beta", "b")],
        },
    },
    {"type": "context", "elements": [md("context _note_")]},
    {"type": "divider"},
    {
        "type": "actions",
        "block_id": "ks_actions",
        "elements": [
            {
                "type": "button",
                "text": plain("Delete"),
                "style": "danger",
                "action_id": "ks_danger",
                "value": "d",
                "confirm": {
                    "title": plain("Sure?"),
                    "text": md("It goes."),
                    "confirm": plain("Yes"),
                    "deny": plain("No"),
                },
            },
            {
                "type": "static_select",
                "action_id": "ks_select",
                "placeholder": plain("Pick one"),
                "options": [option("One", "1"), option("Two", "2")],
            },
            {"type": "datepicker", "action_id": "ks_date"},
            {
                "type": "button",
                "text": plain("Open form"),
                "action_id": "ks_open",
                "style": "primary",
            },
        ],
    },
]


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "optional": optional,
        "element": {"action_id": block_id, **element},
    }


FORM = {
    "type": "modal",
    "callback_id": "ks_form",
    "title": plain("Every input"),
    "submit": plain("Next"),
    "close": plain("Cancel"),
    "notify_on_close": True,
    "blocks": [
        _input("ks_text", "Text", {"type": "plain_text_input"}),
        _input("ks_long", "Long text", {"type": "plain_text_input", "multiline": True}, True),
        _input("ks_email", "E-mail", {"type": "email_text_input"}),
        _input("ks_number", "Number", {"type": "number_input", "is_decimal_allowed": False}, True),
        _input("ks_day", "Day", {"type": "datepicker"}),
        _input("ks_time", "Time", {"type": "timepicker"}),
        _input(
            "ks_one",
            "One",
            {"type": "static_select", "options": [option("Red", "r"), option("Blue", "b")]},
        ),
        _input(
            "ks_many",
            "Many",
            {
                "type": "multi_static_select",
                "options": [option("X", "x"), option("Y", "y"), option("Z", "z")],
            },
        ),
        _input("ks_channel", "Channel", {"type": "conversations_select"}),
        _input("ks_person", "Person", {"type": "users_select"}),
        _input("ks_boxes", "Boxes", {"type": "checkboxes", "options": [option("Tick", "t")]}),
        _input(
            "ks_radio",
            "Radio",
            {"type": "radio_buttons", "options": [option("Left", "l"), option("Right", "r")]},
        ),
        _input("ks_file", "File", {"type": "file_input", "filetypes": ["csv"], "max_files": 1}),
    ],
}
SECOND = {
    "type": "modal",
    "callback_id": "ks_second",
    "title": plain("Pushed"),
    "submit": plain("Done"),
    "blocks": [
        {
            "type": "section",
            "text": md("A pushed view. Its button updates it."),
            "accessory": {"type": "button", "text": plain("Update me"), "action_id": "ks_update"},
        }
    ],
}
THIRD = {
    "type": "modal",
    "callback_id": "ks_third",
    "title": plain("Updated"),
    "submit": plain("Finish"),
    "blocks": [{"type": "section", "text": md("Updated by views.update.")}],
}


class Recorder:
    """Listeners added to the running Bolt app: what Slack's payloads brought."""

    def __init__(self, local: LocalBot) -> None:
        self.actions: list[dict] = []
        self.submissions: list[dict] = []
        self.closed: list[dict] = []
        bolt = local.app.runtime.bolt
        client = local.app.runtime.slack

        @bolt.action(re.compile("^ks_"))
        async def pressed(ack: Any, body: dict) -> None:
            await ack()
            self.actions.append(body)
            action = body["actions"][0]["action_id"]
            if action == "ks_open":
                await client.views_open(trigger_id=body["trigger_id"], view=FORM)
            elif action == "ks_update":
                await client.views_update(view_id=body["view"]["id"], view=THIRD)

        @bolt.view(re.compile("^ks_"))
        async def submitted(ack: Any, body: dict, view: dict) -> None:
            self.submissions.append(body)
            if view["callback_id"] == "ks_form" and len(self.submissions) == 1:
                await ack(response_action="errors", errors={"ks_email": "Use a work address."})
            elif view["callback_id"] == "ks_form":
                await ack(response_action="push", view=SECOND)
            else:
                await ack(response_action="clear")

        @bolt.view_closed("ks_form")
        async def closed(ack: Any, body: dict) -> None:
            await ack()
            self.closed.append(body)

    async def action(self, action_id: str) -> dict:
        for _ in range(500):
            found = [a for a in self.actions if a["actions"][0]["action_id"] == action_id]
            if found:
                return found[-1]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no block_actions for {action_id}")


async def _posted(local: LocalBot) -> tuple[Recorder, str]:
    """The kitchen-sink message, posted by the bot through the workspace's Web API."""
    recorder = Recorder(local)
    api = local.settings.slack_api_url + "/api/"
    client = AsyncWebClient(token=local.settings.slack_bot_token, base_url=api)
    posted = await client.chat_postMessage(
        channel=PORTING_CHANNEL, text="Kitchen sink", blocks=MESSAGE
    )
    return recorder, str(posted["ts"])


async def test_message_blocks_and_their_elements(
    browser: Any, local: LocalBot, shots: Shots
) -> None:
    recorder, ts = await _posted(local)
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    ws = WorkspacePage(page)
    await ws.open(local.url)
    message = ws.message("Kitchen sink")
    await message.wait_for()
    assert await message.locator(".bk-header").inner_text() == "Kitchen sink"
    text = message.locator(".bk-text").first
    for tag, content in (("b", "bold"), ("i", "italic"), ("s", "struck"), ("code", "code")):
        assert await text.locator(tag).first.inner_text() == content
    link = text.locator("a", has_text="a link")
    assert await link.get_attribute("href") == "https://example.com/doc"
    assert (
        await text.locator(".mention", has_text="@").first.inner_text()
        == f"@{local.workspace.user_name('ULOCAL')}"
    )
    assert await text.locator(".channel-link").inner_text() == "#porting"
    assert await text.locator("time").inner_text() == "Nov 14, 2023"
    assert await text.locator("blockquote").inner_text() == "quoted"
    assert await message.locator(".bk-field").count() == 2
    assert "note" in await message.locator(".bk-context").inner_text()
    assert await message.locator(".bk-divider").count() == 1
    assert not await page.locator(".bk-unknown").count()
    await shots.take(page, "message-blocks")

    await message.get_by_role("button", name="Press").click()
    pressed = await recorder.action("ks_press")
    assert pressed["actions"][0]["value"] == "v1"
    assert pressed["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": PORTING_CHANNEL,
        "is_ephemeral": False,
    }
    assert pressed["message"]["blocks"] == MESSAGE and pressed["response_url"]

    await message.get_by_role("button", name="More", exact=True).click()
    await message.get_by_role("button", name="Beta").click()
    assert (await recorder.action("ks_overflow"))["actions"][0]["selected_option"]["value"] == "b"

    await message.locator("select").select_option("2")
    assert (await recorder.action("ks_select"))["actions"][0]["selected_option"]["value"] == "2"

    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await message.get_by_role("button", name="Delete").click()
    assert (await recorder.action("ks_danger"))["actions"][0]["value"] == "d"

    await message.locator("input[type=date]").fill("2026-12-24")
    assert (await recorder.action("ks_date"))["actions"][0]["selected_date"] == "2026-12-24"
    assert not ws.errors


async def test_a_modal_with_every_input(
    browser: Any, local: LocalBot, shots: Shots, tmp_path: Path
) -> None:
    recorder, _ = await _posted(local)
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    ws = WorkspacePage(page)
    await ws.open(local.url)
    await ws.message("Kitchen sink").get_by_role("button", name="Open form").click()
    form = ws.modal("ks_form")
    await form.wait_for()

    await ws.submit(form)  # required fields empty: the page says so and sends nothing
    await form.get_by_text("Please complete this required field.").first.wait_for()
    assert not recorder.submissions

    await ws.fill(form, "ks_text", "hello")
    await ws.fill(form, "ks_email", "ada@example.com")
    await ws.fill(form, "ks_number", "42")
    await ws.fill(form, "ks_day", "2026-12-24")
    await ws.fill(form, "ks_time", "09:30")
    await ws.field(form, "ks_one").locator("select").select_option("b")
    await ws.field(form, "ks_many").locator("label", has_text="Y").locator("input").check()
    await ws.field(form, "ks_many").locator("label", has_text="Z").locator("input").check()
    await ws.field(form, "ks_channel").locator("select").select_option(PORTING_CHANNEL)
    await ws.field(form, "ks_person").locator("select").select_option("ULOCAL")
    await ws.field(form, "ks_boxes").locator("input").check()
    await ws.field(form, "ks_radio").get_by_text("Right").click()
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("phone\n+14155550100\n")
    await ws.field(form, "ks_file").locator("input[type=file]").set_input_files(str(numbers))
    await form.locator(".file-chip", has_text="numbers.csv").wait_for()
    await ws.submit(form)

    error = ws.field(form, "ks_email").locator(".bk-error")
    await error.wait_for()
    assert await error.inner_text() == "Use a work address."
    assert await ws.field(form, "ks_text").locator("input").input_value() == "hello"  # kept
    await shots.take(page, "field-error")
    values = recorder.submissions[0]["view"]["state"]["values"]
    assert values["ks_text"]["ks_text"] == {"type": "plain_text_input", "value": "hello"}
    assert values["ks_long"]["ks_long"] == {"type": "plain_text_input", "value": None}
    assert values["ks_email"]["ks_email"]["value"] == "ada@example.com"
    assert values["ks_number"]["ks_number"] == {"type": "number_input", "value": "42"}
    assert values["ks_day"]["ks_day"] == {"type": "datepicker", "selected_date": "2026-12-24"}
    assert values["ks_time"]["ks_time"] == {"type": "timepicker", "selected_time": "09:30"}
    assert values["ks_one"]["ks_one"]["selected_option"]["value"] == "b"
    assert [o["value"] for o in values["ks_many"]["ks_many"]["selected_options"]] == ["y", "z"]
    assert values["ks_channel"]["ks_channel"]["selected_conversation"] == PORTING_CHANNEL
    assert values["ks_person"]["ks_person"]["selected_user"] == "ULOCAL"
    assert [o["value"] for o in values["ks_boxes"]["ks_boxes"]["selected_options"]] == ["t"]
    assert values["ks_radio"]["ks_radio"]["selected_option"]["value"] == "r"
    (attached,) = values["ks_file"]["ks_file"]["files"]
    assert attached["name"] == "numbers.csv" and attached["url_private_download"]

    await ws.submit(form)  # now pushed: the second view, with a back arrow
    second = ws.modal("ks_second")
    await second.wait_for()
    assert await page.locator(".modal-back").count() == 1
    await shots.take(page, "pushed")
    pushed_id = await second.get_attribute("data-view-id")
    await second.get_by_role("button", name="Update me").click()
    third = ws.modal("ks_third")
    await third.wait_for()  # views.update from the listener: the same view, new content
    assert await third.get_attribute("data-view-id") == pushed_id
    update = await recorder.action("ks_update")
    assert update["container"] == {"type": "view", "view_id": pushed_id}
    await ws.submit(third)
    await page.locator("#overlay").wait_for(state="hidden")  # response_action: clear
    assert [s["view"]["callback_id"] for s in recorder.submissions] == [
        "ks_form",
        "ks_form",
        "ks_third",
    ]

    await ws.message("Kitchen sink").get_by_role("button", name="Open form").click()
    await ws.modal("ks_form").wait_for()
    await ws.modal("ks_form").get_by_role("button", name="Cancel").click()
    await page.locator("#overlay").wait_for(state="hidden")
    for _ in range(200):
        if recorder.closed:
            break
        await asyncio.sleep(0.01)
    (closed,) = recorder.closed
    assert closed["type"] == "view_closed" and closed["is_cleared"] is False
    assert not ws.errors
