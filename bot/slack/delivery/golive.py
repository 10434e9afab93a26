"""Handlers of go-live and the inventory: a batch's go-live reply (in the request's thread, or
the alert for missing numbers in the porting channel) and a departure alert (in the porting
channel with its Acknowledge… button, or in the request's thread). Each looks for an earlier
attempt's message first."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot import work
from bot.delivered import Delivered
from bot.slack.delivery.poster import ItemPoster
from bot.slack.delivery.sources import Sources
from bot.slack.delivery.threads import in_thread
from bot.slack.ui.golive_messages import departure_message, golive_message


async def golive(said: work.GoLive, out: ItemPoster, sources: Sources) -> Delivered:
    message = golive_message(said.report)
    return await _said(said.request_sid, said.channel, out, sources, message.text, message.blocks)


async def departed(said: work.Departed, out: ItemPoster, sources: Sources) -> Delivered:
    message = departure_message(said.departure, in_thread=said.channel is None, acknowledged=False)
    return await _said(said.owner_id, said.channel, out, sources, message.text, message.blocks)


async def _said(
    request_sid: str,
    channel: str | None,
    out: ItemPoster,
    sources: Sources,
    text: str,
    blocks: Sequence[Block],
) -> Delivered:
    """Post in ``channel``, or (None) in the request's thread, once."""
    if channel is None:
        return await in_thread(request_sid, out, sources, text, blocks)
    if ts := await out.find_posted(channel, None):
        return Delivered(ts)
    return Delivered(await out.post(channel, None, text, blocks))
