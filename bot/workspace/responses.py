"""``response_url``: where a command's or an action's follow-ups go. Each URL takes five posts
within thirty minutes (then Slack answers 404 ``used_url`` / ``expired_url``); a post is a new
ephemeral message (the default), a message in the channel (``response_type: in_channel``),
or replaces or deletes the message the action came from."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bot.workspace.api_chat import bot_message, content_error
from bot.workspace.records import JSON, Reply
from bot.workspace.state import RESPONSE_URL_SECONDS, RESPONSE_URL_USES, ResponseTarget

if TYPE_CHECKING:
    from bot.workspace.core import Workspace


def issue(ws: Workspace, target: ResponseTarget, name: str | None = None) -> str:
    """A response_url for ``target`` (``name`` names it, for tests; default a fresh id)."""
    name = name or ws.state.next_id("R")
    ws.state.response_targets.setdefault(name, target)
    return f"{ws.url}/response/{name}"


def _flag(body: JSON, key: str) -> bool:
    return str(body.get(key, "")).lower() in ("1", "true")


def respond(ws: Workspace, name: str, body: JSON) -> Reply:
    """Apply one post to the response_url called ``name``."""
    target = ws.state.response_targets.get(name)
    if target is None:
        return Reply("no_such_url", status=404)
    if time.monotonic() - target.issued_at > RESPONSE_URL_SECONDS:
        return Reply("expired_url", status=404)
    if target.uses >= RESPONSE_URL_USES:
        return Reply("used_url", status=404)
    if not _flag(body, "delete_original"):
        error = content_error(body)
        if error is not None:
            assert isinstance(error.body, dict)
            return Reply(str(error.body["error"]), status=400)
    target.uses += 1
    if target.channel is not None:
        _apply(ws, target, body)
    return Reply({"ok": True})


def _apply(ws: Workspace, target: ResponseTarget, body: JSON) -> None:
    state = ws.state
    assert target.channel is not None
    original = None
    if target.message_ts is not None:
        original = (
            state.ephemeral(target.user, target.message_ts)
            if target.ephemeral
            else state.message(target.channel, target.message_ts)
        )
    content: JSON = {k: body[k] for k in ("text", "blocks", "attachments") if k in body}
    if _flag(body, "delete_original") and original is not None:
        if target.ephemeral:
            state.replace_ephemeral(original, None)
        else:
            state.remove_message(original)
        return
    if _flag(body, "replace_original") and original is not None:
        if target.ephemeral:
            state.replace_ephemeral(original, content)
        else:
            state.edit_message(original, {"blocks": [], **content})
        return
    message = bot_message(ws, {**content, "thread_ts": target.thread_ts}, state.next_ts())
    if body.get("response_type") == "in_channel":
        state.add_message(target.channel, message)
    else:
        state.add_ephemeral(target.channel, target.user, message)
