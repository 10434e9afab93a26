"""``chat.*`` and ``conversations.*``: posting, editing and reading messages and threads, with
the argument checks Slack makes (no text, too long, bad blocks, thread_ts not a string, a
message that is not there, a channel the bot cannot see)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.workspace.blockkit import message_errors
from bot.workspace.records import JSON, Call, Reply, refused, slack_error
from bot.workspace.state import public

if TYPE_CHECKING:
    from bot.workspace.core import Workspace

TEXT_LIMIT = 40_000
_TS = re.compile(r"^\d+\.\d+$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def resolve_channel(ws: Workspace, value: Any, *, posting: bool = True) -> JSON | Reply:
    """The channel a ``channel`` argument names (an ID, ``#name``, or a user ID for their DM
    with the bot), or Slack's refusal."""
    state = ws.state
    name = str(value or "")
    channel: JSON | None = None
    if name.startswith("#"):
        channel = next((c for c in state.channels.values() if c.get("name") == name[1:]), None)
    elif _USER_ID.match(name) and posting:
        channel = state.im_with(name)
    elif _CHANNEL_ID.match(name):
        channel = state.channel(name)
    if channel is None:
        return slack_error("channel_not_found")
    if channel.get("is_private") and not channel.get("is_member"):
        return slack_error("channel_not_found")  # private channels the bot is not in are hidden
    if posting and channel.get("is_archived"):
        return slack_error("is_archived")
    return channel


def content_error(args: JSON) -> Reply | None:
    """Slack's refusal of a message's content (text, blocks, attachments, metadata), if any."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        return slack_error("no_text")
    if text is not None and not isinstance(text, str):
        return refused("invalid_arguments", "[ERROR] text must be a string [json-pointer:/text]")
    if isinstance(text, str) and len(text) > TEXT_LIMIT:
        return slack_error("msg_too_long")
    if blocks is not None:
        if isinstance(blocks, str):
            return slack_error("invalid_blocks_format")
        errors = message_errors(blocks)
        if errors:
            return refused("invalid_blocks", *errors)
    metadata = args.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        return slack_error("invalid_metadata_format")
    return None


def thread_error(value: object) -> Reply | None:
    """A thread_ts Slack cannot use. A number (JSON float) loses digits on the way, and real
    Slack then files the reply under a thread nobody sees: refused here, so it shows."""
    if value is None:
        return None
    if not isinstance(value, str) or not _TS.match(value):
        return refused("invalid_thread_ts", f"[ERROR] {value!r} is not a valid thread_ts")
    return None


def bot_message(ws: Workspace, args: JSON, ts: str) -> JSON:
    me = ws.identity
    message: JSON = {
        "type": "message",
        "user": me.bot_user_id,
        "bot_id": me.bot_id,
        "app_id": me.app_id,
        "team": me.team_id,
        "text": args.get("text") or "",
        "ts": ts,
    }
    for key in ("blocks", "attachments", "metadata", "thread_ts"):
        if args.get(key) is not None:
            message[key] = args[key]
    return message


def chat_post_message(ws: Workspace, call: Call) -> JSON | Reply:
    args = call.args
    channel = resolve_channel(ws, args.get("channel"))
    if isinstance(channel, Reply):
        return channel
    error = content_error(args) or thread_error(args.get("thread_ts"))
    if error is not None:
        return error
    message = bot_message(ws, args, ws.state.next_ts())
    ws.state.add_message(channel["id"], message)
    return {"ok": True, "channel": channel["id"], "ts": message["ts"], "message": message}


def _own_message(ws: Workspace, args: JSON, refusal: str) -> JSON | Reply:
    channel = resolve_channel(ws, args.get("channel"), posting=False)
    if isinstance(channel, Reply):
        return channel
    ts = args.get("ts")
    stored = ws.state.message(channel["id"], ts) if isinstance(ts, str) else None
    if stored is None:
        return slack_error("message_not_found")
    if stored.get("user") != ws.identity.bot_user_id:
        return slack_error(refusal)
    return stored


def chat_update(ws: Workspace, call: Call) -> JSON | Reply:
    stored = _own_message(ws, call.args, "cant_update_message")
    if isinstance(stored, Reply):
        return stored
    changes: JSON = {
        k: call.args[k] for k in ("text", "blocks", "attachments", "metadata") if k in call.args
    }
    error = content_error({**public(stored), **changes})
    if error is not None:
        return error
    ws.state.edit_message(stored, changes)
    return {
        "ok": True,
        "channel": stored["channel"],
        "ts": stored["ts"],
        "text": stored.get("text", ""),
        "message": public(stored),
    }


def chat_delete(ws: Workspace, call: Call) -> JSON | Reply:
    stored = _own_message(ws, call.args, "cant_delete_message")
    if isinstance(stored, Reply):
        return stored
    ws.state.remove_message(stored)
    return {"ok": True, "channel": stored["channel"], "ts": stored["ts"]}


def chat_post_ephemeral(ws: Workspace, call: Call) -> JSON | Reply:
    args = call.args
    channel = resolve_channel(ws, args.get("channel"))
    if isinstance(channel, Reply):
        return channel
    if not args.get("user"):
        return slack_error("user_not_in_channel")
    error = content_error(args) or thread_error(args.get("thread_ts"))
    if error is not None:
        return error
    message = bot_message(ws, args, ws.state.next_ts())
    ws.state.add_ephemeral(channel["id"], str(args["user"]), message)
    return {"ok": True, "message_ts": message["ts"]}


def permalink(ws: Workspace, channel: str, ts: str, thread_ts: str | None = None) -> str:
    link = f"{ws.identity.web_url}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def chat_get_permalink(ws: Workspace, call: Call) -> JSON | Reply:
    channel = resolve_channel(ws, call.args.get("channel"), posting=False)
    if isinstance(channel, Reply):
        return channel
    ts = call.args.get("message_ts")
    stored = ws.state.message(channel["id"], ts) if isinstance(ts, str) else None
    if stored is None:
        return slack_error("message_not_found")
    link = permalink(ws, channel["id"], stored["ts"], stored.get("thread_ts"))
    return {"ok": True, "channel": channel["id"], "permalink": link}


def _page(messages: list[JSON], args: JSON, default: int) -> tuple[list[JSON], str]:
    """One page of ``messages`` (``limit``/``cursor``) and the next cursor ("" at the end)."""
    try:
        limit = max(1, min(int(args.get("limit") or default), 999))
        start = int(args.get("cursor") or 0)
    except ValueError:
        return [], ""
    chunk = messages[start : start + limit]
    more = start + limit < len(messages)
    return chunk, str(start + limit) if more else ""


def _shown(message: JSON, args: JSON) -> JSON:
    shown = public(message)
    if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
        shown.pop("metadata", None)  # Slack returns metadata only when asked
    return shown


def _window(message: JSON, args: JSON) -> bool:
    ts = float(message["ts"])
    inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
    if args.get("oldest"):
        oldest = float(args["oldest"])
        if ts < oldest or (ts == oldest and not inclusive):
            return False
    if args.get("latest"):
        latest = float(args["latest"])
        if ts > latest or (ts == latest and not inclusive):
            return False
    return True


def _readable(ws: Workspace, args: JSON) -> JSON | Reply:
    channel = resolve_channel(ws, args.get("channel"), posting=False)
    if isinstance(channel, Reply):
        return channel
    if not channel.get("is_member") and not channel.get("is_im"):
        return slack_error("not_in_channel")
    return channel


def conversations_history(ws: Workspace, call: Call) -> JSON | Reply:
    channel = _readable(ws, call.args)
    if isinstance(channel, Reply):
        return channel
    top = [
        m
        for m in ws.state.in_channel(channel["id"])
        if m.get("thread_ts") in (None, m["ts"]) and _window(m, call.args)
    ]
    chunk, cursor = _page(list(reversed(top)), call.args, 100)
    return {
        "ok": True,
        "messages": [_shown(m, call.args) for m in chunk],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_replies(ws: Workspace, call: Call) -> JSON | Reply:
    channel = _readable(ws, call.args)
    if isinstance(channel, Reply):
        return channel
    ts = call.args.get("ts")
    thread = ws.state.thread(channel["id"], ts) if isinstance(ts, str) else []
    if not thread:
        return slack_error("thread_not_found")
    chunk, cursor = _page(
        [m for m in thread if _window(m, call.args) or m["ts"] == ts], call.args, 1000
    )
    return {
        "ok": True,
        "messages": [_shown(m, call.args) for m in chunk],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_info(ws: Workspace, call: Call) -> JSON | Reply:
    channel = resolve_channel(ws, call.args.get("channel"), posting=False)
    if isinstance(channel, Reply):
        return channel
    return {"ok": True, "channel": channel}


def conversations_open(ws: Workspace, call: Call) -> JSON | Reply:
    users = [u for u in str(call.args.get("users", "")).split(",") if u]
    if not users:
        return slack_error("users_list_not_supplied")
    if len(users) > 1:  # a group DM
        channel = ws.state.channel("G" + "".join(u.upper() for u in users))
        channel.update({"is_mpim": True, "is_private": True, "is_member": True})
        return {"ok": True, "channel": {"id": channel["id"], "is_mpim": True}}
    channel = ws.state.im_with(users[0])
    return {"ok": True, "channel": {"id": channel["id"], "is_im": True}}


def conversations_join(ws: Workspace, call: Call) -> JSON | Reply:
    channel = resolve_channel(ws, call.args.get("channel"), posting=False)
    if isinstance(channel, Reply):
        return channel
    channel["is_member"] = True
    return {"ok": True, "channel": channel}


METHODS = {
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "conversations.info": conversations_info,
    "conversations.open": conversations_open,
    "conversations.join": conversations_join,
}
