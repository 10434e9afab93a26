"""What listeners need from the rest of the bot, handed to them once at registration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bot.desk import Desk
from bot.tasks import Tasks

# Downloads a Slack file URL with the bot token; raises ValueError when it is too large.
Downloader = Callable[[str, int], Awaitable[bytes]]


@dataclass
class SlackDeps:
    desk: Desk
    download: Downloader
    porting_channel: str
    tasks: Tasks

    def after_ack(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run slow work after the ack as a tracked task (kept alive, drained on shutdown)."""
        self.tasks.spawn(work, name=name)
