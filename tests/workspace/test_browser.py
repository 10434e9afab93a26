"""The README's walkthrough in a real browser, against the bot in local mode: every step
goes from the page through Slack's signed requests to the real Bolt app, and back through
the workspace's Web API and push stream to the page."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from tests.workspace.conftest import Shots
from tests.workspace.local_bot import LocalBot
from tests.workspace.pages import WorkspacePage

PDF = b"%PDF-1.4\n% a utility bill\n%%EOF\n"


async def _page(browser: Any, local: LocalBot) -> WorkspacePage:
    context = await browser.new_context(
        viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    page = WorkspacePage(await context.new_page())
    await page.open(local.url)
    return page


async def test_port_check_one_number_shows_the_result(
    browser: Any, local: LocalBot, shots: Shots
) -> None:
    ws = await _page(browser, local)
    await shots.take(ws.page, "workspace")
    box = ws.page.locator("#composer-wrap .composer-input")
    await box.fill("/port-c")
    suggestion = ws.page.locator(".suggestion.active")
    assert "/port-check" in await suggestion.inner_text()
    await shots.take(ws.page, "suggestions")
    await box.press("Tab")
    assert await box.input_value() == "/port-check "
    await box.type("+14155550100")
    await box.press("Enter")

    result = ws.message("Portability of 1 number")
    await result.wait_for()
    assert "+1 415-555-0100" in await result.inner_text()
    assert "Only visible to you" in await result.inner_text()
    await shots.take(ws.page, "result")

    await result.get_by_role("button", name="Share in channel").click()
    shared = ws.page.locator("#messages .message:not(.ephemeral)", has_text="+1 415-555-0100")
    await shared.wait_for()
    await ws.page.locator("#messages .message.ephemeral").wait_for(state="detached")
    await shots.take(ws.page, "shared")
    assert not ws.errors


async def _step_until(ws: WorkspacePage, local: LocalBot, text: str) -> None:
    """Press the sandbox's Next step until the thread shows ``text``."""
    while not await ws.thread.locator(".message", has_text=text).count():
        if local.sandbox.state.next_due() is None:  # nothing left to happen: it is on its way
            await ws.message(text, where="#thread").wait_for()
            return
        await ws.next_step()
        await local.settle()


async def test_a_whole_port_from_the_page(
    browser: Any, local: LocalBot, shots: Shots, tmp_path: Any
) -> None:
    """check → file (both steps, a field error on the way) → thread and board → the sandbox
    moves on (replies appear live) → LOA signed → a rejection → cancel it (confirmation) →
    completed → the numbers as a CSV, downloaded."""
    ws = await _page(browser, local)
    await ws.send("/port-in +14155550100 +14155550150 +14155550201")
    details = ws.modal("port_in_details")
    await details.wait_for()
    numbers = await ws.field(details, "pi_numbers").locator("textarea").input_value()
    assert numbers.split() == ["+14155550100", "+14155550150", "+14155550201"]
    await shots.take(ws.page, "form")

    # A bill older than 30 days: the bot's error shows on that field, as in Slack.
    today = local.sandbox.now.date()  # the form counts days on Twilio's (the sandbox's) clock
    await ws.fill_details(details, today - timedelta(days=60))
    bill = tmp_path / "bill.pdf"
    bill.write_bytes(PDF)
    await ws.field(details, "pi_bill").locator("input[type=file]").set_input_files(str(bill))
    await details.locator(".file-chip", has_text="bill.pdf").wait_for()
    await ws.submit(details)
    error = ws.field(details, "pi_bill_date").locator(".bk-error")
    await error.wait_for()
    assert "last 30 days" in await error.inner_text()
    await shots.take(ws.page, "field-error")

    await ws.fill(details, "pi_bill_date", today.isoformat())
    await ws.submit(details)
    account = ws.modal("port_in_account")
    await account.wait_for()
    assert "3 numbers will be filed" in await account.inner_text()
    await ws.fill(account, "pi_account_number", "5550001234")
    await ws.fill(account, "pi_pin_all", "7391")
    await shots.take(ws.page, "account-and-pins")
    await ws.submit(account)

    filed = ws.modal("port_in_status")
    await filed.get_by_text("Filed").first.wait_for()
    await shots.take(ws.page, "filed")
    sid = next(iter(local.sandbox.state.requests))
    assert sid in await filed.inner_text()
    assert "7391" not in await filed.inner_text()  # PINs only ever masked
    await filed.locator(".modal-x").click()
    await ws.page.locator("#overlay").wait_for(state="hidden")

    board = ws.message(f"{sid}")
    await board.wait_for()
    assert "Acme Plumbing LLC" in await board.inner_text()
    await board.hover()
    await board.get_by_role("button", name="Reply in thread").click()
    await ws.thread.locator(".message", has_text="Port-in · Acme Plumbing LLC").wait_for()
    await shots.take(ws.page, "thread-and-board")

    # The sandbox moves on: Twilio's review ends and the LOA goes out; the reply shows live.
    await ws.next_step()
    await ws.message("LOA sent", where="#thread").wait_for()
    panel = await ws.sandbox()
    await panel.get_by_role("button", name="Sign LOA").click()
    await ws.message("LOA signed", where="#thread").wait_for()
    await shots.take(ws.page, "loa-signed")

    # The losing carrier answers: +1 415-555-0150 is rejected, with its reason and fix.
    await _step_until(ws, local, "rejected")
    rejection = ws.message("rejected", where="#thread")
    assert "+1 415-555-0150" in await rejection.inner_text()
    await ws.page.locator("#toast").wait_for(state="hidden")
    await shots.take(ws.page, "rejection")  # the README's picture

    # Cancel the rejected number from the board: choose it, confirm, done.
    root = ws.thread.locator(".message").first
    await root.get_by_role("button", name="Cancel numbers…").click()
    choose = ws.modal("cancel_choose")
    await choose.wait_for()
    await choose.locator(".bk-multi-option", has_text="+1 415-555-0150").locator("input").check()
    await ws.submit(choose)
    confirm = ws.modal("cancel_confirm")
    await confirm.wait_for()
    assert "Cancel 1 number of" in await confirm.inner_text()
    await shots.take(ws.page, "confirm-cancel")
    await ws.submit(confirm)
    await ws.modal("cancel_status").get_by_text("Canceled 1 number").wait_for()
    await ws.modal("cancel_status").locator(".modal-x").click()
    await ws.message("canceled +1 415-555-0150", where="#thread").wait_for()
    await shots.take(ws.page, "canceled")

    await _step_until(ws, local, "Port-in completed")
    await shots.take(ws.page, "completed")

    # Go-live: the shipped example's profile set the ported numbers up; the thread says so.
    await local.settle()
    live = ws.message("live: voice", where="#thread")
    await live.wait_for()
    assert "Messaging Service" in await live.inner_text()
    await live.scroll_into_view_if_needed()
    await shots.take(ws.page, "go-live")

    # A number ports away (the panel's Port away): the next sweep announces it in the channel.
    inventory = local.app.runtime.desk.inventory
    await inventory.sweep(force=True)  # the account's numbers, as a sweep records them
    panel = await ws.sandbox()
    await panel.get_by_role("button", name="Port +14155550100 away").click()
    await ws.page.locator("#toast", has_text="ported away").wait_for()
    await inventory.sweep(force=True)
    await local.settle()
    alert = ws.message("has left the account")
    await alert.wait_for()
    await alert.get_by_role("button", name="Acknowledge…").click()
    why = ws.modal("ack_departure_modal")
    await why.wait_for()
    await ws.fill(why, "gl_why", "released on purpose in the demo")
    await shots.take(ws.page, "acknowledge")
    await ws.submit(why)
    await ws.message("Acknowledged by").wait_for()
    await shots.take(ws.page, "acknowledged")

    # The numbers as a CSV: it lands in the DM with the bot and downloads.
    await root.get_by_role("button", name="Numbers as CSV").click()
    await ws.open_channel("Porting Bot")
    card = ws.page.locator("#messages .file-card", has_text=f"Numbers of {sid}")
    await card.wait_for()
    await shots.take(ws.page, "csv-in-dm")
    async with ws.page.expect_download() as download_info:
        await card.get_by_role("link", name=f"Download {sid}-numbers.csv").click()
    download = await download_info.value
    content = Path(await download.path()).read_text()  # noqa: ASYNC240 (a small file)
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {r["phone_number"] for r in rows} == {"+14155550100", "+14155550150", "+14155550201"}

    # The DM's filing outcome links to the request's thread (a permalink): it opens here.
    await ws.page.get_by_role("button", name="Close thread").click()
    await ws.message("Filed").get_by_role("link", name="open the thread").click()
    await ws.page.locator(".channel-title", has_text="porting").wait_for()
    await ws.thread.locator(".message", has_text=sid).first.wait_for()
    assert not ws.errors


async def test_check_portability_on_a_message_with_a_csv(
    browser: Any, local: LocalBot, shots: Shots, tmp_path: Path
) -> None:
    """A CSV attached to a message, the Check portability shortcut from its ⋮ menu, the
    result in the DM with its CSV in the thread, downloaded."""
    ws = await _page(browser, local)
    numbers = [f"+1415555{n:04d}" for n in range(100, 125)]
    upload = tmp_path / "customer-numbers.csv"
    upload.write_text("phone\n" + "\n".join(numbers) + "\n")
    await ws.page.locator("#composer-wrap input[type=file]").set_input_files(str(upload))
    await ws.page.locator("#composer-wrap .file-chip", has_text="customer-numbers.csv").wait_for()
    await ws.send("Numbers Acme wants to move")
    posted = ws.message("Numbers Acme wants to move")
    await posted.locator(".file-card", has_text="customer-numbers.csv").wait_for()

    await posted.hover()
    await posted.get_by_role("button", name="More actions").click()
    await posted.get_by_role("button", name="Check portability").click()
    await ws.message("Checking 25 numbers").wait_for()
    await shots.take(ws.page, "shortcut")

    await ws.open_channel("Porting Bot")
    result = ws.message("Portability of 25 numbers")
    await result.locator(".thread-summary").click()
    card = ws.thread.locator(".file-card", has_text="Portability of 25 numbers")
    await card.wait_for()
    await shots.take(ws.page, "result-and-csv")
    async with ws.page.expect_download() as download_info:
        await card.get_by_role("link", name="Download portability.csv").click()
    download = await download_info.value
    content = Path(await download.path()).read_text()  # noqa: ASYNC240 (a small file)
    rows = list(csv.reader(io.StringIO(content)))
    assert [r[0] for r in rows[1:]] == numbers
    assert not ws.errors


async def test_a_message_that_comes_while_its_channel_opens_is_not_lost(
    browser: Any, local: LocalBot
) -> None:
    """The history the page asked for can be a moment older than a message pushed while it
    was on its way: the page keeps what the push stream brought meanwhile."""
    # The DM opens straight on its messages (with a Home tab it opens on Home, where a new
    # message badges nothing), so the history is asked for as the DM opens.
    local.workspace.manifest = dataclasses.replace(local.workspace.manifest, home_tab=False)
    ws = await _page(browser, local)
    dm = f"D{local.workspace.person}"
    api = local.settings.slack_api_url + "/api/"
    client = AsyncWebClient(token=local.settings.slack_bot_token, base_url=api)

    async def stale_history(route: Any) -> None:
        answer = await route.fetch()  # the history as it is now…
        await client.chat_postMessage(channel=dm, text="Posted while the DM was opening")
        badge = ws.page.locator(f".sidebar-item[data-channel='{dm}'] .badge")
        await badge.wait_for()  # …the page has the pushed message…
        await route.fulfill(response=answer)  # …and then gets the older history

    await ws.page.route(f"**/ui/history/{dm}", stale_history)
    await ws.open_channel("Porting Bot")
    await ws.message("Posted while the DM was opening").wait_for()
    assert not ws.errors
