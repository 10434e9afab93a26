"""What listeners need from the rest of the bot, handed to them once at registration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.desk import Desk

# Downloads a Slack file URL with the bot token; raises ValueError when it is too large.
Downloader = Callable[[str, int], Awaitable[bytes]]


@dataclass
class SlackDeps:
    desk: Desk
    download: Downloader
    porting_channel: str
