"""Delivers outbox items to Slack (thread roots, replies, CSV files, board edits, the
post-port checklist), paced to Slack's per-channel limit, and finds a message an earlier
attempt may already have posted."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.changes import update_from
from bot.desk.types import RequestSnapshot
from bot.outbox import Delivered, DeliveryError, NotYet
from bot.slack.api_errors import error_code
from bot.slack.deps import Downloader
from bot.slack.manual.delivery import ManualDelivery, ManualSource
from bot.slack.messages import permalink
from bot.slack.pacing import ChannelPacer
from bot.slack.stamps import stamp
from bot.slack.timed import DeskDayReads, TimedDelivery
from bot.slack.ui import board, thread_replies
from bot.slack.ui.golive import departure_message, golive_message
from bot.slack.ui.reminders import checklist_message
from bot.store import items, outbox, request_state
from bot.store.db import Database
from bot.store.golive_items import DeparturePayload, GoLivePayload
from bot.store.items import (
    BoardPayload,
    ChecklistPayload,
    DigestFilePayload,
    DigestPayload,
    FilePayload,
    HomePayload,
    Item,
    NewItem,
    RefiledPayload,
    ReminderPayload,
    ReplyPayload,
    RootPayload,
)
from bot.store.manual_items import ManualPayload

log = logging.getLogger(__name__)

LOOKUP_SLACK = timedelta(minutes=2)  # clock skew allowance when searching channel history
# How long a re-filing's reply in the old thread waits for the new thread, to link to it.
NEW_THREAD_WAIT = timedelta(minutes=5)
# Errors from the lookup after which posting is still the better bet (we cannot read the
# channel, so we cannot check; a missing message is worse than a rare duplicate).
_CANNOT_LOOK = {"missing_scope", "not_in_channel", "channel_not_found", "thread_not_found"}


Fence = Callable[[], Awaitable[None]]
# A request as last stored, to draw its board without calling Twilio (None: not known).
# The runtime passes ``bot.desk.load_snapshot`` over the database.
StoredSnapshots = Callable[[str], Awaitable[RequestSnapshot | None]]


def slack_failure(error: Exception) -> DeliveryError:
    """Map what the Slack client raised to retry advice for the outbox."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = response.status_code
        if status == 429:
            headers = {k.lower(): v for k, v in (response.headers or {}).items()}
            retry_after = float(headers.get("retry-after", 1) or 1)
            return DeliveryError("ratelimited", retry_after=retry_after)
        # A 5xx may have been processed; an ok:false answer certainly was not.
        return DeliveryError(error_code(error) or f"HTTP {status}", maybe_sent=status >= 500)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | TimeoutError):
        return DeliveryError(type(error).__name__, maybe_sent=True)
    raise error


class SlackNotifier:
    """The outbox's deliverer and the desk's ``Notifier``.

    ``client`` should have no automatic retries: a retried post whose first attempt did reach
    Slack would be a duplicate. The outbox retries instead, after looking.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        db: Database,
        pacer: ChannelPacer | None = None,
        *,
        snapshots: StoredSnapshots,
        manual_ports: ManualSource | None = None,
        download: Downloader | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.pacer = pacer or ChannelPacer()
        self.snapshots = snapshots
        self._timed_delivery: TimedDelivery | None = None
        # A manual port's thread (bot.slack.manual.delivery), when manual ports are served.
        self.manual = None if manual_ports is None else ManualDelivery(self, manual_ports, download)

    async def deliver(self, item: Item) -> Delivered:
        match item.payload:
            case RootPayload() as root:
                return await self._root(item, root)
            case ReplyPayload() as change:
                return await self._reply(item, change)
            case FilePayload() as change:
                return await self._file(item, change)
            case BoardPayload():
                return await self._board(item)
            case ChecklistPayload() as checklist:
                message = checklist_message(checklist.ported, checklist.canceled, checklist.mention)
                return await self._in_thread(item, message.text, message.blocks)
            case ReminderPayload() as reminder:
                return await self._timed.reminder(item, reminder)
            case DigestFilePayload() as csv:
                return await self._timed.digest_file(item, csv)
            case DigestPayload() as digest:
                return await self._timed.digest(item, digest)
            case HomePayload() as home:
                return await self._timed.home(item, home)
            case RefiledPayload() as refiled:
                return await self._refiled(item, refiled)
            case GoLivePayload() as golive:
                message = golive_message(golive.report)
                return await self._said(item, golive.channel, message.text, message.blocks)
            case DeparturePayload() as gone:
                message = departure_message(
                    gone.departure, in_thread=gone.channel is None, acknowledged=False
                )
                return await self._said(item, gone.channel, message.text, message.blocks)
            case ManualPayload():
                if self.manual is None:
                    log.warning("manual port work %s without a deliverer dropped", item.key)
                    return Delivered()
                return await self.manual.deliver(item)
        raise ValueError(f"no delivery for {item.kind}")  # a new kind without its branch

    def serve_desk_day(self, desk_day: DeskDayReads) -> None:
        """Deliver the desk's timed work too (the runtime calls this once the desk exists)."""
        self._timed_delivery = TimedDelivery(self, desk_day)

    @property
    def _timed(self) -> TimedDelivery:
        if self._timed_delivery is None:
            raise RuntimeError("timed work queued but no DeskDay serves it")
        return self._timed_delivery

    async def update_board(self, snapshot: RequestSnapshot, *, fence: Fence | None = None) -> None:
        """Edit a board right now (interactive flows; the outbox passes its item's fence);
        raises on Slack errors."""
        if snapshot.thread is None:
            return
        await self.call(
            snapshot.thread.channel_id,
            self.client.chat_update,
            fence=fence,
            channel=snapshot.thread.channel_id,
            ts=snapshot.thread.thread_ts,
            text=board.board_text(snapshot),
            blocks=board.board_blocks(snapshot),
        )

    # -- kinds ----------------------------------------------------------------------------

    async def _root(self, item: Item, payload: RootPayload) -> Delivered:
        channel = payload.channel
        if ts := await self.find_posted(item, channel, None):
            return Delivered(ts, thread=(channel, ts))
        snapshot = await self.snapshots(item.request_sid)
        if snapshot is None:
            log.warning("root for unknown request %s dropped", item.request_sid)
            return Delivered()
        text, blocks = board.board_text(snapshot), board.board_blocks(snapshot)
        ts = await self.post(item, channel, None, text, blocks)
        return Delivered(ts, thread=(channel, ts), follow_ups=await self._redraw(item, snapshot))

    async def _redraw(self, item: Item, drawn: RequestSnapshot) -> list[NewItem]:
        """A change stored after the root was drawn must still reach the board."""
        latest = await self.snapshots(item.request_sid)
        if latest is not None and latest.updated_at != drawn.updated_at:
            return [items.board(item.request_sid)]
        return []

    async def _reply(self, item: Item, payload: ReplyPayload) -> Delivered:
        update = update_from(payload)
        snapshot = RequestSnapshot(
            update.request, None, payload.filed_by, item.created_at, payload.status_since
        )
        follow_ups: list[NewItem] = []
        if thread_replies.needs_csv(update):
            follow_ups.append(items.file(item, payload))
        text, blocks = thread_replies.update_message(snapshot, update)
        return await self._in_thread(item, text, blocks, follow_ups)

    async def _in_thread(
        self,
        item: Item,
        text: str,
        blocks: Sequence[Block],
        follow_ups: Sequence[NewItem] = (),
    ) -> Delivered:
        """Post ``item`` as a reply in its request's thread, once (an earlier attempt that may
        have reached Slack is looked for first)."""
        thread = await request_state.get_thread(self.db, item.request_sid)
        if thread is None:
            log.warning("%s for %s without a thread dropped", item.kind, item.request_sid)
            return Delivered()
        if ts := await self.find_posted(item, thread.channel_id, thread.thread_ts):
            return Delivered(ts, follow_ups=list(follow_ups))
        if not text:
            return Delivered()
        ts = await self.post(item, thread.channel_id, thread.thread_ts, text, blocks)
        return Delivered(ts, follow_ups=list(follow_ups))

    async def _said(
        self, item: Item, channel: str | None, text: str, blocks: Sequence[Block]
    ) -> Delivered:
        """Post ``item`` in ``channel`` (None: in its request's thread), once."""
        if channel is None:
            return await self._in_thread(item, text, blocks)
        if ts := await self.find_posted(item, channel, None):
            return Delivered(ts)
        return Delivered(await self.post(item, channel, None, text, blocks))

    async def _file(self, item: Item, payload: FilePayload) -> Delivered:
        thread = await request_state.get_thread(self.db, item.request_sid)
        if thread is None:
            return Delivered()
        name = _file_name(item)
        channel, thread_ts = thread.channel_id, thread.thread_ts
        if found := await self.find_posted(item, channel, thread_ts, file_name=name):
            return Delivered(found)
        content = thread_replies.changes_csv(update_from(payload))
        title = f"Numbers changed in {item.request_sid}"
        return Delivered(await self.upload(item, channel, thread_ts, content, name, title))

    async def _refiled(self, item: Item, payload: RefiledPayload) -> Delivered:
        """In the old request's thread: who re-filed which numbers as what, linking the new
        thread once it exists (waiting a little for its root, not forever)."""
        thread = await request_state.get_thread(self.db, item.request_sid)
        if thread is None:
            return Delivered()  # the old request has no thread to say it in
        new_sid = payload.new_request_sid
        new_thread = await request_state.get_thread(self.db, new_sid)
        if new_thread is None and await outbox.root_pending(self.db, new_sid):
            if _now() - item.created_at < NEW_THREAD_WAIT:
                raise NotYet(2.0)
        if ts := await self.find_posted(item, thread.channel_id, thread.thread_ts):
            return Delivered(ts)
        link = None
        if new_thread is not None:
            link = await permalink(self.client, new_thread.channel_id, new_thread.thread_ts)
        text = thread_replies.refiled_text(payload.user_id, payload.numbers, new_sid, link)
        return Delivered(await self.post(item, thread.channel_id, thread.thread_ts, text))

    async def _board(self, item: Item) -> Delivered:
        snapshot = await self.snapshots(item.request_sid)
        if snapshot is None:
            return Delivered()
        if snapshot.thread is None:
            if await outbox.root_pending(self.db, item.request_sid):
                raise NotYet(2.0)
            return Delivered()  # no thread (no channel): nothing to edit
        await self.update_board(snapshot, fence=item.begin)
        return Delivered(snapshot.thread.thread_ts)

    # -- Slack calls ----------------------------------------------------------------------

    async def call(
        self,
        pace: str,
        method: Callable[..., Awaitable[Any]],
        *,
        fence: Fence | None = None,
        **args: Any,
    ) -> Any:
        """Make one Slack write in ``pace``'s next slot. ``fence`` (an outbox item's
        ``begin``) runs once the slot is ours, right before the request: the wait for the
        slot may have outlasted the item's lease, and then nothing is sent."""
        async with self.pacer.slot(pace):
            if fence is not None:
                await fence()
            try:
                return await method(**args)
            except Exception as error:
                raise self._failure(pace, error) from error

    def _failure(self, channel: str, error: Exception) -> DeliveryError:
        failure = slack_failure(error)
        if failure.retry_after:
            self.pacer.hold(channel, failure.retry_after)
        return failure

    async def post(
        self,
        item: Item,
        channel: str,
        thread_ts: str | None,
        text: str,
        blocks: Sequence[Block | dict[str, Any]] | None = None,
    ) -> str:
        """Post ``item``'s message in ``thread_ts``'s thread (None: in the channel), in the
        channel's next slot, fenced by the item's lease and stamped with its key so that a
        retry finds it (:meth:`find_posted`); its ts."""
        extra: dict[str, Any] = {}
        if thread_ts is not None:
            extra["thread_ts"] = thread_ts
        if blocks is not None:
            extra["blocks"] = blocks
        response = await self.call(
            channel,
            self.client.chat_postMessage,
            fence=item.begin,
            channel=channel,
            text=text,
            metadata=stamp(item),
            unfurl_links=False,
            **extra,
        )
        return str(response["ts"])

    async def upload(
        self,
        item: Item,
        channel: str,
        thread_ts: str,
        content: str | bytes,
        filename: str,
        title: str,
    ) -> str:
        """Upload ``item``'s file into a thread, paced and fenced like :meth:`post`; its file
        id. ``filename`` must be stable across attempts: it is how a retry finds the upload."""
        response = await self.call(
            channel,
            self.client.files_upload_v2,
            fence=item.begin,
            channel=channel,
            thread_ts=thread_ts,
            content=content,
            filename=filename,
            title=title,
        )
        files = response.get("files") or [response.get("file") or {}]
        return str(files[0].get("id") or "")

    async def find_posted(
        self, item: Item, channel: str, thread_ts: str | None, *, file_name: str | None = None
    ) -> str | None:
        """The ts (or file id) of a message an earlier attempt of ``item`` posted, if any;
        None at once when no earlier attempt may have reached Slack (``item.maybe_sent``)."""
        if not item.maybe_sent:
            return None
        try:
            if thread_ts is None:
                oldest = (item.created_at - LOOKUP_SLACK).timestamp()
                response = await self.client.conversations_history(
                    channel=channel, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=200
                )
            else:
                response = await self.client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=1000
                )
        except SlackApiError as error:
            code = error_code(error)
            if code in _CANNOT_LOOK:
                log.warning("cannot check %s for an earlier post (%s); posting", channel, code)
                return None
            raise slack_failure(error) from error
        except Exception as error:
            raise slack_failure(error) from error
        for message in response.get("messages") or []:
            if file_name is not None:
                for f in message.get("files") or []:
                    if f.get("name") == file_name:
                        return str(f.get("id") or message.get("ts"))
                continue
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == item.key:
                log.info("found %s already in Slack; not posting it again", item.key)
                return str(message["ts"])
        return None


def _now() -> datetime:
    return datetime.now(UTC)


def _file_name(item: Item) -> str:
    # Stable across attempts, unique per change set: how a retry recognises its upload.
    digest = hashlib.sha256(item.key.encode()).hexdigest()[:10]
    return f"{item.request_sid}-changes-{digest}.csv"
