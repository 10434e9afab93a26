"""Driving the local workspace's page as a person would (type, press Enter, click)."""

from __future__ import annotations

from datetime import date
from typing import Any

TIMEOUT = 20_000  # ms: a wait that fails means the page never showed it


class WorkspacePage:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.set_default_timeout(TIMEOUT)

    async def open(self, url: str) -> None:
        await self.page.goto(url + "/")
        await self.page.wait_for_selector("body[data-ready='1'][data-live='1']")

    @property
    def main(self) -> Any:
        return self.page.locator("#messages")

    @property
    def thread(self) -> Any:
        return self.page.locator("#thread")

    async def send(self, text: str, *, in_thread: bool = False) -> None:
        where = "#thread" if in_thread else "#composer-wrap"
        box = self.page.locator(f"{where} .composer-input")
        await box.fill(text)
        await box.press("Enter")

    def message(self, text: str, *, where: str = "#messages") -> Any:
        return self.page.locator(f"{where} .message", has_text=text).last

    def modal(self, callback_id: str) -> Any:
        return self.page.locator(f".modal[data-callback-id='{callback_id}']")

    @staticmethod
    def field(modal: Any, block_id: str) -> Any:
        return modal.locator(f"[data-block-id='{block_id}']")

    async def fill(self, modal: Any, block_id: str, value: str) -> None:
        await self.field(modal, block_id).locator("input, textarea").first.fill(value)

    async def fill_details(self, modal: Any, bill_date: date) -> None:
        """Step 1 of /port-in as the README's walkthrough fills it (all but the bill file)."""
        await self.fill(modal, "pi_customer_name", "Acme Plumbing LLC")
        await self.field(modal, "pi_customer_type").locator("select").select_option("Business")
        await self.fill(modal, "pi_street", "1 Main St")
        await self.fill(modal, "pi_city", "San Francisco")
        await self.fill(modal, "pi_state", "CA")
        await self.fill(modal, "pi_zip", "94105")
        await self.fill(modal, "pi_rep_name", "Jane Doe")
        await self.fill(modal, "pi_rep_email", "jane@acme.example")
        await self.fill(modal, "pi_bill_date", bill_date.isoformat())

    async def submit(self, modal: Any) -> None:
        await modal.locator(".modal-submit").click()

    async def open_channel(self, name: str) -> None:
        """Open a channel or DM; the bot's DM opens on its Home tab, so go to its Messages."""
        await self.page.locator(".sidebar-item", has_text=name).click()
        await self.page.locator(".channel-title", has_text=name).wait_for()
        messages = self.page.locator(".tab", has_text="Messages")
        if await messages.is_visible():
            await messages.click()
            await self.page.locator(".tab.active", has_text="Messages").wait_for()

    async def sandbox(self) -> Any:
        panel = self.page.locator("#sandbox")
        if not await panel.is_visible():
            await self.page.locator("#sandbox-toggle").click()
        await panel.locator(".sandbox-panel").wait_for()
        return panel

    async def next_step(self) -> None:
        """The sandbox panel's Next step: Twilio's next change happens now (the sandbox's
        answer comes once its webhooks were delivered)."""
        panel = await self.sandbox()
        async with self.page.expect_response(lambda r: "/_sim/step" in r.url) as answer:
            await panel.get_by_role("button", name="Next step").click()
        assert (await answer.value).ok
