"""The sandbox panel's other controls (a carrier rejection with a chosen code, a Twilio fault
the bot then meets) and the desk's App Home tab."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.store.models import OutboxItem
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
    # The board's "Re-file rejected…" button says "rejected" too and may be drawn first: wait
    # for the reply itself, the message naming the code.
    rejection = ws.message("INVALID_ADDRESS (22154)", where="#thread")
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
    """The manifest turns the Home tab on: opening it sends app_home_opened, the bot publishes
    the desk's Home (through its outbox) and the page draws it; its Refresh sends block_actions
    from the home view and the bot publishes again."""
    runtime = local.app.runtime
    request = await file_request(runtime.twilio, local.sandbox, ["+14155550100"])
    await runtime.desk.follow(request.request_sid, local.settings.porting_channel or "")
    await local.settle()
    ws = await _page(browser, local)
    await ws.page.locator(".sidebar-item", has_text="Porting Bot").click()
    home = ws.page.locator("#home")
    await home.locator(".bk-header", has_text="Porting desk").wait_for()
    text = await home.inner_text()
    for section in ("Needs you", "Needs someone", "Port dates this week", "Your recent requests"):
        assert section in text
    assert "You have not filed any port-ins yet" in text  # the adopted request has no filer
    await shots.take(ws.page, "home")
    before = await _published_at(local)
    assert before is not None
    await home.get_by_role("button", name="Refresh").first.click()
    for _ in range(500):
        if (await _published_at(local) or before) > before:
            break
        await asyncio.sleep(0.01)
    assert (await _published_at(local) or before) > before, "Refresh published it again"
    await ws.page.get_by_role("button", name="Messages").click()
    await ws.page.get_by_text("Sending messages to this app has been turned off.").wait_for()
    assert not ws.errors


async def _published_at(local: LocalBot) -> datetime | None:
    """When the bot last published the person's Home (its outbox row settled)."""
    async with local.app.runtime.db.session() as s:
        row = (
            await s.exec(
                select(OutboxItem).where(OutboxItem.key == f"home:{local.workspace.person}")
            )
        ).first()
    return row.done_at if row is not None and row.status == "done" else None


async def test_the_daily_digest_and_a_reminder_in_the_porting_channel(
    browser: Any, local: LocalBot, shots: Shots
) -> None:
    """The desk's day, drawn as Slack would: the morning digest in #porting (counts, what
    needs a person with its thread link) and an LOA reminder in the request's thread."""
    runtime = local.app.runtime
    request = await file_request(runtime.twilio, local.sandbox, ["+14155550100"])
    sid = request.request_sid
    await runtime.desk.follow(sid, local.settings.porting_channel or "")
    await local.sandbox.advance(timedelta(hours=12))  # reviewed: the LOA goes out (unsigned)
    await local.settle()
    # Monday Nov 30, 09:05 (UTC, the desk's zone here): the LOA deadline is Dec 2, so the
    # reminder due on the Friday before (3 days out, Sunday moved back) is still due.
    monday = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)
    runtime.desk.day.clock = lambda: monday
    await runtime.desk.day.tick()
    await local.settle()
    ws = await _page(browser, local)
    digest = ws.message("Porting digest")
    await digest.wait_for()
    text = await digest.inner_text()
    assert "1 open request" in text and "Needs a person" in text and "Waiting for Signature" in text
    await shots.take(ws.page, "digest")
    board = ws.message(sid)
    await board.hover()
    await board.get_by_role("button", name="Reply in thread").click()
    reminder = ws.message("The LOA is still unsigned", where="#thread")
    await reminder.wait_for()
    said = await reminder.inner_text()
    assert "(2 days left)" in said, "counted from the day it went out, not the day it was due"
    # Filed in the Console: nobody here can get the signing link, so no button offers it.
    assert "the signing link is in it" in said and "Signing link" not in said
    await shots.take(ws.page, "reminder")
    assert not ws.errors
