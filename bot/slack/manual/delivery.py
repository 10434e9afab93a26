"""Delivering a manual port's outbox work to Slack: its thread's root (the board), replies,
the documents copied into the thread, board edits and reminders. ``SlackNotifier.deliver``
hands every manual payload here; posting goes through the notifier's paced, fenced calls and
its look-up of an earlier attempt, so the outbox's guarantees hold unchanged.

Documents are downloaded from Slack (they were attached in a modal, where only their uploader
sees them) and uploaded into the thread, so everyone there can download them. A file Slack no
longer has, or one grown too large, gets a reply asking for it again instead of a retry that
could never succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import httpx
from slack_sdk.models.blocks import Block

from bot.desk.manual_schedule import ManualDecision, ManualReminderKind, ManualReminderRef
from bot.desk.manual_types import MAX_DOCUMENT_BYTES, ManualNews, ManualPort
from bot.outbox import Delivered, DeliveryError, NotYet, real_wait
from bot.slack.deps import Downloader
from bot.slack.ui.manual import board, reminders, replies
from bot.store import items, keys, outbox, request_state
from bot.store.items import Item, NewItem
from bot.store.manual_items import (
    ManualBoardPayload,
    ManualFilePayload,
    ManualReminderPayload,
    ManualReplyPayload,
    ManualRootPayload,
)
from bot.store.models import RequestThread, utcnow

if TYPE_CHECKING:
    from bot.slack.notifier import SlackNotifier

log = logging.getLogger(__name__)

ROOT_WAIT = 2.0  # seconds before work that needs the thread looks for it again


class ManualSource(Protocol):
    """Manual ports as the deliverer reads them (``bot.desk.manual.ManualPorts``)."""

    async def get(self, manual_id: str) -> ManualPort | None: ...

    async def decide(self, ref: ManualReminderRef, now: datetime) -> ManualDecision: ...


class ManualDelivery:
    def __init__(
        self,
        notifier: SlackNotifier,
        ports: ManualSource,
        download: Downloader | None,
        *,
        clock: Callable[[], datetime] = utcnow,
        rate: Callable[[], float] = lambda: 1.0,
    ) -> None:
        self.notifier = notifier
        self.ports = ports
        self.download = download
        self.clock = clock
        self.rate = rate  # the clock's seconds per real second

    async def deliver(self, item: Item) -> Delivered:
        match item.payload:
            case ManualRootPayload() as root:
                return await self._root(item, root)
            case ManualReplyPayload() as said:
                return await self._reply(item, said)
            case ManualFilePayload() as file:
                return await self._file(item, file)
            case ManualBoardPayload():
                return await self._board(item)
            case ManualReminderPayload() as due:
                return await self._reminder(item, due)
        log.warning("manual work %s of an unknown shape dropped", item.key)
        return Delivered()

    # -- kinds ----------------------------------------------------------------------------

    async def _root(self, item: Item, payload: ManualRootPayload) -> Delivered:
        channel = payload.channel
        if ts := await self.notifier.find_posted(item, channel, None):
            return Delivered(ts, thread=(channel, ts))
        port = await self.ports.get(item.request_sid)
        if port is None:
            log.warning("root for unknown manual port %s dropped", item.request_sid)
            return Delivered()
        text, blocks = board.board_text(port), board.board_blocks(port, self.clock())
        ts = await self.notifier.post(item, channel, None, text, blocks)
        return Delivered(ts, thread=(channel, ts))

    async def _reply(self, item: Item, payload: ManualReplyPayload) -> Delivered:
        port, thread = await self._thread(item)
        if port is None or thread is None:
            return Delivered()
        follow_ups: list[NewItem] = []
        if payload.event == "started" and replies.request_is_long(port.details):
            follow_ups.append(items.manual_file(port.id, ManualFilePayload()))
        if ts := await self.notifier.find_posted(item, thread.channel_id, thread.thread_ts):
            return Delivered(ts, follow_ups=follow_ups)
        news = ManualNews(**{**payload.model_dump(), "documents": tuple(payload.documents)})
        text, blocks = replies.reply_for(port, news)
        ts = await self._post(item, thread, text, blocks)
        return Delivered(ts, follow_ups=follow_ups)

    async def _file(self, item: Item, payload: ManualFilePayload) -> Delivered:
        port, thread = await self._thread(item)
        if port is None or thread is None:
            return Delivered()
        name = _file_name(port, payload)
        channel, thread_ts = thread.channel_id, thread.thread_ts
        if found := await self.notifier.find_posted(item, channel, thread_ts, file_name=name):
            return Delivered(found)
        if payload.file_id is None:
            content = replies.support_request_text(port.details).encode()
        else:
            fetched = await self._fetch(payload)
            if isinstance(fetched, str):
                text, blocks = replies.copy_failed_reply(payload.name, fetched)
                return Delivered(await self._post(item, thread, text, blocks))
            content = fetched
        title = replies.file_title(port, payload.kind)
        return Delivered(await self.notifier.upload(item, channel, thread_ts, content, name, title))

    async def _board(self, item: Item) -> Delivered:
        port, thread = await self._thread(item)
        if port is None or thread is None:
            return Delivered()
        await self.notifier.call(
            thread.channel_id,
            self.notifier.client.chat_update,
            fence=item.begin,
            channel=thread.channel_id,
            ts=thread.thread_ts,
            text=board.board_text(port),
            blocks=board.board_blocks(port, self.clock()),
        )
        return Delivered(thread.thread_ts)

    async def _reminder(self, item: Item, payload: ManualReminderPayload) -> Delivered:
        ref = ManualReminderRef(
            payload.manual_id, ManualReminderKind(payload.kind), payload.due_day
        )
        now = self.clock()
        decision = await self.ports.decide(ref, now)
        if decision.retry_at is not None:
            raise NotYet(real_wait(decision.retry_at, now, self.rate()))
        if decision.reminder is None:
            log.info("reminder %s no longer due; dropped", item.key)
            return Delivered()
        _, thread = await self._thread(item)
        if thread is None:
            return Delivered()
        if ts := await self.notifier.find_posted(item, thread.channel_id, thread.thread_ts):
            return Delivered(ts)
        text, blocks = reminders.reminder_message(decision.reminder)
        return Delivered(await self._post(item, thread, text, blocks))

    # -- helpers --------------------------------------------------------------------------

    async def _thread(self, item: Item) -> tuple[ManualPort | None, RequestThread | None]:
        """The port and its thread; waits (NotYet) while its root is still on its way."""
        port = await self.ports.get(item.request_sid)
        if port is None:
            log.warning("%s for unknown manual port %s dropped", item.kind, item.request_sid)
            return None, None
        thread = await request_state.get_thread(self.notifier.db, item.request_sid)
        if thread is None:
            if await outbox.pending(self.notifier.db, keys.manual_root(port.id)):
                raise NotYet(ROOT_WAIT)
            log.warning("%s for %s without a thread dropped", item.kind, item.request_sid)
        return port, thread

    async def _post(self, item: Item, thread: RequestThread, text: str, blocks: list[Block]) -> str:
        return await self.notifier.post(item, thread.channel_id, thread.thread_ts, text, blocks)

    async def _fetch(self, payload: ManualFilePayload) -> bytes | str:
        """The document's bytes, or why it cannot be had (then retrying will not help)."""
        if self.download is None or not payload.url:
            return "no way to download it"
        try:
            return await self.download(payload.url, MAX_DOCUMENT_BYTES)
        except ValueError as error:
            return str(error)
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if status in (401, 403, 404, 410):
                return f"Slack answered {status}"
            raise DeliveryError(f"download: HTTP {status}") from error
        except httpx.HTTPError as error:
            raise DeliveryError(f"download: {type(error).__name__}") from error


def _file_name(port: ManualPort, payload: ManualFilePayload) -> str:
    """Stable across attempts and unique in the thread: how a retry finds its upload."""
    if payload.file_id is None:
        return f"support-request-{port.id}.txt"
    return f"{payload.kind}-{payload.file_id}-{payload.name}"[:180]
