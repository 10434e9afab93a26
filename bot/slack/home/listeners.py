"""App Home: ``app_home_opened`` and the Home tab's Refresh queue a publish of the viewer's
Home (durable outbox work, ``bot.desk.day``); the publish itself draws the latest agenda."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.ids import Action

log = logging.getLogger(__name__)
Payload = dict[str, Any]


class HomeListeners:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def register(self, app: AsyncApp) -> None:
        app.event("app_home_opened")(self.opened)
        app.action(Action.HOME_REFRESH)(self.refresh)

    async def opened(self, event: Payload) -> None:
        # Bolt acks events itself. The "messages" tab opens this event too: nothing to draw.
        if event.get("tab", "home") != "home":
            return
        user = event.get("user")
        if isinstance(user, str) and user:
            await self.deps.day.open_home(user)

    async def refresh(self, ack: AsyncAck, body: Payload) -> None:
        await ack()
        await self.deps.day.open_home(body["user"]["id"])


def register(app: AsyncApp, deps: SlackDeps) -> None:
    HomeListeners(deps).register(app)
