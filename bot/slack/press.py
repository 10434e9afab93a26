"""A button press, for every listener whose button opens a modal or answers its presser: the
value is read before the ack (a bad one raises ``Stale``), the rest runs after it with a
:class:`Press` saying who pressed and how to answer them."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.messages import tell

Payload = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Press:
    """Who pressed (or ran a command), and how to answer them. ``trigger_id`` lives about
    3 s: open a modal before anything slow."""

    client: AsyncWebClient
    trigger_id: str
    user_id: str
    respond: AsyncRespond
    channel_id: str | None = None  # None on App Home and in modals
    ephemeral: bool = False  # the button was on an ephemeral message
    message_ts: str | None = None  # the message the button is on (None: a view's)

    @classmethod
    def of(cls, body: Payload, client: AsyncWebClient, respond: AsyncRespond) -> Press:
        """From an interaction's body (a button's, a shortcut's)."""
        channel = body.get("channel") or {}
        trigger_id = str(body.get("trigger_id") or "")  # every button press has one
        container = body.get("container") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        user_id = body["user"]["id"]
        return cls(
            client,
            trigger_id,
            user_id,
            respond,
            channel.get("id"),
            ephemeral,
            container.get("message_ts"),
        )

    async def tell(self, text: str, **extra: Any) -> None:
        """A private follow-up (``bot.slack.messages.tell``)."""
        await tell(self.respond, text, **extra)

    async def open(self, view: View | Payload) -> Any:
        """Open ``view`` as a modal on this press's trigger_id; Slack's answer."""
        return await self.client.views_open(trigger_id=self.trigger_id, view=view)


def on_press(
    app: AsyncApp,
    deps: SlackDeps,
    action_id: str,
    read: Callable[[Payload], T],
    then: Callable[[Press, T], Coroutine[Any, Any, Any]],
    *,
    name: str,
    opens: bool = True,
) -> None:
    """Listen to button ``action_id``: ``read`` its action before the ack, then ``then`` the
    press and what was read, right after the ack when it ``opens`` a modal (never queued
    behind slow post-ack work), else as slow post-ack work (``SlackDeps.after_ack``)."""

    async def pressed(
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        value = read(action)
        await ack()
        work = then(Press.of(body, client, respond), value)
        if opens:
            deps.right_after_ack(work, name=name)
        else:
            deps.after_ack(work, name=name)

    app.action(action_id)(pressed)
