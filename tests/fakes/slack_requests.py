"""Builders for signed Slack → app HTTP requests (what Slack POSTs to ``/slack/events``).

Each builder returns a :class:`SlackRequest` ``(body: bytes, headers: dict)`` shaped like the
real payload and signed with :data:`SIGNING_SECRET` via
``slack_sdk.signature.SignatureVerifier.generate_signature``, so it passes Bolt's
``RequestVerification`` middleware. Use them to drive the real Bolt app::

    body, headers = slash_command("/port", "check +14155550100", response_url=slack.response_url())
    resp = await http.post("/slack/events", content=body, headers=headers)

or ``await app.async_dispatch(AsyncBoltRequest(body=body.decode(), headers=headers))``.

Interactive payloads (actions, views, shortcuts) are form-urlencoded ``payload=<JSON>``;
slash commands are plain form fields; events are raw JSON. Team/bot ids match
:mod:`tests.fakes.slack_api` (``T1``/``UBOT``). Default ``response_url``s point at an unroutable
local port so nothing ever reaches real Slack; pass ``slack.response_url(...)`` to record them.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

__all__ = [
    "API_APP_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "SIGNING_SECRET",
    "TEAM_DOMAIN",
    "TEAM_ID",
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

SIGNING_SECRET = "test-signing-secret"
"""Signing secret for the Bolt app under test; every builder signs with it by default."""
BOT_TOKEN = "xoxb-test-token"
"""Bot token for the ``AsyncWebClient`` under test."""
TEAM_ID = "T1"
"""Workspace id (matches the fake's ``auth.test``)."""
TEAM_DOMAIN = "fake-workspace"
"""Workspace domain sent in payloads."""
API_APP_ID = "A1"
"""App id sent in payloads."""
BOT_USER_ID = "UBOT"
"""The bot's user id (matches the fake's ``auth.test``)."""
VERIFICATION_TOKEN = "legacy-verification-token"
"""Slack still sends the deprecated verification ``token`` field; Bolt ignores it."""
UNSET_RESPONSE_URL = "http://127.0.0.1:9/commands/T1/0/unset"
"""Default ``response_url``: a closed local port (fails fast, never leaves the machine)."""

_seq = itertools.count(1)


class SlackRequest(NamedTuple):
    """A signed request: raw ``body`` bytes and the HTTP ``headers`` Slack would send."""

    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        """The body as ``str`` (``AsyncBoltRequest`` wants ``str``)."""
        return self.body.decode("utf-8")


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
    raw = body.encode("utf-8") if isinstance(body, str) else body
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=raw)
    assert signature is not None
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    headers.update(extra_headers or {})
    return SlackRequest(raw, headers)


def _form(fields: dict[str, Any], **sign_kwargs: Any) -> SlackRequest:
    return sign(
        urlencode(fields).encode("utf-8"),
        content_type="application/x-www-form-urlencoded",
        **sign_kwargs,
    )


def _interactive(payload: dict[str, Any], **sign_kwargs: Any) -> SlackRequest:
    return _form({"payload": json.dumps(payload, separators=(",", ":"))}, **sign_kwargs)


def _trigger_id() -> str:
    n = next(_seq)
    return f"{1_000_000_000 + n}.{TEAM_ID}.{n:032x}"


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _user(user_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID}


def _team() -> dict[str, Any]:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


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
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return _form(fields, secret=secret, timestamp=timestamp)


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
        "bot_id": "BBOT",
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
    payload = {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "view": modal_view(
            callback_id,
            state_values,
            private_metadata=private_metadata,
            view_id=view_id,
            hash=hash,
            blocks=blocks,
        ),
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive(payload, secret=secret, timestamp=timestamp)


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
    payload = {
        "type": "view_closed",
        "team": _team(),
        "user": _user(user_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive(payload, secret=secret, timestamp=timestamp)


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
        "action_ts": _action_ts(),
    }
    if value is not None:
        act["value"] = value
    act.update(action or {})

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [act],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V123")}
        payload["view"] = view
        payload["state"] = view.get("state", {"values": {}})
    if channel_id is not None:
        if message is None:
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": "BBOT",
                "text": "",
                "ts": message_ts or "1700000000.000100",
            }
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
        message_ts = message_ts or message.get("ts")
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload["container"] = container
        payload["channel"] = {"id": channel_id, "name": "channel"}
        payload["message"] = message
        payload.setdefault("state", {"values": {}})
        payload["response_url"] = response_url or UNSET_RESPONSE_URL
    elif response_url is not None:
        payload["response_url"] = response_url
    return _interactive(payload, secret=secret, timestamp=timestamp)


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
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _action_ts(),
        "team": _team(),
        "user": _user(user_id),
        "channel": {"id": channel_id, "name": "channel"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _trigger_id(),
        "response_url": response_url,
        "message_ts": msg["ts"],
        "message": msg,
    }
    return _interactive(payload, secret=secret, timestamp=timestamp)


def global_shortcut(
    callback_id: str,
    *,
    user_id: str = "U123",
    trigger_id: str | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A global shortcut (``type: shortcut``): trigger_id, no channel."""
    payload = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": _action_ts(),
        "team": _team(),
        "user": _user(user_id),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return _interactive(payload, secret=secret, timestamp=timestamp)


# ---------------------------------------------------------------------- events


def event(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """An Events API ``event_callback`` wrapping ``event`` (raw JSON body).

    ``retry_num`` adds ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` like Slack's redeliveries;
    reuse ``event_id`` to simulate a duplicate.
    """
    now = int(time.time())
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_seq):010d}",
        "event_time": event_time or now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{next(_seq)}",
    }
    extra = None
    if retry_num is not None:
        extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
    return sign(
        json.dumps(body, separators=(",", ":")),
        content_type="application/json",
        secret=secret,
        timestamp=timestamp,
        extra_headers=extra,
    )


def app_mention(
    text: str,
    *,
    user_id: str = "U123",
    channel_id: str = "C123",
    ts: str = "1700000000.000100",
    thread_ts: str | None = None,
    **kwargs: Any,
) -> SlackRequest:
    """An ``app_mention`` event (``text`` should contain ``<@UBOT>``)."""
    ev: dict[str, Any] = {
        "type": "app_mention",
        "user": user_id,
        "text": text,
        "ts": ts,
        "channel": channel_id,
        "event_ts": ts,
    }
    if thread_ts is not None:
        ev["thread_ts"] = thread_ts
    return event(ev, **kwargs)


def app_home_opened(user_id: str = "U123", *, tab: str = "home", **kwargs: Any) -> SlackRequest:
    """An ``app_home_opened`` event."""
    ev = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D123",
        "tab": tab,
        "event_ts": _action_ts(),
    }
    return event(ev, **kwargs)
