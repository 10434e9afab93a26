"""What Slack POSTs to an app's request URL (``/slack/events``), shaped and signed as Slack
does: slash commands (form fields), interactive payloads (``payload=<JSON>``: block actions,
view submissions and closes, shortcuts) and Events API callbacks (raw JSON).

The workspace's page sends these when someone clicks; the tests' request builders
(``tests/fakes/slack_requests.py``) build the same shapes from hand-made messages and views.
Signatures: ``v0=HMAC_SHA256(secret, "v0:{timestamp}:{body}")``, checked by Bolt.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.workspace.identity import Identity

JSON = dict[str, Any]

VERIFICATION_TOKEN = "legacy-verification-token"
"""Slack still sends the deprecated verification ``token`` field; Bolt ignores it."""

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
    secret: str,
    timestamp: int | None = None,
    extra_headers: dict[str, str] | None = None,
) -> SlackRequest:
    """Sign ``body`` like Slack (``timestamp`` defaults to now; Bolt refuses 5 minutes off)."""
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


def form(fields: JSON, *, secret: str, timestamp: int | None = None) -> SlackRequest:
    return sign(
        urlencode(fields).encode("utf-8"),
        content_type="application/x-www-form-urlencoded",
        secret=secret,
        timestamp=timestamp,
    )


def interactive(payload: JSON, *, secret: str, timestamp: int | None = None) -> SlackRequest:
    body = {"payload": json.dumps(payload, separators=(",", ":"))}
    return form(body, secret=secret, timestamp=timestamp)


def action_ts() -> str:
    return f"{time.time():.6f}"


def user_ref(me: Identity, user_id: str, name: str | None = None) -> JSON:
    name = name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": me.team_id}


def team_ref(me: Identity) -> JSON:
    return {"id": me.team_id, "domain": me.team_domain}


def _common(me: Identity, kind: str, user_id: str, user_name: str | None) -> JSON:
    return {
        "type": kind,
        "team": team_ref(me),
        "user": user_ref(me, user_id, user_name),
        "api_app_id": me.app_id,
        "token": VERIFICATION_TOKEN,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def command_fields(
    me: Identity,
    command: str,
    text: str,
    *,
    user_id: str,
    user_name: str | None,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """A slash command's form fields, exactly as Slack posts them."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": me.team_id,
        "team_domain": me.team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": me.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def view_submission(
    me: Identity,
    view: JSON,
    *,
    user_id: str,
    trigger_id: str,
    user_name: str | None = None,
    response_urls: list[JSON] | None = None,
) -> JSON:
    """A ``view_submission`` payload for ``view`` (with its ``state``)."""
    return {
        **_common(me, "view_submission", user_id, user_name),
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": response_urls or [],
    }


def view_closed(
    me: Identity, view: JSON, *, user_id: str, is_cleared: bool, user_name: str | None = None
) -> JSON:
    """A ``view_closed`` payload (sent only for views with ``notify_on_close``)."""
    return {
        **_common(me, "view_closed", user_id, user_name),
        "view": view,
        "is_cleared": is_cleared,
    }


def block_actions(
    me: Identity,
    action: JSON,
    *,
    user_id: str,
    trigger_id: str,
    user_name: str | None = None,
    view: JSON | None = None,
    channel: JSON | None = None,
    message: JSON | None = None,
    is_ephemeral: bool = False,
    response_url: str | None = None,
) -> JSON:
    """A ``block_actions`` payload for one element, in a view (``view``) or in a message
    (``channel`` + ``message``; its ``response_url`` answers into the same place)."""
    payload: JSON = {
        **_common(me, "block_actions", user_id, user_name),
        "trigger_id": trigger_id,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = view
        payload["state"] = view.get("state", {"values": {}})
    if channel is not None and message is not None:
        container: JSON = {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel["id"],
            "is_ephemeral": is_ephemeral,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload["container"] = container
        payload["channel"] = channel
        payload["message"] = message
        payload.setdefault("state", {"values": {}})
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def message_action(
    me: Identity,
    callback_id: str,
    message: JSON,
    *,
    channel: JSON,
    user_id: str,
    trigger_id: str,
    response_url: str,
    user_name: str | None = None,
) -> JSON:
    """A message shortcut (``type: message_action``) on ``message``."""
    return {
        **_common(me, "message_action", user_id, user_name),
        "action_ts": action_ts(),
        "channel": channel,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }


def global_shortcut(
    me: Identity, callback_id: str, *, user_id: str, trigger_id: str, user_name: str | None = None
) -> JSON:
    """A global shortcut (``type: shortcut``): trigger_id, no channel."""
    return {
        **_common(me, "shortcut", user_id, user_name),
        "action_ts": action_ts(),
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    }


def event_callback(
    me: Identity, event: JSON, *, event_id: str | None = None, event_time: int | None = None
) -> JSON:
    """An Events API ``event_callback`` body wrapping ``event``."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": me.team_id,
        "context_team_id": me.team_id,
        "api_app_id": me.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_seq):010d}",
        "event_time": event_time or int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": me.team_id,
                "user_id": me.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-local-{next(_seq)}",
    }


def event(
    body: JSON,
    *,
    secret: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SlackRequest:
    """Sign an Events API body (``retry_num`` adds Slack's redelivery headers)."""
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
