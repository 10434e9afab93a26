"""Builders for signed Slack → app HTTP requests (what Slack POSTs to ``/slack/events``).

Each builder returns a :class:`SlackRequest` ``(body: bytes, headers: dict)`` shaped like the
real payload and signed with :data:`SIGNING_SECRET` via
``slack_sdk.signature.SignatureVerifier.generate_signature``, so it passes Bolt's
``RequestVerification`` middleware. Use them to drive the real Bolt app::

    body, headers = slash_command("/port", "check +14155550100", response_url=slack.response_url())
    resp = await http.post("/slack/events", content=body, headers=headers)

or ``await app.async_dispatch(AsyncBoltRequest(body=body.decode(), headers=headers))``.

The shapes and the signing are the workspace's own (:mod:`bot.workspace.payloads`, what its
page sends when someone clicks); these builders fill them from hand-made messages and views.
Interactive payloads (actions, views, shortcuts) are form-urlencoded ``payload=<JSON>``;
slash commands are plain form fields; events are raw JSON. Team/bot ids match
:mod:`tests.fakes.slack_api` (``T1``/``UBOT``). Default ``response_url``s point at an unroutable
local port so nothing ever reaches real Slack; pass ``slack.response_url(...)`` to record them.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.workspace import payloads
from bot.workspace.payloads import VERIFICATION_TOKEN, SlackRequest, action_ts
from tests.fakes.constants import (
    API_APP_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    ME,
    SIGNING_SECRET,
    TEAM_DOMAIN,
    TEAM_ID,
)
from tests.fakes.slack_events import app_home_opened, app_mention, event

__all__ = [
    "API_APP_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "SIGNING_SECRET",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "VERIFICATION_TOKEN",
    "SlackRequest",
    "app_home_opened",
    "app_mention",
    "block_actions",
    "checkboxes_state",
    "event",
    "global_shortcut",
    "message_shortcut",
    "modal_view",
    "select_state",
    "sign",
    "slash_command",
    "text_input_state",
    "users_select_state",
    "view_closed",
    "view_submission",
]

UNSET_RESPONSE_URL = "http://127.0.0.1:9/commands/T1/0/unset"
"""Default ``response_url``: a closed local port (fails fast, never leaves the machine)."""

_seq = itertools.count(1)


def sign(
    body: bytes | str,
    *,
    content_type: str,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    extra_headers: dict[str, str] | None = None,
) -> SlackRequest:
    """Sign ``body`` like Slack: ``v0=HMAC_SHA256(secret, "v0:{ts}:{body}")``.

    ``timestamp`` defaults to now (Bolt rejects >5 minutes of skew; pass an old one to test
    that). ``extra_headers`` adds e.g. ``X-Slack-Retry-Num``.
    """
    return payloads.sign(
        body,
        content_type=content_type,
        secret=secret,
        timestamp=timestamp,
        extra_headers=extra_headers,
    )


def _trigger_id() -> str:
    n = next(_seq)
    return f"{1_000_000_000 + n}.{TEAM_ID}.{n:032x}"


# ---------------------------------------------------------------------- slash commands


def slash_command(
    command: str,
    text: str = "",
    *,
    user_id: str = "U123",
    user_name: str | None = None,
    channel_id: str = "C123",
    channel_name: str = "general",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A slash command: form-urlencoded fields exactly as Slack posts them."""
    fields = payloads.command_fields(
        ME,
        command,
        text,
        user_id=user_id,
        user_name=user_name,
        channel_id=channel_id,
        channel_name=channel_name,
        response_url=response_url,
        trigger_id=trigger_id or _trigger_id(),
    )
    return payloads.form(fields, secret=secret, timestamp=timestamp)


# ---------------------------------------------------------------------- views & state helpers


def text_input_state(value: str | None, action_type: str = "plain_text_input") -> dict[str, Any]:
    """State value of a text-like input (``plain_text_input``, ``email_text_input``, …)."""
    return {"type": action_type, "value": value}


def select_state(value: str | None, text: str | None = None) -> dict[str, Any]:
    """State value of a ``static_select`` (``None`` = nothing selected)."""
    option = None
    if value is not None:
        option = {"text": {"type": "plain_text", "text": text or value}, "value": value}
    return {"type": "static_select", "selected_option": option}


def users_select_state(user_id: str | None) -> dict[str, Any]:
    """State value of a ``users_select``."""
    return {"type": "users_select", "selected_user": user_id}


def checkboxes_state(values: list[str]) -> dict[str, Any]:
    """State value of ``checkboxes`` with the given option values selected."""
    options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]
    return {"type": "checkboxes", "selected_options": options}


def modal_view(
    callback_id: str,
    state_values: dict[str, dict[str, Any]] | None = None,
    *,
    private_metadata: str = "",
    view_id: str = "V123",
    hash: str = "1700000000.hash",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Modal",
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
    external_id: str = "",
) -> dict[str, Any]:
    """A modal ``view`` object as Slack includes it in interactive payloads.

    ``state_values`` is ``{block_id: {action_id: <state value>}}``; build the inner values with
    :func:`text_input_state`, :func:`select_state`, …
    """
    return {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values or {}},
        "hash": hash,
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": previous_view_id,
        "root_view_id": root_view_id or view_id,
        "app_id": API_APP_ID,
        "external_id": external_id,
        "app_installed_team_id": TEAM_ID,
        "bot_id": ME.bot_id,
    }


def view_submission(
    callback_id: str,
    state_values: dict[str, dict[str, Any]] | None = None,
    *,
    private_metadata: str = "",
    user_id: str = "U123",
    view_id: str = "V123",
    hash: str = "1700000000.hash",
    blocks: list[dict[str, Any]] | None = None,
    response_urls: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A modal submission (``payload`` with ``type: view_submission``)."""
    view = modal_view(
        callback_id,
        state_values,
        private_metadata=private_metadata,
        view_id=view_id,
        hash=hash,
        blocks=blocks,
    )
    payload = payloads.view_submission(
        ME,
        view,
        user_id=user_id,
        trigger_id=trigger_id or _trigger_id(),
        response_urls=response_urls,
    )
    return payloads.interactive(payload, secret=secret, timestamp=timestamp)


def view_closed(
    callback_id: str,
    *,
    private_metadata: str = "",
    user_id: str = "U123",
    view_id: str = "V123",
    is_cleared: bool = False,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A modal closed by the user (only sent when the view had ``notify_on_close``)."""
    view = modal_view(callback_id, private_metadata=private_metadata, view_id=view_id)
    view["notify_on_close"] = True
    payload = payloads.view_closed(ME, view, user_id=user_id, is_cleared=is_cleared)
    return payloads.interactive(payload, secret=secret, timestamp=timestamp)


# ---------------------------------------------------------------------- block actions


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    user_id: str = "U123",
    channel_id: str | None = None,
    message_ts: str | None = None,
    thread_ts: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    block_id: str = "actions",
    action: dict[str, Any] | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A ``block_actions`` payload for one interactive element.

    * In a message: pass ``channel_id`` + ``message_ts`` (+ ``thread_ts`` if the message is a
      thread reply, or a full ``message`` dict). ``response_url`` defaults to an unroutable URL.
    * In a modal/home view: pass ``view`` (e.g. :func:`modal_view`); there is no channel or
      ``response_url`` then.

    By default the action is a button with ``value``; pass ``action`` (merged over the
    defaults) for selects etc., e.g. ``action={"type": "static_select", "selected_option": …}``.
    """
    act: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": "button",
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
        "action_ts": action_ts(),
    }
    if value is not None:
        act["value"] = value
    act.update(action or {})
    channel = None
    if channel_id is not None:
        if message is None:
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": ME.bot_id,
                "text": "",
                "ts": message_ts or "1700000000.000100",
            }
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
        if message_ts is not None:
            message = {**message, "ts": message.get("ts") or message_ts}
        channel = {"id": channel_id, "name": "channel"}
        response_url = response_url or UNSET_RESPONSE_URL
    payload = payloads.block_actions(
        ME,
        act,
        user_id=user_id,
        trigger_id=trigger_id or _trigger_id(),
        view=view,
        channel=channel,
        message=message,
        response_url=response_url,
    )
    return payloads.interactive(payload, secret=secret, timestamp=timestamp)


# ---------------------------------------------------------------------- shortcuts


def message_shortcut(
    callback_id: str,
    message: dict[str, Any],
    *,
    channel_id: str = "C123",
    user_id: str = "U123",
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A message shortcut (``type: message_action``) on ``message`` (needs at least ``ts``)."""
    msg = {"type": "message", "user": "U999", "text": "", "ts": "1700000000.000100", **message}
    payload = payloads.message_action(
        ME,
        callback_id,
        msg,
        channel={"id": channel_id, "name": "channel"},
        user_id=user_id,
        trigger_id=trigger_id or _trigger_id(),
        response_url=response_url,
    )
    return payloads.interactive(payload, secret=secret, timestamp=timestamp)


def global_shortcut(
    callback_id: str,
    *,
    user_id: str = "U123",
    trigger_id: str | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A global shortcut (``type: shortcut``): trigger_id, no channel."""
    payload = payloads.global_shortcut(
        ME, callback_id, user_id=user_id, trigger_id=trigger_id or _trigger_id()
    )
    return payloads.interactive(payload, secret=secret, timestamp=timestamp)
