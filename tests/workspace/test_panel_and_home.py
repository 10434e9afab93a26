"""The sandbox panel's other controls (a carrier rejection with a chosen code, a Twilio fault
the bot then meets) and the App Home tab, when the manifest turns it on."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.workspace.manifest import Manifest
from tests.helpers import file_request
from tests.workspace.conftest import Shots
from tests.workspace.local_bot import LocalBot
from tests.workspace.pages import WorkspacePage


async def _page(browser: Any, local: LocalBot) -> WorkspacePage:
    ws = WorkspacePage(await browser.new_page(viewport={"width": 1400, "height": 900}))
    await ws.open(local.url)
    return ws


async def test_reject_a_number_with_a_code_and_make_twilio_fail(
    browser: Any, local: LocalBot, shots: Shots
) -> None:
    runtime = local.app.runtime
    request = await file_request(runtime.twilio, local.sandbox, ["+14155550100", "+14155550101"])
    sid = request.request_sid
    await runtime.desk.follow(sid, local.settings.porting_channel or "")
    await local.settle()
    ws = await _page(browser, local)
    board = ws.message(sid)
    await board.hover()
    await board.get_by_role("button", name="Reply in thread").click()

    await ws.next_step()  # review done: the LOA goes out
    panel = await ws.sandbox()
    await panel.get_by_role("button", name="Sign LOA").click()
    await ws.message("LOA signed", where="#thread").wait_for()
    entry = panel.locator(".sandbox-request", has_text=sid[:10])
    await entry.locator("li", has_text="Port Submitted").first.wait_for()
    await entry.locator("select").select_option("22154")
    await entry.get_by_role("button", name="Reject +14155550101").click()
    rejection = ws.message("rejected", where="#thread")
    await rejection.wait_for()
    assert "+1 415-555-0101" in await rejection.inner_text()
    assert "INVALID_ADDRESS (22154)" in await rejection.inner_text()
    await shots.take(ws.page, "rejected-with-a-code")

    await panel.locator("[data-keep='fault-count']").fill("1")
    await panel.locator("[data-keep='fault-status']").select_option("400")
    await panel.get_by_role("button", name="Inject fault").click()
    await ws.page.locator("#toast", has_text="Fault injected").wait_for()
    await ws.send(f"/port-status {sid}")
    refused = ws.message("I could not look up")
    await refused.wait_for()
    assert "Twilio said" in await refused.inner_text()
    await shots.take(ws.page, "twilio-failed")
    await ws.send(f"/port-status {sid}")  # the fault was used up: the status shows
    await ws.page.locator("#messages .message.ephemeral", has_text="Port-in ·").wait_for()
    assert not ws.errors


async def test_the_app_home_tab(browser: Any, local: LocalBot, shots: Shots) -> None:
    """Off in this bot's manifest; with it on, opening it sends app_home_opened and shows
    what the app publishes, and its buttons send block_actions from the home view."""
    workspace = local.workspace
    workspace.manifest = Manifest(
        name="Porting Bot",
        bot_name="Porting Bot",
        home_tab=True,
        messages_tab=True,
        messages_read_only=True,
        bot_events=("app_home_opened",),
    )
    bolt, client = local.app.runtime.bolt, local.app.runtime.slack
    pressed: list[dict] = []

    @bolt.event("app_home_opened")
    async def opened(event: dict) -> None:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Hi"},
            "action_id": "home_hi",
        }
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "Your port-ins"}},
                    {"type": "actions", "elements": [button]},
                ],
            },
        )

    @bolt.action("home_hi")
    async def hi(ack: Any, body: dict) -> None:
        await ack()
        pressed.append(body)

    ws = await _page(browser, local)
    await ws.page.locator(".sidebar-item", has_text="Porting Bot").click()
    home = ws.page.locator("#home")
    await home.locator(".bk-header", has_text="Your port-ins").wait_for()
    await shots.take(ws.page, "home")
    await home.get_by_role("button", name="Hi").click()
    for _ in range(300):
        if pressed:
            break
        await asyncio.sleep(0.01)
    (body,) = pressed
    assert body["view"]["type"] == "home" and body["container"]["type"] == "view"
    await ws.page.get_by_role("button", name="Messages").click()
    await ws.page.get_by_text("Sending messages to this app has been turned off.").wait_for()
