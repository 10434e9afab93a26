"""The local workspace's page around a thread: a thread link in a dialog opens the thread
with the dialog gone (not left over it), and after the server restarts the page does not keep
showing a thread pane the server no longer has."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.workspace.conftest import Shots
from tests.workspace.local_bot import local_bot
from tests.workspace.pages import WorkspacePage
from tests.workspace.test_browser import PDF


async def test_open_the_thread_from_a_dialog_then_a_restart(
    browser: Any, tmp_path: Path, clean_slack_env: None, shots: Shots
) -> None:
    async with local_bot(tmp_path) as local:
        port = int(local.url.rsplit(":", 1)[1])
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        ws = WorkspacePage(await context.new_page())
        await ws.open(local.url)
        await ws.send("/port-in +14155550100")
        details = ws.modal("port_in_details")
        await details.wait_for()
        await ws.fill_details(details, local.sandbox.now.date() - timedelta(days=3))
        bill = tmp_path / "bill.pdf"
        bill.write_bytes(PDF)
        await ws.field(details, "pi_bill").locator("input[type=file]").set_input_files(str(bill))
        await details.locator(".file-chip", has_text="bill.pdf").wait_for()
        await ws.submit(details)
        account = ws.modal("port_in_account")
        await account.wait_for()
        await ws.submit(account)
        filed = ws.modal("port_in_status")
        await filed.get_by_text("Filed").first.wait_for()
        sid = next(iter(local.sandbox.state.requests))

        # The filing's dialog links to the new thread: the thread opens, the dialog closes.
        await filed.get_by_role("link", name="open the thread").click()
        await ws.thread.locator(".message", has_text=sid).first.wait_for()
        await ws.page.locator("#overlay").wait_for(state="hidden")
        await shots.take(ws.page, "thread-from-dialog")

    # The server restarts (a new workspace: the thread it had is gone); the page reconnects
    # and closes the pane instead of showing what is no longer there.
    async with local_bot(tmp_path, port=port):
        await ws.thread.wait_for(state="hidden")
        await shots.take(ws.page, "after-restart")
        assert not ws.errors
