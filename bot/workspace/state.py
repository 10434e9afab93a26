"""The workspace's data: users, channels, messages and their threads, ephemeral messages,
files, views (modal stacks and App Home tabs), trigger ids and response URLs.

Messages are kept as Slack's own message objects (dicts), each with its ``channel``, in the
order they were posted; every change is announced to :attr:`WorkspaceState.listeners` (the
page's push channel). The Web API modules check arguments; this module only stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.workspace.identity import Identity

JSON = dict[str, Any]
Listener = Callable[[JSON], None]

TRIGGER_SECONDS = 3.0  # a trigger_id opens a view within about 3 s of the click
RESPONSE_URL_USES = 5  # a response_url takes 5 posts…
RESPONSE_URL_SECONDS = 30 * 60.0  # …within 30 minutes


class Answering:
    """An interaction sent to the app whose answer (the HTTP response) is not applied yet.

    Slack applies an app's response to an interaction before the calls the app makes after
    sending it (they come on new requests; the response is on the open one). Here both arrive
    over loopback in any order, so a call about the same view or response_url waits for this
    (at most as long as Slack waits for the answer)."""

    def __init__(self) -> None:
        self._done = asyncio.Event()

    def done(self) -> None:
        self._done.set()

    async def wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._done.wait(), TRIGGER_SECONDS)


@dataclass
class StoredFile:
    file_id: str
    name: str
    content: bytes
    mimetype: str
    filetype: str
    title: str
    user: str
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class PendingUpload:
    upload_id: str
    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    snippet_type: str | None
    content: bytes | None = None


@dataclass
class ViewRecord:
    """A view Slack holds: a modal in someone's stack, or their App Home tab. ``answering``
    is set while a submission of it waits for the app's answer."""

    view: JSON
    user: str
    open: bool = True
    errors: dict[str, str] = field(default_factory=dict)
    answering: Answering | None = None


@dataclass
class ResponseTarget:
    """Where posts to one response_url land: the channel (and thread) of the interaction,
    the message it came from (for ``replace_original``/``delete_original``), and its budget."""

    user: str
    channel: str | None
    thread_ts: str | None = None
    message_ts: str | None = None
    ephemeral: bool = False
    uses: int = 0
    issued_at: float = field(default_factory=time.monotonic)
    answering: Answering | None = None  # the command it came with waits for its ack


def default_user(user_id: str, team_id: str) -> JSON:
    return {
        "id": user_id,
        "team_id": team_id,
        "name": user_id.lower(),
        "real_name": f"User {user_id}",
        "deleted": False,
        "is_bot": False,
        "is_admin": False,
        "tz": "UTC",
        "tz_offset": 0,
        "profile": {
            "real_name": f"User {user_id}",
            "display_name": user_id.lower(),
            "email": f"{user_id.lower()}@example.com",
        },
    }


def default_channel(channel_id: str) -> JSON:
    im = channel_id.startswith("D")
    return {
        "id": channel_id,
        "name": f"channel-{channel_id.lower()}",
        "is_channel": not im,
        "is_private": channel_id.startswith("G"),
        "is_archived": False,
        "is_member": True,
        "is_im": im,
    }


def public(message: JSON) -> JSON:
    """A stored message as the Web API returns it (without our ``channel`` key)."""
    return {k: v for k, v in message.items() if k != "channel"}


class WorkspaceState:
    """Everything the workspace holds. Mutations notify :attr:`listeners`."""

    def __init__(self, identity: Identity | None = None) -> None:
        self.identity = identity or Identity()
        self.users: dict[str, JSON] = {}
        self.channels: dict[str, JSON] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.messages: list[JSON] = []  # every channel's messages, in posting order
        self._by_key: dict[tuple[str, str], JSON] = {}
        self.ephemerals: list[JSON] = []
        self.files: dict[str, StoredFile] = {}
        self.pending_uploads: dict[str, PendingUpload] = {}
        self.views: dict[str, ViewRecord] = {}
        self.stacks: dict[str, list[str]] = {}  # user → open modal view ids, root first
        self.triggers: dict[str, tuple[str, float]] = {}  # trigger_id → (user, issued at)
        self.response_targets: dict[str, ResponseTarget] = {}
        self.listeners: list[Listener] = []
        self._last_ts = 0.0
        self._ids = 0

    # -- ids -----------------------------------------------------------------------------

    def next_ts(self) -> str:
        """A message ts: the time of posting, strictly increasing across the workspace."""
        now = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:08d}"

    def notify(self, event: JSON) -> None:
        for listener in list(self.listeners):
            listener(event)

    # -- people and places ---------------------------------------------------------------

    def user(self, user_id: str) -> JSON:
        """A user (unknown ids get a generated profile, as a test workspace would have)."""
        return self.users.get(user_id) or default_user(user_id, self.identity.team_id)

    def channel(self, channel_id: str) -> JSON:
        """A channel, created with public defaults the first time it is named."""
        if channel_id not in self.channels:
            self.channels[channel_id] = default_channel(channel_id)
        return self.channels[channel_id]

    def im_with(self, user_id: str) -> JSON:
        """The bot's direct-message channel with ``user_id``."""
        channel = self.channel("D" + user_id.upper())
        channel.update({"is_im": True, "is_channel": False, "user": user_id})
        return channel

    # -- messages ------------------------------------------------------------------------

    def message(self, channel: str, ts: str) -> JSON | None:
        return self._by_key.get((channel, ts))

    def in_channel(self, channel: str) -> Iterator[JSON]:
        return (m for m in self.messages if m["channel"] == channel)

    def thread(self, channel: str, thread_ts: str) -> list[JSON]:
        return [
            m
            for m in self.in_channel(channel)
            if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts
        ]

    def add_message(self, channel: str, message: JSON) -> JSON:
        stored = {**message, "channel": channel}
        self.messages.append(stored)
        self._by_key[(channel, stored["ts"])] = stored
        root_ts = stored.get("thread_ts")
        root = self.message(channel, root_ts) if root_ts and root_ts != stored["ts"] else None
        if root is not None:
            root["reply_count"] = int(root.get("reply_count", 0)) + 1
            root["latest_reply"] = stored["ts"]
            root.setdefault("thread_ts", root["ts"])
            users = root.setdefault("reply_users", [])
            if stored.get("user") and stored["user"] not in users:
                users.append(stored["user"])
            self.notify({"type": "message_changed", "channel": channel, "message": public(root)})
        self.notify({"type": "message", "channel": channel, "message": public(stored)})
        return stored

    def edit_message(self, stored: JSON, changes: JSON) -> JSON:
        stored.update(changes)
        stored["edited"] = {"user": self.identity.bot_user_id, "ts": self.next_ts()}
        self.notify(
            {"type": "message_changed", "channel": stored["channel"], "message": public(stored)}
        )
        return stored

    def remove_message(self, stored: JSON) -> None:
        self.messages.remove(stored)
        del self._by_key[(stored["channel"], stored["ts"])]
        self.notify({"type": "message_deleted", "channel": stored["channel"], "ts": stored["ts"]})

    def add_ephemeral(self, channel: str, user: str, message: JSON) -> JSON:
        stored = {**message, "channel": channel, "user_visible_to": user, "is_ephemeral": True}
        self.ephemerals.append(stored)
        self.notify({"type": "ephemeral", "channel": channel, "user": user, "message": stored})
        return stored

    def ephemeral(self, user: str, ts: str) -> JSON | None:
        return next(
            (e for e in self.ephemerals if e["ts"] == ts and e["user_visible_to"] == user), None
        )

    def replace_ephemeral(self, stored: JSON, changes: JSON | None) -> None:
        """Replace an ephemeral message's content, or delete it (``changes`` None)."""
        if changes is None:
            self.ephemerals.remove(stored)
            event = {"type": "ephemeral_deleted", "ts": stored["ts"]}
        else:
            for key in ("text", "blocks", "attachments"):
                stored.pop(key, None)
            stored.update(changes)
            event = {"type": "ephemeral", "message": stored}
        event.update(channel=stored["channel"], user=stored["user_visible_to"])
        self.notify(event)

    # -- views ---------------------------------------------------------------------------

    def stack(self, user: str) -> list[str]:
        return self.stacks.setdefault(user, [])

    def show_view(self, record: ViewRecord, *, push: bool = False) -> None:
        """Open ``record`` as ``user``'s modal (replacing the stack) or push it on top. A view
        opened on a trigger_id this workspace did not issue (a test's) belongs to no stack."""
        self.views[record.view["id"]] = record
        if not record.user:
            return
        stack = self.stack(record.user)
        if not push:
            for old in stack:
                self.views[old].open = False
            stack.clear()
        stack.append(record.view["id"])
        self.notify({"type": "modal", "user": record.user, "stack": self.modal_stack(record.user)})

    def refresh_view(self, record: ViewRecord) -> None:
        kind = "home" if record.view.get("type") == "home" else "modal"
        event: JSON = {"type": kind, "user": record.user}
        if kind == "modal":
            event["stack"] = self.modal_stack(record.user)
        else:
            event["view"] = record.view
        self.notify(event)

    def close_views(self, user: str, *, all_of_them: bool) -> list[ViewRecord]:
        """Close the top modal (or the whole stack); the closed views, top first."""
        stack = self.stack(user)
        closed = []
        while stack:
            record = self.views[stack.pop()]
            record.open = False
            closed.append(record)
            if not all_of_them:
                break
        self.notify({"type": "modal", "user": user, "stack": self.modal_stack(user)})
        return closed

    def modal_stack(self, user: str) -> list[JSON]:
        return [{**self.views[v].view, "errors": self.views[v].errors} for v in self.stack(user)]

    def home(self, user: str) -> ViewRecord | None:
        return next(
            (r for r in self.views.values() if r.user == user and r.view.get("type") == "home"),
            None,
        )

    # -- triggers and response URLs --------------------------------------------------------

    def issue_trigger(self, user: str) -> str:
        self._ids += 1
        trigger = f"{int(time.time())}.{self.identity.team_id}.{self._ids:032x}"
        self.triggers[trigger] = (user, time.monotonic())
        return trigger

    def trigger_expired(self, trigger_id: str) -> bool:
        """Only triggers this workspace issued can expire (tests bring their own)."""
        issued = self.triggers.get(trigger_id)
        return issued is not None and time.monotonic() - issued[1] > TRIGGER_SECONDS
