"""What listeners need from the rest of the bot, handed to them once at registration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.background import Tasks
from bot.desk.calendar import BusinessCalendar
from bot.desk.cancel import Cancels
from bot.desk.checks import Checks
from bot.desk.day import DeskDay
from bot.desk.desk_listing import Listings
from bot.desk.filing import Filing
from bot.desk.golive import GoLive
from bot.desk.inventory import Inventory
from bot.desk.manual.ports import ManualPorts
from bot.desk.profiles import Profiles
from bot.desk.refile.refiling import Refiles
from bot.desk.signing import SigningLinks
from bot.desk.sync import Requests
from bot.porting.golive import Liveness
from bot.slack.files import FileHosts

# Downloads a Slack file URL with the bot token; raises ValueError when it is too large.
Downloader = Callable[[str, int], Awaitable[bytes]]


@dataclass
class SlackDeps:
    # The desk's services listeners call (``bot.desk``'s modules of the same names).
    requests: Requests
    checks: Checks
    filing: Filing
    cancels: Cancels
    signing: SigningLinks
    refiles: Refiles
    listings: Listings
    manual: ManualPorts
    day: DeskDay
    # Go-live profiles and the account's inventory (``bot.desk.golive``, ``bot.desk.inventory``).
    golive: GoLive
    profiles: Profiles
    inventory: Inventory
    # Each number's go-live and whether it is in the account now (``Desk.liveness``).
    liveness: Callable[[Sequence[str]], Awaitable[dict[str, Liveness]]]
    # The desk's business calendar and clock: forms date-check against the desk's today.
    calendar: BusinessCalendar
    clock: Callable[[], datetime]
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

    def today(self) -> date:
        """Today on the desk's clock, in its time zone."""
        return self.calendar.local_date(self.clock())

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
