"""The leaf every Slack write of the outbox goes through: paced to the channel's slot, fenced
by the item's lease right before the request, stamped with the item's key, and the look-up of
a message an earlier attempt may already have posted (``find_posted``). It knows no handler
and no kind of work.

``client`` should have no automatic retries: a retried post whose first attempt did reach
Slack would be a duplicate. The outbox retries instead, after looking.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivered import DeliveryError
from bot.slack.api_errors import error_code
from bot.slack.pacing import ChannelPacer
from bot.slack.stamps import stamp
from bot.store.items import Item

log = logging.getLogger(__name__)

LOOKUP_SLACK = timedelta(minutes=2)  # clock skew allowance when searching channel history
# Errors from the lookup after which posting is still the better bet (we cannot read the
# channel, so we cannot check; a missing message is worse than a rare duplicate).
_CANNOT_LOOK = {"missing_scope", "not_in_channel", "channel_not_found", "thread_not_found"}

Fence = Callable[[], Awaitable[None]]
Blocks = Sequence[Block | dict[str, Any]]


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


class Poster:
    """One process's paced, fenced Slack writes (:meth:`of` one item's)."""

    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer) -> None:
        self.client = client
        self.pacer = pacer

    def of(self, item: Item) -> ItemPoster:
        """The writes of ``item``'s delivery: fenced by its lease, stamped with its key."""
        return ItemPoster(self, item)

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


class ItemPoster:
    """The Slack writes and look-ups of one item's delivery (what every handler is given)."""

    def __init__(self, poster: Poster, item: Item) -> None:
        self._poster = poster
        self.item = item
        self.client = poster.client  # for reads a handler needs (a permalink, auth.test)

    async def post(
        self, channel: str, thread_ts: str | None, text: str, blocks: Blocks | None = None
    ) -> str:
        """Post the item's message in ``thread_ts``'s thread (None: in the channel), in the
        channel's next slot, fenced by the item's lease and stamped with its key so that a
        retry finds it (:meth:`find_posted`); its ts."""
        extra: dict[str, Any] = {}
        if thread_ts is not None:
            extra["thread_ts"] = thread_ts
        if blocks is not None:
            extra["blocks"] = blocks
        response = await self._write(
            channel,
            self.client.chat_postMessage,
            channel=channel,
            text=text,
            metadata=stamp(self.item),
            unfurl_links=False,
            **extra,
        )
        return str(response["ts"])

    async def upload(
        self, channel: str, thread_ts: str, content: str | bytes, filename: str, title: str
    ) -> str:
        """Upload the item's file into a thread, paced and fenced like :meth:`post`; its file
        id. ``filename`` must be stable across attempts: it is how a retry finds the upload."""
        response = await self._write(
            channel,
            self.client.files_upload_v2,
            channel=channel,
            thread_ts=thread_ts,
            content=content,
            filename=filename,
            title=title,
        )
        files = response.get("files") or [response.get("file") or {}]
        return str(files[0].get("id") or "")

    async def edit(self, channel: str, ts: str, text: str, blocks: Blocks) -> None:
        """Redraw the message ``ts`` (a board), paced and fenced."""
        method = self.client.chat_update
        await self._write(channel, method, channel=channel, ts=ts, text=text, blocks=blocks)

    async def publish(self, user_id: str, view: View) -> None:
        """Publish ``user_id``'s App Home, paced per user and fenced."""
        await self._write(f"home:{user_id}", self.client.views_publish, user_id=user_id, view=view)

    async def _write(self, pace: str, method: Callable[..., Awaitable[Any]], **args: Any) -> Any:
        return await self._poster.call(pace, method, fence=self.item.begin, **args)

    async def find_posted(
        self, channel: str, thread_ts: str | None, *, file_name: str | None = None
    ) -> str | None:
        """The ts (or file id) of a message an earlier attempt of the item posted, if any;
        None at once when no earlier attempt may have reached Slack (``item.maybe_sent``)."""
        item = self.item
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
