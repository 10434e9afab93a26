"""What the handlers read besides the work itself, built once by the runtime: the database
(threads, and the stored requests boards are drawn from), the desk's day (reminders,
digests, Home), manual ports, Slack file downloads and the workspace's URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bot.desk.agenda import Digest, HomeAgenda
from bot.desk.day import ReminderDue
from bot.desk.manual_schedule import ManualDecision, ManualReminderRef
from bot.desk.manual_types import ManualPort
from bot.slack.deps import Downloader
from bot.slack.workspace_url import WorkspaceUrl
from bot.store.db import Database


class DeskDayReads(Protocol):
    """What delivery asks the desk about its timed work (``bot.desk.day.DeskDay``)."""

    clock: Callable[[], datetime]
    rate: float  # the clock's seconds per real second: its waits turned into real ones

    async def reminder(self, request_sid: str, kind: str, due_day: date) -> ReminderDue: ...

    async def digest(self, channel_id: str, day: date) -> Digest | None: ...

    async def home(self, user_id: str) -> tuple[HomeAgenda, datetime]: ...


class ManualSource(Protocol):
    """Manual ports as delivery reads them (``bot.desk.manual.ManualPorts``), on the desk's
    clock."""

    clock: Callable[[], datetime]

    async def get(self, manual_id: str) -> ManualPort | None: ...

    async def decide(self, ref: ManualReminderRef, now: datetime) -> ManualDecision: ...


@dataclass(frozen=True)
class Sources:
    db: Database
    desk_day: DeskDayReads | None = None  # None: no timed work is served
    manual: ManualSource | None = None  # None: no manual ports are served
    download: Downloader | None = None  # Slack files, with the bot token
    workspace: WorkspaceUrl = field(default_factory=WorkspaceUrl)

    def day(self) -> DeskDayReads:
        if self.desk_day is None:
            raise RuntimeError("timed work queued but no DeskDay serves it")
        return self.desk_day
