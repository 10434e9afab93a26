"""The README's quickstart walkthrough, step by step as written, in Chromium against a real
`python -m bot` in local mode (nothing configured): the sandbox goes at a person's pace on
today's calendar, so each step is reached by doing what the README says, and the LOA waits
for **Sign LOA**. Screenshots of each step go to ``tests/.artifacts/workspace/``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.procs import child_env, free_port, serving_bot
from tests.workspace.conftest import Shots
from tests.workspace.pages import WorkspacePage

PDF = b"%PDF-1.4\n% a utility bill\n%%EOF\n"
NATURAL = 60_000  # ms: a step the sandbox takes by itself (seconds at a person's pace)


@pytest.fixture
async def python_m_bot(tmp_path: Path, clean_slack_env: None) -> AsyncIterator[str]:
    async with serving_bot(child_env(PORT=str(free_port())), tmp_path) as url:
        yield url


def _day(when: datetime) -> str:
    return f"{when:%b} {when.day}"


async def test_the_readme_walkthrough_step_by_step(
    browser: Any, python_m_bot: str, shots: Shots, tmp_path: Path
) -> None:
    url = python_m_bot
    today = datetime.now(UTC)
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        clock = (await http.get("/sandbox/_sim/clock")).json()  # no credentials needed
    assert clock["pace"] == "person" and clock["running"]
    assert abs(datetime.fromisoformat(clock["now"]) - today) < timedelta(minutes=1)

    context = await browser.new_context(
        viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    ws = WorkspacePage(await context.new_page())
    await ws.open(url)

    # 1. /port-check: the result privately, with Share in channel and Start port-in.
    await ws.send("/port-check +14155550100 +14155550130")
    result = ws.message("Portability of 2 numbers")
    await result.wait_for()
    for button in ("Share in channel", "Start port-in"):
        await result.get_by_role("button", name=button).wait_for()
    await shots.take(ws.page, "1-port-check")

    # 2. /port-in opens the form; its dates count from today's real date.
    await ws.send("/port-in +14155550100 +14155550150 +14155550201")
    details = ws.modal("port_in_details")
    await details.wait_for()
    earliest = today + timedelta(days=7)
    assert f"on or after {_day(earliest)}" in await details.inner_text()
    await ws.fill_details(details, (today - timedelta(days=6)).date())
    bill = tmp_path / "bill.pdf"
    bill.write_bytes(PDF)
    await ws.field(details, "pi_bill").locator("input[type=file]").set_input_files(str(bill))
    await details.locator(".file-chip", has_text="bill.pdf").wait_for()
    await shots.take(ws.page, "2-form")
    await ws.submit(details)
    account = ws.modal("port_in_account")
    await account.wait_for()
    await ws.fill(account, "pi_account_number", "5550001234")
    await ws.fill(account, "pi_pin_all", "7391")
    await ws.submit(account)
    filed = ws.modal("port_in_status")
    await filed.get_by_text("Filed").first.wait_for()
    await shots.take(ws.page, "2-filed")
    await filed.locator(".modal-x").click()
    await ws.page.locator("#overlay").wait_for(state="hidden")

    # 3. The thread with its board; the sandbox moves by itself, seconds apart; the LOA
    # waits for Sign LOA (the panel counts down to when it would sign itself).
    board = ws.message("Port-in · Acme Plumbing LLC")
    await board.wait_for()
    await board.hover()
    await board.get_by_role("button", name="Reply in thread").click()
    panel = await ws.sandbox()
    await ws.thread.locator(".message", has_text="LOA sent").wait_for(timeout=NATURAL)
    entry = panel.locator(".sandbox-request").first
    countdown = entry.locator(".sandbox-request-next", has_text="the LOA signs itself in 1:")
    await countdown.wait_for()
    await shots.take(ws.page, "3-loa-sent-countdown")
    await entry.get_by_role("button", name="Sign LOA").click()
    await ws.message("LOA signed", where="#thread").wait_for()
    rejection = ws.message("415-555-0150 rejected", where="#thread")
    await rejection.wait_for(timeout=NATURAL)  # the carrier answers seconds later
    assert "+1 415-555-0150" in await rejection.inner_text()
    await ws.page.locator("#toast").wait_for(state="hidden")
    await shots.take(ws.page, "3-rejected")

    # Pause holds every step; Resume lets them go on.
    await panel.get_by_role("button", name="Pause").click()
    await panel.locator(".sandbox-clock", has_text="paused").wait_for()
    await panel.get_by_role("button", name="Resume").click()
    await panel.get_by_role("button", name="Pause").wait_for()

    # 4. Under the rejection, Re-file… opens the form with that number and the details
    # filled in (closed here unfiled), or Cancel number → confirm.
    await rejection.get_by_role("button", name="Re-file…").click()
    refile = ws.modal("port_in_details")
    await refile.wait_for()
    numbers = ws.field(refile, "pi_numbers").locator("textarea")
    assert (await numbers.input_value()).split() == ["+14155550150"]
    customer = ws.field(refile, "pi_customer_name").locator("input")
    assert await customer.input_value() == "Acme Plumbing LLC"
    await shots.take(ws.page, "4-refile-form")
    await refile.locator(".modal-x").click()
    await ws.page.locator("#overlay").wait_for(state="hidden")
    await rejection.get_by_role("button", name="Cancel number").click()
    confirm = ws.modal("cancel_confirm")
    await confirm.wait_for()
    await ws.submit(confirm)
    await ws.modal("cancel_status").get_by_text("Canceled 1 number").wait_for()
    await ws.modal("cancel_status").locator(".modal-x").click()
    await ws.message("canceled +1 415-555-0150", where="#thread").wait_for()
    await shots.take(ws.page, "4-canceled")

    # 5. Send digest now: today's digest in #porting (it goes out once a day by itself);
    # the bot's Home tab.
    await panel.get_by_role("button", name="Send digest now").click()
    await ws.page.get_by_role("button", name="Close thread").click()
    digest = ws.message("Porting digest")
    await digest.wait_for()
    assert "1 open request" in await digest.inner_text()
    await shots.take(ws.page, "5-digest")
    await ws.page.locator(".sidebar-item", has_text="Porting Bot").click()
    await ws.page.locator("#home .bk-header", has_text="Porting desk").wait_for()
    await shots.take(ws.page, "5-home")
    await ws.page.locator(".sidebar-item[data-channel='CPORTING']").click()
    await board.hover()
    await board.get_by_role("button", name="Reply in thread").click()

    # 6. The port date is a week or more out, and says so; Fast-forward that request to it.
    upcoming = entry.locator(".sandbox-request-next", has_text="the numbers port on")
    await upcoming.wait_for(timeout=NATURAL)
    ahead = re.search(r"\(in (\d+) days\)", await upcoming.inner_text())
    assert ahead is not None and int(ahead[1]) >= 7, "a week out, in calendar days"
    await shots.take(ws.page, "6-port-date-ahead")
    await entry.get_by_role("button", name="Fast-forward").click()
    await ws.message("Port-in completed", where="#thread").wait_for()
    await entry.locator(".sandbox-request-head .pill", has_text="Completed").wait_for()
    assert not await entry.get_by_text("Reject with").count(), "nothing left to reject"
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        after = (await http.get("/sandbox/_sim/clock")).json()
    assert abs(datetime.fromisoformat(after["now"]) - datetime.now(UTC)) < timedelta(minutes=1)
    await shots.take(ws.page, "6-completed")
    root = ws.thread.locator(".message").first
    await root.get_by_role("button", name="Numbers as CSV").click()

    await ws.open_channel("Porting Bot")
    await ws.page.locator("#messages .file-card", has_text="Numbers of").wait_for()
    await shots.take(ws.page, "6-csv-in-dm")
    assert not ws.errors
