"""Thread replies the desk posts besides status changes: who canceled what."""

from __future__ import annotations

from typing import Protocol

from slack_sdk.web.async_client import AsyncWebClient

from bot.desk import CancelOutcome, RequestSnapshot
from bot.slack.ui import cancel as ui


class Pacer(Protocol):
    async def wait(self, channel: str) -> None: ...


class ThreadNotes:
    """The desk's ``CancelNotes``: one short reply in the request's thread."""

    def __init__(self, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer

    async def post_canceled(self, snapshot: RequestSnapshot, outcome: CancelOutcome) -> None:
        thread = snapshot.thread
        if thread is None:
            return
        if self.pacer is not None:
            await self.pacer.wait(thread.channel_id)
        await self.client.chat_postMessage(
            channel=thread.channel_id,
            thread_ts=str(thread.thread_ts),
            text=ui.thread_text(outcome),
            unfurl_links=False,
        )
