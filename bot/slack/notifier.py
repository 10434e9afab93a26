"""Posts and edits request threads in Slack, paced to Slack's per-channel limits."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.desk import RequestSnapshot, RequestUpdate
from bot.slack.ui import board

log = logging.getLogger(__name__)


class ChannelPacer:
    """At most one write per ``interval`` seconds per channel (Slack allows about 1/s)."""

    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            delay = self._next.get(channel, 0.0) - self._clock()
            if delay > 0:
                await self._sleep(delay)
            self._next[channel] = self._clock() + self.interval


class SlackNotifier:
    """The desk's ``Notifier``: thread roots, replies and status-board edits."""

    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    async def post_root(self, channel: str, snapshot: RequestSnapshot) -> str:
        await self.pacer.wait(channel)
        response = await self.client.chat_postMessage(
            channel=channel,
            text=board.board_text(snapshot),
            blocks=board.board_blocks(snapshot),
            unfurl_links=False,
        )
        return str(response["ts"])

    async def update_board(self, snapshot: RequestSnapshot) -> None:
        thread = snapshot.thread
        if thread is None:
            return
        await self.pacer.wait(thread.channel_id)
        await self.client.chat_update(
            channel=thread.channel_id,
            ts=thread.thread_ts,
            text=board.board_text(snapshot),
            blocks=board.board_blocks(snapshot),
        )

    async def post_changes(self, snapshot: RequestSnapshot, update: RequestUpdate) -> None:
        thread = snapshot.thread
        if thread is None:
            return
        text, blocks = board.update_message(snapshot, update)
        if not text:
            return
        await self.pacer.wait(thread.channel_id)
        await self.client.chat_postMessage(
            channel=thread.channel_id,
            thread_ts=str(thread.thread_ts),
            text=text,
            blocks=blocks,
            unfurl_links=False,
        )
