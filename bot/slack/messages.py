"""Telling people things, for every listener: a private follow-up, an update of a modal that
may be gone, a DM, a message's permalink. Failures here are logged, never raised: they must
not undo the work (except :func:`dm_channel`, whose callers say what happens without a DM)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import Refused
from bot.slack.api_errors import error_name

log = logging.getLogger(__name__)


async def tell(respond: AsyncRespond, text: str, **extra: Any) -> None:
    """A private follow-up to whoever triggered the listener; the original message stays."""
    await respond(text=text, response_type="ephemeral", replace_original=False, **extra)


async def update_view(client: AsyncWebClient, view_id: str, view: View) -> bool:
    """Replace an open modal; False when that failed (the user closed it, say)."""
    try:
        await client.views_update(view_id=view_id, view=view)
    except Exception as error:
        log.info("views.update of %s failed: %s", view_id, error_name(error))
        return False
    return True


class NoDirectMessage(Refused):
    """Slack did not open a DM with the user; ``reason`` is Slack's error code or what was
    missing from its answer."""

    def __init__(self, user_id: str, reason: str) -> None:
        super().__init__(f"no DM with {user_id}: {reason}")
        self.reason = reason


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The ID of the bot's DM with ``user_id``; raises :class:`NoDirectMessage` when Slack
    refuses or answers without a channel (``ok`` alone: the channel is ``None``)."""
    try:
        answer = await client.conversations_open(users=user_id)
    except SlackApiError as error:
        raise NoDirectMessage(user_id, error_name(error)) from error
    channel = answer.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else None
    if not isinstance(channel_id, str) or not channel_id:
        raise NoDirectMessage(user_id, "conversations.open answered without a channel")
    return channel_id


async def dm(client: AsyncWebClient, user_id: str, text: str, **extra: Any) -> bool:
    try:
        channel = await dm_channel(client, user_id)
        await client.chat_postMessage(channel=channel, text=text, unfurl_links=False, **extra)
    except Exception as error:
        log.warning("DM to %s failed: %s", user_id, error_name(error))
        return False
    return True


async def permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    try:
        link = (await client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"]
    except Exception:  # a missing link must not hide the rest
        log.warning("chat.getPermalink failed", exc_info=True)
        return None
    return link if isinstance(link, str) else None
