"""What listeners need from the rest of the bot, handed to them once at registration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.background import Tasks
from bot.desk import Desk
from bot.slack.files import FileHosts

# Downloads a Slack file URL with the bot token; raises ValueError when it is too large.
Downloader = Callable[[str, int], Awaitable[bytes]]


@dataclass
class SlackDeps:
    desk: Desk
    download: Downloader
    porting_channel: str
    tasks: Tasks
    # PORTING_ADMINS: Slack user and user-group IDs allowed to file and cancel (empty: everyone).
    admins: tuple[str, ...] = ()
    # Where ``download`` may fetch a file: a form refuses any other (ForeignFile says why).
    files: FileHosts = field(default_factory=FileHosts)
    # Post-ack jobs running at once. Acks share the event loop with these jobs; bounding them
    # keeps the ready queue short, so a burst of commands is still acked within Slack's 3 s.
    after_ack_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    # Told what post-ack work raised (``bot.slack.failures`` tells the person who asked);
    # set when the Bolt app is built.
    on_failure: Callable[[Exception], None] | None = None

    def after_ack(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run slow work after the ack as a tracked task (kept alive, drained on shutdown).

        Everything a listener does after its ack belongs here: what it raises reaches
        ``on_failure``; raised in the listener itself, Bolt's runner would drop the ack it had
        recorded (a quick failure then turns a sent ack into a 404 three seconds later)."""
        self.tasks.spawn(self._guarded(self._bounded(work)), name=name)

    def right_after_ack(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Work bound to a trigger_id (views.open must happen within ~3 s of the click): tracked
        like ``after_ack`` but never queued behind the bounded post-ack jobs."""
        self.tasks.spawn(self._guarded(work), name=name)

    async def _guarded(self, work: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await work
        except Exception as error:
            if self.on_failure is None:
                raise
            self.on_failure(error)

    async def _bounded(self, work: Coroutine[Any, Any, Any]) -> Any:
        async with self.after_ack_slots:
            return await work
